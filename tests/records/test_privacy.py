"""ID numbers and phone numbers by role: a teacher reads them masked on every page, in the API, the
exports and the documents; the registrar, the academic office and the bureau read them whole.
A student number is "G" + the ID number, so it is masked the same way, and a teacher's search
looks at names only."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from records import services
from records.models import CodeTable
from records.selectors import mask_id_number, mask_phone, mask_student_number, sees_identity_whole
from tests.api.conftest import api_for  # noqa: F401 (fixture)
from tests.factories import StudentFactory, citizen_id, code
from tests.flows.status.conftest import start_key_info_change, start_suspension
from tests.records.term_work import end_of_term, term_around_today  # noqa: F401 (fixtures)

GUARDIAN_PHONE = "13912345678"
STUDENT_PHONE = "0570-7012345"


@pytest.fixture
def pupil(class_a, registrar):
    """A pupil of class_a whose mother has an ID number and a mobile phone."""
    mother_id = citizen_id(area_code="330825", birth_date=datetime.date(1988, 3, 14), sequence=7, male=False)
    return StudentFactory(
        school_class=class_a,
        by=registrar,
        name="林小雨",
        contact_phone=STUDENT_PHONE,
        family_members=[
            {
                "name": "周丽",
                "relationship": code(CodeTable.RELATIONSHIP, "2"),
                "is_guardian": True,
                "phone": GUARDIAN_PHONE,
                "id_type": code(CodeTable.ID_TYPE, "1"),
                "id_number": mother_id,
                "address": "浙江省衢州市龙游县龙洲街道",
            }
        ],
    )


def whole_numbers(pupil) -> list[str]:
    mother = pupil.family_members.get()
    return [pupil.id_number, pupil.student_number, mother.id_number, GUARDIAN_PHONE, STUDENT_PHONE]


def masked_numbers(pupil) -> list[str]:
    mother = pupil.family_members.get()
    return [
        mask_id_number(pupil.id_number), mask_student_number(pupil.student_number), mask_id_number(mother.id_number),
        mask_phone(GUARDIAN_PHONE), mask_phone(STUDENT_PHONE),
    ]


# --- The rule ----------------------------------------------------------------------------------------


def test_the_masks_keep_the_first_and_last_characters():
    assert mask_id_number("33082520180831001X") == "3308**********001X"
    assert mask_student_number("G33082520180831001X") == "G3308**********001X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0570-7012345") == "057*****2345"
    assert mask_id_number("E10000007") == "E100*0007"
    assert mask_id_number("") == ""


@pytest.mark.parametrize(
    ("who", "whole"),
    [
        ("registrar", True), ("academic_office", True), ("bureau_officer", True), ("city_officer", True),
        ("admin_user", True), ("class_teacher", False), ("subject_teacher", False),
    ],
)
def test_who_reads_identity_numbers_whole(db, request, who, whole):
    assert sees_identity_whole(request.getfixturevalue(who)) is whole


# --- Pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["class_teacher", "subject_teacher"])
def test_a_teacher_reads_the_student_page_masked(request, client_for, pupil, who):
    page = client_for(request.getfixturevalue(who)).get(f"/students/{pupil.pk}/").content.decode()

    for number in whole_numbers(pupil):
        assert number not in page
    for number in masked_numbers(pupil):
        assert number in page


@pytest.mark.parametrize("who", ["registrar", "academic_office", "bureau_officer"])
def test_the_registrar_the_office_and_the_bureau_read_it_whole(request, client_for, pupil, who):
    page = client_for(request.getfixturevalue(who)).get(f"/students/{pupil.pk}/").content.decode()

    for number in whole_numbers(pupil):
        assert number in page


def test_the_history_of_a_changed_phone_reads_masked_to_a_teacher(client_for, pupil, registrar, class_teacher):
    services.student_update(student=pupil, data={"contact_phone": "13700001111"}, by=registrar)

    teacher_page = client_for(class_teacher).get(f"/students/{pupil.pk}/").content.decode()
    assert "13700001111" not in teacher_page and STUDENT_PHONE not in teacher_page
    assert f"{mask_phone(STUDENT_PHONE)}</span> → <span class=\"xj-change__new\">137****1111" in teacher_page
    assert "13700001111" in client_for(registrar).get(f"/students/{pupil.pk}/").content.decode()


def test_a_teacher_finds_students_by_name_but_not_by_id_or_student_number(client_for, pupil, class_teacher, registrar):
    teacher = client_for(class_teacher)

    assert "林小雨" in teacher.get("/students/", {"q": "林小雨"}).content.decode()
    for typed in (pupil.student_number, pupil.id_number, pupil.id_number[-6:]):
        page = teacher.get("/students/", {"q": typed}).content.decode()
        assert "林小雨" not in page, typed
    assert "林小雨" in client_for(registrar).get("/students/", {"q": pupil.student_number}).content.decode()


def test_the_class_page_lists_masked_student_numbers_for_a_teacher(client_for, pupil, class_a, class_teacher, registrar):
    assert mask_student_number(pupil.student_number) in client_for(class_teacher).get(f"/classes/{class_a.pk}/").content.decode()
    assert pupil.student_number in client_for(registrar).get(f"/classes/{class_a.pk}/").content.decode()


# --- Exports and documents ---------------------------------------------------------------------------


def _sheet_text(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content)).active
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)


def test_a_teachers_class_export_is_masked(client_for, pupil, class_a, class_teacher, registrar):
    text = _sheet_text(client_for(class_teacher).get(f"/classes/{class_a.pk}/records.xlsx").content)
    for number in whole_numbers(pupil):
        assert number not in text
    for number in masked_numbers(pupil):
        assert number in text

    whole = _sheet_text(client_for(registrar).get(f"/classes/{class_a.pk}/records.xlsx").content)
    for number in whole_numbers(pupil):
        assert number in whole


def _pdf_text(content: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_a_teachers_student_card_is_masked(client_for, pupil, class_teacher, registrar):
    text = _pdf_text(client_for(class_teacher).get(f"/students/{pupil.pk}/card.pdf").content)
    assert pupil.id_number not in text and GUARDIAN_PHONE not in text
    assert mask_id_number(pupil.id_number) in text and mask_phone(GUARDIAN_PHONE) in text

    whole = _pdf_text(client_for(registrar).get(f"/students/{pupil.pk}/card.pdf").content)
    assert pupil.id_number in whole and GUARDIAN_PHONE in whole


# --- API ---------------------------------------------------------------------------------------------


def test_the_api_masks_the_record_for_a_teacher(api_for, pupil, class_teacher, registrar):
    body = api_for(class_teacher).get(f"/api/v1/students/{pupil.pk}/").json()
    mother = pupil.family_members.get()
    assert body["id_number"] == mask_id_number(pupil.id_number)
    assert body["student_number"] == mask_student_number(pupil.student_number)
    assert body["contact_phone"] == mask_phone(STUDENT_PHONE)
    assert body["family_members"][0]["phone"] == mask_phone(GUARDIAN_PHONE)
    assert body["family_members"][0]["id_number"] == mask_id_number(mother.id_number)

    listed = api_for(class_teacher).get("/api/v1/students/").json()["results"]
    assert [row["student_number"] for row in listed] == [mask_student_number(pupil.student_number)]
    assert api_for(class_teacher).get("/api/v1/students/", {"q": pupil.student_number}).json()["count"] == 0

    whole = api_for(registrar).get(f"/api/v1/students/{pupil.pk}/").json()
    assert (whole["id_number"], whole["family_members"][0]["phone"]) == (pupil.id_number, GUARDIAN_PHONE)


def test_a_teacher_writes_comments_on_the_api_by_the_ids_the_rows_carry(api_for, pupil, class_a, class_teacher, end_of_term):
    client = api_for(class_teacher)
    rows = client.get(f"/api/v1/classes/{class_a.code}/comments/").json()["students"]
    assert [(row["id"], row["student"]) for row in rows] == [(pupil.pk, mask_student_number(pupil.student_number))]

    response = client.put(
        f"/api/v1/classes/{class_a.code}/comments/", {"comments": [{"student": rows[0]["id"], "text": "认真。"}]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["students"][0]["text"] == "认真。"


# --- Requests ----------------------------------------------------------------------------------------


def test_a_teacher_reads_a_requests_id_numbers_and_applicants_phone_masked(
    client_for, api_for, pupil, registrar, class_teacher
):
    new_id = citizen_id(area_code="330825", birth_date=pupil.birth_date, sequence=321, male=pupil.gender.code == "1")
    change = start_key_info_change(pupil, registrar, {"id_number": new_id})
    suspension_of_other = start_suspension(StudentFactory(school_class=pupil.open_placement.school_class, by=registrar), registrar)

    page = client_for(class_teacher).get(f"/requests/{change.pk}/").content.decode()
    assert pupil.id_number not in page and new_id not in page
    assert f"{mask_id_number(pupil.id_number)} → {mask_id_number(new_id)}" in page
    body = api_for(class_teacher).get(f"/api/v1/requests/{change.pk}/").json()
    assert body["details"]["changes"]["id_number"] == mask_id_number(new_id)
    assert body["student_summary"]["student_number"] == mask_student_number(pupil.student_number)

    phone = suspension_of_other.applicant_phone
    assert phone and phone not in client_for(class_teacher).get(f"/requests/{suspension_of_other.pk}/").content.decode()
    assert api_for(class_teacher).get(f"/api/v1/requests/{suspension_of_other.pk}/").json()["applicant"]["phone"] == mask_phone(phone)
    # The registrar reads them whole.
    assert new_id in client_for(registrar).get(f"/requests/{change.pk}/").content.decode()
    assert phone in client_for(registrar).get(f"/requests/{suspension_of_other.pk}/").content.decode()
