"""流失 / 退学 / 死亡: the registrar reports with a reason code (death with a certificate); the
bureau approves; the student is dropped out or deceased and the placement closes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from flows.models import Evidence, Request
from records.errors import Conflict
from records.models import Student
from tests.factories import StudentFactory

from ..acting import REJECT, decide, inbox, steps_of, where
from .conftest import last_change, start_dropout


@pytest.mark.parametrize(
    ("reason", "remark", "name"),
    [("1", "", "退学"), ("2", "", "流失（辍学）"), ("9", "随父母出国务工，未办转学", "其他")],
)
def test_dropout_approved_by_bureau_leaves_the_student_dropped_out_with_the_reason(
    student, class_a, registrar, bureau_officer, reason, remark, name
):
    dropout = start_dropout(student, registrar, reason, remark=remark)

    assert inbox(bureau_officer) == [(dropout.pk, "approve_by_bureau")]
    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)

    decide(bureau_officer, dropout)

    assert where(student) == (class_a.school, None, Student.Status.DROPPED_OUT)
    assert (student.dropout_reason.code, student.dropout_reason.name) == (reason, name)
    closed = student.placements.get(school_class=class_a)
    assert closed.ended_on == timezone.localdate()
    assert closed.end_reason == (remark or name)
    dropout.refresh_from_db()
    assert dropout.state == Request.State.COMPLETED
    assert steps_of(dropout) == [("approve_by_bureau", bureau_officer.username, "approve", "")]
    new, old = last_change(student)
    assert (old.status, new.status) == (Student.Status.ENROLLED, Student.Status.DROPPED_OUT)
    assert (old.dropout_reason_id, new.dropout_reason_id) == (None, student.dropout_reason.pk)
    assert new.history_user == bureau_officer


def test_suspended_student_who_drops_out_has_no_suspension_end_left(class_a, registrar, bureau_officer):
    student = StudentFactory(school_class=class_a, by=registrar, suspended=True)

    dropout = start_dropout(student, registrar, "1")
    decide(bureau_officer, dropout)

    assert where(student) == (class_a.school, None, Student.Status.DROPPED_OUT)
    assert student.suspended_until is None


def test_other_reason_without_a_remark_is_refused(student, registrar):
    with pytest.raises(ValidationError) as refused:
        start_dropout(student, registrar, "9", remark="  ")

    assert "备注" in refused.value.message_dict["remark"][0]
    assert not Request.objects.filter(student=student).exists()


def test_death_without_a_certificate_file_is_refused(student, registrar):
    with pytest.raises(ValidationError) as refused:
        start_dropout(student, registrar, "4", kinds=(Evidence.Kind.OTHER,))

    assert "死亡证明" in refused.value.message_dict["evidence"][0]
    assert not Request.objects.filter(student=student).exists()


def test_death_with_a_certificate_makes_the_student_deceased(student, class_a, registrar, bureau_officer):
    death = start_dropout(student, registrar, "4", kinds=(Evidence.Kind.CERTIFICATE,))
    decide(bureau_officer, death)

    assert where(student) == (class_a.school, None, Student.Status.DECEASED)
    assert student.placements.get(school_class=class_a).ended_on == timezone.localdate()
    new, _old = last_change(student)
    assert new.status == Student.Status.DECEASED
    assert new.history_user == bureau_officer


def test_loss_of_learning_ability_needs_its_proof(student, registrar):
    with pytest.raises(ValidationError) as refused:
        start_dropout(student, registrar, "5", kinds=(Evidence.Kind.OTHER,))

    assert refused.value.message_dict["evidence"] == ["因故丧失学习能力须上传乡镇派出所或县级以上医院出具的证明材料。"]
    assert not Request.objects.filter(student=student).exists()


def test_loss_of_learning_ability_with_proof_ends_the_record_as_dropped_out(student, class_a, registrar, bureau_officer):
    report = start_dropout(student, registrar, "5", kinds=(Evidence.Kind.CERTIFICATE,))
    decide(bureau_officer, report)

    assert where(student) == (class_a.school, None, Student.Status.DROPPED_OUT)
    assert student.dropout_reason.name == "因故丧失学习能力"
    assert student.placements.get(school_class=class_a).end_reason == "因故丧失学习能力"


def test_dropped_out_student_can_still_be_registered_as_deceased(class_a, registrar, bureau_officer):
    student = StudentFactory(school_class=class_a, by=registrar, dropped_out=True)

    with pytest.raises(Conflict):
        start_dropout(student, registrar, "1")
    death = start_dropout(student, registrar, "4", kinds=(Evidence.Kind.CERTIFICATE,))
    decide(bureau_officer, death)

    assert where(student) == (class_a.school, None, Student.Status.DECEASED)


def test_rejected_dropout_changes_nothing(student, class_a, registrar, bureau_officer):
    versions_before = student.history.count()

    dropout = start_dropout(student, registrar, "2")
    decide(bureau_officer, dropout, REJECT, "学校须先开展劝返")

    dropout.refresh_from_db()
    assert dropout.state == Request.State.REJECTED
    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)
    assert student.dropout_reason is None
    assert student.history.count() == versions_before
