"""The student status state machine, driven only through records.services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django_fsm import ConcurrentTransition

from records import services
from records.models import CodeTable, School, Student
from tests.factories import SchoolClassFactory, SchoolFactory, StudentFactory, code

Status = Student.Status


def _later(days=120) -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=days)


def _reloaded(student) -> Student:
    return Student.objects.get(pk=student.pk)


@pytest.fixture
def junior_class(longyou, longyou_bureau):
    junior = SchoolFactory(region=longyou, bureau=longyou_bureau, type=School.Type.JUNIOR, name="龙游县第二中学")
    return SchoolClassFactory(school=junior, grade=7)


# Every service that fires a transition, with what it needs besides the student.
ACTIONS = {
    "suspend": lambda student, by, **_: services.student_suspend(student=student, until=_later(), by=by),
    "resume": lambda student, by, **_: services.student_resume(student=student, by=by),
    "drop_out": lambda student, by, **_: services.student_drop_out(
        student=student, reason=code(CodeTable.DROPOUT_REASON, "1"), by=by
    ),
    "graduate": lambda student, by, **_: services.student_graduate(student=student, by=by),
    "promote": lambda student, by, junior_class, **_: services.student_promote(
        student=student, to_class=junior_class, by=by
    ),
    "decease": lambda student, by, **_: services.student_decease(student=student, by=by),
}


# --- Allowed transitions ------------------------------------------------------------------------


def test_enrolled_student_is_suspended_until_the_end_date(student, registrar):
    services.student_suspend(student=student, until=_later(180), by=registrar, reason="因病休学")

    suspended = _reloaded(student)
    assert suspended.status == Status.SUSPENDED
    assert suspended.suspended_until == _later(180)


def test_suspended_student_resumes_and_is_enrolled_again(registrar, class_a):
    student = StudentFactory(school_class=class_a, suspended=True)

    services.student_resume(student=student, by=registrar)

    resumed = _reloaded(student)
    assert resumed.status == Status.ENROLLED
    assert resumed.suspended_until is None
    assert resumed.open_placement.school_class == class_a


def test_suspension_is_extended_to_a_later_date(class_a, registrar):
    student = StudentFactory(school_class=class_a, suspended=True)
    first_end = _reloaded(student).suspended_until

    services.student_extend_suspension(student=student, until=first_end + datetime.timedelta(days=90), by=registrar)

    extended = _reloaded(student)
    assert extended.status == Status.SUSPENDED
    assert extended.suspended_until == first_end + datetime.timedelta(days=90)


def test_extension_to_an_earlier_date_is_refused(class_a, registrar):
    student = StudentFactory(school_class=class_a, suspended=True)
    first_end = _reloaded(student).suspended_until

    with pytest.raises(ValidationError):
        services.student_extend_suspension(student=student, until=first_end, by=registrar)

    assert _reloaded(student).suspended_until == first_end


@pytest.mark.parametrize("trait", [None, "suspended"])
def test_enrolled_or_suspended_student_drops_out_with_reason_and_destination(class_a, registrar, trait):
    student = StudentFactory(school_class=class_a, **({trait: True} if trait else {}))
    left_the_city = code(CodeTable.DROPOUT_REASON, "3")

    services.student_drop_out(student=student, reason=left_the_city, destination="上海市浦东新区", by=registrar)

    dropped = _reloaded(student)
    assert dropped.status == Status.DROPPED_OUT
    assert dropped.dropout_reason == left_the_city
    assert dropped.dropout_destination == "上海市浦东新区"
    assert dropped.suspended_until is None


def test_dropped_out_student_resumes_and_the_dropout_reason_is_cleared(class_a, registrar):
    student = StudentFactory(school_class=class_a, dropped_out=True)

    services.student_resume(student=student, by=registrar)

    resumed = _reloaded(student)
    assert resumed.status == Status.ENROLLED
    assert resumed.dropout_reason is None
    assert resumed.dropout_destination == ""


def test_dropout_with_a_code_from_another_table_is_refused(student, registrar):
    with pytest.raises(ValidationError) as raised:
        services.student_drop_out(student=student, reason=code(CodeTable.GENDER, "1"), by=registrar)

    assert raised.value.message_dict["reason"] == ["流失原因无效。"]
    assert _reloaded(student).status == Status.ENROLLED


def test_enrolled_student_graduates(student, registrar):
    services.student_graduate(student=student, by=registrar)

    assert _reloaded(student).status == Status.GRADUATED


def test_graduate_is_promoted_to_middle_school(class_a, junior_class, registrar):
    student = StudentFactory(school_class=class_a, graduated=True)

    services.student_promote(student=student, to_class=junior_class, by=registrar)

    promoted = _reloaded(student)
    assert promoted.status == Status.ENROLLED
    assert promoted.school == junior_class.school
    assert promoted.open_placement.school_class == junior_class


@pytest.mark.parametrize("trait", [None, "suspended", "dropped_out", "graduated"])
def test_death_is_recorded_from_every_living_state(class_a, registrar, trait):
    student = StudentFactory(school_class=class_a, **({trait: True} if trait else {}))

    services.student_decease(student=student, by=registrar, remark="死亡证明 No.330825-2025-001")

    deceased = _reloaded(student)
    assert deceased.status == Status.DECEASED
    assert deceased.open_placement is None


# --- Forbidden transitions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trait", "action", "message"),
    [
        ("dropped_out", "suspend", "该生当前学籍状态为“流失”，不能办理休学。"),
        ("suspended", "suspend", "该生当前学籍状态为“休学”，不能办理休学。"),
        ("suspended", "graduate", "该生当前学籍状态为“休学”，不能办理毕业。"),
        ("dropped_out", "graduate", "该生当前学籍状态为“流失”，不能办理毕业。"),
        (None, "resume", "该生当前学籍状态为“在籍”，不能办理复学。"),
        ("graduated", "resume", "该生当前学籍状态为“毕业”，不能办理复学。"),
        ("graduated", "drop_out", "该生当前学籍状态为“毕业”，不能办理流失。"),
        ("dropped_out", "drop_out", "该生当前学籍状态为“流失”，不能办理流失。"),
        (None, "promote", "该生当前学籍状态为“在籍”，不能办理升学。"),
        ("suspended", "promote", "该生当前学籍状态为“休学”，不能办理升学。"),
    ],
)
def test_transition_that_does_not_fit_the_status_is_refused(
    class_a, registrar, junior_class, trait, action, message
):
    student = StudentFactory(school_class=class_a, **({trait: True} if trait else {}))
    before = _reloaded(student)

    with pytest.raises(ValidationError) as raised:
        ACTIONS[action](student, registrar, junior_class=junior_class)

    assert raised.value.messages == [message]
    after = _reloaded(student)
    assert after.status == before.status
    assert after.school == before.school
    assert (after.open_placement is None) == (before.open_placement is None)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_nothing_can_be_done_for_a_deceased_student(class_a, registrar, junior_class, action):
    student = StudentFactory(school_class=class_a, deceased=True)

    with pytest.raises(ValidationError) as raised:
        ACTIONS[action](student, registrar, junior_class=junior_class)

    assert raised.value.messages[0].startswith("该生当前学籍状态为“死亡”，不能办理")
    assert _reloaded(student).status == Status.DECEASED
    assert not student.placements.filter(ended_on__isnull=True).exists()


@pytest.mark.parametrize("trait", ["suspended", "dropped_out", "graduated", "deceased"])
def test_only_an_enrolled_student_can_be_transferred(class_a, class_b, receiving_registrar, trait):
    student = StudentFactory(school_class=class_a, **{trait: True})

    with pytest.raises(ValidationError) as raised:
        services.student_transfer(student=student, to_class=class_b, by=receiving_registrar)

    assert "不能办理转学" in raised.value.messages[0]
    assert _reloaded(student).school == class_a.school


def test_only_a_suspended_student_can_have_the_suspension_extended(student, registrar):
    with pytest.raises(ValidationError) as raised:
        services.student_extend_suspension(student=student, until=_later(), by=registrar)

    assert raised.value.messages == ["只有休学中的学生才能续休。"]


# --- Nobody writes the status directly ----------------------------------------------------------


def test_assigning_the_status_directly_is_refused(student):
    with pytest.raises(AttributeError, match="Direct status modification is not allowed"):
        student.status = Status.GRADUATED


def test_saving_a_stale_copy_after_another_transition_is_refused(student, registrar):
    stale = Student.objects.get(pk=student.pk)
    services.student_suspend(student=student, until=_later(), by=registrar)

    stale.contact_phone = "13900000000"
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()

    current = _reloaded(student)
    assert current.status == Status.SUSPENDED
    assert current.contact_phone != "13900000000"


def test_service_given_a_stale_copy_acts_on_the_current_status(student, registrar):
    stale = Student.objects.get(pk=student.pk)
    services.student_drop_out(student=student, reason=code(CodeTable.DROPOUT_REASON, "1"), by=registrar)

    with pytest.raises(ValidationError) as raised:
        services.student_suspend(student=stale, until=_later(), by=registrar)

    assert raised.value.messages == ["该生当前学籍状态为“流失”，不能办理休学。"]
    assert _reloaded(student).status == Status.DROPPED_OUT
