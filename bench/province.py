#!/usr/bin/env python
"""Province benchmark: every path of issue 15 beside its floor, in one run, on a province of a
million students, 5,049 schools and 100,000 open transfers, on PostgreSQL. See bench/README.md.

    make bench BENCH=province                     # or:
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xueji_bench .venv/bin/python bench/province.py
    .venv/bin/python bench/province.py --students 50000 --schools 250 --transfers 5000   # a small run

The database is dropped and created again (its name must contain "bench") and migrated. The bulk
is set-based: bench/reports.py's INSERT … SELECT over generate_series (1 province, 10 cities, 100
counties with a bureau each, the schools with a class per grade, the students, 95 % enrolled),
then one registrar a school and one officer a county bureau, a guardian for every student and the
creation rows of the history tables, all INSERT … SELECT from rows the real services wrote
(records.services.user_provision, records.services.student_register). A sample goes through the
real services in the same province: `--registrations` students registered (student_register) and
`--sample` transfers started by the receiving school and approved by its county bureau, waiting
at the sending school's release; then the sample request's rows are copied for `--transfers` open
transfers in all (bench/sweeps.py's copy_requests). Before anything is measured, the bulk rows are
checked to have the shape of the service-made ones: per table, the columns that are NULL or not
NULL, and the relations (one open placement per enrolled student, a guardian, history rows; a
process, task and work item per open transfer). The bench stops when they differ.

Each path is then measured beside its floor, in the same run: the pages through Django's test
client as the users who open them, the floor the bare SQL that reads the same rows (best of
`--runs` for both); the registrations and transfers through the services, the floor the same
INSERTs and UPDATEs replayed bare; the sweeps as the Celery tasks call them, the floor one INSERT …
SELECT writing the same notifications. Statements are counted with connection.execute_wrapper.
Exits 1 when a path takes longer than `--guard` (a tripwire, not the 3× goal).
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sweeps import ESCALATION_FLOOR, REMINDER_FLOOR, _columns, _copy, _evidence, copy_requests, floor  # noqa: E402
from year_end import SURNAMES, QueryCounter, bench_main, citizen_id, counted, creation_history, step  # noqa: E402

PASSWORD = "Bench-only-2026!"


def _bench_module(name: str):
    """A module of bench/ whose name an app of the project takes (bench/reports.py and reports/)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(__file__).resolve().parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_students = _bench_module("reports").build
# Names of three characters: 50 surnames × 40 × 40 given-name characters, 80,000 names, each
# borne by about a dozen of a million students, as in a real province.
GIVEN_FIRST = "子欣梓浩雨一思嘉宇俊可博诗皓语明若天静家晨泽文佳雅昊梦志建国海红丽春秋永世立新振德"
GIVEN_SECOND = "涵怡轩宇桐诺远航萱杰馨文博嫣哲曦佑豪然琪墨婷天瑶华强军平英兰芳敏勇伟刚健峰磊洋辉"
# The sample registered through the services: girls (the bulk students are boys) with names of
# their own, so that none is flagged as a possible duplicate of a bulk record.
SAMPLE_NAMES = "欧阳晓晴 司马悦然 上官婉清 诸葛思琪 东方语桐 慕容雪晴 皇甫若兰 公孙雅静".split()
COLLATION = '"zh-x-icu"'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=5_049)
    parser.add_argument("--transfers", type=int, default=100_000, help="open transfers, all overdue")
    parser.add_argument("--sample", type=int, default=10, help="open transfers started through the services")
    parser.add_argument("--registrations", type=int, default=20, help="students registered through the services")
    parser.add_argument("--end-to-end", type=int, default=10, help="transfers taken through every step, measured")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs of each page and floor")
    parser.add_argument("--guard", type=float, default=60.0, help="fail when a path takes longer (seconds)")
    return parser.parse_args()


def deep_page_url(officer, row: int) -> str:
    """The student list's page that starts at `row` (1-based, one after a multiple of 50), as the
    province officer reaches it by 下一页: `?after=` the cursor of the student just before
    (records.selectors.student_list_cursor), read in the list's own order."""
    from records import selectors

    before = selectors.student_search(officer)[row - 2]
    return "/students/?" + urllib.parse.urlencode({"after": selectors.student_list_cursor(before)})


# --- Measuring -----------------------------------------------------------------------------------


@dataclass
class Row:
    path: str
    size: str
    seconds: float
    statements: int
    floor_seconds: float | None
    floor_statements: int | None
    note: str = ""
    unit: str = "s"  # how `seconds` reads: s, ms (per item) or /s (items per second)
    sql_seconds: float | None = None  # of `seconds`, the time spent in the database (same unit)
    list_seconds: float | None = None  # of a page's sql_seconds, its list's statements (LIST_TABLES)

    @property
    def ratio(self) -> float | None:
        if not self.floor_seconds:
            return None
        if self.unit == "/s":
            return self.floor_seconds / self.seconds
        return self.seconds / self.floor_seconds

    @property
    def list_ratio(self) -> float | None:
        """A page's statements that read its list against the floor, which reads the same rows."""
        if not self.floor_seconds or not self.list_seconds:
            return None
        return self.list_seconds / self.floor_seconds

    @property
    def sql_ratio(self) -> float | None:
        """The database's share against the floor (all of which is database time): the issue's
        "within ×3 of the database floor". The rest of `seconds` is Python: the view, the template."""
        if not self.floor_seconds or not self.sql_seconds:
            return None
        if self.unit == "/s":
            return self.floor_seconds / self.sql_seconds
        return self.sql_seconds / self.floor_seconds


