"""Withdrawing an open request before its last approval: it ends, nothing changes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from flows.models import Request
from records.errors import Conflict
from flows.engine import request_withdraw
from flows.registration import registration_start
from records.models import CodeTable, Student
from records.services import code_get
from tests.factories import citizen_id

from ..acting import decide, inbox
from .conftest import KINDS, record_state, sign_if_needed, verify


@pytest.mark.parametrize("kind", KINDS)
def test_starter_withdraws_an_open_request_before_the_last_approval_and_nothing_changes(
    starter, kind, registrar, academic_office, bureau_officer
):
    student, start = starter(kind)
    before = record_state(student)
    request = start(registrar)
    sign_if_needed(request, academic_office)
    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]

    request_withdraw(request=request, by=registrar, comment="家长撤回申请")

    request.refresh_from_db()
    assert (request.state, request.close_comment) == (Request.State.WITHDRAWN, "家长撤回申请")
    assert inbox(bureau_officer) == [] and inbox(academic_office) == [] and inbox(registrar) == []
    assert record_state(student) == before
    # The student is free for the next request.
    assert start(registrar).state == Request.State.OPEN


def test_class_teacher_withdraws_a_registration_they_entered_and_no_student_is_created(
    class_a, class_teacher, academic_office, bureau_officer
):
    birth = datetime.date(2017, 5, 2)
    id_number = citizen_id(area_code="330825", birth_date=birth, sequence=11, male=True)
    record = {
        "name": "周子轩", "gender": code_get(CodeTable.GENDER, "1"), "birth_date": birth,
        "id_type": code_get(CodeTable.ID_TYPE, "1"), "id_number": id_number,
        "ethnicity": code_get(CodeTable.ETHNICITY, "01"), "nationality": code_get(CodeTable.NATIONALITY, "156"),
        "overseas_chinese": code_get(CodeTable.OVERSEAS, "00"), "health": code_get(CodeTable.HEALTH, "1"),
        "household_type": code_get(CodeTable.HOUSEHOLD_TYPE, "1"), "entry_date": datetime.date(2023, 9, 1),
        "entry_way": code_get(CodeTable.ENTRY_WAY, "1"), "study_mode": code_get(CodeTable.STUDY_MODE, "1"),
        "student_type": code_get(CodeTable.STUDENT_TYPE, "1"), "disability_type": code_get(CodeTable.DISABILITY, "0"),
        "left_behind": code_get(CodeTable.LEFT_BEHIND, "1"),
    }
    family = [{"name": "周建国", "relationship": code_get(CodeTable.RELATIONSHIP, "1"), "is_guardian": True}]
    registration = registration_start(to_class=class_a, by=class_teacher, record=record, family=family)
    verify(academic_office, registration)

    request_withdraw(request=registration, by=class_teacher)

    registration.refresh_from_db()
    assert registration.state == Request.State.WITHDRAWN
    assert inbox(bureau_officer) == [] and inbox(academic_office) == []
    assert not Student.objects.filter(id_number=id_number).exists()


@pytest.mark.parametrize("kind", KINDS)
def test_registrar_of_another_school_cannot_withdraw(starter, kind, registrar, receiving_registrar, bureau_officer):
    student, start = starter(kind)
    request = start(registrar)

    with pytest.raises(PermissionDenied):
        request_withdraw(request=request, by=receiving_registrar)

    request.refresh_from_db()
    assert request.state == Request.State.OPEN


@pytest.mark.parametrize("kind", KINDS)
def test_completed_request_cannot_be_withdrawn(starter, kind, registrar, academic_office, bureau_officer):
    student, start = starter(kind)
    request = start(registrar)
    sign_if_needed(request, academic_office)
    decide(bureau_officer, request)
    after = record_state(student)

    with pytest.raises(Conflict) as refused:
        request_withdraw(request=request, by=registrar)

    assert refused.value.messages == ["申请已办结，不能撤回。"]
    request.refresh_from_db()
    assert request.state == Request.State.COMPLETED
    assert record_state(student) == after
