"""A worker killed with SIGKILL while it holds a task: the message goes back to the queue after the
broker's visibility timeout (XUEJI_BROKER_VISIBILITY_TIMEOUT, shortened here to a few seconds; Redis's
default is an hour) and another worker runs it. A worker holds one message at a time
(worker_prefetch_multiplier=1), so nothing else waits on the dead worker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid

import psycopg
import pytest
import redis
from django.conf import settings

from config.celery import app as celery_app
from records.models import Rollover, SchoolClass
from records.services.rollover import apply_rollover
from tests.notifications.test_celery_worker import BASE_DIR, CELERY, database_url, wait_for

VISIBILITY_TIMEOUT = 4


@contextlib.contextmanager
def worker(log, name: str):
    """`celery -A config worker` on the test's Redis and database, with the shortened timeout."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "XUEJI_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(CELERY), "-A", "config", "worker", "--pool=solo", "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h",
             "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: " ready." in log.read_text() or process.poll() is not None, log=log)
        assert process.poll() is None, log.read_text()
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def row_locked(rollover: Rollover):
    """Another session holds the rollover's row: the worker's task waits, holding its message."""
    with psycopg.connect(database_url()) as other:
        other.execute("SELECT id FROM records_rollover WHERE id = %s FOR UPDATE", [rollover.pk])
        yield other
        other.rollback()


@pytest.mark.django_db(transaction=True)
def test_a_task_held_by_a_killed_worker_is_run_by_the_next_within_the_visibility_timeout(
    class_a, class_b, school_c, longyou_bureau, wuyi_bureau, bureau_officer, other_bureau_officer, tmp_path
):
    broker = redis.Redis.from_url(settings.REDIS_URL)
    celery_app.control.purge()
    broker.delete("unacked", "unacked_index")  # what killed workers of earlier runs left
    longyou = Rollover.objects.create(school_year=2025, bureau=longyou_bureau, started_by=bureau_officer)
    wuyi = Rollover.objects.create(school_year=2025, bureau=wuyi_bureau, started_by=other_bureau_officer)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"

    with worker(first_log, "first") as first, row_locked(longyou) as lock:
        held = apply_rollover.delay(longyou.pk)
        waiting = apply_rollover.delay(wuyi.pk)
        wait_for(lambda: f"[{held.id}] received" in first_log.read_text(), log=first_log)
        time.sleep(0.5)
        # The first worker holds one message, unacknowledged; the other is still in the queue.
        assert (broker.hlen("unacked"), broker.llen("celery")) == (1, 1)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        lock.rollback()
    assert f"[{waiting.id}] received" not in first_log.read_text()
    assert Rollover.objects.get(pk=longyou.pk).state == Rollover.State.QUEUED

    with worker(second_log, "second"):
        # The queued message at once; the dead worker's once its visibility timeout has passed.
        wait_for(lambda: Rollover.objects.get(pk=wuyi.pk).state == Rollover.State.APPLIED, seconds=20, log=second_log)
        wait_for(
            lambda: Rollover.objects.get(pk=longyou.pk).state == Rollover.State.APPLIED,
            seconds=VISIBILITY_TIMEOUT + 20, log=second_log,
        )
        redelivered_after = time.monotonic() - killed_at
        wait_for(lambda: f"[{held.id}] succeeded" in second_log.read_text(), log=second_log)

    assert redelivered_after < VISIBILITY_TIMEOUT + 20
    assert SchoolClass.objects.get(pk=class_a.pk).grade == class_a.grade + 1
    assert SchoolClass.objects.get(pk=class_b.pk).grade == class_b.grade + 1
    assert broker.hlen("unacked") == 0
