#!/usr/bin/env python
"""Sweep benchmark: the reminder and escalation sweeps over 100,000 overdue steps, each against
its floor (one INSERT … SELECT of the same notifications), on PostgreSQL. See bench/README.md.

    make bench BENCH=sweeps                       # or:
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xueji_bench .venv/bin/python bench/sweeps.py

The database is dropped and created again (its name must contain "bench"), migrated, and given a
county in bulk (bench/year_end.py's County, without its big graduating class), two registrars per
school, two county officers and a city bureau with two officers above it. A sample of transfers
goes through the real services: started by the receiving school, approved by the county bureau,
so each waits at the sending school's release (转出学校确认转出). Then every table row of a sample
request — the process, the request and its transfer, the student it holds, its evidence, the open
task and its work item — is copied with INSERT … SELECT for `--steps` other enrolled students, each from their
own school and class, arriving 20 to 49 days ago (so every one is overdue). Only the finished
tasks of the first steps are not copied; the sweeps read open steps only.

Each sweep is timed with its statements counted, next to its floor run in a transaction that is
rolled back: one INSERT … SELECT writing the same rows the sweep writes. The sweep's own result
is then checked: every step reminded to both its school's registrars, every step escalated once
and told to both officers of the school's county bureau.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from year_end import County, bench_main, counted, step  # noqa: E402

PASSWORD = "Bench-only-2026!"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100_000, help="overdue steps waiting at the sending schools")
    parser.add_argument("--sample", type=int, default=10, help="transfers started through the real services")
    parser.add_argument("--goal", type=float, default=10.0, help="fail when a sweep takes longer (seconds)")
    return parser.parse_args()


# --- The world -------------------------------------------------------------------------------------


def build(args):
    from django.conf import settings
    from django.contrib.auth import get_user_model, hashers
    from django.db import transaction
    from django.db.models import Value
    from django.db.models.functions import Concat
    from django.utils import timezone

    from flows.engine import task_decide
    from flows.models import WorkItem
    from flows.selectors import tasks_in_inbox
    from flows.transfer import transfer_start
    from records.models import Bureau, Placement, Region, Role, TransferWindow
    from records.services import user_provision
    from records.term_calendar import next_school_year

    county = County(
        students=args.steps + 10 * args.sample + 2_000, class_size=40, classes_per_grade=4, graduating=1,
        school_year=next_school_year(None, timezone.localdate()),
    )
    with step(f"Building the county ({county.students:,} students)"):
        county.build()
    # The accounts are not what is measured: hash their one password cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    with step("Accounts: two registrars a school, two county and two city officers"):
        city = Region.objects.get(code="330800")
        city_bureau = Bureau.objects.create(code=city.code, name="衢州市教育局", region=city)
        registrars = {}
        for school in county.schools:
            registrars[school.pk] = [
                user_provision(
                    username=f"r{school.pk}_{n}", role=Role.REGISTRAR, password=PASSWORD, school=school,
                    full_name=f"学籍员{n}", must_change_password=False,
                )
                for n in (1, 2)
            ]
        for n in (1, 2):
            user_provision(
                username=f"city_{n}", role=Role.BUREAU_OFFICER, password=PASSWORD, bureau=city_bureau,
                full_name=f"市科员{n}", must_change_password=False,
            )
        user_provision(
            username="bench_officer_2", role=Role.BUREAU_OFFICER, password=PASSWORD, bureau=county.bureau,
            full_name="县科员2", must_change_password=False,
        )
        # Everyone has an address: the sweeps' rows carry it for the e-mail drain.
        get_user_model().objects.update(email=Concat("username", Value("@example.edu.cn")))
        today = datetime.date.today()
        TransferWindow.objects.create(bureau=county.bureau, start=today - datetime.timedelta(days=60), end=today)
    receiving_school = county.schools[0]
    receiving_class = county.classes[0]
    with step(f"{args.sample} transfers through the services, each approved by the county bureau"):
        placements = (
            Placement.objects.filter(ended_on__isnull=True, school_class__grade=receiving_class.grade)
            .exclude(school=receiving_school)
            .select_related("student")
            .order_by("student_id")[: args.sample]
        )
        for placement in placements:
            with transaction.atomic():
                request = transfer_start(
                    student=placement.student, by=registrars[receiving_school.pk][0], to_class=receiving_class,
                    applicant={"name": "王建国", "relationship": "父亲", "phone": "13800000001"},
                    reason="随父母工作调动迁居", evidence=_evidence(),
                )
                work_item = tasks_in_inbox(county.officer).get(request_id=request.pk)
                task_decide(work_item=work_item, by=county.officer, decision=WorkItem.Decision.APPROVE)
        # As if they had arrived a month ago, like the copies below.
        arrived = timezone.now() - datetime.timedelta(days=30)
        WorkItem.objects.filter(finished__isnull=True).update(
            created=arrived, due=timezone.localdate(arrived) + datetime.timedelta(days=14)
        )
    with step(f"Copying a sample request for {args.steps:,} students"):
        copy_requests(args.steps, receiving_school=receiving_school)
    return county


def _evidence():
    from django.core.files.base import ContentFile

    from flows.models import Evidence

    return [
        (Evidence.Kind.HOUSEHOLD_REGISTER, ContentFile(b"%PDF-1.4 household register", name="hukou.pdf")),
        (Evidence.Kind.ACCEPTANCE, ContentFile(b"%PDF-1.4 acceptance", name="acceptance.pdf")),
    ]


def _columns(table: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def _copy(table: str, template_key: str, template_id: int, overrides: dict[str, str], *, skip=()) -> int:
    """INSERT INTO table SELECT the template row once per target (a row of `bench_targets`), with
    `overrides` (SQL over the template `t` and the target `x`) in place of its columns."""
    from django.db import connection

    columns = [c for c in _columns(table) if c not in skip]
    values = ", ".join(overrides.get(c, f't."{c}"') for c in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ({quoted}) SELECT {values} FROM {table} t, bench_targets x WHERE t."{template_key}" = %s',
            [template_id],
        )
        return cursor.rowcount


def copy_requests(count: int, *, receiving_school=None) -> None:
    """Copy every row of the first open transfer (its process, request, transfer, student row,
    evidence, open task and work item) for `count` other enrolled students, each from their own school and class,
    arriving 20 to 49 days ago. The copies go to `receiving_school`, like the template; without
    one, each goes to another school of the sending school's bureau, into its first class of the
    same grade (bench/province.py)."""
    from django.db import connection, transaction

    from flows.models import Evidence, Request, RequestStudent, Transfer, WorkItem

    work_item = WorkItem.objects.filter(finished__isnull=True).order_by("pk").first()
    template = work_item.request_id
    spread = receiving_school is None
    if spread:
        # Schools numbered within their bureau; each sends to the next one, round the bureau.
        receiver = """
            JOIN ranked me ON me.school_id = p.school_id
            JOIN ranked recv ON recv.bureau_id = me.bureau_id AND recv.r = me.r %% me.n + 1
            JOIN records_schoolclass pc ON pc.id = p.school_class_id
            JOIN first_class rc ON rc.school_id = recv.school_id AND rc.grade = pc.grade
        """
        receiver_columns = ", rc.school_id AS to_school_id, rc.class_id AS to_class_id"
        receiver_filter = "me.n > 1"
        params = [count]
    else:
        receiver, receiver_columns, receiver_filter = "", "", "p.school_id <> %s"
        params = [receiving_school.pk, count]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM viewflow_process")
        process_base = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM viewflow_task")
        task_base = cursor.fetchone()[0]
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_targets ON COMMIT DROP AS
            WITH ranked AS (
                SELECT id AS school_id, bureau_id, row_number() OVER (PARTITION BY bureau_id ORDER BY id) AS r,
                       count(*) OVER (PARTITION BY bureau_id) AS n
                FROM records_school
            ), first_class AS (
                SELECT school_id, grade, min(id) AS class_id FROM records_schoolclass WHERE state = 'open'
                GROUP BY school_id, grade
            )
            SELECT n - 1 AS n, student_id, school_id, class_id{", to_school_id, to_class_id" if spread else ""},
                   {process_base} + n - 1 AS process_id, {task_base} + n - 1 AS task_id,
                   now() - make_interval(days => 20 + ((n - 1) %% 30)::int) AS arrived
            FROM (
                SELECT row_number() OVER (ORDER BY p.student_id) AS n, p.student_id, p.school_id,
                       p.school_class_id AS class_id{receiver_columns}
                FROM records_placement p
                {receiver}
                WHERE p.ended_on IS NULL AND {receiver_filter}
                  AND NOT EXISTS (SELECT 1 FROM flows_requeststudent rs WHERE rs.student_id = p.student_id)
            ) eligible
            WHERE n <= %s
            """,
            params,
        )
        cursor.execute("SELECT count(*) FROM bench_targets")
        if cursor.fetchone()[0] < count:
            raise SystemExit("bench: not enough enrolled students for the steps asked for")
        receiving = {"school_id": "x.to_school_id"} if spread else {}
        _copy("viewflow_process", "id", template, {"id": "x.process_id", "created": "x.arrived"})
        _copy(
            Request._meta.db_table, "process_ptr_id", template,
            {"process_ptr_id": "x.process_id", "student_id": "x.student_id", "other_school_id": "x.school_id",
             **receiving},
        )
        _copy(
            Transfer._meta.db_table, "request_ptr_id", template,
            {"request_ptr_id": "x.process_id", "from_school_id": "x.school_id", "from_class_id": "x.class_id",
             **({"to_school_id": "x.to_school_id", "to_class_id": "x.to_class_id"} if spread else {})},
        )
        _copy(
            RequestStudent._meta.db_table, "request_id", template,
            {"request_id": "x.process_id", "student_id": "x.student_id"}, skip=("id",),
        )
        _copy(Evidence._meta.db_table, "request_id", template, {"request_id": "x.process_id"}, skip=("id",))
        _copy(
            "viewflow_task", "id", work_item.pk,
            {"id": "x.task_id", "process_id": "x.process_id", "created": "x.arrived"},
        )
        _copy(
            WorkItem._meta.db_table, "task_id", work_item.pk,
            {
                "task_id": "x.task_id", "request_id": "x.process_id", "school_id": "x.school_id",
                "student_id": "x.student_id", "created": "x.arrived",
                # Ten working days, as two calendar weeks: overdue after 14 days.
                "due": "(x.arrived AT TIME ZONE 'Asia/Shanghai')::date + 14",
            },
        )
        for table in ("viewflow_process", "viewflow_task"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # The foreign keys are checked at the commit, with the plans this connection cached while
        # the tables were nearly empty (the sample's commits): a sequential scan of viewflow_task
        # for each of the copies' rows took minutes. ANALYZE, which counts this transaction's rows,
        # makes them planned again on the tables as they are now.
        written = ["viewflow_process", "viewflow_task", Request._meta.db_table, Transfer._meta.db_table,
                   RequestStudent._meta.db_table, Evidence._meta.db_table, WorkItem._meta.db_table]
        cursor.execute(f"ANALYZE {', '.join(written)}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Measuring -------------------------------------------------------------------------------------

ROWS: list[tuple[str, int, float, int, float, int]] = []


def timed(fn):
    result, seconds, counter = counted(fn)
    return result, seconds, counter.count


def floor(sql: str) -> tuple[float, int]:
    """Seconds of the one statement that writes what the sweep writes, rolled back after. Its
    foreign keys are checked in the statement, as the sweep's are at its commit."""
    from django.db import connection, transaction

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            started = time.perf_counter()
            cursor.execute(sql)
            rows = cursor.rowcount
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return seconds, rows


REMINDER_FLOOR = """
INSERT INTO notifications_notification (recipient_id, kind, key, round, work_item_id, request_id, title, message,
                                        created, email_to, email_attempts)
SELECT u.id, 'task_reminder', 'task_reminder:w' || w.task_id || ':r1', 1, w.task_id, w.request_id,
       '待办提醒：' || w.title,
       '转学 #' || w.request_id || '（' || s.name || '）的“' || w.title || '”已等待 10 个工作日，请在 ' || w.due || ' 前办理。',
       now(), u.email, 0
FROM flows_workitem w
JOIN records_membership m ON m.school_id = w.school_id AND m.role = w.role
JOIN auth_user u ON u.id = m.user_id AND u.is_active
JOIN records_student s ON s.id = w.student_id
WHERE w.finished IS NULL
ON CONFLICT DO NOTHING
"""

ESCALATION_FLOOR = """
WITH marked AS (
    INSERT INTO notifications_escalation (work_item_id, bureau_id, escalated_at)
    SELECT w.task_id, sc.bureau_id, now() FROM flows_workitem w JOIN records_school sc ON sc.id = w.school_id
    WHERE w.finished IS NULL AND w.due < current_date
    ON CONFLICT DO NOTHING
    RETURNING work_item_id
)
INSERT INTO notifications_notification (recipient_id, kind, key, round, work_item_id, request_id, title, message,
                                        created, email_to, email_attempts)
SELECT u.id, 'task_escalated', 'task_escalated:w' || w.task_id, 1, w.task_id, w.request_id,
       '超期督办：' || sc.name || ' ' || w.title,
       '转学 #' || w.request_id || '（' || s.name || '）：' || sc.name || '的“' || w.title || '”已超过办理时限 '
           || w.due || ' 仍未办理，请督促办理。',
       now(), u.email, 0
FROM marked JOIN flows_workitem w ON w.task_id = marked.work_item_id
JOIN records_school sc ON sc.id = w.school_id
JOIN records_student s ON s.id = w.student_id
JOIN records_membership m ON m.role = 'bureau_officer' AND m.bureau_id = sc.bureau_id
JOIN auth_user u ON u.id = m.user_id AND u.is_active
ON CONFLICT DO NOTHING
"""


def run(args) -> int:
    from django.core.management import call_command

    from flows.models import WorkItem
    from notifications.models import Escalation, Notification
    from notifications.sweeps import escalate_overdue_tasks, remind_pending_tasks

    with step("Migrating the fresh database"):
        call_command("migrate", verbosity=0, interactive=False)
    build(args)
    steps = WorkItem.objects.filter(finished__isnull=True).count()
    print(f"  {steps:,} open steps, all overdue", flush=True)

    print("Measuring", flush=True)
    floor_seconds, floor_rows = floor(REMINDER_FLOOR)
    recorded, seconds, statements = timed(remind_pending_tasks)
    ROWS.append(("remind_pending_tasks (待办提醒)", recorded, seconds, statements, floor_seconds, floor_rows))
    reminded = Notification.objects.filter(kind=Notification.Kind.TASK_REMINDER)
    if reminded.count() != 2 * steps or reminded.values("work_item").distinct().count() != steps:
        raise SystemExit(f"bench: {reminded.count()} reminders for {steps} steps, not two each")

    floor_seconds, floor_rows = floor(ESCALATION_FLOOR)
    recorded, seconds, statements = timed(escalate_overdue_tasks)
    ROWS.append(("escalate_overdue_tasks (超期督办)", recorded, seconds, statements, floor_seconds, floor_rows))
    escalated = Notification.objects.filter(kind=Notification.Kind.TASK_ESCALATED)
    if Escalation.objects.count() != steps or escalated.count() != 2 * steps:
        raise SystemExit(f"bench: {Escalation.objects.count()} escalations, {escalated.count()} told, for {steps} steps")

    again, seconds, statements = timed(remind_pending_tasks)
    ROWS.append(("remind_pending_tasks again (nothing new)", again, seconds, statements, 0.0, 0))
    return report(args, steps)


def report(args, steps: int) -> int:
    import os
    import platform

    print()
    print(
        f"Xueji sweep bench — {datetime.date.today().isoformat()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {steps:,} overdue steps"
    )
    header = f"{'sweep':<42} {'recorded':>9} {'seconds':>8} {'statements':>10} {'floor s':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    failed = False
    for name, recorded, seconds, statements, floor_seconds, _rows in ROWS:
        ratio = f"{seconds / floor_seconds:.1f}×" if floor_seconds else "—"
        print(f"{name:<42} {recorded:>9,} {seconds:>8.2f} {statements:>10,} {floor_seconds:>8.2f} {ratio:>6}")
        if seconds > args.goal:
            print(f"bench: {name} took {seconds:.1f} s, over the {args.goal:g} s goal", file=sys.stderr)
            failed = True
    return 1 if failed else 0


def main() -> int:
    return bench_main(parse_args, run)


if __name__ == "__main__":
    sys.exit(main())
