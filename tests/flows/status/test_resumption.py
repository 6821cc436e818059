"""复学 at the original school: back in the former class when away three months or less; after
longer the school may place the student one grade lower, never higher."""

import pytest
from django.core.exceptions import ValidationError

from flows.models import Cause, Evidence, Request
from records.errors import Conflict
from records import services
from records.models import Placement, Student
from tests.factories import StudentFactory

from ..acting import REJECT, decide, inbox, steps_of, where
from .conftest import last_change, start_resumption


def away_since(student, day) -> None:
    """Test setup: the student left on `day` (and had started in the class before it)."""
    Placement.objects.filter(student=student, ended_on__isnull=False).update(started_on=day, ended_on=day)


def test_suspended_student_resumes_in_the_former_class_after_the_bureau_approves(
    class_a, registrar, bureau_officer
):
    student = StudentFactory(school_class=class_a, by=registrar, suspended=True)
    number = student.student_number

    resumption = start_resumption(student, registrar)

    assert inbox(bureau_officer) == [(resumption.pk, "approve_by_bureau")]
    assert where(student) == (class_a.school, None, Student.Status.SUSPENDED)

    decide(bureau_officer, resumption)

    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)
    assert student.suspended_until is None
    assert student.student_number == number
    resumption.refresh_from_db()
    assert resumption.state == Request.State.COMPLETED
    assert steps_of(resumption) == [("approve_by_bureau", bureau_officer.username, "approve", "")]
    new, old = last_change(student)
    assert (old.status, new.status) == (Student.Status.SUSPENDED, Student.Status.ENROLLED)
    assert new.history_user == bureau_officer
    assert student.open_placement.history.get(history_type="+").history_user == bureau_officer


def test_dropped_out_student_is_enrolled_again(class_a, registrar, bureau_officer):
    student = StudentFactory(school_class=class_a, by=registrar, dropped_out=True)

    resumption = start_resumption(student, registrar)
    decide(bureau_officer, resumption)

    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)
    assert student.dropout_reason is None


def test_student_away_more_than_three_months_may_resume_one_grade_lower(
    class_a, class_a_grade2, registrar, bureau_officer, long_ago
):
    student = StudentFactory(school_class=class_a, by=registrar, suspended=True)
    away_since(student, long_ago)

    resumption = start_resumption(student, registrar, to_class=class_a_grade2)
    decide(bureau_officer, resumption)

    assert where(student) == (class_a.school, class_a_grade2, Student.Status.ENROLLED)


def test_student_away_more_than_three_months_may_not_resume_a_grade_higher(
    class_a, class_a_grade4, registrar, long_ago
):
    student = StudentFactory(school_class=class_a, by=registrar, suspended=True)
    away_since(student, long_ago)

    with pytest.raises(ValidationError) as refused:
        start_resumption(student, registrar, to_class=class_a_grade4)

    assert "低一个年级" in refused.value.message_dict["to_class"][0]
    assert not Request.objects.filter(student=student, kind=Request.Kind.RESUMPTION).exists()


def test_resumption_into_a_dissolved_class_is_refused_at_the_start(
    class_a, class_a_grade2, registrar, long_ago
):
    student = StudentFactory(school_class=class_a, by=registrar, suspended=True)
    away_since(student, long_ago)
    services.class_dissolve(school_class=class_a_grade2, by=registrar)
    class_a_grade2.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        start_resumption(student, registrar, to_class=class_a_grade2)

    assert "不在读" in refused.value.message_dict["to_class"][0]
    assert not Request.objects.filter(student=student, kind=Request.Kind.RESUMPTION).exists()


def test_student_away_three_months_or_less_must_resume_in_the_former_class(class_a, class_a2, registrar):
    student = StudentFactory(school_class=class_a, by=registrar, suspended=True)

    with pytest.raises(ValidationError) as refused:
        start_resumption(student, registrar, to_class=class_a2)

    assert "原班级" in refused.value.message_dict["to_class"][0]
    assert not Request.objects.filter(student=student, kind=Request.Kind.RESUMPTION).exists()


def test_resumption_after_illness_needs_the_hospitals_certificate(class_a, registrar, bureau_officer):
    student = StudentFactory(school_class=class_a, by=registrar, suspended=True)

    with pytest.raises(ValidationError) as refused:
        start_resumption(student, registrar, cause=Cause.ILLNESS, kinds=(Evidence.Kind.APPLICATION,))
    assert "证明" in refused.value.message_dict["evidence"][0]

    resumption = start_resumption(
        student, registrar, cause=Cause.ILLNESS, kinds=(Evidence.Kind.APPLICATION, Evidence.Kind.CERTIFICATE)
    )
    decide(bureau_officer, resumption)
    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)


@pytest.mark.parametrize(("trait", "status"), [(None, "在籍"), ("deceased", "死亡")])
def test_resumption_of_an_enrolled_or_deceased_student_is_refused(class_a, registrar, trait, status):
    student = StudentFactory(school_class=class_a, by=registrar, **({trait: True} if trait else {}))

    with pytest.raises(Conflict) as refused:
        start_resumption(student, registrar)

    assert refused.value.messages == [f"该生当前学籍状态为“{status}”，不能办理复学。"]
    assert not Request.objects.filter(student=student).exists()


def test_rejected_resumption_changes_nothing(class_a, registrar, bureau_officer):
    student = StudentFactory(school_class=class_a, by=registrar, suspended=True)
    until = student.suspended_until
    versions_before = student.history.count()

    resumption = start_resumption(student, registrar)
    decide(bureau_officer, resumption, REJECT, "未提供复学证明")

    resumption.refresh_from_db()
    assert resumption.state == Request.State.REJECTED
    assert where(student) == (class_a.school, None, Student.Status.SUSPENDED)
    assert student.suspended_until == until
    assert student.history.count() == versions_before
