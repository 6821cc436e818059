"""The intake and the class exports on the REST API: what the pages do, with the same rules."""

from __future__ import annotations

import pytest

from flows.intake.tasks import validate_intake_import
from flows.models import Intake
from records.models import IntakeImport, Student
from records.selectors import identity_shown_to
from records.student_sheets import EXPORT_HEADERS, ROSTER_HEADERS, TEMPLATE_HEADERS
from tests.factories import StudentFactory, citizen_id
from tests.intake_files import XLSX, as_dicts, intake_file, new_pupil, read_sheet

from .calls import errors, start, task_id


def run_job(intake_import_id: int) -> None:
    """What the worker does with the queued job."""
    validate_intake_import.apply(args=(intake_import_id,), throw=True)


def upload(client, rows):
    return client.post("/api/v1/intake-imports/", {"file": intake_file(rows)}, format="multipart")


@pytest.fixture
def checked(api_for, registrar, class_a):
    """Two good rows and one bad, uploaded by the registrar and checked."""
    body = upload(api_for(registrar), [new_pupil(class_a, 0), new_pupil(class_a, 1, 出生日期="2018-02-30"), new_pupil(class_a, 2)]).json()
    run_job(body["id"])
    return IntakeImport.objects.get(pk=body["id"])


def test_a_registrar_uploads_and_follows_the_check(api_for, registrar, class_a):
    client = api_for(registrar)
    response = upload(client, [new_pupil(class_a, n) for n in range(2)])
    assert response.status_code == 202
    body = response.json()
    assert (body["state"], body["done"], body["finished"], body["school"]) == ("queued", 0, False, class_a.school.identifier)

    run_job(body["id"])
    body = client.get(f"/api/v1/intake-imports/{body['id']}/").json()
    assert (body["state"], body["done"], body["total"], body["valid_rows"], body["error_rows"]) == ("validated", 2, 2, 2, 0)
    assert body["errors"] == [] and body["error_report"] is None and body["request"] is None
    assert [item["id"] for item in client.get("/api/v1/intake-imports/").json()["results"]] == [body["id"]]


def test_the_detail_lists_each_error_by_row_and_column_and_the_report_is_a_file(api_for, registrar, checked):
    client = api_for(registrar)
    body = client.get(f"/api/v1/intake-imports/{checked.pk}/").json()
    assert body["state"] == "has_errors"
    assert body["errors"] == [{"row": 3, "column": "出生日期", "message": "“2018-02-30”不是有效日期，请按 2017-03-15 的格式填写。"}]

    report = client.get(body["error_report"])
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    (row,) = as_dicts(read_sheet(report.content))
    assert row["原行号"] == 3 and row["错误说明"] == "第3行 出生日期：“2018-02-30”不是有效日期，请按 2017-03-15 的格式填写。"


def test_the_template_is_the_schools(api_for, registrar, class_a):
    response = api_for(registrar).get("/api/v1/intake-template/")
    assert response.status_code == 200
    assert tuple(read_sheet(response.content)[0]) == TEMPLATE_HEADERS


def test_a_file_with_errors_is_not_submitted_unless_the_valid_rows_are_chosen(api_for, registrar, checked):
    client = api_for(registrar)
    refused = start(client, kind="intake", intake_import=checked.pk)
    assert refused.status_code == 400
    assert "文件有1行错误" in errors(refused)["import_valid_rows"][0]
    assert not Intake.objects.exists()

    response = start(client, kind="intake", intake_import=checked.pk, import_valid_rows=True)
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "intake" and body["state"] == "open"
    assert body["details"]["students"] == 2 and body["details"]["classes"] == [{"class_name": "三年级(1)班", "count": 2}]
    assert client.get(f"/api/v1/intake-imports/{checked.pk}/").json()["request"] == body["id"]


