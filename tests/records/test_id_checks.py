"""Every citizen ID number is checked wherever it is entered, with the same checker
(records.id_numbers): the student's and the family members', on the pages, the API and the intake
file; a wrong check digit is refused naming the field, and nothing is saved."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from flows.intake.tasks import intake_import_start, validate_intake_import
from flows.models import Request
from flows.registration import registration_start
from records.models import CodeTable, FamilyMember
from records.services import code_get, family_members_replace
from tests.api.conftest import api_for  # noqa: F401 (fixture)
from tests.flows.conftest import today, transfer_windows_open  # noqa: F401 (fixtures)
from tests.api.calls import APPLICANT, REASON, errors, pdf, start_multipart
from tests.api.test_requests import record_body
from tests.factories import citizen_id
from tests.flows.acting import family, record
from tests.flows.page_reading import page, record_post
from tests.intake_files import intake_file, new_pupil

FATHER_ID = citizen_id(area_code="330825", birth_date=datetime.date(1985, 4, 12), sequence=31, male=True)
WRONG_CHECK = FATHER_ID[:-1] + ("0" if FATHER_ID[-1] != "0" else "1")
CHECK_MESSAGE = "居民身份证号校验位错误，请核对号码。"


def father(id_number: str) -> dict:
    return {**family()[0], "id_type": code_get(CodeTable.ID_TYPE, "1"), "id_number": id_number}


def guardian_body(id_number: str) -> dict:
    return {"name": "林建国", "relationship": "1", "is_guardian": True, "phone": "13800000002", "id_type": "1",
            "id_number": id_number}


# --- The services ------------------------------------------------------------------------------------


def test_a_registration_whose_guardian_has_a_wrong_check_digit_is_refused(registrar, class_a):
    with pytest.raises(ValidationError) as refused:
        registration_start(to_class=class_a, by=registrar, record=record(entry_way=code_get(CodeTable.ENTRY_WAY, "1")),
                           family=[father(WRONG_CHECK)])

    assert refused.value.message_dict == {"family_members": [f"家庭成员1：{CHECK_MESSAGE}"]}
    assert not Request.objects.exists()


def test_a_guardians_valid_id_is_kept_in_capitals(registrar, student):
    lower = FATHER_ID[:-1] + FATHER_ID[-1].lower()
    family_members_replace(student=student, members=[father(lower)], by=registrar)
    assert student.family_members.get().id_number == FATHER_ID


def test_a_guardians_wrong_id_is_refused_when_the_family_is_edited(registrar, student):
    before = list(student.family_members.values_list("name", "id_number"))
    with pytest.raises(ValidationError) as refused:
        family_members_replace(student=student, members=[father(WRONG_CHECK)], by=registrar)

    assert refused.value.message_dict == {"family_members": [f"家庭成员1：{CHECK_MESSAGE}"]}
    assert list(student.family_members.values_list("name", "id_number")) == before


# --- The API -------------------------------------------------------------------------------------------


def registration_body(class_a, **extra) -> dict:
    return {"kind": "registration", "class_code": class_a.code, **record_body(**extra)}


def test_the_api_refuses_a_guardians_wrong_check_digit_naming_the_member_field(api_for, registrar, class_a):
    body = registration_body(class_a, family_members=[guardian_body(WRONG_CHECK)])
    response = api_for(registrar).post("/api/v1/requests/", body, format="json")

    assert response.status_code == 400
    assert errors(response) == {"family_members.0.id_number": [CHECK_MESSAGE]}
    assert not Request.objects.exists()


def test_the_api_refuses_the_second_members_wrong_id_in_english(api_for, registrar, class_a):
    mother = {"name": "陈美玲", "relationship": "2", "is_guardian": False, "id_type": "1", "id_number": "330825198501011234"}
    body = registration_body(class_a, family_members=[guardian_body(FATHER_ID), mother])
    response = api_for(registrar, language="en").post("/api/v1/requests/", body, format="json")

    assert response.status_code == 400
    assert list(errors(response)) == ["family_members.1.id_number"]
    assert "check" in errors(response)["family_members.1.id_number"][0]


def test_a_guardian_with_another_document_is_not_checked_as_a_citizen_id(api_for, registrar, class_a):
    member = {**guardian_body("H12345678"), "id_type": "6"}  # 香港: not a citizen ID
    response = api_for(registrar).post("/api/v1/requests/", registration_body(class_a, family_members=[member]), format="json")
    assert response.status_code == 201, response.content


def test_a_transfer_in_with_a_guardians_wrong_id_is_refused(api_for, registrar, class_a, transfer_windows_open):
    body = {"previous_school": "外省", "reason": REASON, "applicant": APPLICANT,
            **registration_body(class_a, family_members=[guardian_body(WRONG_CHECK)])}
    body["kind"] = "transfer_in"  # registration_body names the kind too
    response = api_for(registrar).post("/api/v1/requests/", body, format="json")

    assert response.status_code == 400
    assert errors(response) == {"family_members.0.id_number": [CHECK_MESSAGE]}


def test_a_key_information_change_to_a_wrong_check_digit_is_refused(api_for, registrar, student):
    wrong = student.id_number[:-1] + ("0" if student.id_number[-1] != "0" else "1")
    response = start_multipart(api_for(registrar), kind="key_info_change", student=student.pk,
                               changes={"id_number": wrong}, reason="更正", evidence_certificate=pdf())

    assert response.status_code == 400
    assert errors(response) == {"changes.id_number": [CHECK_MESSAGE]}
    assert not Request.objects.exists()


# --- The pages --------------------------------------------------------------------------------------------


def registration_post(class_a, **family1) -> dict:
    entered = record(entry_way=code_get(CodeTable.ENTRY_WAY, "1"))
    return {"to_class": class_a.pk, **record_post(entered, "record"), **record_post({**family()[0], **family1}, "family1")}


def test_the_registration_page_names_the_guardians_id_field(client_for, registrar, class_a):
    citizen = code_get(CodeTable.ID_TYPE, "1")
    shown = page(client_for(registrar).post(reverse("registration_start"),
                                            registration_post(class_a, id_type=citizen, id_number=WRONG_CHECK)))

    field = shown.field("family1-id_number")
    assert (field.label, field.error) == ("身份证件号", CHECK_MESSAGE)
    assert not Request.objects.exists()


def test_the_student_edit_page_names_the_second_members_id_field(client_for, registrar, student):
    citizen = code_get(CodeTable.ID_TYPE, "1")
    url = reverse("student_edit", args=[student.pk])
    client = client_for(registrar)
    shown = page(client.get(url))
    data = {name: f.value for name, f in shown.fields.items() if f.value and not name.startswith("family2-")}
    data.update(shown.hidden)
    data.update(record_post({"name": "陈美玲", "relationship": code_get(CodeTable.RELATIONSHIP, "2"),
                             "id_type": citizen, "id_number": WRONG_CHECK}, "family2"))
    before = list(FamilyMember.objects.filter(student=student).values_list("position", "name", "id_number"))

    answer = page(client.post(url, data))

    assert answer.field("family2-id_number").error == CHECK_MESSAGE
    assert list(FamilyMember.objects.filter(student=student).values_list("position", "name", "id_number")) == before


def test_the_key_information_page_names_the_id_field(client_for, registrar, student):
    wrong = student.id_number[:-1] + ("0" if student.id_number[-1] != "0" else "1")
    data = {"name": student.name, "gender": student.gender_id, "birth_date": student.birth_date.isoformat(),
            "id_type": student.id_type_id, "id_number": wrong, "reason": "更正",
            "evidence_certificate": pdf("公安证明.pdf")}
    shown = page(client_for(registrar).post(reverse("key_info_change_start", args=[student.pk]), data))

    assert shown.field("id_number").error == CHECK_MESSAGE
    assert not Request.objects.exists()


# --- The intake file ------------------------------------------------------------------------------------------


def test_an_intake_row_whose_guardian_has_a_wrong_check_digit_is_refused(registrar, class_a):
    intake_import = intake_import_start(
        file=intake_file([new_pupil(class_a, 0), new_pupil(class_a, 1, 成员1身份证件类型="居民身份证", 成员1身份证件号=WRONG_CHECK)]),
        by=registrar,
    )
    validate_intake_import.apply(args=(intake_import.pk,), throw=True)

    refused = {row.row: row.errors for row in intake_import.rows.exclude(errors={})}
    assert refused == {3: {"成员1身份证件号": CHECK_MESSAGE}}
