"""留级 / 跳级: where the bureau allows it, exactly one grade down or up in the same school."""

import pytest
from django.core.exceptions import ValidationError

from flows.models import Request
from records.errors import Conflict
from records.models import Student
from tests.factories import SchoolClassFactory

from ..acting import REJECT, decide, inbox, steps_of, where
from .conftest import start_grade_change


def test_grade_change_is_refused_where_the_bureau_has_not_opened_it(student, class_a_grade2, registrar):
    with pytest.raises(Conflict) as refused:
        start_grade_change(student, registrar, class_a_grade2)

    assert refused.value.messages == ["龙游县教育局未开放留级/跳级办理。"]
    assert not Request.objects.filter(student=student).exists()


@pytest.mark.parametrize("to", ["class_a_grade2", "class_a_grade4"], ids=["repeat", "skip"])
def test_repeat_or_skip_approved_by_bureau_moves_the_student_one_grade_in_the_same_school(
    request, student, class_a, registrar, bureau_officer, repeat_or_skip_allowed, to
):
    to_class = request.getfixturevalue(to)
    number = student.student_number

    change = start_grade_change(student, registrar, to_class)

    assert inbox(bureau_officer) == [(change.pk, "approve_by_bureau")]
    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)

    decide(bureau_officer, change)

    assert where(student) == (class_a.school, to_class, Student.Status.ENROLLED)
    assert student.student_number == number
    change.refresh_from_db()
    assert change.state == Request.State.COMPLETED
    assert (change.from_class, change.to_class) == (class_a, to_class)
    assert steps_of(change) == [("approve_by_bureau", bureau_officer.username, "approve", "")]
    closed = student.placements.get(school_class=class_a)
    assert closed.ended_on is not None
    assert closed.history.order_by("-history_date").first().history_user == bureau_officer
    opened = student.open_placement
    assert opened.history.get(history_type="+").history_user == bureau_officer
    assert opened.reason == "学业跟不上，家长申请留级"


def test_changing_two_grades_is_refused(student, class_a_grade5, registrar, repeat_or_skip_allowed):
    with pytest.raises(ValidationError) as refused:
        start_grade_change(student, registrar, class_a_grade5)

    assert "一个年级" in refused.value.message_dict["to_class"][0]
    assert not Request.objects.filter(student=student).exists()


def test_changing_grade_into_another_school_is_refused(student, school_b, registrar, repeat_or_skip_allowed):
    other_school_class = SchoolClassFactory(school=school_b, grade=2)

    with pytest.raises(ValidationError) as refused:
        start_grade_change(student, registrar, other_school_class)

    assert "本校" in refused.value.message_dict["to_class"][0]
    assert not Request.objects.filter(student=student).exists()


def test_rejected_grade_change_leaves_the_student_in_the_class(
    student, class_a, class_a_grade2, registrar, bureau_officer, repeat_or_skip_allowed
):
    change = start_grade_change(student, registrar, class_a_grade2)
    decide(bureau_officer, change, REJECT, "成绩合格，不予留级")

    change.refresh_from_db()
    assert change.state == Request.State.REJECTED
    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)
