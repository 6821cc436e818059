"""The whole database keeps its rules (flows/invariants.py, records/invariants.py) after the flows
and the year's batches have run as people run them (the demo is checked in
tests/records/test_demo.py, where it is loaded once); and a row broken behind the services' back
is reported, by the check and by `manage.py xueji_check`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from flows.graduation import graduation_start
from flows.intake import intake_start
from flows.invariants import violations
from flows.models import Request, WorkItem
from flows.promotion import promotion_start
from records.models import Placement, Rollover, SchoolClass, Student
from records.services.rollover import rollover_apply, rollover_plan, rollover_queue, rollover_undo
from tests.factories import SchoolClassFactory, StudentFactory, school_year_start
from tests.flows.acting import confirm_receiving_class, decide, start_transfer, where
from tests.flows.conftest import today, transfer_windows_open  # noqa: F401 (fixtures)
from tests.flows.status.conftest import start_poverty, start_resumption, start_suspension
from tests.flows.test_intake import upload, verify
from tests.flows.test_whole_class_transfer import confirm, start_whole_class
from tests.flows.year_end.conftest import first_year, middle, middle_registrar  # noqa: F401 (fixtures)
from tests.intake_files import new_pupil


def assert_no_violations() -> None:
    found = violations()
    assert [str(v) for v in found] == []


def test_the_rules_hold_after_a_year_of_real_flows(
    transfer_windows_open, school_a, class_a, class_a2, class_b, class_c, registrar, receiving_registrar,
    other_county_registrar, academic_office, bureau_officer, other_bureau_officer, first_year, middle_registrar,
):
    pupils = [StudentFactory(school_class=class_a, by=registrar) for _ in range(4)]
    assert_no_violations()

    # 转学 across counties (receiving school's order), and back within the county (sending order).
    transfer = start_transfer(pupils[0], other_county_registrar, to_class=class_c)
    assert_no_violations()  # open: the student is held, a step waits
    decide(other_bureau_officer, transfer)
    decide(registrar, transfer)
    assert_no_violations()
    decide(bureau_officer, transfer)
    assert where(pupils[0]) == (class_c.school, class_c, Student.Status.ENROLLED)
    assert_no_violations()
    back = start_transfer(pupils[0], other_county_registrar, to_school=school_a)
    confirm_receiving_class(registrar, back, class_a2)
    decide(bureau_officer, back)
    decide(other_bureau_officer, back)
    assert where(pupils[0]) == (school_a, class_a2, Student.Status.ENROLLED)
    assert_no_violations()

    # 休学, then 复学 into the old class.
    suspension = start_suspension(pupils[1], registrar)
    decide(academic_office, suspension)
    decide(bureau_officer, suspension)
    assert where(pupils[1]) == (school_a, None, Student.Status.SUSPENDED)
    assert_no_violations()
    decide(bureau_officer, start_resumption(pupils[1], registrar))
    assert where(pupils[1]) == (school_a, class_a, Student.Status.ENROLLED)
    assert_no_violations()

    # 整班转学: class_a2 (with the pupil who came back) moves to school_b.
    whole = start_whole_class(class_a2, registrar, class_b.school)
    assert_no_violations()
    confirm(receiving_registrar, whole, to_class=class_b)
    decide(bureau_officer, whole)
    assert where(pupils[0]) == (class_b.school, class_b, Student.Status.ENROLLED)
    assert_no_violations()

    # 批量新生建档: three first-graders from a file.
    grade_one = SchoolClassFactory(school=school_a, grade=1)
    intake = intake_start(intake_import=upload(registrar, [new_pupil(grade_one, n) for n in range(3)]), by=registrar)
    verify(academic_office, intake)
    decide(bureau_officer, intake)
    assert Placement.objects.filter(school_class=grade_one, ended_on__isnull=True).count() == 3
    assert_no_violations()

    # 毕业 of a sixth grade, then 升学 of two graduates to the middle school.
    sixth = SchoolClassFactory(school=school_a, grade=6)
    leavers = [StudentFactory(school_class=sixth, by=registrar) for _ in range(3)]
    decide(bureau_officer, graduation_start(school_class=sixth, by=registrar))
    assert {where(s)[2] for s in leavers} == {Student.Status.GRADUATED}
    assert_no_violations()
    decide(bureau_officer, promotion_start(placements=[(s.pk, first_year) for s in leavers[:2]], by=middle_registrar))
    assert [where(s) for s in leavers[:2]] == [(first_year.school, first_year, Student.Status.ENROLLED)] * 2
    assert_no_violations()

    # 学年升级 of the county: every open class up a grade, in one batch.
    year = school_year_start() + 1
    assert rollover_plan(school_year=year, bureau=bureau_officer.membership.bureau).moves
    rollover = rollover_queue(school_year=year, by=bureau_officer, bureau=bureau_officer.membership.bureau)
    rollover_apply(rollover_id=rollover.pk)
    assert SchoolClass.objects.get(pk=class_a.pk).grade == 4
    assert_no_violations()
    rollover_undo(rollover=Rollover.objects.get(pk=rollover.pk), by=bureau_officer)
    assert SchoolClass.objects.get(pk=class_a.pk).grade == 3
    assert_no_violations()
    assert Request.objects.filter(state=Request.State.OPEN).count() == 0


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def broken(class_a, school_b, registrar, academic_office, bureau_officer):
    """Rows changed behind the services' back with raw SQL, as a bad script or a restore could."""
    unplaced, suspended_in_class, twice_placed, moved = (StudentFactory(school_class=class_a, by=registrar) for _ in range(4))
    placements = Placement._meta.db_table
    students = Student._meta.db_table
    # An enrolled student whose placement was closed.
    sql(f"UPDATE {placements} SET ended_on = started_on WHERE student_id = %s", unplaced.pk)
    # Suspended, yet still in class.
    sql(f"UPDATE {students} SET status = 'suspended', suspended_until = CURRENT_DATE + 30 WHERE id = %s", suspended_in_class.pk)
    # A second, closed placement in the middle of the open one.
    sql(
        f"INSERT INTO {placements} (student_id, school_id, school_class_id, started_on, ended_on, reason, end_reason)"
        f" SELECT student_id, school_id, school_class_id, started_on + 1, started_on + 2, '', '' FROM {placements}"
        " WHERE student_id = %s",
        twice_placed.pk,
    )
    # The record handed to another school, the pupil left in class here.
    sql(f"UPDATE {students} SET school_id = %s WHERE id = %s", school_b.pk, moved.pk)
    # A request closed without its closing time.
    suspension = start_suspension(StudentFactory(school_class=class_a, by=registrar), registrar)
    decide(academic_office, suspension)
    decide(bureau_officer, suspension)
    sql(f"UPDATE {Request._meta.db_table} SET closed_at = NULL WHERE {Request._meta.pk.column} = %s", suspension.pk)
    # An open request whose waiting step was closed.
    stuck = start_poverty(StudentFactory(school_class=class_a, by=registrar), registrar)
    sql(f"UPDATE {WorkItem._meta.db_table} SET finished = NOW() WHERE request_id = %s", stuck.pk)
    return unplaced, suspended_in_class, twice_placed, moved, suspension, stuck


