"""POST /api/v1/requests/ for every kind, and GET/withdraw/evidence of a request.

Each kind: the happy path (201 with the request, the flow waiting at its first step) and the
errors the kind's start service gives, in the contract's statuses.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flows.models import Evidence, Request
from tests.factories import SchoolClassFactory, StudentFactory, citizen_id
from tests.flows.acting import confirm_receiving_class, decide, start_transfer

from .calls import APPLICANT, REASON, errors, open_items, pdf, start, start_multipart

pytestmark = pytest.mark.usefixtures("transfer_windows_open")


def started(response, kind: str, first_step: str) -> dict:
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["state"]) == (kind, "open")
    assert open_items(body["id"]) == [first_step]
    return body


def record_body(*, name="林小雨", birth_date=datetime.date(2018, 5, 20), sequence=7, **extra):
    return {
        "name": name,
        "gender": "2",
        "birth_date": birth_date.isoformat(),
        "ethnicity": "01",
        "nationality": "156",
        "id_type": "1",
        "id_number": citizen_id(area_code="330825", birth_date=birth_date, sequence=sequence, male=False),
        "overseas_chinese": "00",
        "health": "1",
        "household_type": "1",
        "entry_date": "2024-09-01",
        "entry_way": "1",
        "study_mode": "1",
        "student_type": "1",
        "disability_type": "0",
        "left_behind": "1",
        "household_place": "浙江省衢州市龙游县",
        "family_members": [{"name": "林建国", "relationship": "1", "is_guardian": True, "phone": "13800000002"}],
        **extra,
    }


# --- transfer ----------------------------------------------------------------------------------------


def test_the_receiving_school_starts_a_transfer_naming_the_student_as_the_parent_did(
    api_for, receiving_registrar, student, class_b
):
    body = started(
        start_multipart(
            api_for(receiving_registrar), kind="transfer", student=student.pk, student_number=student.student_number,
            name=student.name, to_class=class_b.code, reason=REASON, applicant=APPLICANT,
            evidence_household_register=pdf("户口簿.pdf"), evidence_acceptance=pdf("接收证明.pdf"),
        ),
        "transfer",
        "approve_by_receiving_bureau",
    )
    assert body["details"]["order"] == "receiving"
    assert body["details"]["to_class"] == class_b.code
    assert body["applicant"] == APPLICANT
    assert body["student_summary"]["class_code"] == student.open_placement.school_class.code


def test_the_sending_school_starts_a_transfer_with_the_receiving_school(api_for, registrar, student, school_b):
    body = started(
        start(api_for(registrar), kind="transfer", student=student.pk, to_school=school_b.identifier, reason=REASON, applicant=APPLICANT),
        "transfer",
        "confirm_by_receiving_school",
    )
    assert (body["details"]["order"], body["other_school"]) == ("sending", school_b.identifier)


def test_another_schools_student_without_the_parents_details_is_not_found(api_for, other_county_registrar, student, class_c):
    response = start(
        api_for(other_county_registrar), kind="transfer", student=student.pk, to_class=class_c.code, reason=REASON,
        applicant=APPLICANT,
    )
    assert response.status_code == 404
    assert not Request.objects.exists()


def test_a_second_open_request_for_the_student_is_a_conflict(api_for, registrar, receiving_registrar, student, class_b, school_b):
    start_transfer(student, receiving_registrar, to_class=class_b)

    response = start(api_for(registrar), kind="poverty", student=student.pk, action="identify", note="低保家庭")

    assert response.status_code == 409
    assert "已有办理中的申请" in response.json()["detail"]


def test_a_transfer_needs_the_applicants_details_named_as_in_the_body(api_for, registrar, student, school_b):
    response = start(
        api_for(registrar), kind="transfer", student=student.pk, to_school=school_b.identifier, reason=REASON,
        applicant={**APPLICANT, "phone": ""},
    )
    assert response.status_code == 400
    assert errors(response) == {"applicant.phone": ["请填写申请人联系电话。"]}


def test_outside_the_transfer_window_a_transfer_is_refused(api_for, registrar, student, school_b, transfer_windows_open):
    for window in transfer_windows_open:
        window.delete()
    response = start(api_for(registrar), kind="transfer", student=student.pk, to_school=school_b.identifier, reason=REASON, applicant=APPLICANT)
    assert response.status_code == 400
    assert "不在" in response.json()["detail"]


def test_a_bureau_officer_may_not_start_a_request(api_for, bureau_officer, student, school_b):
    response = start(api_for(bureau_officer), kind="transfer", student=student.pk, to_school=school_b.identifier, reason=REASON, applicant=APPLICANT)
    assert response.status_code == 403
    assert errors(response) == {}


# --- transfer_cancel ---------------------------------------------------------------------------------


@pytest.fixture
def completed_transfer(student, registrar, receiving_registrar, bureau_officer, school_b, class_b):
    transfer = start_transfer(student, registrar, to_school=school_b)
    confirm_receiving_class(receiving_registrar, transfer, class_b)
    return decide(bureau_officer, transfer)


def test_a_completed_transfer_is_cancelled_on_request_of_either_school(api_for, registrar, completed_transfer):
    assert completed_transfer.state == Request.State.COMPLETED
    body = started(
        start(api_for(registrar), kind="transfer_cancel", request=completed_transfer.pk, reason="家长改变主意"),
        "transfer_cancel",
        "approve_by_other_school",
    )
    assert body["details"] == {"original": completed_transfer.pk}


def test_an_open_transfer_cannot_be_cancelled(api_for, registrar, receiving_registrar, student, class_b):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    response = start(api_for(registrar), kind="transfer_cancel", request=transfer.pk, reason="家长改变主意")
    assert response.status_code == 409
    assert errors(response) == {"non_field_errors": ["只有已办结的转学可以撤销。"]}


def test_another_countys_registrar_cannot_reach_the_transfer(api_for, other_county_registrar, completed_transfer):
    response = start(api_for(other_county_registrar), kind="transfer_cancel", request=completed_transfer.pk, reason="x")
    assert response.status_code == 404


# --- transfer_out, transfer_in ----------------------------------------------------------------------


def test_a_transfer_out_of_the_system_goes_to_the_bureau(api_for, registrar, student):
    body = started(
        start(api_for(registrar), kind="transfer_out", student=student.pk, scope="province", destination="江苏省南京市",
              reason=REASON, applicant=APPLICANT),
        "transfer_out",
        "approve_by_bureau",
    )
    assert body["details"] == {"scope": "province", "destination": "江苏省南京市"}


def test_a_transfer_out_needs_a_destination(api_for, registrar, student):
    response = start(api_for(registrar), kind="transfer_out", student=student.pk, scope="abroad", destination=" ",
                     reason=REASON, applicant=APPLICANT)
    assert response.status_code == 400
    assert list(errors(response)) == ["destination"]


def test_a_student_from_outside_is_entered_for_a_transfer_in(api_for, registrar, class_a):
    body = started(
        start(api_for(registrar), kind="transfer_in", class_code=class_a.code, previous_school="江苏省南京市某小学",
              reason=REASON, applicant=APPLICANT, **record_body()),
        "transfer_in",
        "approve_by_bureau",
    )
    assert body["details"]["class_code"] == class_a.code
    assert body["details"]["record"]["entry_way"] == "5"  # 转入, whatever was sent
    assert body["student"] is None and body["student_name"] == "林小雨"


def test_a_transfer_in_with_a_wrong_citizen_id_names_the_field(api_for, registrar, class_a):
    record = record_body()
    record["id_number"] = record["id_number"][:-1] + ("0" if record["id_number"][-1] != "0" else "1")
    response = start(api_for(registrar), kind="transfer_in", class_code=class_a.code, previous_school="外省",
                     reason=REASON, applicant=APPLICANT, **record)
    assert response.status_code == 400
    assert errors(response) == {"id_number": ["居民身份证号校验位错误，请核对号码。"]}


# --- registration -----------------------------------------------------------------------------------


def test_a_registrar_registers_a_new_student(api_for, registrar, class_a):
    body = started(
        start(api_for(registrar), kind="registration", class_code=class_a.code, **record_body()),
        "registration",
        "verify_by_academic_office",
    )
    assert body["details"]["record"]["gender"] == "2"
    assert body["details"]["family_members"][0]["relationship"] == "1"


def test_a_registration_of_an_id_that_has_a_record_points_to_its_school(api_for, registrar, class_a, student):
    record = record_body(name="另一人")
    record["id_number"] = student.id_number
    record["gender"], record["birth_date"] = student.gender.code, student.birth_date.isoformat()
    response = start(api_for(registrar), kind="registration", class_code=class_a.code, **record)
    assert response.status_code == 400
    assert "龙游县实验小学" in errors(response)["id_number"][0]


def test_a_registration_into_another_schools_class_is_refused_as_unknown(api_for, registrar, class_c):
    response = start(api_for(registrar), kind="registration", class_code=class_c.code, **record_body())
    assert response.status_code == 400
    assert list(errors(response)) == ["class_code"]


def test_codes_outside_the_national_tables_are_refused(api_for, registrar, class_a):
    response = start(api_for(registrar), kind="registration", class_code=class_a.code, **record_body(ethnicity="99"))
    assert response.status_code == 400
    assert errors(response) == {"ethnicity": ["代码“99”不在民族代码表中。"]}


def test_a_registration_needs_a_guardian(api_for, registrar, class_a):
    response = start(api_for(registrar), kind="registration", class_code=class_a.code,
                     **record_body(family_members=[{"name": "林建国", "relationship": "1", "is_guardian": False}]))
    assert response.status_code == 400
    assert errors(response) == {"family_members": ["家庭成员中至少一人须为监护人。"]}


# --- suspension, resumption, dropout ----------------------------------------------------------------


def test_a_suspension_for_illness_carries_the_diagnosis(api_for, registrar, student, today):
    end = today + datetime.timedelta(days=90)
    body = started(
        start_multipart(api_for(registrar), kind="suspension", student=student.pk, cause="illness", end=end.isoformat(),
                        reason="住院治疗", applicant=APPLICANT, evidence_diagnosis=pdf("诊断证明.pdf")),
        "suspension",
        "sign_by_academic_office",
    )
    assert body["details"]["end"] == end.isoformat()
    assert [(e["kind"], e["filename"]) for e in body["evidence"]] == [("diagnosis", "诊断证明.pdf")]


def test_a_suspension_for_illness_without_a_diagnosis_is_refused(api_for, registrar, student):
    response = start(api_for(registrar), kind="suspension", student=student.pk, cause="illness", reason="住院治疗", applicant=APPLICANT)
    assert response.status_code == 400
    assert errors(response) == {"evidence": ["因病休学须上传医院诊断证明。"]}


def test_evidence_must_be_a_pdf_or_an_image(api_for, registrar, student):
    response = start_multipart(api_for(registrar), kind="suspension", student=student.pk, cause="illness",
                               reason="住院治疗", applicant=APPLICANT, evidence_diagnosis=pdf("诊断.exe"))
    assert response.status_code == 400
    assert errors(response) == {"evidence_diagnosis": ["只接受PDF、JPG、PNG格式的扫描件。"]}


def test_a_dropped_out_student_cannot_be_suspended(api_for, registrar, class_a):
    gone = StudentFactory(school_class=class_a, dropped_out=True)
    response = start(api_for(registrar), kind="suspension", student=gone.pk, cause="other", reason="x", applicant=APPLICANT)
    assert response.status_code == 409


def test_a_suspended_student_resumes_to_the_former_class(api_for, registrar, class_a):
    away = StudentFactory(school_class=class_a, suspended=True)
    body = started(
        start(api_for(registrar), kind="resumption", student=away.pk, reason="病愈", applicant=APPLICANT),
        "resumption",
        "approve_by_bureau",
    )
    assert body["details"] == {"cause": "other", "to_class": None}


def test_an_enrolled_student_cannot_resume(api_for, registrar, student):
    response = start(api_for(registrar), kind="resumption", student=student.pk, reason="x", applicant=APPLICANT)
    assert response.status_code == 409


def test_a_dropout_with_a_reason_code(api_for, registrar, student):
    body = started(
        start(api_for(registrar), kind="dropout", student=student.pk, reason="1", remark="家长申请退学"),
        "dropout",
        "approve_by_bureau",
    )
    assert body["details"] == {"reason": "1", "remark": "家长申请退学"}


def test_a_death_needs_a_certificate(api_for, registrar, student):
    response = start(api_for(registrar), kind="dropout", student=student.pk, reason="4")
    assert response.status_code == 400
    assert list(errors(response)) == ["evidence"]


# --- grade_change, key_info_change, poverty, whole_class_transfer -----------------------------------


def test_a_grade_change_where_the_bureau_does_not_allow_it_is_a_conflict(api_for, registrar, student, school_a):
    lower = SchoolClassFactory(school=school_a, grade=2)
    response = start(api_for(registrar), kind="grade_change", student=student.pk, to_class=lower.code, justification="跟不上")
    assert response.status_code == 409


def test_a_grade_change_to_a_class_one_grade_down(api_for, registrar, student, school_a, longyou_bureau):
    longyou_bureau.allow_repeat_or_skip = True
    longyou_bureau.save()
    lower = SchoolClassFactory(school=school_a, grade=2)
    body = started(
        start(api_for(registrar), kind="grade_change", student=student.pk, to_class=lower.code, justification="长期病假"),
        "grade_change",
        "approve_by_bureau",
    )
    assert body["details"]["to_class"] == lower.code
    two_up = SchoolClassFactory(school=school_a, grade=5)
    other = StudentFactory(school_class=student.open_placement.school_class)
    response = start(api_for(registrar), kind="grade_change", student=other.pk, to_class=two_up.code, justification="x")
    assert response.status_code == 400
    assert list(errors(response)) == ["to_class"]


def test_a_key_information_change_with_evidence(api_for, registrar, student):
    body = started(
        start_multipart(api_for(registrar), kind="key_info_change", student=student.pk, changes={"name": "王新名"},
                        reason="户口簿已更名", evidence_household_register=pdf()),
        "key_info_change",
        "approve_by_bureau",
    )
    assert body["details"]["changes"] == {"name": "王新名"}
    assert body["details"]["previous"] == {"name": student.name}


def test_a_key_information_change_with_a_wrong_id_names_the_changed_field(api_for, registrar, student):
    response = start_multipart(api_for(registrar), kind="key_info_change", student=student.pk,
                               changes={"id_number": "330825201801010000"}, reason="更正", evidence_certificate=pdf())
    assert response.status_code == 400
    assert list(errors(response)) == ["changes.id_number"]


def test_poverty_is_identified_and_a_needless_cancel_is_a_conflict(api_for, registrar, student, class_a):
    started(
        start(api_for(registrar), kind="poverty", student=student.pk, action="identify", note="低保家庭"),
        "poverty",
        "approve_by_bureau",
    )
    other = StudentFactory(school_class=class_a)
    response = start(api_for(registrar), kind="poverty", student=other.pk, action="cancel", note="x")
    assert response.status_code == 409
    assert response.json()["detail"] == "该生不是贫困生，无需取消。"


def test_a_whole_class_moves_to_another_school(api_for, registrar, student, class_a, school_b):
    body = started(
        start(api_for(registrar), kind="whole_class_transfer", class_code=class_a.code, to_school=school_b.identifier, reason="撤并"),
        "whole_class_transfer",
        "confirm_by_receiving_school",
    )
    assert body["details"]["class_code"] == class_a.code


def test_another_schools_class_cannot_be_moved(api_for, receiving_registrar, class_a, student, school_c):
    response = start(api_for(receiving_registrar), kind="whole_class_transfer", class_code=class_a.code,
                     to_school=school_c.identifier, reason="撤并")
    assert response.status_code == 400
    assert list(errors(response)) == ["class_code"]


@pytest.mark.parametrize("kind", ["enrolment", "", None])
def test_unknown_or_missing_kinds_are_refused(api_for, registrar, kind):
    response = start(api_for(registrar), kind=kind, class_code="130330000101")
    assert response.status_code == 400
    assert list(errors(response)) == ["kind"]


def test_a_body_that_is_not_an_object_is_refused(api_for, registrar):
    response = api_for(registrar).post("/api/v1/requests/", [1, 2], format="json")
    assert response.status_code == 400
    errors(response)


# --- Reading, withdrawing, evidence ------------------------------------------------------------------


@pytest.fixture
def open_transfer(student, receiving_registrar, class_b):
    return start_transfer(student, receiving_registrar, to_class=class_b)


def test_both_schools_and_the_bureau_read_the_request_others_do_not(
    api_for, open_transfer, registrar, receiving_registrar, bureau_officer, other_county_registrar, other_bureau_officer
):
    for user in (registrar, receiving_registrar, bureau_officer):
        response = api_for(user).get(f"/api/v1/requests/{open_transfer.pk}/")
        assert response.status_code == 200
        assert response.json()["started_by"] == receiving_registrar.username
        assert [s["name"] for s in response.json()["steps"]] == ["approve_by_receiving_bureau"]
    for user in (other_county_registrar, other_bureau_officer):
        assert api_for(user).get(f"/api/v1/requests/{open_transfer.pk}/").status_code == 404
        assert api_for(user).get("/api/v1/requests/").json()["count"] == 0


def test_the_request_list_filters_by_state_and_kind(api_for, registrar, open_transfer, class_a):
    client = api_for(registrar)
    assert [r["id"] for r in client.get("/api/v1/requests/", {"state": "open"}).json()["results"]] == [open_transfer.pk]
    assert client.get("/api/v1/requests/", {"kind": "poverty"}).json()["count"] == 0
    assert client.get("/api/v1/requests/", {"state": "sleeping"}).status_code == 400


def test_the_starter_withdraws_and_nothing_changes(api_for, receiving_registrar, registrar, open_transfer, student, class_a):
    assert api_for(registrar).post(f"/api/v1/requests/{open_transfer.pk}/withdraw/").status_code == 403

    response = api_for(receiving_registrar).post(f"/api/v1/requests/{open_transfer.pk}/withdraw/", {"comment": "家长放弃"}, format="json")

    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    assert student.open_placement.school_class == class_a
    again = api_for(receiving_registrar).post(f"/api/v1/requests/{open_transfer.pk}/withdraw/")
    assert again.status_code == 409


def test_evidence_is_added_to_an_open_request_and_read_back(api_for, registrar, bureau_officer, open_transfer, other_county_registrar):
    response = api_for(registrar).post(
        f"/api/v1/requests/{open_transfer.pk}/evidence/", {"kind": "residence", "file": pdf("居住证.pdf")}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["filename"]) == ("residence", "居住证.pdf")
    download = api_for(bureau_officer).get(response.json()["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 scanned document"
    assert api_for(other_county_registrar).get(response.json()["url"]).status_code == 404
    assert api_for(other_county_registrar).post(
        f"/api/v1/requests/{open_transfer.pk}/evidence/", {"kind": "residence", "file": pdf()}, format="multipart"
    ).status_code == 404


def test_evidence_is_refused_from_an_officer_of_a_wrong_type_or_after_the_end(
    api_for, registrar, receiving_registrar, bureau_officer, open_transfer
):
    url = f"/api/v1/requests/{open_transfer.pk}/evidence/"
    assert api_for(bureau_officer).post(url, {"kind": "residence", "file": pdf()}, format="multipart").status_code == 403
    wrong = api_for(registrar).post(url, {"kind": "residence", "file": pdf("a.docx")}, format="multipart")
    assert wrong.status_code == 400
    assert list(errors(wrong)) == ["file"]
    api_for(receiving_registrar).post(f"/api/v1/requests/{open_transfer.pk}/withdraw/")
    closed = api_for(registrar).post(url, {"kind": "residence", "file": pdf()}, format="multipart")
    assert closed.status_code == 409
    # None of the refused uploads was kept; only the parent's documents of the start are there.
    assert not Evidence.objects.filter(kind="residence").exists()


def test_errors_come_in_english_when_asked(api_for, registrar, receiving_registrar, student, class_b, class_a):
    start_transfer(student, receiving_registrar, to_class=class_b)
    english = api_for(registrar, language="en")

    busy = start(english, kind="poverty", student=student.pk, action="identify", note="低保家庭")
    assert busy.status_code == 409
    assert busy.json()["detail"].startswith(f"{student.name} already has an open request (")
    record = record_body(ethnicity="99")
    wrong = start(english, kind="registration", class_code=class_a.code, **record)
    assert errors(wrong) == {"ethnicity": ["Code “99” is not in the Ethnicity code table."]}
    unknown = english.get("/api/v1/students/999999/")
    assert unknown.json() == {"detail": "No Student matches the given query.", "errors": {}}


def test_the_request_list_makes_no_query_per_row(api_for, bureau_officer, receiving_registrar, class_a, class_b):
    for _ in range(5):
        start_transfer(StudentFactory(school_class=class_a), receiving_registrar, to_class=class_b)
    client = api_for(bureau_officer)
    # The token's first call records when it was used (once every few minutes), not per row.
    client.get("/api/v1/me/")
    counts = []
    for size in (1, 5):
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/api/v1/requests/", {"page_size": size, "ordering": "-started_at"}).json()
        assert (page["count"], len(page["results"])) == (5, size)
        counts.append(len(queries))
    assert counts[0] == counts[1]
