"""Bodies the API must refuse with its own JSON error, never a 500 or Django's HTML page: JSON
nested too deep, bodies over the size limit, free text over its cap, evidence that is not what
its name says."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from flows.models import Evidence, Request

from .calls import APPLICANT, REASON, errors, pdf, start, start_multipart

TOKEN_URL = "/api/v1/auth/token/"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- Nesting -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 200])
def test_deeply_nested_json_is_refused_before_login(api_for, depth):
    response = api_for().post(TOKEN_URL, nested(depth), content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors(response)
    assert "嵌套" in response.json()["detail"]


def test_deeply_nested_json_is_refused_in_english_too(api_for, registrar):
    body = '{"kind": "poverty", "note": ' + nested(100_000) + "}"
    response = api_for(registrar, language="en").post("/api/v1/requests/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    assert not Request.objects.exists()


def test_json_nested_as_a_body_needs_is_read(api_for):
    """The limit leaves room for the real bodies (a registration's family members are three deep)."""
    response = api_for().post(TOKEN_URL, '{"username": "nobody", "password": "x", "a": [[{"b": [1]}]]}',
                              content_type="application/json")
    assert response.status_code == 400
    assert errors(response) == {"non_field_errors": ["用户名或密码不正确。"]}


# --- Size ------------------------------------------------------------------------------------------------


@pytest.fixture
def small_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_json_body_over_the_limit_gets_the_apis_error(api_for, registrar, student, small_limit):
    response = start(api_for(registrar), kind="poverty", student=student.pk, action="identify", note="低" * small_limit)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    errors(response)
    assert "太大" in response.json()["detail"]
    assert not Request.objects.exists()


def test_a_json_body_over_the_limit_is_refused_before_login(api_for, small_limit):
    response = api_for(language="en").post(
        TOKEN_URL, {"username": "x" * small_limit, "password": "y"}, format="json"
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_a_multipart_body_over_the_limit_gets_the_apis_error(api_for, registrar, student, small_limit):
    response = start_multipart(
        api_for(registrar), kind="suspension", student=student.pk, cause="illness", reason="住" * small_limit,
        applicant=APPLICANT, evidence_diagnosis=pdf("诊断证明.pdf"),
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "太大" in response.json()["detail"]
    assert not Request.objects.exists()


def test_a_session_posted_form_over_the_limit_gets_the_apis_error(client_for, registrar, student, small_limit):
    """A browser session on the API: the CSRF check reads the body before the view does."""
    response = client_for(registrar).post(
        "/api/v1/requests/", {"kind": "poverty", "note": "低" * small_limit}, headers={"accept": "application/json"}
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"


def test_a_multipart_body_with_too_many_fields_gets_the_apis_error(api_for, registrar, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api_for(registrar).post("/api/v1/requests/", {f"field{n}": "x" for n in range(20)}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"detail": "提交的字段太多（超过10个）。", "errors": {}}


def test_files_do_not_count_towards_the_limit(api_for, registrar, student, small_limit):
    scan = SimpleUploadedFile("诊断证明.pdf", b"%PDF-1.4\n" + b"0" * (3 * small_limit), content_type="application/pdf")
    response = start_multipart(api_for(registrar), kind="suspension", student=student.pk, cause="illness",
                               reason="住院治疗", applicant=APPLICANT, evidence_diagnosis=scan)
    assert response.status_code == 201, response.content


# --- Free text over its cap --------------------------------------------------------------------------------


def test_a_two_million_character_note_is_refused_naming_the_field(api_for, registrar, student, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    response = start(api_for(registrar), kind="poverty", student=student.pk, action="identify", note="低" * 2_000_000)

    assert response.status_code == 400
    assert errors(response) == {"note": ["说明不能超过500个字（现有2000000个）。"]}
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "suspension", "cause": "other", "applicant": APPLICANT, "reason": "因" * 1001},
         "reason", "申请理由不能超过1000个字（现有1001个）。"),
        ({"kind": "grade_change", "direction": "down", "justification": "留" * 1001},
         "justification", "理由不能超过1000个字（现有1001个）。"),
        ({"kind": "transfer_out", "scope": "province", "destination": "江" * 101, "reason": REASON, "applicant": APPLICANT},
         "destination", None),
    ],
    ids=["suspension reason", "grade change justification", "transfer-out destination"],
)
def test_free_text_of_every_start_has_a_cap(api_for, registrar, student, body, field, message):
    response = start(api_for(registrar), student=student.pk, **body)

    assert response.status_code == 400
    assert field in errors(response)
    if message:
        assert errors(response)[field] == [message]
    assert not Request.objects.exists()


def test_a_long_decision_comment_is_refused_and_the_step_stays_open(api_for, registrar, bureau_officer, student):
    from .calls import decide, task_id

    started = start(api_for(registrar), kind="poverty", student=student.pk, action="identify", note="低保家庭")
    request_id = started.json()["id"]

    response = decide(api_for(bureau_officer), task_id(bureau_officer, request_id), "reject", comment="不" * 1001)

    assert response.status_code == 400
    assert errors(response) == {"comment": ["说明不能超过1000个字（现有1001个）。"]}
    assert Request.objects.get(pk=request_id).state == Request.State.OPEN


def test_a_long_withdrawal_comment_is_refused(api_for, registrar, student):
    started = start(api_for(registrar), kind="poverty", student=student.pk, action="identify", note="低保家庭")
    request_id = started.json()["id"]

    response = api_for(registrar).post(f"/api/v1/requests/{request_id}/withdraw/", {"comment": "撤" * 1001}, format="json")

    assert response.status_code == 400
    assert errors(response) == {"comment": ["说明不能超过1000个字（现有1001个）。"]}
    assert Request.objects.get(pk=request_id).state == Request.State.OPEN


def test_the_cap_is_in_english_under_english(api_for, registrar, student):
    response = start(api_for(registrar, language="en"), kind="poverty", student=student.pk, action="identify", note="x" * 501)
    assert errors(response) == {"note": ["Comment must be at most 500 characters (it has 501)."]}


# --- Evidence content -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("诊断证明.pdf", b"MZ\x90\x00 a program renamed"),
        ("诊断证明.jpg", b"<html><script>alert(1)</script></html>"),
        ("诊断证明.png", b"%PDF-1.4 a pdf named as an image"),
    ],
    ids=["program as pdf", "html as jpg", "pdf as png"],
)
def test_evidence_whose_content_is_not_what_its_name_says_is_refused(api_for, registrar, student, name, content):
    scan = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = start_multipart(api_for(registrar), kind="suspension", student=student.pk, cause="illness",
                               reason="住院治疗", applicant=APPLICANT, evidence_diagnosis=scan)

    assert response.status_code == 400
    (message,) = errors(response)["evidence_diagnosis"]
    assert name in message and "内容" in message
    assert not Request.objects.exists() and not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("诊断证明.pdf", b"%PDF-1.7\n"),
        ("诊断证明.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
        ("诊断证明.jpeg", b"\xff\xd8\xff\xe1\x00\x10Exif\x00"),
        ("诊断证明.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ],
)
def test_real_scans_are_accepted(api_for, registrar, student, name, content):
    scan = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = start_multipart(api_for(registrar), kind="suspension", student=student.pk, cause="illness",
                               reason="住院治疗", applicant=APPLICANT, evidence_diagnosis=scan)
    assert response.status_code == 201, response.content


def test_evidence_added_later_is_checked_by_its_content(api_for, registrar, student):
    started = start(api_for(registrar), kind="poverty", student=student.pk, action="identify", note="低保家庭")
    request_id = started.json()["id"]

    response = api_for(registrar).post(
        f"/api/v1/requests/{request_id}/evidence/",
        {"kind": "other", "file": SimpleUploadedFile("证明.pdf", b"GIF89a an animation")},
        format="multipart",
    )

    assert response.status_code == 400
    assert list(errors(response)) == ["file"]
    assert "证明.pdf" in errors(response)["file"][0]
    assert not Evidence.objects.exists()
