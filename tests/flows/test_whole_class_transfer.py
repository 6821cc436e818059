"""整班转学: every student of the class moves to the receiving school together, or none does."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from flows.models import Request
from records.errors import Conflict
from flows.whole_class_transfer import whole_class_transfer_start
from records import services
from records.models import School, SchoolClass, Student
from tests.factories import SchoolClassFactory, SchoolFactory, StudentFactory

from .acting import REJECT, decide, inbox, open_step, start_transfer, steps_of, where, whole_class_form

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

ENROLLED = Student.Status.ENROLLED


@pytest.fixture
def pupils(class_a, registrar):
    """Three enrolled third-graders of class_a."""
    return [StudentFactory(school_class=class_a, by=registrar) for _ in range(3)]


def start_whole_class(school_class, by, to_school):
    return whole_class_transfer_start(
        school_class=school_class, by=by, to_school=to_school, reason="两校合并，三年级整班划转"
    )


def confirm(user, request, **choice):
    form = whole_class_form(request, **choice)
    assert form.is_valid(), form.errors
    return decide(user, request, form=form)


def test_whole_class_moves_into_the_existing_class_the_receiving_school_picks(
    pupils, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    numbers = [pupil.student_number for pupil in pupils]
    request = start_whole_class(class_a, registrar, class_b.school)

    assert inbox(receiving_registrar) == [(request.pk, "confirm_by_receiving_school")]
    confirm(receiving_registrar, request, to_class=class_b)
    assert inbox(bureau_officer) == [(request.pk, "approve_by_receiving_bureau")]
    assert [where(pupil) for pupil in pupils] == [(class_a.school, class_a, ENROLLED)] * 3

    decide(bureau_officer, request)

    assert [where(pupil) for pupil in pupils] == [(class_b.school, class_b, ENROLLED)] * 3
    assert [pupil.student_number for pupil in pupils] == numbers
    class_a.refresh_from_db()
    assert class_a.state == SchoolClass.State.DISSOLVED
    request.refresh_from_db()
    assert request.state == Request.State.COMPLETED
    # Same bureau: no sending-bureau step.
    assert [step for step, *_rest in steps_of(request)] == [
        "confirm_by_receiving_school",
        "approve_by_receiving_bureau",
    ]
    for pupil in pupils:
        latest = pupil.history.order_by("-history_date", "-history_id").first()
        assert (latest.history_user, latest.history_change_reason) == (bureau_officer, "整班转学")


def test_whole_class_moves_into_a_new_class_named_by_the_receiving_school_across_counties(
    pupils, class_a, school_c, registrar, other_county_registrar, other_bureau_officer, bureau_officer
):
    request = start_whole_class(class_a, registrar, school_c)

    confirm(other_county_registrar, request, new_class_name="三年级（转入）班")
    assert inbox(other_bureau_officer) == [(request.pk, "approve_by_receiving_bureau")]
    assert inbox(bureau_officer) == []
    decide(other_bureau_officer, request)
    assert inbox(bureau_officer) == [(request.pk, "approve_by_sending_bureau")]
    assert [where(pupil) for pupil in pupils] == [(class_a.school, class_a, ENROLLED)] * 3
    decide(bureau_officer, request)

    new_class = SchoolClass.objects.get(school=school_c, name="三年级（转入）班")
    assert new_class.grade == class_a.grade
    assert new_class.state == SchoolClass.State.OPEN
    assert [where(pupil) for pupil in pupils] == [(school_c, new_class, ENROLLED)] * 3
    class_a.refresh_from_db()
    assert class_a.state == SchoolClass.State.DISSOLVED


def test_confirmation_must_pick_either_an_existing_class_or_a_new_name(
    pupils, class_a, class_b, registrar, receiving_registrar
):
    request = start_whole_class(class_a, registrar, class_b.school)
    fourth_grade = SchoolClassFactory(school=class_b.school, grade=4)

    neither = whole_class_form(request)
    both = whole_class_form(request, to_class=class_b, new_class_name="三年级(9)班")
    wrong_grade = whole_class_form(request, to_class=fourth_grade)

    for form in (neither, both, wrong_grade):
        assert not form.is_valid()
        assert "to_class" in form.errors
    with pytest.raises(ValidationError):
        decide(receiving_registrar, request, form=wrong_grade)
    with pytest.raises(ValidationError):
        decide(receiving_registrar, request)  # approving without the page's form
    assert inbox(receiving_registrar) == [(request.pk, "confirm_by_receiving_school")]


def test_rejected_whole_class_transfer_moves_nobody(
    pupils, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    request = start_whole_class(class_a, registrar, class_b.school)
    confirm(receiving_registrar, request, to_class=class_b)

    decide(bureau_officer, request, REJECT, "两校合并方案未获批准")

    assert [where(pupil) for pupil in pupils] == [(class_a.school, class_a, ENROLLED)] * 3
    class_a.refresh_from_db()
    assert class_a.state == SchoolClass.State.OPEN
    request.refresh_from_db()
    assert (request.state, request.close_comment) == (Request.State.REJECTED, "两校合并方案未获批准")
    # Every student is free for a new request again.
    assert start_transfer(pupils[0], receiving_registrar, to_class=class_b).state == Request.State.OPEN


def test_if_one_student_cannot_move_nobody_moves(
    pupils, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    request = start_whole_class(class_a, registrar, class_b.school)
    confirm(receiving_registrar, request, to_class=class_b)
    # Finding: the open request's claim does not stop records.services from suspending the student.
    services.student_suspend(
        student=pupils[1], until=timezone.localdate() + datetime.timedelta(days=90), by=registrar, reason="因病休学"
    )
    approval = open_step(bureau_officer, request)

    with pytest.raises(ValidationError) as refused:
        decide(bureau_officer, request)

    assert pupils[1].name in refused.value.messages[0]
    assert "休学" in refused.value.messages[0]
    assert [where(pupil) for pupil in (pupils[0], pupils[2])] == [(class_a.school, class_a, ENROLLED)] * 2
    assert where(pupils[1]) == (class_a.school, None, Student.Status.SUSPENDED)
    assert not class_b.placements.exists()
    class_a.refresh_from_db()
    assert class_a.state == SchoolClass.State.OPEN
    approval.refresh_from_db()
    assert approval.finished is None
    request.refresh_from_db()
    assert request.state == Request.State.OPEN


def test_a_student_of_the_class_with_another_open_request_blocks_the_start(
    pupils, class_a, class_b, registrar, receiving_registrar
):
    start_transfer(pupils[2], receiving_registrar, to_class=class_b)

    with pytest.raises(Conflict) as refused:
        start_whole_class(class_a, registrar, class_b.school)

    assert pupils[2].name in refused.value.messages[0]
    assert inbox(receiving_registrar) == []
    # Nobody else was claimed by the refused request.
    assert start_transfer(pupils[0], receiving_registrar, to_class=class_b).state == Request.State.OPEN


def test_a_class_cannot_move_to_a_school_without_its_grade(pupils, class_a, longyou, longyou_bureau, registrar):
    junior = SchoolFactory(region=longyou, bureau=longyou_bureau, name="龙游县第二初级中学", type=School.Type.JUNIOR)

    with pytest.raises(ValidationError) as refused:
        start_whole_class(class_a, registrar, junior)

    assert refused.value.message_dict["to_school"] == ["龙游县第二初级中学没有三年级。"]