ROWS: list[Row] = []
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


class Capture(QueryCounter):
    """Counts every statement and keeps the writes (INSERT, UPDATE, DELETE) with their parameters."""

    def __init__(self):
        super().__init__()
        self.writes: list[tuple[str, object, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        if many:
            params = list(params)
        if WRITE.match(sql):
            self.writes.append((sql, params, many))
        return super().__call__(execute, sql, params, many, context)


# The statements of a page that read its list: the students or requests, the regions and schools
# that scope them. The rest is the frame every page of the site sends (the session, the user and
# membership, the header's counts of open steps and unread notifications).
LIST_TABLES = re.compile(r'"(records_student|records_school|records_region|flows_request|viewflow_process)"')


class ListCounter(QueryCounter):
    """A QueryCounter that also adds up the time of the statements that read the page's list."""

    def __init__(self):
        super().__init__()
        self.list_seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        before = self.seconds
        try:
            return super().__call__(execute, sql, params, many, context)
        finally:
            if LIST_TABLES.search(sql):
                self.list_seconds += self.seconds - before


def timed(fn):
    """`fn()`, its time, its statements, their time and the time of those reading a list."""
    result, seconds, counter = counted(fn, ListCounter())
    return result, seconds, counter.count, counter.seconds, counter.list_seconds


def _sequences() -> list[tuple[str, int | None]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences")
        return cursor.fetchall()


def _sequences_restore(values) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name, value in values:
            if value is None:
                cursor.execute("SELECT setval(%s::regclass, 1, false)", [name])
            else:
                cursor.execute("SELECT setval(%s::regclass, %s, true)", [name, value])


def service_and_floor(fn):
    """Run `fn` (a service call, or several) and its floor: the same INSERTs, UPDATEs and DELETEs
    sent bare, without the reads and the Python around them.

    `fn` runs inside a savepoint with its statements logged. The savepoint is rolled back and the
    sequences set back, then the logged writes are sent again, timed: they write the same rows with
    the same ids, and are committed. The foreign keys are checked in each statement, for both. What `fn` left for after the commit (the notifications' Celery
    messages) is dropped with the savepoint; nothing reads them here."""
    from django.db import connection, transaction

    sequences = _sequences()
    capture = Capture()
    with transaction.atomic():
        # The foreign keys checked in each statement, for both: neither is committed on its own.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        savepoint = transaction.savepoint()
        with connection.execute_wrapper(capture):
            started = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - started
        transaction.savepoint_rollback(savepoint)
        _sequences_restore(sequences)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for sql, params, many in capture.writes:
                (cursor.executemany if many else cursor.execute)(sql, params)
            floor_seconds = time.perf_counter() - started
    return result, seconds, capture.count, floor_seconds, len(capture.writes), capture.seconds


def best_of(runs: int, fn):
    """The best time of `runs` calls of `fn` and its time in SQL, with the statements and result of the last."""
    best = best_sql = best_list = None
    for _n in range(runs):
        result, seconds, statements, sql_seconds, list_seconds = timed(fn)
        if best is None or seconds < best:
            best, best_sql, best_list = seconds, sql_seconds, list_seconds
    return result, best, statements, best_sql, best_list


def sql_rows(sql: str, params=()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def sql_execute(sql: str, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def sql_value(sql: str, params=()):
    return sql_rows(sql, params)[0][0]


# --- The province ----------------------------------------------------------------------------------


def name_sql() -> str:
    s, a, b = len(SURNAMES), len(GIVEN_FIRST), len(GIVEN_SECOND)
    return (
        f"substr('{SURNAMES}', 1 + n % {s}, 1) || substr('{GIVEN_FIRST}', 1 + (n / {s}) % {a}, 1)"
        f" || substr('{GIVEN_SECOND}', 1 + (n / {s * a}) % {b}, 1)"
    )


@dataclass
class Province:
    province_officer: object
    city_officer: object
    county_officer: object
    city: object
    county_bureau: object
    registrars: dict  # school id → its registrar
    officers: dict  # county bureau id → its officer


def build(args, today: datetime.date) -> Province:
    from django.conf import settings
    from django.contrib.auth import get_user_model, hashers

    from records.models import Bureau, FamilyMember, Placement, Region, Role, School, Student, TransferWindow
    from records.services import user_provision

    with step(f"The students, INSERT … SELECT ({args.students:,} in {args.schools:,} schools, bench/reports.py)"):
        build_students(students=args.students, schools=args.schools, today=today, cities=10, name_sql=name_sql())
    # The accounts are not what is measured: hash their one password cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    User = get_user_model()
    with step("Accounts: a province, a city and a county officer, a registrar a school, an officer a county"):
        province = Region.objects.get(level=Region.Level.PROVINCE)
        city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
        county = Region.objects.filter(parent=city).order_by("code").first()
        county_bureau = Bureau.objects.get(region=county)

        def officer(username, bureau, full_name):
            return user_provision(
                username=username, role=Role.BUREAU_OFFICER, password=PASSWORD, bureau=bureau, full_name=full_name,
                must_change_password=False,
            )

        province_officer = officer("bench_province", Bureau.objects.get(region=province), "省科员")
        city_officer = officer("bench_city", Bureau.objects.get(region=city), "市科员")
        county_officer = officer("bench_county", county_bureau, "县科员")
        first_school = School.objects.order_by("pk").first()
        registrar = user_provision(
            username=f"r{first_school.pk}", role=Role.REGISTRAR, password=PASSWORD, school=first_school,
            full_name="学籍员", must_change_password=False,
        )
        other_bureau = Bureau.objects.filter(region__level=Region.Level.COUNTY).exclude(pk=county_bureau.pk).order_by("pk").first()
        county_template = officer(f"o{other_bureau.pk}", other_bureau, "县审批员")
        _copy_accounts(registrar, "school_id", "SELECT id FROM records_school WHERE id <> %s", [first_school.pk], "r")
        _copy_accounts(
            county_template, "bureau_id",
            "SELECT b.id FROM records_bureau b JOIN records_region r ON r.id = b.region_id "
            "WHERE r.level = 'county' AND b.id <> %s", [other_bureau.pk], "o",
        )
        # Everyone has an address: the sweeps' rows carry it for the e-mail drain.
        sql_execute("UPDATE auth_user SET email = username || '@example.edu.cn'")
        registrars = {m.school_id: m.user for m in _memberships(role=Role.REGISTRAR)}
        officers = {m.bureau_id: m.user for m in _memberships(role=Role.BUREAU_OFFICER, bureau__region__level="county")}
        print(f"  {User.objects.count():,} accounts", end="; ", flush=True)
    TransferWindow.objects.bulk_create(
        TransferWindow(bureau=b, start=today - datetime.timedelta(days=60), end=today)
        for b in Bureau.objects.filter(region__level=Region.Level.COUNTY)
    )
    with step("A guardian for every student, copied from one registered through student_register"):
        template = register(first_school, registrar, 0)
        sql_execute(
            "CREATE TEMP VIEW bench_targets AS SELECT id AS student_id, name FROM records_student WHERE id <> %s",
            [template.pk],
        )
        _copy(
            "records_familymember", "student_id", template.pk,
            {"student_id": "x.student_id", "name": "substr(x.name, 1, 1) || '建国'"}, skip=("id",),
        )
        sql_execute("DROP VIEW bench_targets")
    with step("The history tables' creation rows, INSERT … SELECT (bench/year_end.py)"):
        # With the reason the services gave the template student's rows (none for family members).
        reasons = {
            model: model.history.filter(**{key: template.pk}).values_list("history_change_reason", flat=True).first()
            for model, key in ((Student, "id"), (Placement, "student_id"), (FamilyMember, "student_id"))
        }
        creation_history(by_id=registrar.pk, reasons=reasons)
    return Province(
        province_officer=province_officer, city_officer=city_officer, county_officer=county_officer, city=city,
        county_bureau=county_bureau, registrars=registrars, officers=officers,
    )


def _memberships(**filters):
    from records.models import Membership

    return Membership.objects.filter(**filters).select_related("user", "user__membership")


def _copy_accounts(template, org_column: str, orgs_sql: str, params, prefix: str) -> None:
    """A copy of the template's account, membership and group for every organisation of `orgs_sql`."""
    from django.db import connection, transaction

    from records.models import Membership

    membership = Membership.objects.get(user=template)
    with transaction.atomic():
        base = sql_value("SELECT max(id) FROM auth_user")
        sql_execute(
            f"CREATE TEMP TABLE bench_targets ON COMMIT DROP AS "
            f"SELECT org AS org_id, {base} + row_number() OVER (ORDER BY org) AS user_id FROM ({orgs_sql}) o(org)",
            params,
        )
        _copy("auth_user", "id", template.pk, {
            "id": "x.user_id", "username": f"'{prefix}' || x.org_id", "email": f"'{prefix}' || x.org_id || '@example.edu.cn'",
        })
        _copy(
            Membership._meta.db_table, "id", membership.pk, {"user_id": "x.user_id", org_column: "x.org_id"},
            skip=("id",),
        )
        _copy("auth_user_groups", "user_id", template.pk, {"user_id": "x.user_id"}, skip=("id",))
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('auth_user', 'id'), (SELECT max(id) FROM auth_user))")


def registration(school, by, n: int) -> dict:
    """The arguments of student_register for the `n`th sample student, into the school's first grade."""
    from records.models import Code, CodeTable, SchoolClass

    code = {(c.table, c.code): c for c in Code.objects.all()}
    school_class = SchoolClass.objects.select_related("school__region").filter(school=school, grade=1).first()
    birth_date = datetime.date(school_class.entry_year - 7, 9, 1) + datetime.timedelta(days=n % 365)
    name = SAMPLE_NAMES[n % len(SAMPLE_NAMES)]
    data = {
        "name": name, "gender": code[(CodeTable.GENDER, "2")], "birth_date": birth_date,
        "id_type": code[(CodeTable.ID_TYPE, "1")],
        "id_number": citizen_id(area_code=school.region.code, birth_date=birth_date, order=2 * (n // 365) + 2),
        "ethnicity": code[(CodeTable.ETHNICITY, "01")], "nationality": code[(CodeTable.NATIONALITY, "156")],
        "overseas_chinese": code[(CodeTable.OVERSEAS, "00")], "health": code[(CodeTable.HEALTH, "1")],
        "household_type": code[(CodeTable.HOUSEHOLD_TYPE, "1")], "entry_way": code[(CodeTable.ENTRY_WAY, "1")],
        "study_mode": code[(CodeTable.STUDY_MODE, "1")], "student_type": code[(CodeTable.STUDENT_TYPE, "1")],
        "disability_type": code[(CodeTable.DISABILITY, "0")], "left_behind": code[(CodeTable.LEFT_BEHIND, "1")],
        "entry_date": datetime.date(school_class.entry_year, 9, 1),
        "household_place": "浙江省", "current_address": "浙江省某县某街道",
    }
    family = [{
        "name": f"{name[:2]}建国", "relationship": code[(CodeTable.RELATIONSHIP, "1")], "is_guardian": True,
        "phone": "13800000000", "address": "浙江省某县某街道",
    }]
    return {"school_class": school_class, "data": data, "family_members": family, "by": by,
            "placed_on": data["entry_date"]}


def register(school, by, n: int):
    from records.services import student_register

    return student_register(**registration(school, by, n))


def registrations(args, province: Province) -> list[int]:
    """`--registrations` students through student_register, each beside the bare writes of its rows.
    What the registration page would have read before (the code tables, the class) is read first."""
    from records.models import School
    from records.services import student_register

    schools = list(School.objects.select_related("region").order_by("pk")[1 :: max(1, args.schools // max(1, args.registrations))])
    ids, seconds, statements, floor_seconds, floor_statements, sql_seconds = [], 0.0, 0, 0.0, 0, 0.0
    for n, school in enumerate(schools[: args.registrations], start=1):
        arguments = registration(school, province.registrars[school.pk], n)
        student, s, q, fs, fq, sq = service_and_floor(lambda: student_register(**arguments))
        ids.append(student.pk)
        seconds, statements, floor_seconds, floor_statements = seconds + s, statements + q, floor_seconds + fs, floor_statements + fq
        sql_seconds += sq
    k = len(ids)
    ROWS.append(Row(
        "student_register (ms a student)", f"{k} students", 1000 * seconds / k, round(statements / k),
        1000 * floor_seconds / k, round(floor_statements / k), unit="ms", sql_seconds=1000 * sql_seconds / k,
    ))
    return ids


def transfer_pairs(count: int, *, exclude_students=()):
    """`count` enrolled students with no request, from schools spread over the province, each with
    the first class of the same grade in the next school of its county to move to."""
    pairs = sql_rows(
        """
        WITH candidates AS (
            SELECT DISTINCT ON (p.school_id) p.student_id, p.school_id, c.grade, sc.bureau_id
            FROM records_placement p
            JOIN records_schoolclass c ON c.id = p.school_class_id
            JOIN records_school sc ON sc.id = p.school_id
            WHERE p.ended_on IS NULL AND NOT p.student_id = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM flows_requeststudent rs WHERE rs.student_id = p.student_id)
            ORDER BY p.school_id, p.student_id DESC
        )
        SELECT DISTINCT ON (k.school_id) k.student_id, k.school_id, rc.id
        FROM candidates k
        JOIN records_school rs ON rs.bureau_id = k.bureau_id AND rs.id <> k.school_id
        JOIN records_schoolclass rc ON rc.school_id = rs.id AND rc.grade = k.grade AND rc.state = 'open'
        ORDER BY k.school_id, rs.id > k.school_id DESC, rs.id, rc.id
        """,
        [list(exclude_students)],
    )
    if len(pairs) < count:
        raise SystemExit(f"bench: {len(pairs)} schools with a student to transfer, {count} asked for")
    return pairs[:: len(pairs) // count][:count]


def transfer_start_as_receiving(student_id: int, to_class_id: int, province: Province):
    from flows.transfer import transfer_start
    from records.models import SchoolClass, Student

    to_class = SchoolClass.objects.select_related("school").get(pk=to_class_id)
    return transfer_start(
        student=Student.objects.get(pk=student_id), by=province.registrars[to_class.school_id], to_class=to_class,
        applicant={"name": "王建国", "relationship": "父亲", "phone": "13800000001"},
        reason="随父母工作调动迁居", evidence=_evidence(),
    )


def decide_open_step(request, by):
    """The decision the task page sends: its work item read by id, then flows.engine.task_decide."""
    from flows.engine import task_decide
    from flows.models import WorkItem

    pk = WorkItem.objects.filter(request_id=request.pk, finished__isnull=True).values_list("pk", flat=True).get()
    work_item = WorkItem.objects.select_related("request", "actor").get(pk=pk)
    return task_decide(work_item=work_item, by=by, decision=WorkItem.Decision.APPROVE)


def open_transfers(args, province: Province, registered: list[int]) -> list[int]:
    """`--sample` transfers through the services, waiting at the sending school's release, then
    their rows copied for `--transfers` open transfers in all."""
    from django.db import transaction
    from django.utils import timezone

    from flows.models import WorkItem
    from records.models import School

    sample = []
    with step(f"{args.sample} transfers through the services, each approved by its county bureau"):
        for student_id, _school, to_class_id in transfer_pairs(args.sample, exclude_students=registered):
            with transaction.atomic():
                request = transfer_start_as_receiving(student_id, to_class_id, province)
                bureau = School.objects.get(pk=request.school_id).bureau_id
                decide_open_step(request, province.officers.get(bureau) or province.county_officer)
            sample.append(request.pk)
        arrived = timezone.now() - datetime.timedelta(days=30)
        WorkItem.objects.filter(finished__isnull=True).update(
            created=arrived, due=timezone.localdate(arrived) + datetime.timedelta(days=14)
        )
    with step(f"Copying the first for {args.transfers - args.sample:,} students (bench/sweeps.py)"):
        copy_requests(args.transfers - args.sample)
    return sample


# --- The shape of the bulk rows ----------------------------------------------------------------------


def shape_check(registered: list[int], sample: list[int]) -> None:
    """The bulk rows have the shape of the service-made ones, or the bench stops: per table, each
    column NULL in every service-made row is NULL in every bulk row, and each column never NULL
    there is never NULL in the bulk; and the relations hold for both."""
    S, T = registered, sample
    open_transfer = "SELECT process_ptr_id FROM flows_request WHERE kind = 'transfer' AND state = 'open'"
    open_task = "SELECT task_id FROM flows_workitem WHERE finished IS NULL"
    tables = [
        ("records_student", "id = ANY(%(S)s)", "status = 'enrolled' AND NOT id = ANY(%(S)s)"),
        ("records_placement", "student_id = ANY(%(S)s)", "ended_on IS NULL AND NOT student_id = ANY(%(S)s)"),
        ("records_familymember", "student_id = ANY(%(S)s)", "NOT student_id = ANY(%(S)s)"),
        ("records_historicalstudent", "id = ANY(%(S)s)",
         "history_type = '+' AND status = 'enrolled' AND NOT id = ANY(%(S)s)"),
        ("records_historicalplacement", "student_id = ANY(%(S)s)",
         "history_type = '+' AND ended_on IS NULL AND NOT student_id = ANY(%(S)s)"),
        ("records_historicalfamilymember", "student_id = ANY(%(S)s)", "NOT student_id = ANY(%(S)s)"),
        ("viewflow_process", "id = ANY(%(T)s)", f"id IN ({open_transfer}) AND NOT id = ANY(%(T)s)"),
        ("flows_request", "process_ptr_id = ANY(%(T)s)", f"process_ptr_id IN ({open_transfer}) AND NOT process_ptr_id = ANY(%(T)s)"),
        ("flows_transfer", "request_ptr_id = ANY(%(T)s)", f"request_ptr_id IN ({open_transfer}) AND NOT request_ptr_id = ANY(%(T)s)"),
        ("flows_requeststudent", "request_id = ANY(%(T)s)", f"request_id IN ({open_transfer}) AND NOT request_id = ANY(%(T)s)"),
        ("flows_evidence", "request_id = ANY(%(T)s)", f"request_id IN ({open_transfer}) AND NOT request_id = ANY(%(T)s)"),
        ("viewflow_task", f"process_id = ANY(%(T)s) AND id IN ({open_task})",
         f"process_id IN ({open_transfer}) AND NOT process_id = ANY(%(T)s) AND id IN ({open_task})"),
        ("flows_workitem", "finished IS NULL AND request_id = ANY(%(T)s)",
         "finished IS NULL AND NOT request_id = ANY(%(T)s)"),
    ]
    params = {"S": S, "T": T}
    problems = []
    for table, service_rows, bulk_rows in tables:
        columns = _columns(table)
        counts = ", ".join(f'count("{c}")' for c in columns)
        pattern = {}
        for side, where in (("service", service_rows), ("bulk", bulk_rows)):
            total, *filled = sql_rows(f"SELECT count(*), {counts} FROM {table} WHERE {where}", params)[0]
            if not total:
                problems.append(f"{table}: no {side} rows to compare")
            pattern[side] = (total, dict(zip(columns, filled)))
        (s_total, s_filled), (b_total, b_filled) = pattern["service"], pattern["bulk"]
        for column in columns:
            if s_filled[column] == 0 and b_filled[column] != 0:
                problems.append(f"{table}.{column}: NULL in every service-made row, set in {b_filled[column]:,} bulk rows")
            if s_filled[column] == s_total and b_filled[column] != b_total:
                problems.append(f"{table}.{column}: set in every service-made row, NULL in "
                                f"{b_total - b_filled[column]:,} of {b_total:,} bulk rows")
    relations = [
        ("a student without a guardian",
         "SELECT s.id = ANY(%(S)s), count(*) FROM records_student s WHERE NOT EXISTS "
         "(SELECT 1 FROM records_familymember f WHERE f.student_id = s.id AND f.is_guardian) GROUP BY 1"),
        ("an enrolled student without exactly one open placement",
         "SELECT s.id = ANY(%(S)s), count(*) FROM records_student s WHERE s.status = 'enrolled' AND "
         "(SELECT count(*) FROM records_placement p WHERE p.student_id = s.id AND p.ended_on IS NULL) <> 1 GROUP BY 1"),
        ("a student not enrolled with an open placement",
         "SELECT false, count(*) FROM records_student s JOIN records_placement p ON p.student_id = s.id "
         "AND p.ended_on IS NULL WHERE s.status <> 'enrolled' GROUP BY 1"),
        ("a student without its creation history row",
         "SELECT s.id = ANY(%(S)s), count(*) FROM records_student s WHERE NOT EXISTS (SELECT 1 FROM "
         "records_historicalstudent h WHERE h.id = s.id AND h.history_type = '+') GROUP BY 1"),
        ("a placement without its creation history row",
         "SELECT p.student_id = ANY(%(S)s), count(*) FROM records_placement p WHERE NOT EXISTS (SELECT 1 FROM "
         "records_historicalplacement h WHERE h.id = p.id AND h.history_type = '+') GROUP BY 1"),
        ("a family member without its creation history row",
         "SELECT f.student_id = ANY(%(S)s), count(*) FROM records_familymember f WHERE NOT EXISTS (SELECT 1 FROM "
         "records_historicalfamilymember h WHERE h.id = f.id AND h.history_type = '+') GROUP BY 1"),
        ("an open transfer without its process, transfer row, student row and evidence",
         "SELECT r.process_ptr_id = ANY(%(T)s), count(*) FROM flows_request r WHERE r.kind = 'transfer' "
         "AND r.state = 'open' AND NOT (EXISTS (SELECT 1 FROM viewflow_process p WHERE p.id = r.process_ptr_id) "
         "AND EXISTS (SELECT 1 FROM flows_transfer t WHERE t.request_ptr_id = r.process_ptr_id) "
         "AND (SELECT count(*) FROM flows_requeststudent rs WHERE rs.request_id = r.process_ptr_id "
         "AND rs.student_id = r.student_id) = 1 "
         "AND EXISTS (SELECT 1 FROM flows_evidence e WHERE e.request_id = r.process_ptr_id)) GROUP BY 1"),
        ("an open transfer without exactly one open task and its work item",
         "SELECT r.process_ptr_id = ANY(%(T)s), count(*) FROM flows_request r WHERE r.kind = 'transfer' "
         "AND r.state = 'open' AND (SELECT count(*) FROM viewflow_task t JOIN flows_workitem w ON w.task_id = t.id "
         "AND w.finished IS NULL AND w.request_id = r.process_ptr_id AND w.student_id = r.student_id "
         "WHERE t.process_id = r.process_ptr_id AND t.status NOT IN ('DONE', 'CANCELED')) <> 1 GROUP BY 1"),
        ("an open transfer whose student is not placed in the school it leaves",
         "SELECT r.process_ptr_id = ANY(%(T)s), count(*) FROM flows_request r JOIN flows_transfer t "
         "ON t.request_ptr_id = r.process_ptr_id WHERE r.state = 'open' AND NOT EXISTS (SELECT 1 FROM "
         "records_placement p WHERE p.student_id = r.student_id AND p.ended_on IS NULL "
         "AND p.school_id = t.from_school_id AND p.school_class_id = t.from_class_id) GROUP BY 1"),
    ]
    for what, sql in relations:
        for service_made, count in sql_rows(sql, params):
            problems.append(f"{count:,} {'service-made' if service_made else 'bulk'} rows: {what}")
    expected = {"student": len(S), "transfer": len(T)}
    print(f"  {len(tables)} tables, {len(relations)} relations, against {expected['student']} registered students "
          f"and {expected['transfer']} transfers", end="; ", flush=True)
    if problems:
        print()
        for problem in problems:
            print(f"bench: shape: {problem}", file=sys.stderr)
        raise SystemExit("bench: the bulk rows do not have the shape of the rows the services write")


# --- The pages ---------------------------------------------------------------------------------------


STUDENT_PAGE = f"""
SELECT s.id, s.student_number, s.name, g.name, s.birth_date, sc.name, c.id, c.name, s.status, s.possible_duplicate_of_id
FROM records_student s
JOIN records_school sc ON sc.id = s.school_id
JOIN records_code g ON g.id = s.gender_id
LEFT JOIN records_placement p ON p.student_id = s.id AND p.ended_on IS NULL
LEFT JOIN records_schoolclass c ON c.id = p.school_class_id
WHERE sc.region_id = ANY(%(regions)s) {{where}}
ORDER BY sc.identifier, s.name COLLATE {COLLATION}, s.id
LIMIT 50
"""
STUDENT_COUNT = """
SELECT count(*) FROM records_student s JOIN records_school sc ON sc.id = s.school_id
WHERE sc.region_id = ANY(%(regions)s) {where}
"""
REQUEST_PAGE = """
SELECT r.process_ptr_id, r.kind, st.name, r.applicant_name, sc.name, os.name, p.created, r.state
FROM flows_request r
JOIN viewflow_process p ON p.id = r.process_ptr_id
JOIN records_school sc ON sc.id = r.school_id
LEFT JOIN records_school os ON os.id = r.other_school_id
LEFT JOIN records_student st ON st.id = r.student_id
WHERE r.school_id = ANY(%(schools)s) OR r.other_school_id = ANY(%(schools)s)
ORDER BY p.created DESC, r.process_ptr_id DESC
LIMIT 50
"""
REQUEST_COUNT = """
SELECT count(*) FROM flows_request r WHERE r.school_id = ANY(%(schools)s) OR r.other_school_id = ANY(%(schools)s)
"""
LINKS = {"students": re.compile(r'href="/students/(\d+)/"'), "requests": re.compile(r'href="/requests/(\d+)/"')}


def student_count_floor(where: str, params: dict) -> tuple[str, dict]:
    """The floor of the figure the student list prints: the count itself while the list counts
    exactly, PostgreSQL's estimate of it (one EXPLAIN) above records.selectors.pages.EXACT_COUNT_UP_TO,
    where the page prints 约 and the estimate."""
    from records.selectors.pages import EXACT_COUNT_UP_TO

    sql = STUDENT_COUNT.format(where=where)
    if sql_value(sql, params) > EXACT_COUNT_UP_TO:
        return "EXPLAIN (FORMAT JSON) " + sql, params
    return sql, params


def page(args, title: str, size: str, user, url: str, floor_sql: list[tuple[str, dict]], links: str) -> None:
    """GET `url` as `user` through the test client, beside the floor: the statements of
    `floor_sql` run bare. Both the best of `--runs`; the rows the page links to are compared with
    the floor's first column."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)

    def get():
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"bench: GET {url} as {user.username}: {response.status_code}")
        return response.content.decode()

    def bare(sql, params):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    get()  # the first request loads the templates
    html, seconds, statements, sql_seconds, list_seconds = best_of(args.runs, get)
    # Each statement of the floor the best of its runs (the rows, then the count).
    floors = [best_of(args.runs, bare(sql, params)) for sql, params in floor_sql]
    results = [result for result, *_rest in floors]
    floor_seconds = sum(best for _result, best, *_rest in floors)
    floor_statements = len(floors)
    shown = list(dict.fromkeys(int(pk) for pk in LINKS[links].findall(html)))
    expected = [row[0] for row in results[0]]
    note = "" if shown == expected else f"rows differ: page {len(shown)}, floor {len(expected)}"
    if note:
        print(f"  {title}: the page's rows are not the floor's ({shown[:3]}… vs {expected[:3]}…)", flush=True)
    ROWS.append(Row(title, size, seconds, statements, floor_seconds, floor_statements, note, sql_seconds=sql_seconds,
                    list_seconds=list_seconds))
    parts = " + ".join(f"{best:.3f}" for _result, best, *_rest in floors)
    print(f"  {title}: {seconds:.3f} s ({sql_seconds:.3f} s in SQL, {list_seconds:.3f} s of it the list's), "
          f"{statements} statements; floor {floor_seconds:.3f} s ({parts})", flush=True)


def pages(args, province: Province) -> None:
    from records.models import Region
    from records.selectors import regions_under

    everywhere = list(regions_under(Region.objects.get(level=Region.Level.PROVINCE)))
    city_regions = list(regions_under(province.city))
    county_regions = [province.county_bureau.region_id]
    n_students = sql_value("SELECT count(*) FROM records_student")
    n_city = sql_value(STUDENT_COUNT.format(where=""), {"regions": city_regions})

    def students(where="", regions=everywhere, **params):
        params = {"regions": regions, **params}
        return [(STUDENT_PAGE.format(where=where), params), student_count_floor(where, params)]

    officer = province.province_officer
    page(args, "province /students/ page 1", f"{n_students:,} students", officer, "/students/", students(), "students")
    deep = min(100_000, (n_students - 50) // 50 * 50)  # the last row before a page
    # The floor reads from the row before the deep page on, by the list's order (keyset).
    identifier, name, pk = sql_rows(
        f"SELECT sc.identifier, s.name, s.id FROM records_student s JOIN records_school sc ON sc.id = s.school_id "
        f"ORDER BY sc.identifier, s.name COLLATE {COLLATION}, s.id OFFSET %s LIMIT 1", [deep - 1],
    )[0]
    page(
        args, f"province deep page (row {deep + 1:,})", f"{n_students:,} students", officer,
        deep_page_url(officer, deep + 1),
        [(STUDENT_PAGE.format(where=f"AND (sc.identifier, s.name COLLATE {COLLATION}, s.id) > "
                                    "(%(identifier)s, %(name)s, %(pk)s)"),
          {"regions": everywhere, "identifier": identifier, "name": name, "pk": pk}),
         student_count_floor("", {"regions": everywhere})],
        "students",
    )
    name, number = sql_rows("SELECT name, student_number FROM records_student ORDER BY id OFFSET %s LIMIT 1",
                            [n_students // 2])[0]
    page(args, "province search by name", f"{sql_value('SELECT count(*) FROM records_student WHERE name = %s', [name])} found",
         officer, "/students/?" + urllib.parse.urlencode({"q": name}), students("AND s.name = %(name)s", name=name), "students")
    page(args, "province search by full student number", "1 found", officer, f"/students/?q={number}",
         students("AND s.student_number = %(number)s", number=number), "students")
    page(args, "city /students/ page 1", f"{n_city:,} students", province.city_officer, "/students/",
         students(regions=city_regions), "students")
    for title, user, regions in (
        ("county /requests/ page 1", province.county_officer, county_regions),
        ("city /requests/ page 1", province.city_officer, city_regions),
    ):
        # The schools of the regions, named: the bare query PostgreSQL plans best (on the indexes
        # of either school, or along the index on the start time).
        schools = {"schools": [pk for (pk,) in sql_rows("SELECT id FROM records_school WHERE region_id = ANY(%s)", [regions])]}
        n = sql_value(REQUEST_COUNT, schools)
        page(args, title, f"{n:,} requests", user, "/requests/",
             [(REQUEST_PAGE, schools), (REQUEST_COUNT, schools)], "requests")


# --- Transfers end to end, and the sweeps --------------------------------------------------------------


def transfers_end_to_end(args, province: Province, registered: list[int]) -> None:
    """`--end-to-end` transfers through every step: started by the receiving school, approved by the
    county bureau, released by the sending school (both in one county: no second bureau step)."""
    from flows.models import Request
    from records.models import School

    totals = [0.0, 0, 0.0, 0, 0.0]
    pairs = transfer_pairs(args.end_to_end, exclude_students=registered)
    for student_id, from_school, to_class_id in pairs:
        def transfer():
            request = transfer_start_as_receiving(student_id, to_class_id, province)
            decide_open_step(request, province.officers[School.objects.get(pk=request.school_id).bureau_id])
            return decide_open_step(request, province.registrars[from_school])

        request, *measured = service_and_floor(transfer)
        request.refresh_from_db()
        if request.state != Request.State.COMPLETED:
            raise SystemExit(f"bench: transfer {request.pk} is {request.state}, not completed")
        totals = [a + b for a, b in zip(totals, measured)]
    seconds, statements, floor_seconds, floor_statements, sql_seconds = totals
    k = len(pairs)
    ROWS.append(Row(
        "transfer end to end (transfers/s)", f"{k} transfers, 3 calls", k / seconds, round(statements / k),
        k / floor_seconds, round(floor_statements / k), unit="/s", sql_seconds=k / sql_seconds,
    ))


def sweeps(args) -> None:
    from flows.models import WorkItem
    from notifications.sweeps import escalate_overdue_tasks, remind_pending_tasks

    steps = WorkItem.objects.filter(finished__isnull=True).count()
    for title, sweep, floor_sql in (
        ("reminder sweep (待办提醒)", remind_pending_tasks, REMINDER_FLOOR),
        ("escalation sweep (超期督办)", escalate_overdue_tasks, ESCALATION_FLOOR),
    ):
        floor_seconds, floor_rows = floor(floor_sql)
        # As the Celery task calls it (notifications.tasks), without the e-mail drain that follows.
        recorded, seconds, statements, sql_seconds, _list = timed(sweep)
        note = "" if recorded == floor_rows else f"{recorded:,} recorded, the floor {floor_rows:,}"
        if note:
            print(f"  {title}: {note}", file=sys.stderr)
        ROWS.append(Row(title, f"{steps:,} overdue, {recorded:,} told", seconds, statements, floor_seconds, 1, note,
                        sql_seconds=sql_seconds))
        print(f"  {title}: {seconds:.2f} s, {statements} statements; floor {floor_seconds:.2f} s", flush=True)
        if recorded < steps:
            raise SystemExit(f"bench: {title} recorded {recorded:,} for {steps:,} overdue steps")


# --- The run -----------------------------------------------------------------------------------------


def run(args) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    with step("Migrating the fresh database"):
        call_command("migrate", verbosity=0, interactive=False)
    today = timezone.localdate()
    province = build(args, today)
    with step(f"{args.registrations} students through student_register, beside their bare writes"):
        registered = registrations(args, province)
    sample = open_transfers(args, province, registered)
    with step("VACUUM ANALYZE, as autovacuum has done by the time a register this size is read"):
        # Without it the freshly loaded tables have no visibility map (every index-only scan
        # reads the heap) and their GIN indexes' pending entries are read by every search.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    built = time.perf_counter() - started
    with step("Checking that the bulk rows have the shape of the service-made ones"):
        shape_check(registered, sample)
    print(f"Built in {built:.0f} s. Measuring", flush=True)
    measuring = time.perf_counter()
    pages(args, province)
    with step(f"{args.end_to_end} transfers end to end, beside their bare writes"):
        transfers_end_to_end(args, province, registered)
    sweeps(args)
    return report(args, built=built, measured=time.perf_counter() - measuring)


def report(args, *, built: float, measured: float) -> int:
    import os
    import platform

    print()
    print(
        f"Xueji province bench — {datetime.date.today().isoformat()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; built in {built:.0f} s, measured in {measured:.0f} s"
    )
    header = (f"| {'path':<40} | {'size':<30} | {'time':>10} | {'in SQL':>10} | {'stmts':>5} | {'floor':>10} | "
              f"{'stmts':>5} | {'ratio':>6} | {'SQL ratio':>9} | {'list ratio':>10} |")
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")

    def shown(value, unit):
        if value is None:
            return "—"
        return {"s": f"{value:.3f} s", "ms": f"{value:.1f} ms", "/s": f"{value:.1f}/s"}[unit]

    failed = False
    for row in ROWS:
        ratio = f"{row.ratio:.1f}×" if row.ratio else "—"
        sql_ratio = f"{row.sql_ratio:.1f}×" if row.sql_ratio else "—"
        list_ratio = f"{row.list_ratio:.1f}×" if row.list_ratio else "—"
        print(
            f"| {row.path:<40} | {row.size:<30} | {shown(row.seconds, row.unit):>10} | "
            f"{shown(row.sql_seconds, row.unit):>10} | {row.statements:>5} | "
            f"{shown(row.floor_seconds, row.unit):>10} | {row.floor_statements if row.floor_statements is not None else '—':>5} | "
            f"{ratio:>6} | {sql_ratio:>9} | {list_ratio:>10} |" + (f" {row.note}" if row.note else "")
        )
        seconds = {"s": row.seconds, "ms": row.seconds / 1000, "/s": 1 / row.seconds}[row.unit]
        if seconds > args.guard:
            print(f"bench: {row.path} took {seconds:.1f} s, over the {args.guard:g} s guard", file=sys.stderr)
            failed = True
    return 1 if failed else 0


def main() -> int:
    return bench_main(parse_args, run)


if __name__ == "__main__":
    sys.exit(main())
