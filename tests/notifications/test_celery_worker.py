"""A real Celery worker, started as `celery -A config worker` against the test's Redis and the
test database, delivers what the flows queue after their commit and what beat asks it to sweep."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from notifications.models import Notification
from notifications.tasks import remind_pending_tasks
from tests.flows.acting import open_step, start_transfer

from .conftest import arrived_on, told

CELERY = Path(sys.executable).with_name("celery")
BASE_DIR = Path(settings.BASE_DIR)


def database_url() -> str:
    """The test database (pytest-django's test_<name>), as the worker's settings read it."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, *, seconds: float = 30, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"waited {seconds} s in vain" + (f"; the worker said:\n{log.read_text()[-3000:]}" if log else ""))


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A worker process of its own; stopped before the test's rows are flushed."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the worker takes its tasks from Redis")
    celery_app.control.purge()  # messages earlier tests published with no worker to take them
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        # The worker's e-mail goes to its log: the test reads it there.
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    name = f"xueji-test-{uuid.uuid4().hex[:8]}@%h"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-n",
                name,
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: " ready." in log.read_text() or worker.poll() is not None, log=log)
        assert worker.poll() is None, log.read_text()
        yield log
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_new_step_and_then_the_reminder(
    transfer_windows_open, everyone, student, class_b, celery_worker
):
    log = celery_worker
    officers = ["officer_longyou", "officer_longyou_2"]

    # School B asks for the student: once committed, the flow queues "a step has arrived" for 龙游县.
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    step = open_step(everyone["officer_longyou"], transfer)

    wait_for(lambda: told(Notification.Kind.TASK_WAITING, work_item=step) == officers, log=log)
    wait_for(lambda: Notification.objects.filter(work_item=step, emailed_at__isnull=False).count() == 2, log=log)
    assert "To: officer_longyou@example.edu.cn" in log.read_text()

    # Two weeks later (as if): beat publishes the reminder sweep, the worker runs it.
    arrived_on(step, timezone.localdate() - datetime.timedelta(days=14))
    remind_pending_tasks.delay()

    wait_for(lambda: told(Notification.Kind.TASK_REMINDER, work_item=step) == officers, log=log)
    # The worker's own account: the sweep reminded the two officers.
    wait_for(
        lambda: any(
            "notifications.tasks.remind_pending_tasks[" in line and "succeeded" in line and line.endswith(": 2")
            for line in log.read_text().splitlines()
        ),
        log=log,
    )
