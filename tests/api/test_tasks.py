"""GET /api/v1/tasks/, GET /api/v1/tasks/{id}/ and POST /api/v1/tasks/{id}/decision/.

A decision carries the step's own fields (the receiving class by code, the duplicate check, a
new class's name), checked by the step's form as on the task page.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flows.models import Request, WorkItem
from records.models import SchoolClass
from tests.factories import StudentFactory
from tests.flows.acting import decide as decide_by_service
from tests.flows.acting import start_transfer

from .calls import decide, errors, steps, task_id
from .test_requests import record_body

pytestmark = pytest.mark.usefixtures("transfer_windows_open")


@pytest.fixture
def open_transfer(student, receiving_registrar, class_b):
    """Started by the receiving school: the bureau approves first."""
    return start_transfer(student, receiving_registrar, to_class=class_b)


@pytest.fixture
def sending_transfer(student, registrar, school_b):
    """Started by the sending school: the receiving school confirms and picks the class first."""
    return start_transfer(student, registrar, to_school=school_b)


def test_an_officer_sees_the_step_in_the_queue_with_what_the_contract_names(api_for, bureau_officer, open_transfer, student, today):
    response = api_for(bureau_officer).get("/api/v1/tasks/")

    assert response.status_code == 200
    (task,) = response.json()["results"]
    assert {key: task[key] for key in ("request", "kind", "step", "student", "student_name", "org", "overdue")} == {
        "request": open_transfer.pk,
        "kind": "transfer",
        "step": "approve_by_receiving_bureau",
        "student": student.pk,
        "student_name": student.name,
        "org": "330825",
        "overdue": False,
    }
    assert task["due"] > today.isoformat()


def test_nobody_else_sees_the_step(api_for, open_transfer, registrar, receiving_registrar, other_bureau_officer, third_county_officer):
    for user in (registrar, receiving_registrar, other_bureau_officer, third_county_officer):
        assert api_for(user).get("/api/v1/tasks/").json()["count"] == 0


def test_the_task_list_filters_and_makes_no_query_per_row(api_for, bureau_officer, class_a, receiving_registrar, class_b):
    for _ in range(5):
        start_transfer(StudentFactory(school_class=class_a), receiving_registrar, to_class=class_b)
    client = api_for(bureau_officer)
    # The token's first call records when it was used (once every few minutes), not per row.
    client.get("/api/v1/me/")
    counts = []
    for size in (1, 5):
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/api/v1/tasks/", {"page_size": size}).json()
        assert (page["count"], len(page["results"])) == (5, size)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert client.get("/api/v1/tasks/", {"kind": "poverty"}).json()["count"] == 0
    assert client.get("/api/v1/tasks/", {"overdue": "true"}).json()["count"] == 0


def test_the_task_detail_says_which_decisions_and_fields_the_step_takes(api_for, receiving_registrar, sending_transfer, registrar):
    task = task_id(receiving_registrar, sending_transfer.pk)
    body = api_for(receiving_registrar).get(f"/api/v1/tasks/{task}/").json()
    assert (body["can_act"], body["decisions"], body["step_fields"]) == (True, ["approve", "reject"], ["to_class"])
    # The sending school sees its request's step, but cannot act on it.
    assert api_for(registrar).get(f"/api/v1/tasks/{task}/").json()["can_act"] is False


def test_approve_moves_the_flow_on(api_for, bureau_officer, registrar, open_transfer):
    response = decide(api_for(bureau_officer), task_id(bureau_officer, open_transfer.pk), comment="同意转入")

    assert response.status_code == 200
    assert steps(response.json()) == [
        ("approve_by_receiving_bureau", bureau_officer.username, "approve"),
        ("confirm_release_by_sending_school", None, ""),
    ]
    assert api_for(registrar).get("/api/v1/tasks/").json()["count"] == 1


def test_a_rejection_needs_a_comment_and_then_closes_the_request(api_for, bureau_officer, open_transfer, student, class_a):
    client = api_for(bureau_officer)
    task = task_id(bureau_officer, open_transfer.pk)

    bare = decide(client, task, "reject")
    assert bare.status_code == 400
    assert errors(bare) == {"comment": ["不同意时请填写理由。"]}

    rejected = decide(client, task, "reject", comment="材料不全")
    assert rejected.status_code == 200
    assert (rejected.json()["state"], rejected.json()["close_comment"]) == ("rejected", "材料不全")
    assert student.open_placement.school_class == class_a


def test_a_step_already_decided_is_a_conflict(api_for, bureau_officer, second_bureau_officer, open_transfer):
    task = task_id(bureau_officer, open_transfer.pk)
    assert decide(api_for(bureau_officer), task).status_code == 200

    again = decide(api_for(second_bureau_officer), task)

    assert again.status_code == 409
    assert "吴科长" in again.json()["detail"]


def test_who_sees_the_step_but_may_not_act_gets_403_who_does_not_see_it_404(
    api_for, open_transfer, registrar, other_bureau_officer, third_county_officer
):
    task = task_id_of(open_transfer)
    refused = decide(api_for(registrar), task)
    assert refused.status_code == 403
    assert errors(refused) == {}
    for user in (other_bureau_officer, third_county_officer):
        hidden = decide(api_for(user), task)
        assert hidden.status_code == 404
        assert open_transfer.student.name not in hidden.content.decode()
        assert api_for(user).get(f"/api/v1/tasks/{task}/").status_code == 404
    assert WorkItem.objects.get(pk=task).finished is None


def task_id_of(request) -> int:
    return WorkItem.objects.get(request=request, finished__isnull=True).pk


def test_the_receiving_school_confirms_with_a_class_code(api_for, receiving_registrar, sending_transfer, class_b):
    client = api_for(receiving_registrar)
    task = task_id(receiving_registrar, sending_transfer.pk)

    missing = decide(client, task)
    assert missing.status_code == 400
    assert errors(missing) == {"to_class": ["同意接收时请选择转入班级。"]}
    elsewhere = decide(client, task, to_class=sending_transfer.from_class.code)
    assert elsewhere.status_code == 400
    assert list(errors(elsewhere)) == ["to_class"]

    confirmed = decide(client, task, to_class=class_b.code)
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["details"]["to_class"] == class_b.code


def test_the_whole_class_is_received_into_a_new_class(
    api_for, registrar, receiving_registrar, bureau_officer, student, class_a, school_b
):
    started = api_for(registrar).post(
        "/api/v1/requests/",
        {"kind": "whole_class_transfer", "class_code": class_a.code, "to_school": school_b.identifier, "reason": "撤并"},
        format="json",
    )
    request_id = started.json()["id"]
    receiving = api_for(receiving_registrar)
    both = decide(receiving, task_id(receiving_registrar, request_id), to_class="", new_class_name="三(9)班")
    assert both.status_code == 200, both.content
    done = decide(api_for(bureau_officer), task_id(bureau_officer, request_id))
    assert done.json()["state"] == "completed"
    moved = api_for(receiving_registrar).get(f"/api/v1/students/{student.pk}/").json()
    assert moved["class_name"] == "三(9)班"
    assert SchoolClass.objects.get(pk=class_a.pk).state == SchoolClass.State.DISSOLVED


def test_a_registration_is_verified_sent_back_corrected_and_approved(
    api_for, registrar, academic_office, bureau_officer, class_a, class_a2
):
    started = api_for(registrar).post(
        "/api/v1/requests/", {"kind": "registration", "class_code": class_a.code, **record_body()}, format="json"
    )
    request_id = started.json()["id"]
    office = api_for(academic_office)

    sent_back = decide(office, task_id(academic_office, request_id), "return", comment="出生日期有误")
    assert sent_back.status_code == 200
    correction = task_id(registrar, request_id)
    assert api_for(registrar).get(f"/api/v1/tasks/{correction}/").json()["step_fields"][:2] == ["name", "former_names"]
    # Only the one who entered it corrects it.
    assert decide(api_for(academic_office), correction).status_code == 403
    incomplete = decide(api_for(registrar), correction, class_code=class_a2.code)
    assert incomplete.status_code == 400
    assert "name" in errors(incomplete)

    resubmitted = decide(api_for(registrar), correction, class_code=class_a2.code, **record_body(name="林小语"))
    assert resubmitted.status_code == 200, resubmitted.content
    assert resubmitted.json()["details"]["class_code"] == class_a2.code
    decide(office, task_id(academic_office, request_id))
    created = decide(api_for(bureau_officer), task_id(bureau_officer, request_id)).json()

    assert created["state"] == "completed"
    record = api_for(registrar).get(f"/api/v1/students/{created['student']}/").json()
    assert (record["name"], record["class_code"], record["student_number"][0]) == ("林小语", class_a2.code, "G")


def test_a_possible_duplicate_must_be_acknowledged(api_for, registrar, academic_office, class_a, student):
    twin = record_body(name=student.name, birth_date=student.birth_date, sequence=400)
    twin["gender"] = student.gender.code
    twin["id_number"] = twin["id_number"][:16] + ("1" if student.gender.code == "1" else "2") + "0"
    from records.id_numbers import check_character

    twin["id_number"] = twin["id_number"][:17] + check_character(twin["id_number"][:17])
    request_id = api_for(registrar).post(
        "/api/v1/requests/", {"kind": "registration", "class_code": class_a.code, **twin}, format="json"
    ).json()["id"]
    task = task_id(academic_office, request_id)
    office = api_for(academic_office)
    assert office.get(f"/api/v1/tasks/{task}/").json()["step_fields"] == ["acknowledge_duplicate"]

    unchecked = decide(office, task)
    assert unchecked.status_code == 400
    assert list(errors(unchecked)) == ["acknowledge_duplicate"]
    assert decide(office, task, acknowledge_duplicate=True).status_code == 200
    assert Request.objects.get(pk=request_id).coerced.duplicate_acknowledged is True


def test_a_decision_the_state_machine_forbids_at_the_last_approval_is_a_conflict(api_for, bureau_officer, registrar, class_a):
    away = StudentFactory(school_class=class_a)
    request_id = api_for(registrar).post(
        "/api/v1/requests/", {"kind": "dropout", "student": away.pk, "reason": "1", "remark": "退学"}, format="json"
    ).json()["id"]
    from records import services

    # Meanwhile the student died (recorded outside this request).
    services.student_decease(student=away, by=registrar)

    response = decide(api_for(bureau_officer), task_id(bureau_officer, request_id))

    assert response.status_code == 409
    assert "死亡" in response.json()["detail"]
    assert Request.objects.get(pk=request_id).state == Request.State.OPEN


def test_an_unknown_decision_is_invalid(api_for, bureau_officer, open_transfer):
    response = decide(api_for(bureau_officer), task_id(bureau_officer, open_transfer.pk), "maybe")
    assert response.status_code == 400
    assert list(errors(response)) == ["decision"]
    # Sending back is only for a step that can send back.
    back = decide(api_for(bureau_officer), task_id(bureau_officer, open_transfer.pk), "return", comment="x")
    assert back.status_code == 400


def test_the_service_decide_and_the_api_agree_on_the_inbox(api_for, bureau_officer, registrar, open_transfer):
    decide_by_service(bureau_officer, open_transfer)
    assert [t["step"] for t in api_for(registrar).get("/api/v1/tasks/").json()["results"]] == [
        "confirm_release_by_sending_school"
    ]
