#!/usr/bin/env python
"""Intake benchmark: a 10,000-row intake file against a register of 1,000,000 students, on
PostgreSQL. See bench/README.md.

    make bench                                   # or:
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xueji_bench .venv/bin/python bench/intake.py

The database named in BENCH_DATABASE_URL is dropped and created again (its name must contain
"bench"), migrated, and the register is written with COPY: regions, bureaus, schools, classes,
students with valid citizen IDs, two family members each, open placements and their history.
Then, each in a fresh process so that its memory is its own:

  (a) openpyxl's read-only parse of the intake file, against the import through the services the
      pages call: upload, the validation job (parse + validate + keep the rows), and the
      submission that stages the bulk registration request;
  (b) the import's peak memory (the process's maximum resident set);
  (c) the bulk registration at the last approval (the bureau's task_decide), batch by batch:
      its queries and time.

Exits 1 when a goal is missed: (a) at most 3 times the parse, (b) at most 500 MB.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from year_end import (  # noqa: E402
    DEFAULT_DATABASE_URL, GIVEN_NAMES, SURNAMES, citizen_id, configure, creation_history, print_profile,
    recreate_database, step,
)

RATIO_GOAL = 3.0
PROFILE = False
MEMORY_GOAL_MB = 500
# A third character for names, so that the register has tens of thousands of distinct names.
THIRD = "明华伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞平刚桂英"
GRADES = range(1, 7)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1_000_000, help="students of the register")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the intake file")
    parser.add_argument("--flagged", type=int, default=100, help="rows that look like a record of the register")
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--schools-per-county", type=int, default=10)
    parser.add_argument("--classes-per-grade", type=int, default=4)
    parser.add_argument("--profile", action="store_true", help="print cProfile of the validation job and the approval, on stderr")
    parser.add_argument("--phase", choices=["all", "parse", "import"], default="all", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- The register, with COPY ----------------------------------------------------------------------


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY `rows` (tuples in the order of `columns`) into the model's table; psycopg adapts the values."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def reset_sequence(model) -> None:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def columns_and_defaults(model) -> tuple[list[str], list]:
    fields = [f for f in model._meta.concrete_fields]
    return [f.column for f in fields], [None if f.primary_key else f.get_default() for f in fields]


class Register:
    """A province: `counties` counties (under ten cities), each with its bureau and schools of
    grades 1–6; `students` enrolled students spread over the classes, each with two family members
    (a guardian father and a mother) and an open placement; plus the intake's school."""

    def __init__(self, args, school_year: int):
        self.args = args
        self.school_year = school_year
        self.orders: dict[tuple[str, datetime.date], int] = {}

    def build(self):
        from django.db import transaction

        from records.models import Code

        self.code = {(c.table, c.code): c.pk for c in Code.objects.all()}
        with transaction.atomic():
            self._places()
            self._classes()
        with step(f"  COPY {self.args.students:,} students, {2 * self.args.students:,} family members, placements"):
            self._students()
        with step("  history rows (INSERT … SELECT) and ANALYZE"):
            creation_history()
        self._people()

    def _places(self):
        from records.models import Bureau, Region, School

        province = Region.objects.create(code="330000", name="浙江省", level=Region.Level.PROVINCE)
        Bureau.objects.create(code="330000", name="浙江省教育厅", region=province)
        cities = Region.objects.bulk_create(
            [Region(code=f"33{n:02d}00", name=f"第{n}市", level=Region.Level.CITY, parent=province) for n in range(1, 11)]
        )
        counties = []
        for n in range(self.args.counties):
            city = cities[n % len(cities)]
            counties.append(Region(code=f"{city.code[:4]}{n // len(cities) + 1:02d}", name=f"第{n + 1}县", level=Region.Level.COUNTY, parent=city))
        Region.objects.bulk_create(counties)
        bureaus = Bureau.objects.bulk_create([Bureau(code=r.code, name=f"{r.name}教育局", region=r) for r in [*cities, *counties]])
        by_region = {b.region_id: b for b in bureaus}
        schools = []
        for county in counties:
            for k in range(self.args.schools_per_county):
                schools.append(
                    School(identifier=f"2133{len(schools) + 1:06d}", name=f"{county.name}第{k + 1}小学", type=School.Type.PRIMARY,
                           region=county, bureau=by_region[county.pk])
                )
        first = counties[0]
        self.intake_school = School(identifier=f"2133{len(schools) + 1:06d}", name=f"{first.name}新城小学",
                                    type=School.Type.PRIMARY, region=first, bureau=by_region[first.pk])
        School.objects.bulk_create([*schools, self.intake_school])
        self.schools, self.county, self.bureau = schools, first, by_region[first.pk]

    def _classes(self):
        from records.class_codes import GRADE_NAMES, class_code
        from records.models import SchoolClass

        def new(school, grade, sequence):
            return SchoolClass(
                school=school, grade=grade, sequence=sequence, entry_year=self.school_year - grade + 1,
                name=f"{GRADE_NAMES[grade]}({sequence})班",
                code=class_code(grade=grade, school_identifier=school.identifier, sequence=sequence),
            )

        classes = [new(s, g, q) for s in self.schools for g in GRADES for q in range(1, self.args.classes_per_grade + 1)]
        # The intake's school opens 50 first-grade classes for the new intake.
        self.intake_classes = [new(self.intake_school, 1, q) for q in range(1, 51)]
        SchoolClass.objects.bulk_create([*classes, *self.intake_classes], batch_size=5000)
        self.classes = classes

    def citizen_id(self, area: str, birth: datetime.date, male: bool) -> str:
        """The next free order number of this area and birthday, with the gender's parity."""
        key = (area, birth)
        n = self.orders.get(key, 0)
        self.orders[key] = n + 1
        return citizen_id(area_code=area, birth_date=birth, order=n * 2 + (1 if male else 0))

    def _students(self):
        from django.utils import timezone

        from records.models import CodeTable, FamilyMember, Placement, Student

        code = self.code
        columns, defaults = columns_and_defaults(Student)
        at = {c: i for i, c in enumerate(columns)}
        defaults[at["id_type_id"]] = code[(CodeTable.ID_TYPE, "1")]
        for column, (table, value) in {
            "ethnicity_id": (CodeTable.ETHNICITY, "01"), "nationality_id": (CodeTable.NATIONALITY, "156"),
            "overseas_chinese_id": (CodeTable.OVERSEAS, "00"), "health_id": (CodeTable.HEALTH, "1"),
            "household_type_id": (CodeTable.HOUSEHOLD_TYPE, "1"), "entry_way_id": (CodeTable.ENTRY_WAY, "1"),
            "study_mode_id": (CodeTable.STUDY_MODE, "1"), "student_type_id": (CodeTable.STUDENT_TYPE, "1"),
            "disability_type_id": (CodeTable.DISABILITY, "0"), "left_behind_id": (CodeTable.LEFT_BEHIND, "1"),
        }.items():
            defaults[at[column]] = code[(table, value)]
        defaults[at["household_place"]] = "浙江省"
        defaults[at["current_address"]] = "浙江省某县某街道"
        defaults[at["contact_phone"]] = "13800000000"
        defaults[at["created_at"]] = timezone.now()
        male_code, female_code = code[(CodeTable.GENDER, "1")], code[(CodeTable.GENDER, "2")]
        per_class, extra = divmod(self.args.students, len(self.classes))
        region_code = {s.pk: s.region.code for s in self.schools}
        self.placed: list[tuple[int, int, int, datetime.date]] = []  # student, school, class, since

        def students():
            pk = 0
            for index, school_class in enumerate(self.classes):
                born_from = datetime.date(school_class.entry_year - 7, 9, 1)
                entry = datetime.date(school_class.entry_year, 9, 1)
                area = region_code[school_class.school_id]
                for _n in range(per_class + (1 if index < extra else 0)):
                    pk += 1
                    birth = born_from + datetime.timedelta(days=pk * 7 % 365)
                    male = pk % 2 == 0
                    number = self.citizen_id(area, birth, male)
                    row = list(defaults)
                    row[at["id"]] = pk
                    row[at["student_number"]] = "G" + number
                    row[at["name"]] = SURNAMES[pk % len(SURNAMES)] + GIVEN_NAMES[pk // 7 % len(GIVEN_NAMES)][0] + THIRD[pk // 11 % len(THIRD)]
                    row[at["gender_id"]] = male_code if male else female_code
                    row[at["birth_date"]] = birth
                    row[at["id_number"]] = number
                    row[at["entry_date"]] = entry
                    row[at["school_id"]] = school_class.school_id
                    self.placed.append((pk, school_class.school_id, school_class.pk, entry))
                    yield tuple(row)

        copy_rows(Student, columns, students())
        reset_sequence(Student)
        father, mother = code[(CodeTable.RELATIONSHIP, "1")], code[(CodeTable.RELATIONSHIP, "2")]
        columns, defaults = columns_and_defaults(FamilyMember)
        fm = {c: i for i, c in enumerate(columns)}

        def members():
            pk = 0
            for student_id, *_rest in self.placed:
                for position, relationship, guardian in ((1, father, True), (2, mother, False)):
                    pk += 1
                    row = list(defaults)
                    row[fm["id"]], row[fm["student_id"]], row[fm["position"]] = pk, student_id, position
                    row[fm["name"]] = ("王建国", "李秀英")[position - 1]
                    row[fm["relationship_id"]], row[fm["is_guardian"]] = relationship, guardian
                    row[fm["phone"]] = "13900000000"
                    yield tuple(row)

        copy_rows(FamilyMember, columns, members())
        reset_sequence(FamilyMember)
        columns, defaults = columns_and_defaults(Placement)
        pl = {c: i for i, c in enumerate(columns)}

        def placements():
            for student_id, school_id, class_id, since in self.placed:
                row = list(defaults)
                row[pl["id"]], row[pl["student_id"]], row[pl["school_id"]] = student_id, student_id, school_id
                row[pl["school_class_id"]], row[pl["started_on"]], row[pl["reason"]] = class_id, since, "新生建档"
                yield tuple(row)

        copy_rows(Placement, columns, placements())
        reset_sequence(Placement)

    def _people(self):
        from records.models import Role
        from records.services import user_provision

        password = "Bench-only-2026!"
        for username, role, where in (
            ("bench_registrar", Role.REGISTRAR, {"school": self.intake_school}),
            ("bench_office", Role.ACADEMIC_OFFICE, {"school": self.intake_school}),
            ("bench_officer", Role.BUREAU_OFFICER, {"bureau": self.bureau}),
        ):
            user_provision(username=username, role=role, password=password, must_change_password=False, **where)


def intake_file(register: Register, path: Path, rows: int, flagged: int) -> None:
    """The new first grade of the intake's school as its registrar fills in the template: names
    and codes as the drop-down lists give them, a valid citizen ID for each, two family members.
    `flagged` rows take the name, gender and birthday of a record of the county (another ID)."""
    from openpyxl import Workbook

    from records.models import Student
    from records.student_sheets import TEMPLATE_HEADERS

    twins = list(
        Student.objects.filter(school__region=register.county).order_by("pk").values_list("name", "gender__code", "birth_date")[:flagged]
    )
    area = register.county.code
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("新生信息")
    sheet.append(list(TEMPLATE_HEADERS))
    born_from = datetime.date(register.school_year - 7, 9, 1)
    for n in range(rows):
        if n < len(twins):
            name, gender, birth = twins[n]
            male = gender == "1"
        else:
            birth = born_from + datetime.timedelta(days=n % 365)
            male = n % 2 == 0
            name = SURNAMES[(n + 3) % len(SURNAMES)] + GIVEN_NAMES[n % len(GIVEN_NAMES)] + THIRD[n // 30 % len(THIRD)]
        number = register.citizen_id(area, birth, male)
        values = {
            "班级": register.intake_classes[n % len(register.intake_classes)].name,
            "姓名": name, "性别": "男" if male else "女", "出生日期": birth, "出生地": "浙江省", "籍贯": "浙江省",
            "民族": "汉族", "国籍/地区": "中国", "港澳台侨外": "否", "健康状况": "健康或良好",
            "身份证件类型": "居民身份证", "身份证件号": number, "户口所在地": "浙江省衢州市龙游县", "户口性质": "非农业户口",
            "入学年月": f"{register.school_year}-09", "入学方式": "就近入学", "就读方式": "走读", "学生类别": "普通学生",
            "是否独生子女": "否", "是否受过学前教育": "是", "是否留守儿童": "非留守儿童", "是否进城务工人员随迁子女": "否",
            "是否孤儿": "否", "是否烈士或优抚子女": "否", "是否需要申请资助": "否", "是否享受一补": "否", "残疾类型": "非残疾",
            "现住址": "浙江省衢州市龙游县龙洲街道荣昌路1号", "家庭地址": "浙江省衢州市龙游县龙洲街道荣昌路1号",
            "联系电话": "13900000001", "邮政编码": "324400", "上下学距离（公里）": 1.5, "上下学方式": "步行",
            "是否需要乘坐校车": "否",
            "成员1姓名": name[0] + "建国", "成员1关系": "父亲", "成员1民族": "汉族", "成员1工作单位": "龙游县某公司",
            "成员1现住址": "浙江省衢州市龙游县龙洲街道荣昌路1号", "成员1户口所在地": "浙江省衢州市龙游县",
            "成员1联系电话": "13900000002", "成员1是否监护人": "是", "成员1身份证件类型": "居民身份证",
            "成员1身份证件号": register.citizen_id(area, datetime.date(1988, 1, 1) + datetime.timedelta(days=n % 3000), True),
            "成员1职务": "职员",
            "成员2姓名": "李秀英", "成员2关系": "母亲", "成员2民族": "汉族", "成员2联系电话": "13900000003", "成员2是否监护人": "否",
        }
        sheet.append([values.get(h) for h in TEMPLATE_HEADERS])
    workbook.save(path)


# --- The measured phases, each in a process of its own -------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class StatementLog:
    """Every statement sent, with when it was sent and how long it took."""

    def __init__(self):
        self.entries: list[tuple[float, float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.entries.append((started, time.perf_counter() - started, sql))


def phase_parse(path: str) -> dict:
    """openpyxl's read-only parse of every cell, the baseline of (a); the best of three."""
    from openpyxl import load_workbook

    times = []
    for _n in range(3):
        started = time.perf_counter()
        workbook = load_workbook(path, read_only=True, data_only=True)
        rows = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
        times.append(time.perf_counter() - started)
    return {"parse_seconds": min(times), "parse_median": statistics.median(times), "rows": rows - 1}


def phase_import(path: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction

    from flows.engine import task_decide
    from flows.intake import VerifyIntakeForm, intake_start
    from flows.intake.tasks import intake_import_run, intake_import_start
    from flows.models import WorkItem
    from flows.selectors import tasks_in_inbox
    from records.models import IntakeImport, Student
    from records.services.bulk_registration import REGISTER_BATCH
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="bench_").select_related("membership")}
    content = Path(path).read_bytes()
    baseline = rss_mb()
    log = StatementLog()
    result = {"baseline_mb": baseline}
    with connection.execute_wrapper(log):
        started = time.perf_counter()
        with transaction.atomic():
            intake_import = intake_import_start(
                file=SimpleUploadedFile(Path(path).name, content), by=users["bench_registrar"]
            )
        uploaded = time.perf_counter()
        profiler = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
        if profiler:
            profiler.enable()
        intake_import_run(intake_import_id=intake_import.pk)  # the Celery task's body, as a worker runs it
        if profiler:
            profiler.disable()
            print_profile(profiler, "the validation job")
        checked = time.perf_counter()
        request = intake_start(intake_import=IntakeImport.objects.get(pk=intake_import.pk), by=users["bench_registrar"])
        staged = time.perf_counter()
    intake_import.refresh_from_db()
    if intake_import.valid_rows != intake_import.total_rows:
        raise SystemExit(f"bench: the intake file has {intake_import.error_rows} rows with errors")
    result.update(
        import_seconds=staged - started, upload_seconds=uploaded - started, check_seconds=checked - uploaded,
        stage_seconds=staged - checked, import_queries=len(log.entries), import_sql=sum(e[1] for e in log.entries),
        peak_mb=peak_mb(), rows=intake_import.total_rows, flagged=intake_import.flagged_rows,
    )

    # The academic office acknowledges every flagged row; the bureau's approval creates the records.
    step = tasks_in_inbox(users["bench_office"]).get(request_id=request.pk)
    form = VerifyIntakeForm(
        {"decision": "approve", "acknowledged": [str(e.pk) for e in request.flagged_entries()]}, request=request
    )
    assert form.is_valid(), form.errors
    task_decide(work_item=step, by=users["bench_office"], decision="approve", form=form)
    step = tasks_in_inbox(users["bench_officer"]).get(request_id=request.pk)
    log = StatementLog()
    profiler = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    with connection.execute_wrapper(log):
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        task_decide(work_item=step, by=users["bench_officer"], decision=WorkItem.Decision.APPROVE)
        if profiler:
            profiler.disable()
            print_profile(profiler, "the bureau's approval")
        finished = time.perf_counter()
    created = Student.objects.filter(pk__in=intake_import.rows.values("student")).count()
    if created != intake_import.total_rows:
        raise SystemExit(f"bench: {created} of {intake_import.total_rows} students created")
    # A batch runs from the INSERT of its students to the UPDATE that links its rows to them; before
    # the first and after the last comes what does not depend on the number of students.
    entries = log.entries
    firsts = [i for i, (_t, _d, sql) in enumerate(entries) if sql.startswith('INSERT INTO "records_student" ')]
    lasts = [i for i, (_t, _d, sql) in enumerate(entries) if sql.startswith('UPDATE "records_intakerow"')]
    batches = [
        {"queries": last - first + 1, "seconds": entries[last][0] + entries[last][1] - entries[first][0]}
        for first, last in zip(firsts, lasts, strict=True)
    ]
    result.update(
        approve_seconds=finished - started, approve_queries=len(entries), approve_sql=sum(e[1] for e in entries),
        batch_size=REGISTER_BATCH, batches=batches,
        before_queries=firsts[0], before_seconds=entries[firsts[0]][0] - started,
        after_queries=len(entries) - lasts[-1] - 1, after_seconds=finished - (entries[lasts[-1]][0] + entries[lasts[-1]][1]),
        created=created,
    )
    return result


def child(phase: str, path: str) -> dict:
    """Run a phase in a fresh interpreter; its memory and caches are its own."""
    env = {**os.environ, **({"BENCH_PROFILE": "1"} if PROFILE else {})}
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--file", path], env=env, check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(args, n_students: int, parse: dict, imported: dict) -> int:
    import platform

    ratio = imported["import_seconds"] / parse["parse_seconds"]
    print()
    print(
        f"Xueji intake bench — {datetime.date.today().isoformat()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{n_students:,} students in the register, an intake file of {imported['rows']:,} rows ({imported['flagged']} flagged)"
    )
    print()
    print(f"{'(a) import against openpyxl':<52} {'seconds':>8} {'in SQL':>7} {'queries':>8} {'× parse':>8}")
    print("-" * 86)
    print(f"{'openpyxl read-only parse of every cell (best of 3)':<52} {parse['parse_seconds']:>8.2f} {'':>7} {'':>8} {1:>8.2f}")
    for label, key in (("  upload (the file saved, the job queued)", "upload_seconds"),
                       ("  validation job (parse, check, keep the rows)", "check_seconds"),
                       ("  submission (the request staged)", "stage_seconds")):
        print(f"{label:<52} {imported[key]:>8.2f} {'':>7} {'':>8} {imported[key] / parse['parse_seconds']:>8.2f}")
    print(f"{'import, all of it':<52} {imported['import_seconds']:>8.2f} {imported['import_sql']:>7.2f} {imported['import_queries']:>8} {ratio:>8.2f}")
    print()
    print(f"(b) peak memory of the import process: {imported['peak_mb']:.0f} MB (Django loaded: {imported['baseline_mb']:.0f} MB)")
    print()
    print(f"(c) bulk registration at the bureau's approval, {imported['created']:,} students in batches of {imported['batch_size']:,}")
    print(f"{'':<28} {'queries':>8} {'seconds':>8}")
    print(f"{'before the first batch':<28} {imported['before_queries']:>8} {imported['before_seconds']:>8.2f}")
    for n, batch in enumerate(imported["batches"], start=1):
        print(f"{f'batch {n}':<28} {batch['queries']:>8} {batch['seconds']:>8.2f}")
    print(f"{'after the last batch':<28} {imported['after_queries']:>8} {imported['after_seconds']:>8.2f}")
    print(f"{'whole approval':<28} {imported['approve_queries']:>8} {imported['approve_seconds']:>8.2f}  (in SQL {imported['approve_sql']:.2f})")
    failed = []
    if ratio > RATIO_GOAL:
        failed.append(f"(a) the import took {ratio:.2f} × the parse, over the goal of {RATIO_GOAL:g}")
    if imported["peak_mb"] > MEMORY_GOAL_MB:
        failed.append(f"(b) the import's peak memory {imported['peak_mb']:.0f} MB is over the goal of {MEMORY_GOAL_MB} MB")
    print()
    for line in failed:
        print(f"bench: {line}", file=sys.stderr)
    print("goals: " + ("missed" if failed else f"met (≤ ×{RATIO_GOAL:g}, ≤ {MEMORY_GOAL_MB} MB)"))
    return 1 if failed else 0


def main(argv=None) -> int:
    global PROFILE
    args = parse_args(argv)
    PROFILE = args.profile
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    if args.phase != "all":
        configure(url)
        print(json.dumps(phase_parse(args.file) if args.phase == "parse" else phase_import(args.file)))
        return 0

    started = time.perf_counter()
    recreate_database(url)
    configure(url)
    from django.core.management import call_command
    from django.db import connection

    from django.utils import timezone

    from records.term_calendar import school_year_of
    from records.models import Student

    with step("Migrating the fresh database"):
        call_command("migrate", verbosity=0, interactive=False)
    register = Register(args, school_year_of(timezone.localdate()))
    print(f"Building the register ({args.students:,} students in {args.counties} counties)", flush=True)
    register.build()
    n_students = Student.objects.count()
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"xueji-bench-intake-{args.rows}.xlsx"
    with step(f"Writing the intake file ({args.rows:,} rows) to {path}"):
        intake_file(register, path, args.rows, args.flagged)
    connection.close()

    print("Measuring, each in a process of its own", flush=True)
    with step("  (a) openpyxl's read-only parse"):
        parse = child("parse", str(path))
    with step("  (a, b, c) the import, the office's verification and the bureau's approval"):
        imported = child("import", str(path))
    status = report(args, n_students, parse, imported)
    print(f"(whole run {time.perf_counter() - started:.0f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
