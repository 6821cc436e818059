"""A web request's statements are cancelled after XUEJI_STATEMENT_TIMEOUT seconds on PostgreSQL:
the user gets a clear page (the API a JSON 503), not a request that hangs; nothing is saved; and
the limit stays with web requests (not the process's other work, not management commands)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from records.models import Rollover
from tests.notifications.test_celery_worker import database_url


@contextlib.contextmanager
def bureau_locked(bureau):
    """Another session holds the bureau's row, as a long confirmation elsewhere would."""
    with psycopg.connect(database_url()) as other:
        other.execute("SELECT id FROM records_bureau WHERE id = %s FOR UPDATE", [bureau.pk])
        yield
        other.rollback()


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.django_db(transaction=True)
def test_a_request_stuck_past_the_limit_gets_a_clear_page_and_saves_nothing(class_a, bureau_officer, longyou_bureau, settings):
    settings.XUEJI_STATEMENT_TIMEOUT = 0.5
    client = logged_in(bureau_officer)
    with bureau_locked(longyou_bureau):
        started = time.monotonic()
        page = client.post("/rollover/", {"school_year": 2025})
        took = time.monotonic() - started
        api = client.post("/api/v1/rollovers/", {"school_year": 2025}, content_type="application/json")

    assert page.status_code == 503 and took < 5
    text = page.content.decode()
    assert "查询超时" in text and "超过 0.5 秒" in text and "未完成的修改不会保存" in text
    assert api.status_code == 503
    assert "查询超时" in api.json()["detail"] and api.json()["errors"] == {}
    assert not Rollover.objects.exists()

    # The lock is gone: the same confirmation goes through, under the same limit.
    assert client.post("/rollover/", {"school_year": 2025}).status_code == 302
    assert Rollover.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_in_english_under_english(class_a, bureau_officer, longyou_bureau, settings):
    settings.XUEJI_STATEMENT_TIMEOUT = 0.3
    client = logged_in(bureau_officer)
    with bureau_locked(longyou_bureau):
        api = client.post(
            "/api/v1/rollovers/", {"school_year": 2025}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert api.status_code == 503 and "timed out" in api.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_the_limit_ends_with_the_request(registrar, settings):
    settings.XUEJI_STATEMENT_TIMEOUT = 0.2
    assert logged_in(registrar).get("/students/").status_code == 200
    # The same connection, outside a request (a task run in the process, a command): no limit.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SELECT pg_sleep(0.5)")


@pytest.mark.django_db(transaction=True)
def test_a_management_command_runs_without_the_limit():
    env = {**os.environ, "DATABASE_URL": database_url(), "XUEJI_STATEMENT_TIMEOUT": "0.1"}
    script = "from django.db import connection; c = connection.cursor(); c.execute('SELECT pg_sleep(0.4)'); print('slept')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "slept" in result.stdout


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_timeout_page_in_the_browser(class_a, bureau_officer, longyou_bureau, settings, browser_for, live_server, screenshot):
    settings.XUEJI_STATEMENT_TIMEOUT = 0.5
    page = browser_for("officer_longyou")
    page.goto(f"{live_server.url}/rollover/?school_year=2025")
    with bureau_locked(longyou_bureau):
        page.click("text=确认升级")
        page.wait_for_selector("text=查询超时")
    screenshot(page, "query_timeout.png")
    assert "超过 0.5 秒" in page.content() and not Rollover.objects.exists()
