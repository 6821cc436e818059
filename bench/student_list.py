#!/usr/bin/env python
"""The student list (/students/) at province scale, through Django's test client, beside its floor.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xueji_bench_lists .venv/bin/python bench/student_list.py

Runs on the province `bench/reports.py` builds (1,000,000 students in 5,000 schools). That build
names every student 学生<n>, which no search or pinyin order is like; `--names` first gives them
names as a province has (surnames by frequency, one or two given characters, 416,000 distinct
names), a former name to one in 97 and a former student number to one in 211. The officers are
provisioned once. Each page is requested four times as the officer (the first warms the caches),
the best of the other three is printed with its statements, beside the floor: the best of three
runs of one SQL statement reading the same rows by their ids, with the same joins as the page.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from year_end import DEFAULT_DATABASE_URL, QueryCounter, configure  # noqa: E402

NAMES_SQL = """
CREATE TEMP TABLE surname AS SELECT row_number() OVER () - 1 AS k, s FROM unnest(string_to_array(
  '王,王,王,王,王,王,李,李,李,李,李,李,张,张,张,张,张,刘,刘,刘,刘,陈,陈,陈,陈,杨,杨,杨,黄,黄,赵,赵,吴,吴,周,周,徐,孙,马,'
  '朱,胡,郭,何,高,林,罗,郑,梁,谢,宋,唐,许,韩,冯,邓,曹,彭,曾,肖,田,董,袁,潘,于,蒋,蔡,余,杜,叶,程,苏,魏,吕,丁,任,沈,'
  '姚,卢,姜,崔,钟,谭,陆,汪,范,金,石,廖,贾,夏,韦,付,方,白,邹,孟,熊,秦,邱,江,尹,薛,闫,段,雷,侯,龙,史,陶,黎,贺,顾,'
  '毛,郝,龚,邵,万,钱,严,覃,武,戴,莫,孔,向,汤,欧阳,司马,诸葛', ',')) s;
CREATE TEMP TABLE given AS SELECT row_number() OVER () - 1 AS k, g FROM unnest(regexp_split_to_array(
  '子轩浩宇梓涵欣怡一诺雨桐宇轩梓萱思远晨曦嘉怡俊杰佳琪明轩志强丽娟秀英文博建华晓雨天佑安琪若曦欣妍诗涵雅婷紫萱'
  '梦琪雨萱博文浩然皓轩子墨宇航泽宇晨阳睿思雪梅海燕国庆春花秋菊冬梅玉兰美玲淑芬桂英红霞丹丹静怡心怡可馨家豪振宇'
  '鹏飞凯文俊熙', '')) g;
UPDATE records_student st SET name = sn.s || g1.g || CASE WHEN st.id % 7 = 0 THEN '' ELSE g2.g END,
    former_names = CASE WHEN st.id % 97 = 0 THEN sn.s || g2.g || g1.g ELSE '' END,
    former_student_numbers = CASE WHEN st.id % 211 = 0 THEN 'L' || substr(st.student_number, 2) ELSE '' END
  FROM surname sn, given g1, given g2
  WHERE sn.k = (hashint4(st.id::int) & 2147483647) % (SELECT count(*) FROM surname)
    AND g1.k = (hashint4(st.id::int + 7) & 2147483647) % (SELECT count(*) FROM given)
    AND g2.k = (hashint4(st.id::int + 13) & 2147483647) % (SELECT count(*) FROM given);
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", action="store_true", help="give the students realistic names first (2 minutes)")
    parser.add_argument("--only", default="", help="time only the paths whose title contains this")
    return parser.parse_args()


def officers():
    from django.contrib.auth import get_user_model

    from records import services
    from records.models import Bureau, Role, School

    users = {}
    for level in ("province", "city"):
        username = f"bench_{level}"
        if not get_user_model().objects.filter(username=username).exists():
            services.user_provision(
                username=username, role=Role.BUREAU_OFFICER, password="Bench-only-2026!",
                bureau=Bureau.objects.filter(region__level=level).order_by("code").first(), must_change_password=False,
            )
        users[level] = get_user_model().objects.get(username=username)
    if not get_user_model().objects.filter(username="bench_registrar").exists():
        services.user_provision(
            username="bench_registrar", role=Role.REGISTRAR, password="Bench-only-2026!",
            school=School.objects.order_by("identifier").first(), must_change_password=False,
        )
    users["registrar"] = get_user_model().objects.get(username="bench_registrar")
    return users


