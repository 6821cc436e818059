#!/usr/bin/env python
"""Statistics benchmark: the statistics page's grouped queries for a province of a million
students and 5,000 schools, on PostgreSQL. See bench/README.md.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xueji_bench .venv/bin/python bench/reports.py

The database is dropped and created again (its name must contain "bench"), migrated, and filled
with INSERT … SELECT over generate_series: 1 province, 11 cities, 100 counties with a bureau and
a term each, 5,000 primary schools with one class per grade, and the students in them (95 %
enrolled; 1 % suspended and 1 % dropped out, each through a completed request of this term; the
rest graduated). Then the statistics, the dropout list's first page and the term-report overview
are timed through the selectors the pages call, for a province, a city and a county officer.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from year_end import DEFAULT_DATABASE_URL, configure, counted, recreate_database  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=5_000)
    parser.add_argument("--guard", type=float, default=30.0, help="fail when a page's reads take longer (seconds)")
    parser.add_argument("--reuse", action="store_true", help="time the reads on the database the last run built")
    return parser.parse_args()


def build(
    *, students: int, schools: int, today: datetime.date, cities: int = 11, name_sql: str = "'学生' || n"
) -> None:
    """The province in INSERT … SELECT statements: `cities` cities over 100 counties, `schools`
    primary schools, `students` students named by `name_sql` (an SQL expression over the series'
    `n`). bench/province.py builds its province with this too."""
    from django.db import connection

    from records.models import Code

    code = {(c.table, c.code): c.pk for c in Code.objects.all()}
    per_school = students // schools
    term_start, term_end = today - datetime.timedelta(days=60), today + datetime.timedelta(days=60)
    sql = f"""
    INSERT INTO records_region (code, name, level, parent_id) VALUES ('330000', '浙江省', 'province', NULL);
    INSERT INTO records_region (code, name, level, parent_id)
        SELECT '33' || lpad(c::text, 2, '0') || '00', '第' || c || '市', 'city', (SELECT id FROM records_region WHERE code = '330000')
        FROM generate_series(1, {cities}) c;
    INSERT INTO records_region (code, name, level, parent_id)
        SELECT '33' || lpad((1 + n % {cities})::text, 2, '0') || lpad((1 + n / {cities})::text, 2, '0'), '第' || n || '县',
               'county', (SELECT id FROM records_region WHERE code = '33' || lpad((1 + n % {cities})::text, 2, '0') || '00')
        FROM generate_series(0, 99) n;
    INSERT INTO records_bureau (code, name, region_id, allow_repeat_or_skip, step_due_working_days,
                                transfer_in_evidence_required)
        SELECT code, name || '教育局', id, false, 10, true FROM records_region;
    INSERT INTO records_term (bureau_id, name, start, "end")
        SELECT b.id, '本学期', '{term_start}', '{term_end}' FROM records_bureau b JOIN records_region r ON r.id = b.region_id
        WHERE r.level = 'county';
    INSERT INTO records_school (identifier, name, type, region_id, bureau_id)
        SELECT '2133' || lpad(s::text, 6, '0'), '第' || s || '小学', 'primary', r.id, b.id
        FROM generate_series(0, {schools - 1}) s
        JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS k FROM records_region WHERE level = 'county') r ON r.k = s % 100
        JOIN records_bureau b ON b.region_id = r.id;
    INSERT INTO records_schoolclass (school_id, code, name, grade, sequence, entry_year, state)
        SELECT s.id, lpad((100 + g)::text, 3, '0') || substr(s.identifier, 5) || '001', g || '年级(1)班', g, 1, 2026 - g, 'open'
        FROM records_school s, generate_series(1, 6) g;
    INSERT INTO records_student (
        student_number, former_student_numbers, name, former_names, gender_id, birth_date, birthplace, native_place,
        ethnicity_id, nationality_id, id_type_id, id_number, overseas_chinese_id, health_id, household_place,
        household_type_id, entry_date, entry_way_id, study_mode_id, current_address, home_address, contact_phone,
        postal_code, student_type_id, disability_type_id, only_child, preschool, left_behind_id, migrant_worker_child,
        orphan, martyr_child, needs_aid, enjoys_subsidy, poverty, school_bus, photo, school_id, status,
        dropout_reason_id, dropout_destination, created_at)
    SELECT 'J' || lpad(n::text, 18, '0'), '', {name_sql}, '', {code[('gender', '1')]},
        date '2014-09-01' + (n % 2190), '', '', {code[('ethnicity', '01')]}, {code[('nationality', '156')]},
        {code[('id_type', 'Z')]}, '', {code[('overseas', '00')]}, {code[('health', '1')]}, '', {code[('household_type', '1')]},
        date '2020-09-01', {code[('entry_way', '1')]}, {code[('study_mode', '1')]}, '', '', '', '',
        {code[('student_type', '1')]}, {code[('disability', '0')]}, false, true, {code[('left_behind', '1')]},
        false, false, false, false, false, false, false, '', c.school_id,
        CASE WHEN n % 100 = 1 THEN 'suspended' WHEN n % 100 = 2 THEN 'dropped_out' WHEN n % 100 > 96 THEN 'graduated' ELSE 'enrolled' END,
        CASE WHEN n % 100 = 2 THEN {code[('dropout_reason', '2')]} END, '', now()
    FROM generate_series(0, {students - 1}) n
    JOIN records_schoolclass c ON c.id = (SELECT min(id) FROM records_schoolclass) + (n / {per_school // 6 or 1}) % (SELECT count(*) FROM records_schoolclass);
    INSERT INTO records_placement (student_id, school_id, school_class_id, started_on, ended_on, reason, end_reason)
        SELECT s.id, c.school_id, c.id, date '2020-09-01', CASE WHEN s.status = 'enrolled' THEN NULL ELSE date '{today}' END, '', ''
        FROM records_student s
        JOIN records_schoolclass c ON c.school_id = s.school_id AND c.grade = 1 + s.id % 6;
    INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
        VALUES ('!', false, 'bench_starter', '', '', '', false, true, now());
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        # One completed request for each suspended and dropped-out student, closed this term.
        cursor.execute(
            """
            INSERT INTO viewflow_process (flow_class, status, created, finished, data)
                SELECT CASE WHEN status = 'suspended' THEN 'flows/suspension.SuspensionFlow' ELSE 'flows/dropout.DropoutFlow' END,
                       'DONE', now() - interval '20 days', now() - interval '10 days', jsonb_build_object('student', id)
                FROM records_student WHERE status IN ('suspended', 'dropped_out') ORDER BY id;
            INSERT INTO flows_request (process_ptr_id, kind, state, applicant_name, applicant_relationship, applicant_phone,
                                       reason, closed_at, close_comment, school_id, started_by_id, student_id)
                SELECT p.id, CASE WHEN s.status = 'suspended' THEN 'suspension' ELSE 'dropout' END, 'completed', '', '', '',
                       '', p.finished, '', s.school_id, (SELECT id FROM auth_user WHERE username = 'bench_starter'), s.id
                FROM viewflow_process p JOIN records_student s ON s.id = (p.data ->> 'student')::bigint;
            INSERT INTO flows_suspension (request_ptr_id, cause, start_date, end_date, extension, graduating_grade,
                                          suspended_at)
                SELECT process_ptr_id, 'illness', closed_at::date, closed_at::date + 90, false, false, closed_at
                FROM flows_request WHERE kind = 'suspension';
            INSERT INTO flows_dropout (request_ptr_id, remark, reason_code_id)
                SELECT process_ptr_id, '', %s FROM flows_request WHERE kind = 'dropout';
            ANALYZE;
            """,
            [code[("dropout_reason", "2")]],
        )


def timed(title, fn):
    result, seconds, counter = counted(fn)
    print(f"{title:<58} {seconds:7.2f} s  {counter.count:4d} queries")
    return seconds, result


def main() -> int:
    args = parse_args()
    import os

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    if not args.reuse:
        recreate_database(url)
    configure(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from django.contrib.auth import get_user_model

    from records import services
    from records.models import Bureau, Role
    from records.selectors import dropout_search, home_focus
    from reports import selectors as reports

    today = timezone.localdate()
    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build(students=args.students, schools=args.schools, today=today)
        print(f"built {args.students:,} students in {args.schools:,} schools in {time.perf_counter() - started:.0f} s")
        for level in ("province", "city", "county"):
            services.user_provision(
                username=f"bench_{level}", role=Role.BUREAU_OFFICER, password="Bench-only-2026!",
                bureau=Bureau.objects.filter(region__level=level).order_by("code").first(), must_change_password=False,
            )
    officers = {level: get_user_model().objects.get(username=f"bench_{level}") for level in ("province", "city", "county")}
    worst = 0.0
    for level, officer in officers.items():
        focus = home_focus(officer)
        period = reports.period_of_term(officer, "本学期")
        seconds, stats = timed(f"statistics, {level} officer ({focus.name})", lambda: reports.statistics(officer, focus=focus, period=period))
        worst = max(worst, seconds)
        print(f"    {sum(stats.totals.values()):,} students, {sum(stats.change_totals.values()):,} changes, {len(stats.units)} rows")
        seconds, page = timed(
            f"dropout list, first page of 50, {level} officer",
            lambda: (list(dropout_search(officer)[:50]), dropout_search(officer).count()),
        )
        worst = max(worst, seconds)
        seconds, _ = timed(
            f"term-report overview, first 50 schools, {level} officer",
            lambda: reports.term_report_change_counts(
                officer, list(reports.term_report_overview(officer, focus=focus, term_name="本学期")[:50]), "本学期"
            ),
        )
        worst = max(worst, seconds)
    if worst > args.guard:
        print(f"bench: slower than the guard of {args.guard:.0f} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
