"""What every status change refuses: a second open request, a student of another school, an
officer of another county, and any change to a deceased student."""

import pytest
from django.core.exceptions import PermissionDenied

from flows.models import Evidence, Request, WorkItem
from records.errors import Conflict
from flows.engine import task_decide
from records.models import Student
from flows.selectors import user_may_act_on

from ..acting import inbox, open_step
from .conftest import KINDS, record_state, sign_if_needed, start_dropout, starting

# For each kind, another kind the same student could be asked for at the same time.
OTHER_KIND = {
    "suspension": "poverty",
    "resumption": "key_info_change",
    "dropout": "suspension",
    "grade_change": "poverty",
    "key_info_change": "dropout",
    "poverty": "key_info_change",
}


@pytest.mark.parametrize("kind", KINDS)
def test_second_open_request_of_the_same_kind_is_refused(starter, kind, registrar):
    student, start = starter(kind)
    first = start(registrar)

    with pytest.raises(Conflict) as refused:
        start(registrar)

    assert refused.value.code == "open_request"
    assert f"#{first.pk}" in refused.value.messages[0]
    assert list(Request.objects.filter(student=student).values_list("pk", flat=True)) == [first.pk]


@pytest.mark.parametrize("kind", KINDS)
def test_open_request_of_another_kind_blocks_a_new_one(starter, kind, registrar, class_a_grade2):
    student, start = starter(kind)
    blocking = starting(OTHER_KIND[kind], student, class_a_grade2)(registrar)

    with pytest.raises(Conflict) as refused:
        start(registrar)

    assert f"{blocking.get_kind_display()} #{blocking.pk}" in refused.value.messages[0]
    assert Request.objects.filter(student=student).count() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_only_a_registrar_of_the_students_school_may_start_a_change(
    starter, kind, receiving_registrar, other_county_registrar, academic_office, class_teacher
):
    student, start = starter(kind)
    before = record_state(student)

    for outsider in (receiving_registrar, other_county_registrar, academic_office, class_teacher):
        with pytest.raises(PermissionDenied):
            start(outsider)

    assert not Request.objects.filter(student=student).exists()
    assert record_state(student) == before


@pytest.mark.parametrize("kind", KINDS)
def test_officer_of_another_county_never_sees_or_decides_the_bureau_step(
    starter, kind, registrar, academic_office, bureau_officer, other_bureau_officer, third_county_officer
):
    student, start = starter(kind)
    before = record_state(student)
    request = start(registrar)
    sign_if_needed(request, academic_office)
    step = open_step(bureau_officer, request)

    for outsider in (other_bureau_officer, third_county_officer):
        assert inbox(outsider) == []
        assert not user_may_act_on(outsider, step)
        with pytest.raises(PermissionDenied):
            task_decide(work_item=step, by=outsider, decision=WorkItem.Decision.APPROVE)

    request.refresh_from_db()
    assert request.state == Request.State.OPEN
    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]
    assert record_state(student) == before


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_can_be_started_for_a_deceased_student(starter, kind, registrar):
    student, start = starter(kind, deceased=True)
    assert student.status == Student.Status.DECEASED

    with pytest.raises(Conflict) as refused:
        start(registrar)

    assert "死亡" in refused.value.messages[0]
    assert not Request.objects.filter(student=student).exists()


def test_a_deceased_student_cannot_be_registered_dead_again(starter, registrar):
    student, _start = starter("dropout", deceased=True)

    with pytest.raises(Conflict) as refused:
        start_dropout(student, registrar, "4", kinds=(Evidence.Kind.CERTIFICATE,))

    assert refused.value.messages == ["该生当前学籍状态为“死亡”，不能办理死亡登记。"]