class ListQueries(QueryCounter):
    """The list's own statements (its rows, its count and estimate), each read from records_student."""

    def __call__(self, execute, sql, params, many, context):
        if 'FROM "records_student"' not in sql:
            return execute(sql, params, many, context)
        return super().__call__(execute, sql, params, many, context)


def best_of(fn, runs=3):
    fn()
    best = None
    for _run in range(runs):
        started = time.perf_counter()
        fn()
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best


def floor_of(ids: list[int]) -> float:
    """One statement reading these rows by id, with the page's joins: school, gender, open class."""
    from django.db import connection

    sql = """
        SELECT s.*, sc.name, g.name, c.id, c.name, c.code, c.grade FROM records_student s
        JOIN records_school sc ON sc.id = s.school_id JOIN records_code g ON g.id = s.gender_id
        LEFT JOIN records_placement p ON p.student_id = s.id AND p.ended_on IS NULL
        LEFT JOIN records_schoolclass c ON c.id = p.school_class_id
        WHERE s.id = ANY(%s)"""

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids or [0]])
            cursor.fetchall()

    return best_of(run)


def main() -> int:
    args = parse_args()
    configure(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from records import selectors
    from records.models import Student

    setup_test_environment()  # the test client keeps response.context
    if args.names:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(NAMES_SQL)
            cursor.execute("VACUUM ANALYZE records_student")
        print(f"names given in {time.perf_counter() - started:.0f} s")
    users = officers()
    province, city = users["province"], users["city"]
    deep = selectors.student_search(province)[100_000]
    city_deep = selectors.student_search(city)[20_000]
    full = Student.objects.order_by("pk")[500_000]
    former = Student.objects.exclude(former_student_numbers="").order_by("pk")[1_000]
    cursor_of = getattr(selectors, "student_list_cursor", None)
    paths = [
        ("province, page 1", province, {}),
        ("province, ?page=2001 (row 100,001)", province, {"page": 2001}),
        ("province, row 100,001 by ?after=", province, {"after": cursor_of(deep)} if cursor_of else None),
        ("province, status=suspended", province, {"status": "suspended"}),
        ("province, name 王子轩 (3 characters)", province, {"q": "王子轩"}),
        ("province, name 子轩 (2 characters)", province, {"q": "子轩"}),
        ("province, name 王 (1 character)", province, {"q": "王"}),
        ("province, former name", province, {"q": Student.objects.exclude(former_names="").order_by("pk")[10].former_names}),
        ("province, full student number", province, {"q": full.student_number}),
        ("province, ID-layout number (18)", province, {"q": full.student_number[1:]}),
        ("province, former student number", province, {"q": former.former_student_numbers}),
        ("province, last 8 of a number", province, {"q": full.student_number[-8:]}),
        ("city, page 1", city, {}),
        ("city, ?page=401 (row 20,001)", city, {"page": 401}),
        ("city, row 20,001 by ?after=", city, {"after": cursor_of(city_deep)} if cursor_of else None),
        ("city, name 子轩", city, {"q": "子轩"}),
        ("registrar, page 1", users["registrar"], {}),
    ]
    print(f"{'path':<40} {'page ms':>8} {'queries':>8} {'list SQL':>9} {'floor ms':>9} {'×':>6}  shown")
    for title, user, query in paths:
        if query is None or (args.only and args.only not in title):
            continue
        client = Client()
        client.force_login(user)
        counter, listing = QueryCounter(), ListQueries()
        response = client.get("/students/", query)
        assert response.status_code == 200, (title, response.status_code)
        with connection.execute_wrapper(counter), connection.execute_wrapper(listing):
            seconds = best_of(lambda: client.get("/students/", query))
        rows = list(response.context["students"])
        floor = floor_of([s.pk for s in rows])
        page = response.context.get("page")
        if getattr(page, "total", None) is not None:
            total = f"{'超过 ' if page.total.at_least else '约 ' if page.total.estimated else ''}{page.total.count:,}"
        else:
            total = f"{response.context['paginator'].count:,}"
        sql = listing.seconds / 4
        print(f"{title:<40} {seconds * 1000:8.1f} {counter.count // 4:8d} {sql * 1000:9.1f} {floor * 1000:9.1f} "
              f"{sql / floor:6.1f}  {len(rows)} rows of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
