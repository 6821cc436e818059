"""The request log (issue 14): an expected refusal (403) is one line naming the user and the path,
not a traceback; a server error keeps its traceback."""

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client

from config.request_log import ForbiddenOnOneLine

from tests.factories import UserFactory


def request_log(caplog):
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_refused_page_is_one_line_with_user_and_path(client_for, class_teacher, class_a, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")

    response = client_for(class_teacher).post(f"/classes/{class_a.pk}/rename/", {"name": "新名字"})

    assert response.status_code == 403
    [record] = request_log(caplog)
    assert record.exc_info is None and record.exc_text is None
    line = record.getMessage()
    assert line == f"Forbidden POST /classes/{class_a.pk}/rename/ user=teacher_a: 只有本校学籍管理员可以办理。"
    assert "Traceback" not in caplog.text


def test_a_refusal_of_the_api_is_one_line_with_user_and_path(school_a, caplog):
    newcomer = UserFactory(username="newcomer", school=school_a, must_change_password=True)
    session = Client()
    session.force_login(newcomer, backend="django.contrib.auth.backends.ModelBackend")
    caplog.set_level(logging.WARNING, logger="django.request")

    assert session.get("/api/v1/students/?page=1").status_code == 403

    [record] = request_log(caplog)
    assert record.getMessage() == "Forbidden GET /api/v1/students/?page=1 user=newcomer"
    assert record.exc_info is None


@pytest.mark.urls("tests.records.request_log_urls")
def test_a_server_error_keeps_its_traceback(client_for, registrar, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    client = client_for(registrar)
    client.raise_request_exception = False

    assert client.get("/broken/").status_code == 500

    [record] = request_log(caplog)
    assert record.levelname == "ERROR"
    assert record.exc_info and record.exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text and "the page is broken" in caplog.text


def test_a_refusal_keeps_its_reason_when_logging_was_configured_twice(rf):
    """A worker or a test that configures logging again attaches the filter a second time: the line
    still says why."""
    request = rf.post("/classes/1/rename/")
    request.user = AnonymousUser()
    refusal = PermissionDenied("只有本校学籍管理员可以办理。")
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden (Permission denied): %s",
                               ("/classes/1/rename/",), (PermissionDenied, refusal, None))
    record.status_code, record.request = 403, request

    for _twice in range(2):
        assert ForbiddenOnOneLine().filter(record)

    assert record.getMessage() == "Forbidden POST /classes/1/rename/ user=anonymous: 只有本校学籍管理员可以办理。"
    assert record.exc_info is None
