#!/usr/bin/env python
"""Year-end benchmark: graduating a class of 5,000 in one approval and rolling over a county of
50,000, on PostgreSQL. See bench/README.md.

    make bench                                   # or:
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xueji_bench .venv/bin/python bench/year_end.py

The database named in BENCH_DATABASE_URL is dropped and created again on every run (its name must
contain "bench"), migrated, and filled with bulk inserts. Then each operation is timed through the
same service calls the pages make, with the number of SQL statements it sent. Exits 1 when any
operation takes longer than the guard (60 s by default): a tripwire, not the target.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import io
import os
import pstats
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/xueji_bench"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN_NAMES = (
    "子涵 欣怡 梓轩 浩宇 雨桐 一诺 思远 嘉怡 宇航 梓萱 俊杰 可馨 博文 诗涵 皓轩 语嫣 明哲 若曦 天佑 静怡 "
    "家豪 晨曦 泽宇 欣然 文博 佳琪 子墨 雅婷 昊天 梦瑶"
).split()
COUNTY = ("330825", "龙游县")  # under 衢州市 330800, 浙江省 330000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=50_000, help="enrolled students of the county, grades 1–6")
    parser.add_argument("--class-size", type=int, default=40, help="students per class (about)")
    parser.add_argument("--classes-per-grade", type=int, default=4, help="classes per grade in each school")
    parser.add_argument("--graduating", type=int, default=5_000, help="students of the one big sixth-grade class")
    parser.add_argument("--guard", type=float, default=60.0, help="fail when an operation takes longer (seconds)")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions for each operation")
    return parser.parse_args()


# --- The database -------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    """Drop and create the bench database, through the server's maintenance database."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    if "bench" not in name:
        sys.exit(f"bench: refusing to drop database {name!r}: its name must contain 'bench'.")
    admin_url = parts._replace(path="/postgres").geturl()
    try:
        connection = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        sys.exit(
            f"bench: cannot connect to PostgreSQL ({admin_url}): {str(error).strip()}\n"
            "Start it (scripts/ensure-services.sh, as make test does) or set BENCH_DATABASE_URL."
        )
    with connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def configure(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    os.environ["DJANGO_DEBUG"] = "false"
    # No Redis: the cache (rollover progress) is per process, and nothing reaches a real queue.
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import logging

    logging.getLogger("kombu").setLevel(logging.ERROR)  # the memory transport's "No hostname was supplied"
    sys.path.insert(0, str(BASE_DIR))

    import django

    django.setup()
    from config.celery import app

    # What the pages queue after their commit (the rollover task, notifications) goes to an
    # in-memory broker that no worker reads; the rollover is applied below the way a worker does.
    app.conf.broker_url = "memory://"
    app.conf.result_backend = "cache+memory://"
    app.conf.task_always_eager = False


# --- Measuring ----------------------------------------------------------------------------------


@dataclass
class Measurement:
    operation: str
    students: int
    classes: int
    seconds: float
    sql_seconds: float
    queries: int


class QueryCounter:
    """Counts every statement sent (execute and executemany alike) and the time spent in them."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def counted(fn, counter: QueryCounter | None = None):
    """`fn()`, its seconds, and the counter (a QueryCounter unless given) that saw its statements."""
    from django.db import connection

    counter = counter or QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return result, seconds, counter


RESULTS: list[Measurement] = []


def measure(operation: str, fn, *, students: int, classes: int, profile: bool = False):
    from django.db import connection

    counter = QueryCounter()
    profiler = cProfile.Profile() if profile else None
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        try:
            result = fn()
        finally:
            if profiler:
                profiler.disable()
        seconds = time.perf_counter() - started
    RESULTS.append(Measurement(operation, students, classes, seconds, counter.seconds, counter.count))
    print(f"  {operation}: {seconds:.2f} s, {counter.count} queries", flush=True)
    if profiler:
        print_profile(profiler, operation)
    return result


def print_profile(profiler, title: str) -> None:
    """cProfile's view of one operation on stderr: Xueji's own functions, then all of them."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    print(f"--- {title}: Xueji's own functions, by cumulative time", file=out)
    stats.sort_stats("cumulative").print_stats(r"/(records|flows|notifications)/", 20)
    print(f"--- {title}: every function, by time spent in it", file=out)
    stats.sort_stats("tottime").print_stats(15)
    print(out.getvalue(), file=sys.stderr)


@contextlib.contextmanager
def step(title: str):
    started = time.perf_counter()
    print(f"{title} ...", end=" ", flush=True)
    yield
    print(f"{time.perf_counter() - started:.1f} s", flush=True)


# --- The county, in bulk ------------------------------------------------------------------------


def citizen_id(*, area_code: str, birth_date: datetime.date, order: int) -> str:
    """A valid 18-character citizen ID (GB 11643); the 17th digit is odd for a male."""
    from records.id_numbers import check_character

    first17 = f"{area_code}{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


class County:
    """One bureau, its primary schools with `classes_per_grade` classes of each grade 1–6 holding
    `students` between them, and one more school with a single sixth-grade class of `graduating`."""

    def __init__(self, *, students: int, class_size: int, classes_per_grade: int, graduating: int, school_year: int):
        self.students = students
        self.class_size = class_size
        self.classes_per_grade = classes_per_grade
        self.graduating = graduating
        self.school_year = school_year  # the year the rollover moves into
        self.per_grade_index = {g: 0 for g in range(1, 7)}  # citizen-ID sequence per birth cohort

    def build(self):
        from django.db import transaction

        with transaction.atomic():
            self._places()
            self._codes()
            self._schools_and_classes()
            self._students()
        self._history()
        self._people()

    def _places(self):
        from records.models import Bureau, Region

        province = Region.objects.create(code="330000", name="浙江省", level=Region.Level.PROVINCE)
        city = Region.objects.create(code="330800", name="衢州市", level=Region.Level.CITY, parent=province)
        self.region = Region.objects.create(code=COUNTY[0], name=COUNTY[1], level=Region.Level.COUNTY, parent=city)
        self.bureau = Bureau.objects.create(code=COUNTY[0], name=f"{COUNTY[1]}教育局", region=self.region)

    def _codes(self):
        from records.models import Code

        self.code = {(c.table, c.code): c.pk for c in Code.objects.all()}

    def _schools_and_classes(self):
        from records.class_codes import GRADE_NAMES, class_code
        from records.models import School, SchoolClass

        per_school = 6 * self.classes_per_grade
        regular = -(-self.students // self.class_size)  # classes of the county, rounded up
        n_schools = -(-regular // per_school)
        schools = [
            School(
                identifier=f"21{self.region.code[:2]}{n:06d}", name=f"{COUNTY[1]}第{n}小学", type=School.Type.PRIMARY,
                region=self.region, bureau=self.bureau,
            )
            for n in range(1, n_schools + 2)
        ]
        schools[-1].name = f"{COUNTY[1]}基准实验小学"  # the one with the class of `graduating`
        School.objects.bulk_create(schools)
        self.schools, self.big_school = schools[:-1], schools[-1]

        def new_class(school, grade, sequence):
            return SchoolClass(
                school=school, grade=grade, sequence=sequence, entry_year=self.school_year - grade,
                name=f"{GRADE_NAMES[grade]}({sequence})班",
                code=class_code(grade=grade, school_identifier=school.identifier, sequence=sequence),
            )

        classes = [
            new_class(school, grade, sequence)
            for school in self.schools
            for grade in range(1, 7)
            for sequence in range(1, self.classes_per_grade + 1)
        ]
        self.big_class = new_class(self.big_school, 6, 1)
        SchoolClass.objects.bulk_create([*classes, self.big_class])
        self.classes = classes

    def _new_students(self, school_class, count: int):
        from records.models import CodeTable, FamilyMember, Placement, Student

        code = self.code
        grade, entry_year = school_class.grade, school_class.entry_year
        # Six on 31 August of the entry year: born September (entry_year − 7) … August (entry_year − 6).
        born_from = datetime.date(entry_year - 7, 9, 1)
        entry_date = datetime.date(entry_year, 9, 1)
        students, members, placements = [], [], []
        for _n in range(count):
            k = self.per_grade_index[grade]
            self.per_grade_index[grade] += 1
            birth_date = born_from + datetime.timedelta(days=k % 365)
            male = k % 2 == 0
            # (birth date, order) is unique within the cohort; the parity of the order is the gender.
            id_number = citizen_id(area_code=self.region.code, birth_date=birth_date, order=(k // 365) * 2 + male)
            surname = SURNAMES[k % len(SURNAMES)]
            students.append(
                Student(
                    student_number="G" + id_number, name=surname + GIVEN_NAMES[k // len(SURNAMES) % len(GIVEN_NAMES)],
                    gender_id=code[(CodeTable.GENDER, "1" if male else "2")], birth_date=birth_date,
                    id_type_id=code[(CodeTable.ID_TYPE, "1")], id_number=id_number,
                    ethnicity_id=code[(CodeTable.ETHNICITY, "01")], nationality_id=code[(CodeTable.NATIONALITY, "156")],
                    overseas_chinese_id=code[(CodeTable.OVERSEAS, "00")], health_id=code[(CodeTable.HEALTH, "1")],
                    household_type_id=code[(CodeTable.HOUSEHOLD_TYPE, "1")], entry_date=entry_date,
                    entry_way_id=code[(CodeTable.ENTRY_WAY, "1")], study_mode_id=code[(CodeTable.STUDY_MODE, "1")],
                    student_type_id=code[(CodeTable.STUDENT_TYPE, "1")],
                    disability_type_id=code[(CodeTable.DISABILITY, "0")],
                    left_behind_id=code[(CodeTable.LEFT_BEHIND, "1")],
                    household_place="浙江省衢州市龙游县", current_address="浙江省衢州市龙游县龙洲街道",
                    school_id=school_class.school_id,
                )
            )
        Student.objects.bulk_create(students, batch_size=2000)
        for s in students:
            members.append(
                FamilyMember(
                    student=s, position=1, name=f"{s.name[0]}建国", relationship_id=code[(CodeTable.RELATIONSHIP, "1")],
                    is_guardian=True, phone="13800000000", address="浙江省衢州市龙游县龙洲街道",
                )
            )
            placements.append(
                Placement(student=s, school_id=school_class.school_id, school_class=school_class,
                          started_on=entry_date, reason="新生建档")
            )
        return members, placements

    def _students(self):
        from records.models import FamilyMember, Placement

        members, placements = [], []
        base, extra = divmod(self.students, len(self.classes))
        for i, school_class in enumerate(self.classes):
            m, p = self._new_students(school_class, base + (1 if i < extra else 0))
            members += m
            placements += p
        m, p = self._new_students(self.big_class, self.graduating)
        members += m
        placements += p
        FamilyMember.objects.bulk_create(members, batch_size=2000)
        Placement.objects.bulk_create(placements, batch_size=2000)

    def _history(self):
        creation_history()

    def _people(self):
        from records.models import Role
        from records.services import user_provision

        password = "Bench-only-2026!"
        self.registrar = user_provision(
            username="bench_registrar", role=Role.REGISTRAR, password=password, school=self.big_school,
            full_name="基准学籍员", must_change_password=False,
        )
        self.officer = user_provision(
            username="bench_officer", role=Role.BUREAU_OFFICER, password=password, bureau=self.bureau,
            full_name="基准审批员", must_change_password=False,
        )


def creation_history(*, by_id: int | None = None, reasons: dict | None = None) -> None:
    """The creation rows the services would have written, one INSERT … SELECT per table, so that
    the history tables are not empty when the measured operations write and read them. `by_id`
    is the user the rows name (the services name who registered; NULL by default), `reasons` the
    change reason of each model's rows (新生建档 for students, placements, family members and
    classes by default; None for no reason)."""
    from django.db import connection

    from records.models import FamilyMember, Placement, SchoolClass, Student

    if reasons is None:
        reasons = {model: "新生建档" for model in (Student, Placement, FamilyMember, SchoolClass)}
    with connection.cursor() as cursor:
        for model, reason in reasons.items():
            historical = model.history.model
            columns = [
                f.column for f in historical._meta.concrete_fields
                if not f.name.startswith("history_")
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(
                f"INSERT INTO {historical._meta.db_table} ({quoted}, history_date, history_change_reason, "
                f"history_type, history_user_id) SELECT {quoted}, now() - interval '1 day', %s, '+', %s "
                f"FROM {model._meta.db_table}",
                [reason, by_id],
            )
        cursor.execute("ANALYZE")


# --- The operations -----------------------------------------------------------------------------


def run(args) -> int:
    from django.core.management import call_command
    from django.db import connection

    from flows.models import WorkItem
    from flows.engine import task_decide
    from flows.graduation import graduation_start
    from django.utils import timezone

    from records.term_calendar import next_school_year
    from records.class_codes import GRADUATING_GRADES
    from records.models import GraduationCertificate, Placement, Rollover, SchoolClass, Student
    from records.services.rollover import rollover_plan, rollover_queue, rollover_undo
    from flows.selectors import tasks_in_inbox
    from records.tasks import apply_rollover

    with step("Migrating the fresh database"):
        call_command("migrate", verbosity=0, interactive=False)

    school_year = next_school_year(None, timezone.localdate())
    county = County(
        students=args.students, class_size=args.class_size, classes_per_grade=args.classes_per_grade,
        graduating=args.graduating, school_year=school_year,
    )
    with step(
        f"Building the county ({args.students:,} students in classes of ~{args.class_size}, "
        f"plus one sixth-grade class of {args.graduating:,})"
    ):
        county.build()
    n_students = Student.objects.count()
    n_classes = SchoolClass.objects.count()
    print(f"  {len(county.schools) + 1} schools, {n_classes:,} classes, {n_students:,} students", flush=True)

    print("Measuring", flush=True)
    big = county.big_class
    size = args.graduating

    # 毕业: the registrar opens the request (the roster with every blocker and a proposed number) …
    request = measure(
        "graduation_start (毕业 request)", lambda: graduation_start(school_class=big, by=county.registrar),
        students=size, classes=1, profile=args.profile,
    )
    # … and the bureau approves it in its inbox: task_decide runs class_graduate in the flow's transaction.
    work_item = tasks_in_inbox(county.officer).get(request_id=request.pk)
    measure(
        "bureau approval (task_decide → class_graduate)",
        lambda: task_decide(work_item=work_item, by=county.officer, decision=WorkItem.Decision.APPROVE),
        students=size, classes=1, profile=args.profile,
    )
    graduated = Student.objects.filter(placements__school_class=big, status=Student.Status.GRADUATED).count()
    certificates = GraduationCertificate.objects.filter(school_class=big).count()
    histories = Student.history.filter(status=Student.Status.GRADUATED).count()
    if not (graduated == certificates == histories == size):
        raise SystemExit(f"bench: graduation incomplete: {graduated} graduated, {certificates} certificates, {histories} history rows")

    # 升级 of the whole county: the preview, the confirmation, then the task's body as a worker runs it.
    moving = SchoolClass.objects.filter(school__bureau=county.bureau, state=SchoolClass.State.OPEN).exclude(
        grade__in=GRADUATING_GRADES
    )
    moving_classes = moving.count()
    in_scope = Placement.objects.filter(
        school_class__school__bureau=county.bureau, school_class__state=SchoolClass.State.OPEN, ended_on__isnull=True
    ).count()
    plan = measure(
        "rollover_plan (preview)", lambda: rollover_plan(school_year=school_year, bureau=county.bureau),
        students=in_scope, classes=moving_classes, profile=args.profile,
    )
    assert len(plan.moves) == moving_classes, (len(plan.moves), moving_classes)
    rollover = measure(
        "rollover_queue (confirm)",
        lambda: rollover_queue(school_year=school_year, by=county.officer, bureau=county.bureau),
        students=in_scope, classes=moving_classes, profile=args.profile,
    )
    measure(
        "apply_rollover task (synchronous)", lambda: apply_rollover.apply(args=(rollover.pk,), throw=True),
        students=in_scope, classes=moving_classes, profile=args.profile,
    )
    rollover.refresh_from_db()
    if rollover.state != Rollover.State.APPLIED or rollover.class_count != moving_classes:
        raise SystemExit(f"bench: rollover {rollover.state}, {rollover.class_count} classes: {rollover.error}")
    measure(
        "rollover_undo", lambda: rollover_undo(rollover=rollover, by=county.officer),
        students=in_scope, classes=moving_classes, profile=args.profile,
    )
    rollover.refresh_from_db()
    if rollover.state != Rollover.State.UNDONE:
        raise SystemExit(f"bench: rollover {rollover.state} after undo")
    first = plan.moves[0]
    first.school_class.refresh_from_db()
    if (first.school_class.grade, first.school_class.code) != (first.old_grade, first.old_code):
        raise SystemExit("bench: undo did not restore the classes")

    connection.close()
    return report(args, n_students)


def report(args, n_students: int) -> int:
    import platform

    print()
    print(
        f"Xueji year-end bench — {datetime.date.today().isoformat()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {n_students:,} students in the database"
    )
    header = f"{'operation':<48} {'students':>9} {'classes':>8} {'seconds':>8} {'in SQL':>7} {'queries':>8}"
    print(header)
    print("-" * len(header))
    for m in RESULTS:
        print(
            f"{m.operation:<48} {m.students:>9,} {m.classes:>8,} {m.seconds:>8.2f} {m.sql_seconds:>7.2f} {m.queries:>8}"
        )
    slow = [m for m in RESULTS if m.seconds > args.guard]
    if slow:
        for m in slow:
            print(f"bench: {m.operation} took {m.seconds:.1f} s, over the {args.guard:g} s guard", file=sys.stderr)
        return 1
    return 0


def bench_main(parse_args, run) -> int:
    """A benchmark's whole run: its arguments, a fresh database, Django, then `run(args)`."""
    args = parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    started = time.perf_counter()
    recreate_database(url)
    configure(url)
    status = run(args)
    print(f"(whole run {time.perf_counter() - started:.0f} s)")
    return status


def main() -> int:
    return bench_main(parse_args, run)


if __name__ == "__main__":
    sys.exit(main())
