"""A web request's statements are cancelled after XUEJI_STATEMENT_TIMEOUT seconds on PostgreSQL:
the user gets a clear page (the API a JSON 503), not a request that hangs; nothing is saved; and
the limit stays with the web server's process (config/wsgi.py), not a Celery worker's, not a
management command's. It costs no statement per request: the connections start with it."""

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
from django.db import connection, connections
from django.test import Client

from config.web_process import limit_statements, statement_timeout_options
from records.models import Rollover
from tests.notifications.test_celery_worker import database_url


@contextlib.contextmanager
def bureau_locked(bureau):
    """Another session holds the bureau's row, as a long confirmation elsewhere would."""
    with psycopg.connect(database_url()) as other:
        other.execute("SELECT id FROM records_bureau WHERE id = %s FOR UPDATE", [bureau.pk])
        yield
        other.rollback()


@contextlib.contextmanager
def students_locked():
    """Another session holds the students' table, as a long bulk write would."""
    with psycopg.connect(database_url()) as other:
        other.execute("LOCK TABLE records_student IN ACCESS EXCLUSIVE MODE")
        yield
        other.rollback()


@pytest.fixture
def web_process(settings):
    """This process opens its connections as the web server's does (config/wsgi.py), with the
    limit of `seconds`: what the test client's requests run is limited. Undone after the test."""
    saved = {alias: dict(connections.settings[alias].get("OPTIONS", {})) for alias in connections}

    def start(seconds: float) -> None:
        settings.XUEJI_STATEMENT_TIMEOUT = seconds
        limit_statements()

    yield start
    for alias, options in saved.items():
        connections.settings[alias]["OPTIONS"] = options
    connections.close_all()


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.django_db(transaction=True)
def test_a_request_stuck_past_the_limit_gets_a_clear_page_and_saves_nothing(class_a, bureau_officer, longyou_bureau, web_process):
    web_process(0.5)
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
def test_the_api_answers_in_english_under_english(class_a, bureau_officer, longyou_bureau, web_process):
    web_process(0.3)
    client = logged_in(bureau_officer)
    with bureau_locked(longyou_bureau):
        api = client.post(
            "/api/v1/rollovers/", {"school_year": 2025}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert api.status_code == 503 and "timed out" in api.json()["detail"]


# The web server's own process: config/wsgi.py loaded as a WSGI server loads it, with a
# connection kept between requests (CONN_MAX_AGE), and a GET as a browser sends it.
WEB_SERVER = """
import sys, wsgiref.util
import config.wsgi
from django.db import connection

environ = {}
wsgiref.util.setup_testing_defaults(environ)
environ.update(PATH_INFO="/students/", HTTP_HOST="testserver", HTTP_COOKIE="sessionid=" + sys.argv[1])
answer = []
body = config.wsgi.application(environ, lambda status, headers, exc_info=None: answer.append(status))
text = b"".join(body).decode()
body.close()  # the end of the request, as the server signals it
cursor = connection.cursor()
cursor.execute("SHOW statement_timeout")
print(answer[0].split()[0], "查询超时" in text, cursor.fetchone()[0])
"""


@pytest.mark.django_db(transaction=True)
def test_the_web_servers_connections_start_with_the_limit_and_keep_it(registrar):
    session = logged_in(registrar).cookies[settings.SESSION_COOKIE_NAME].value
    env = {
        **os.environ, "DATABASE_URL": database_url() + "?conn_max_age=600", "XUEJI_STATEMENT_TIMEOUT": "0.3",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    with students_locked():
        result = subprocess.run(
            [sys.executable, "-c", WEB_SERVER, session],
            cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120,
        )
    assert result.returncode == 0, result.stderr
    status, told, limit = result.stdout.split()
    # The student list waited on the lock for the limit, and said so; the connection, kept open
    # after the request, still has the limit for the next one.
    assert (status, told, limit) == ("503", "True", "300ms")


@pytest.mark.django_db(transaction=True)
def test_the_test_client_leaves_no_limit_on_a_process_that_is_not_the_web_server(registrar, settings):
    settings.XUEJI_STATEMENT_TIMEOUT = 0.2
    assert logged_in(registrar).get("/students/").status_code == 200
    # This process is not the web server (a worker, a command): its connection has no limit.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SELECT pg_sleep(0.5)")


@pytest.mark.parametrize(
    "command",
    [
        ["manage.py", "shell", "-c", "from django.db import connection; c = connection.cursor(); c.execute('SELECT pg_sleep(0.4)'); print('slept')"],
        # What `celery -A config worker` loads before it runs a task.
        ["-c", "import django; from config.celery import app; django.setup(); from django.db import connection; "
               "c = connection.cursor(); c.execute('SELECT pg_sleep(0.4)'); print('slept')"],
    ],
    ids=["management_command", "celery_worker"],
)
@pytest.mark.django_db(transaction=True)
def test_a_management_command_and_a_celery_worker_run_without_the_limit(command):
    env = {**os.environ, "DATABASE_URL": database_url(), "XUEJI_STATEMENT_TIMEOUT": "0.1"}
    result = subprocess.run(
        [sys.executable, *command], cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "slept" in result.stdout


def test_the_limit_joins_the_connections_own_options():
    assert statement_timeout_options("", 30000) == "-c statement_timeout=30000"
    assert statement_timeout_options("-c search_path=xueji", 500) == "-c search_path=xueji -c statement_timeout=500"
    # Loading the site twice gives one limit, the last.
    assert statement_timeout_options("-c statement_timeout=30000 -c search_path=xueji", 500) == (
        "-c search_path=xueji -c statement_timeout=500"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_timeout_page_in_the_browser(class_a, bureau_officer, longyou_bureau, web_process, browser_for, live_server, screenshot):
    web_process(0.5)
    page = browser_for("officer_longyou")
    page.goto(f"{live_server.url}/rollover/?school_year=2025")
    with bureau_locked(longyou_bureau):
        page.click("text=确认升级")
        page.wait_for_selector("text=查询超时")
    screenshot(page, "query_timeout.png")
    assert "超过 0.5 秒" in page.content() and not Rollover.objects.exists()
