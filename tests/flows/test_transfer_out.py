"""转至市外/省外/境外: the bureau approves and the student is recorded as dropped out, destination kept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from flows.models import Request
from records.errors import Conflict
from flows.transfer_out import transfer_out_start
from records.models import Placement, Student
from tests.factories import StudentFactory

from .acting import APPLICANT, REJECT, decide, inbox, placement_history, start_transfer, steps_of, where

pytestmark = pytest.mark.usefixtures("transfer_windows_open")


def start_transfer_out(student, by, *, scope="province", destination="江苏省南京市"):
    return transfer_out_start(
        student=student, by=by, scope=scope, destination=destination, applicant=APPLICANT, reason="随父母迁居外省"
    )


def test_approved_transfer_out_drops_the_student_out_with_the_reason_and_destination(
    student, class_a, registrar, bureau_officer, other_bureau_officer, code_of
):
    transfer_out = start_transfer_out(student, registrar)

    assert inbox(bureau_officer) == [(transfer_out.pk, "approve_by_bureau")]
    assert inbox(other_bureau_officer) == []
    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)

    decide(bureau_officer, transfer_out)

    school, current_class, status = where(student)
    assert (school, current_class, status) == (class_a.school, None, Student.Status.DROPPED_OUT)
    assert student.dropout_reason == code_of("dropout_reason", "3")
    assert "江苏省南京市" in student.dropout_destination
    assert "省外" in student.dropout_destination
    closed = Placement.objects.get(student=student)
    assert closed.ended_on is not None
    assert closed.history.order_by("-history_date").first().history_user == bureau_officer
    latest = student.history.order_by("-history_date", "-history_id").first()
    assert (latest.status, latest.history_user) == (Student.Status.DROPPED_OUT, bureau_officer)
    transfer_out.refresh_from_db()
    assert transfer_out.state == Request.State.COMPLETED
    assert steps_of(transfer_out) == [("approve_by_bureau", bureau_officer.username, "approve", "")]
    assert inbox(bureau_officer) == []


def test_rejected_transfer_out_changes_nothing(student, class_a, registrar, bureau_officer):
    before = where(student)
    placements_before = placement_history(student)
    transfer_out = start_transfer_out(student, registrar, scope="abroad", destination="新加坡")

    with pytest.raises(ValidationError):
        decide(bureau_officer, transfer_out, REJECT)
    decide(bureau_officer, transfer_out, REJECT, "缺少接收学校证明")

    assert where(student) == before
    assert student.dropout_reason is None
    assert student.dropout_destination == ""
    assert placement_history(student) == placements_before
    transfer_out.refresh_from_db()
    assert (transfer_out.state, transfer_out.close_comment) == (Request.State.REJECTED, "缺少接收学校证明")


def test_only_the_students_school_can_ask_for_a_transfer_out(student, receiving_registrar, bureau_officer):
    with pytest.raises(PermissionDenied):
        start_transfer_out(student, receiving_registrar)

    assert inbox(bureau_officer) == []


def test_transfer_out_needs_a_scope_and_a_destination(student, registrar):
    with pytest.raises(ValidationError) as no_scope:
        start_transfer_out(student, registrar, scope="moon")
    with pytest.raises(ValidationError) as no_destination:
        start_transfer_out(student, registrar, destination=" ")

    assert "scope" in no_scope.value.message_dict
    assert "destination" in no_destination.value.message_dict
    assert not Request.objects.filter(student=student).exists()


def test_transfer_out_is_refused_while_another_request_is_open(student, class_b, registrar, receiving_registrar):
    start_transfer(student, receiving_registrar, to_class=class_b)

    with pytest.raises(Conflict):
        start_transfer_out(student, registrar)


def test_a_suspended_student_can_transfer_out_of_the_system(class_a, registrar, bureau_officer, code_of):
    student = StudentFactory(school_class=class_a, suspended=True)
    transfer_out = start_transfer_out(student, registrar, scope="abroad", destination="新加坡")
    decide(bureau_officer, transfer_out)

    student.refresh_from_db()
    assert student.status == Student.Status.DROPPED_OUT
    assert student.dropout_reason == code_of("dropout_reason", "3")
    assert student.suspended_until is None


def test_a_deceased_student_cannot_transfer_out(class_a, registrar):
    student = StudentFactory(school_class=class_a, deceased=True)
    with pytest.raises(Conflict, match="死亡"):
        start_transfer_out(student, registrar)
