"""A whole transfer driven only through the API, by three people with their own tokens:
the receiving registrar starts, the bureau officer approves, the sending registrar confirms."""

import pytest
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD

from .calls import APPLICANT, REASON, pdf, start_multipart

pytestmark = pytest.mark.usefixtures("transfer_windows_open")


def logged_in(user) -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_receiving_registrar_bureau_and_sending_registrar_move_a_student_through_the_api(
    student, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    receiving, officer, sending = logged_in(receiving_registrar), logged_in(bureau_officer), logged_in(registrar)

    # The parent gives the student number and name at the receiving school.
    found = receiving.post(
        "/api/v1/students/lookup/", {"student_number": student.student_number, "name": student.name}, format="json"
    )
    assert found.status_code == 200
    assert found.json()["class_code"] == class_a.code
    # With the household register and the acceptance the parent brought, scanned.
    started = start_multipart(
        receiving, kind="transfer", student=found.json()["id"], student_number=student.student_number,
        name=student.name, to_class=class_b.code, reason=REASON, applicant=APPLICANT,
        evidence_household_register=pdf("户口簿.pdf"), evidence_acceptance=pdf("接收证明.pdf"),
    )
    assert started.status_code == 201, started.content
    request_id = started.json()["id"]
    assert started.json()["state"] == "open"

    queue = officer.get("/api/v1/tasks/").json()
    assert [(t["request"], t["step"], t["org"]) for t in queue["results"]] == [
        (request_id, "approve_by_receiving_bureau", class_b.school.bureau.code)
    ]
    assert sending.get("/api/v1/tasks/").json()["count"] == 0
    approved = officer.post(
        f"/api/v1/tasks/{queue['results'][0]['id']}/decision/", {"decision": "approve", "comment": "同意"}, format="json"
    )
    assert approved.status_code == 200, approved.content

    inbox = sending.get("/api/v1/tasks/").json()["results"]
    assert [(t["request"], t["step"], t["student"]) for t in inbox] == [
        (request_id, "confirm_release_by_sending_school", student.pk)
    ]
    confirmed = sending.post(f"/api/v1/tasks/{inbox[0]['id']}/decision/", {"decision": "approve"}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["state"] == "completed"
    assert [(s["name"], s["actor"], s["decision"]) for s in confirmed.json()["steps"]] == [
        ("approve_by_receiving_bureau", bureau_officer.username, "approve"),
        ("confirm_release_by_sending_school", registrar.username, "approve"),
    ]

    record = receiving.get(f"/api/v1/students/{student.pk}/")
    assert record.status_code == 200
    assert (record.json()["school"], record.json()["class_code"], record.json()["status"]) == (
        class_b.school.identifier, class_b.code, "enrolled"
    )
    assert record.json()["student_number"] == student.student_number
    # The sending school no longer holds the record.
    assert sending.get(f"/api/v1/students/{student.pk}/").status_code == 404