def test_the_whole_intake_goes_through_the_office_and_the_bureau(
    api_for, registrar, academic_office, bureau_officer, class_a, student
):
    twin = new_pupil(
        class_a, 0, 姓名=student.name, 性别=student.gender.name, 出生日期=student.birth_date,
        身份证件号=citizen_id(area_code="330825", birth_date=student.birth_date, sequence=483, male=student.gender.code == "1"),
    )
    client = api_for(registrar)
    intake_id = upload(client, [twin, new_pupil(class_a, 1)]).json()["id"]
    run_job(intake_id)
    request = start(client, kind="intake", intake_import=intake_id).json()
    (flagged,) = request["details"]["possible_duplicates"]
    assert (flagged["row"], flagged["name"], flagged["duplicate_of_school"], flagged["acknowledged"]) == (
        2, student.name, student.school.name, False,
    )

    office = api_for(academic_office)
    task = task_id(academic_office, request["id"])
    assert "acknowledged" in office.get(f"/api/v1/tasks/{task}/").json()["step_fields"]
    refused = office.post(f"/api/v1/tasks/{task}/decision/", {"decision": "approve"}, format="json")
    assert refused.status_code == 400 and "第2行有疑似重复学籍尚未核实" in errors(refused)["acknowledged"][0]
    approved = office.post(f"/api/v1/tasks/{task}/decision/", {"decision": "approve", "acknowledged": [flagged["entry"]]}, format="json")
    assert approved.status_code == 200
    assert approved.json()["details"]["possible_duplicates"][0]["acknowledged"] is True

    bureau = api_for(bureau_officer)
    done = bureau.post(f"/api/v1/tasks/{task_id(bureau_officer, request['id'])}/decision/", {"decision": "approve"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "completed"
    created = Student.objects.filter(id_number__in=[twin["身份证件号"], new_pupil(class_a, 1)["身份证件号"]])
    assert sorted(s.student_number[1:] for s in created) == sorted(s.id_number for s in created)
    assert {s.open_placement.school_class for s in created} == {class_a}


# --- Scope -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["academic_office", "class_teacher", "bureau_officer"])
def test_only_a_registrar_uploads_or_gets_the_template(api_for, request, class_a, who):
    client = api_for(request.getfixturevalue(who))
    assert upload(client, [new_pupil(class_a, 0)]).status_code == 403
    assert client.get("/api/v1/intake-template/").status_code == 403
    assert not IntakeImport.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("receiving_registrar", 404), ("other_county_registrar", 404), ("class_teacher", 404), ("other_bureau_officer", 404),
     ("bureau_officer", 200), ("academic_office", 200)],
)
def test_a_file_is_seen_by_its_school_and_its_region_only(api_for, request, checked, who, status):
    client = api_for(request.getfixturevalue(who))
    assert client.get(f"/api/v1/intake-imports/{checked.pk}/").status_code == status
    assert client.get(f"/api/v1/intake-imports/{checked.pk}/errors/").status_code == status
    listed = [item["id"] for item in client.get("/api/v1/intake-imports/").json()["results"]]
    assert listed == ([checked.pk] if status == 200 else [])


@pytest.mark.parametrize("who", ["receiving_registrar", "other_county_registrar"])
def test_another_schools_file_cannot_be_submitted(api_for, request, checked, who):
    response = start(api_for(request.getfixturevalue(who)), kind="intake", intake_import=checked.pk, import_valid_rows=True)
    assert response.status_code == 404
    assert not Intake.objects.exists()


# --- Class exports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("registrar", 200), ("class_teacher", 200), ("bureau_officer", 200), ("receiving_registrar", 404),
     ("other_county_registrar", 404), ("other_bureau_officer", 404)],
)
def test_the_class_exports_for_whoever_may_see_the_class(api_for, request, class_a, registrar, who, status):
    pupil = StudentFactory(school_class=class_a, by=registrar)
    client = api_for(request.getfixturevalue(who))
    roster = client.get(f"/api/v1/classes/{class_a.code}/roster/")
    records = client.get(f"/api/v1/classes/{class_a.code}/records/")
    assert (roster.status_code, records.status_code) == (status, status)
    if status == 200:
        assert tuple(read_sheet(roster.content)[0]) == ROSTER_HEADERS
        (row,) = as_dicts(read_sheet(records.content))
        # A teacher's export is masked as the teacher's pages are (records.selectors.privacy).
        shown = identity_shown_to(request.getfixturevalue(who))
        assert tuple(row) == EXPORT_HEADERS and row["学籍号"] == shown.student_number(pupil.student_number)