def test_rows_broken_behind_the_services_back_are_reported(broken):
    unplaced, suspended_in_class, twice_placed, moved, suspension, stuck = broken
    moved_subject = f"student {moved.pk} {moved.student_number}"

    found = {(v.rule, v.subject) for v in violations()}

    assert found == {
        ("enrolled_without_placement", f"student {unplaced.pk} {unplaced.student_number}"),
        ("placed_while_not_enrolled", f"student {suspended_in_class.pk} {suspended_in_class.student_number}"),
        ("overlapping_placements", f"student {twice_placed.pk} placements "
         + " and ".join(str(pk) for pk in Placement.objects.filter(student=twice_placed).order_by("pk").values_list("pk", flat=True))),
        ("placed_outside_own_school", moved_subject),
        ("school_not_of_last_placement", moved_subject),
        ("closing_time_out_of_state", f"request {suspension.pk}"),
        ("open_request_without_step", f"request {stuck.pk}"),
    }


def test_the_command_lists_the_violations_and_fails(broken):
    unplaced, *_rest = broken
    out = StringIO()

    with pytest.raises(CommandError, match="7 violation"):
        call_command("xueji_check", stdout=out)

    listing = out.getvalue()
    assert "enrolled_without_placement: 1 — an enrolled student has no open placement 在籍学生没有在读班级" in listing
    assert f"  student {unplaced.pk} {unplaced.student_number}" in listing
    assert "closing_time_out_of_state: 1" in listing
    # One rule at a time, as an operator narrows it down.
    out = StringIO()
    with pytest.raises(CommandError, match="1 violation"):
        call_command("xueji_check", "enrolled_without_placement", stdout=out)
    assert "closing_time_out_of_state" not in out.getvalue()
