#!/usr/bin/env python
"""Term-work benchmark: a bureau officer's list of classes that have not checked their head
count, and the term-work sweeps, over a county of many classes, on PostgreSQL. See bench/README.md.

    make bench BENCH=term_work                   # or:
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xueji_bench .venv/bin/python bench/term_work.py

The county is bench/year_end.py's, built with bulk inserts into a database dropped and created
again (its name must contain "bench"). On top of it: a term ending in five days, a class teacher
and a maths teacher for every class, the start check done by every other class, maths levels for
most students. Each operation is timed through the calls the page and Celery beat make, with the
number of SQL statements; the page's must not grow with the number of classes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import year_end as county_bench  # noqa: E402  (the county builder and the measuring of bench/year_end.py)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200_000, help="enrolled students of the county, grades 1–6")
    parser.add_argument("--class-size", type=int, default=40, help="students per class (about)")
    parser.add_argument("--classes-per-grade", type=int, default=4, help="classes per grade in each school")
    parser.add_argument("--guard", type=float, default=10.0, help="fail when an operation takes longer (seconds)")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions for each operation")
    return parser.parse_args()


def term_work(county) -> tuple:
    """A term ending in five days; a class teacher and a maths teacher per class; the start
    check of every other class; maths levels for four in five students."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from records.models import HeadCount, Level, LevelGrade, Membership, Placement, Role, Term

    today = timezone.localdate()
    term = Term.objects.create(
        bureau=county.bureau, name="基准学期", start=today - datetime.timedelta(days=120), end=today + datetime.timedelta(days=5)
    )
    User = get_user_model()
    classes = list(county.classes)
    users = User.objects.bulk_create(
        [User(username=f"teacher_{c.pk}", first_name="班主任", password="!") for c in classes]
        + [User(username=f"math_{c.pk}", first_name="数学老师", password="!") for c in classes],
        batch_size=2000,
    )
    teachers, maths = users[: len(classes)], users[len(classes):]
    Membership.objects.bulk_create(
        [Membership(user=u, role=Role.CLASS_TEACHER, school_id=c.school_id, school_class=c, must_change_password=False)
         for u, c in zip(teachers, classes)]
        + [Membership(user=u, role=Role.SUBJECT_TEACHER, school_id=c.school_id, school_class=c, subject="math",
                      must_change_password=False) for u, c in zip(maths, classes)],
        batch_size=2000,
    )
    now = timezone.now()
    sizes = dict(
        Placement.objects.filter(ended_on__isnull=True).values_list("school_class").annotate(n=Count("pk"))
    )
    HeadCount.objects.bulk_create(
        [HeadCount(school_class=c, term=term, point="start", roster_count=sizes.get(c.pk, 0), actual_count=sizes.get(c.pk, 0),
                   matches=True, confirmed_by=t, confirmed_at=now)
         for n, (c, t) in enumerate(zip(classes, teachers)) if n % 2 == 0],
        batch_size=2000,
    )
    levels = list(Level)
    grades = []
    math_of = {c.pk: u for c, u in zip(classes, maths)}
    for n, (student_id, class_id) in enumerate(
        Placement.objects.filter(ended_on__isnull=True, school_class__in=classes).values_list("student_id", "school_class_id")
    ):
        if n % 5:
            grades.append(LevelGrade(student_id=student_id, term=term, subject="math", level=levels[n % 4],
                                     school_class_id=class_id, entered_by=math_of[class_id], entered_at=now))
    LevelGrade.objects.bulk_create(grades, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return term, len(classes)


def run(args) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from notifications.term_reminders import remind_term_work_due, report_term_work
    from records import selectors
    from records.models import HeadCount, SchoolClass, Student

    with county_bench.step("Migrating the fresh database"):
        call_command("migrate", verbosity=0, interactive=False)
    county = county_bench.County(
        students=args.students, class_size=args.class_size, classes_per_grade=args.classes_per_grade,
        graduating=args.class_size, school_year=timezone.localdate().year,
    )
    with county_bench.step(f"Building the county ({args.students:,} students)"):
        county.build()
    with county_bench.step("Teachers, a term, half the start checks, most maths levels"):
        term, n_classes = term_work(county)
    n_students = Student.objects.count()
    print(f"  {SchoolClass.objects.count():,} classes, {n_students:,} students", flush=True)

    today = timezone.localdate()
    measure = county_bench.measure
    print("Measuring", flush=True)

    def first_page():
        unchecked = selectors.term_work_classes(county.officer, day=today, unchecked_only=True)
        totals = selectors.term_work_totals(county.officer, day=today)
        rows = selectors.term_work_rows(unchecked[:50], day=today)
        return unchecked.count(), totals, rows

    count, totals, rows = measure(
        "overview selectors (count, totals, 50 rows)", first_page, students=n_students, classes=n_classes, profile=args.profile
    )
    # Every class has its end check to do; half of them their start check too.
    if count != totals["classes"] or len(rows) != 50 or totals["start_missing"] != totals["classes"] - HeadCount.objects.count():
        raise SystemExit(f"bench: unexpected overview: {count} unchecked, {totals}")

    client = Client()
    client.force_login(county.officer, backend="django.contrib.auth.backends.ModelBackend")
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for page in (1, 20):
            response = measure(
                f"GET /term-work/?show=unchecked&page={page}", lambda: client.get("/term-work/", {"show": "unchecked", "page": page}),
                students=n_students, classes=n_classes, profile=args.profile,
            )
            if response.status_code != 200:
                raise SystemExit(f"bench: the overview answered {response.status_code}")

    told = measure("remind_term_work_due (first run)", remind_term_work_due, students=n_students, classes=n_classes, profile=args.profile)
    again = measure("remind_term_work_due (again)", remind_term_work_due, students=n_students, classes=n_classes, profile=args.profile)
    # Every class's end check is due in five days; every class lacks some maths levels and every comment.
    if (told, again) != (3 * n_classes, 0):
        raise SystemExit(f"bench: the reminders recorded {told}, then {again}")
    measure("report_term_work", report_term_work, students=n_students, classes=n_classes, profile=args.profile)

    connection.close()
    return county_bench.report(args, n_students)


def main() -> int:
    args = parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or county_bench.DEFAULT_DATABASE_URL
    started = time.perf_counter()
    county_bench.recreate_database(url)
    county_bench.configure(url)
    status = run(args)
    print(f"(whole run {time.perf_counter() - started:.0f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
