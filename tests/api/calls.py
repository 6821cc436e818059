"""What the API tests send and read back, named as a client would."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from flows.models import WorkItem
from flows.selectors import tasks_in_inbox

APPLICANT = {"name": "王建国", "relationship": "父亲", "phone": "13800000001"}
REASON = "随父母工作调动迁居"


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 scanned document", content_type="application/pdf")


def errors(response) -> dict:
    """The error body's fields, after checking its shape."""
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert body["detail"], body
    return body["errors"]


def start(client, **body):
    return client.post("/api/v1/requests/", body, format="json")


def start_multipart(client, **body):
    """A start with files: nested objects as dotted names (applicant.name), as REST framework reads them."""
    flat = {}
    for key, value in body.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{inner}": inner_value for inner, inner_value in value.items()})
        else:
            flat[key] = value
    return client.post("/api/v1/requests/", flat, format="multipart")


def task_id(user, request_id: int) -> int:
    """The id of `user`'s open step of the request, as GET /api/v1/tasks/ lists it."""
    return tasks_in_inbox(user).get(request_id=request_id).pk


def decide(client, task: int, decision: str = "approve", **fields):
    return client.post(f"/api/v1/tasks/{task}/decision/", {"decision": decision, **fields}, format="json")


def steps(request_body: dict) -> list[tuple]:
    return [(s["name"], s["actor"], s["decision"]) for s in request_body["steps"]]


def open_items(request_id: int) -> list[str]:
    return list(WorkItem.objects.filter(request_id=request_id, finished__isnull=True).values_list("step", flat=True))
