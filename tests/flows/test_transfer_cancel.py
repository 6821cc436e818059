"""撤销转学: within 10 days of a completed transfer either school asks; the other school approves."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from flows.models import Request
from records.errors import Conflict
from flows.transfer_cancel import transfer_cancel_start
from records import services
from records.models import Student
from tests.factories import SchoolClassFactory

from .acting import REJECT, decide, inbox, start_transfer, steps_of, where

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

ENROLLED = Student.Status.ENROLLED


@pytest.fixture
def completed_transfer(student, class_b, registrar, receiving_registrar, bureau_officer):
    """The student moved from class_a (school_a) to class_b (school_b) today."""
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer)
    decide(registrar, transfer)
    transfer.refresh_from_db()
    assert transfer.state == Request.State.COMPLETED
    return transfer


@pytest.mark.parametrize(
    "asker, approver",
    [("receiving_registrar", "registrar"), ("registrar", "receiving_registrar")],
    ids=["asked-by-the-receiving-school", "asked-by-the-sending-school"],
)
def test_cancellation_approved_by_the_other_school_returns_the_student_to_the_former_class(
    request, asker, approver, completed_transfer, student, class_a, class_b, bureau_officer
):
    asker, approver = request.getfixturevalue(asker), request.getfixturevalue(approver)
    number = student.student_number

    cancellation = transfer_cancel_start(
        transfer=completed_transfer,
        by=asker,
        reason="家长工作调动取消，学生回原校就读",
        today=completed_transfer.completed_on + datetime.timedelta(days=3),
    )

    assert inbox(approver) == [(cancellation.pk, "approve_by_other_school")]
    assert inbox(asker) == []
    assert inbox(bureau_officer) == []
    assert where(student) == (class_b.school, class_b, ENROLLED)

    decide(approver, cancellation)

    assert where(student) == (class_a.school, class_a, ENROLLED)
    assert student.student_number == number
    completed_transfer.refresh_from_db()
    assert completed_transfer.state == Request.State.CANCELLED
    cancellation.refresh_from_db()
    assert cancellation.state == Request.State.COMPLETED
    assert steps_of(cancellation) == [("approve_by_other_school", approver.username, "approve", "")]
    latest = student.history.order_by("-history_date", "-history_id").first()
    assert (latest.school_id, latest.history_user, latest.history_change_reason) == (
        class_a.school_id,
        approver,
        "撤销转学",
    )


def test_cancellation_on_the_tenth_day_is_accepted(completed_transfer, receiving_registrar, registrar):
    cancellation = transfer_cancel_start(
        transfer=completed_transfer,
        by=receiving_registrar,
        reason="学生回原校",
        today=completed_transfer.completed_on + datetime.timedelta(days=10),
    )

    assert cancellation.state == Request.State.OPEN
    assert inbox(registrar) == [(cancellation.pk, "approve_by_other_school")]


def test_cancellation_after_ten_days_is_refused(completed_transfer, student, class_b, receiving_registrar, registrar):
    with pytest.raises(Conflict) as refused:
        transfer_cancel_start(
            transfer=completed_transfer,
            by=receiving_registrar,
            reason="学生回原校",
            today=completed_transfer.completed_on + datetime.timedelta(days=11),
        )

    assert refused.value.messages == [
        f"转学已于{completed_transfer.completed_on}办结，超过10天，不能撤销。"
    ]
    assert inbox(registrar) == []
    assert where(student) == (class_b.school, class_b, ENROLLED)


def test_rejected_cancellation_leaves_the_student_at_the_new_school(
    completed_transfer, student, class_b, registrar, receiving_registrar
):
    cancellation = transfer_cancel_start(transfer=completed_transfer, by=receiving_registrar, reason="学生回原校")

    with pytest.raises(ValidationError):
        decide(registrar, cancellation, REJECT, "")
    decide(registrar, cancellation, REJECT, "原班级已满员")

    assert where(student) == (class_b.school, class_b, ENROLLED)
    cancellation.refresh_from_db()
    assert (cancellation.state, cancellation.close_comment) == (Request.State.REJECTED, "原班级已满员")
    completed_transfer.refresh_from_db()
    assert completed_transfer.state == Request.State.COMPLETED
    assert inbox(registrar) == []


def test_a_school_outside_the_transfer_cannot_ask_for_its_cancellation(
    completed_transfer, other_county_registrar, registrar, receiving_registrar
):
    with pytest.raises(PermissionDenied):
        transfer_cancel_start(transfer=completed_transfer, by=other_county_registrar, reason="学生回原校")

    assert inbox(registrar) == [] and inbox(receiving_registrar) == []


def test_cancellation_needs_a_reason(completed_transfer, receiving_registrar):
    with pytest.raises(ValidationError) as refused:
        transfer_cancel_start(transfer=completed_transfer, by=receiving_registrar, reason="  ")

    assert "reason" in refused.value.message_dict


def test_an_open_transfer_cannot_be_cancelled_only_withdrawn(student, class_b, receiving_registrar):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)

    with pytest.raises(Conflict) as refused:
        transfer_cancel_start(transfer=transfer, by=receiving_registrar, reason="学生回原校")

    assert refused.value.messages == ["只有已办结的转学可以撤销。"]


def test_a_cancelled_transfer_cannot_be_cancelled_twice(completed_transfer, registrar, receiving_registrar):
    cancellation = transfer_cancel_start(transfer=completed_transfer, by=receiving_registrar, reason="学生回原校")
    decide(registrar, cancellation)

    with pytest.raises(Conflict):
        transfer_cancel_start(transfer=completed_transfer, by=receiving_registrar, reason="再次撤销")


def test_a_student_moved_on_since_the_transfer_cannot_have_it_cancelled(
    completed_transfer, student, school_b, receiving_registrar
):
    other_class_b = SchoolClassFactory(school=school_b, grade=3)
    services.student_transfer(student=student, to_class=other_class_b, by=receiving_registrar, reason="调班")

    with pytest.raises(Conflict) as refused:
        transfer_cancel_start(transfer=completed_transfer, by=receiving_registrar, reason="学生回原校")

    assert refused.value.messages == ["该生已不在转入班级，不能撤销这次转学。"]
