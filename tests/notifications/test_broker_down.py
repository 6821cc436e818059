"""Redis unreachable while officers and registrars approve: the approvals commit, the pages answer
as usual, and once the broker is back the next sweep tells everyone what the broker never carried."""

from __future__ import annotations

import contextlib
import io
import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from config.celery import app as celery_app
from flows.models import Request, WorkItem
from notifications.models import Notification
from tests.flows.acting import open_step, start_transfer, where

from .conftest import mailed, told, unused_port


def broker_at(url: str) -> None:
    celery_app.conf.broker_url = url
    # Celery keeps its broker connections and producers for the life of the process; forget them,
    # as a forked worker process does, so that the next publish connects to `url`.
    celery_app._after_fork()


@contextlib.contextmanager
def broker_unreachable():
    """The Celery app's broker at a port nobody listens on, then back at the test's Redis."""
    working = celery_app.conf.broker_url
    broker_at(f"redis://127.0.0.1:{unused_port()}/0")
    try:
        yield
    finally:
        broker_at(working)


def approve_on_the_page(client, step: WorkItem):
    return client.post(reverse("task", args=[step.pk]), {"decision": WorkItem.Decision.APPROVE, "comment": "同意"})


def broker_failures(caplog) -> int:
    return sum("Broker unreachable" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_approvals_commit_while_the_broker_is_down_and_the_next_sweep_delivers(
    transfer_windows_open, everyone, student, class_b, client_for, caplog, mailoutbox
):
    registrar, receiving, officer = everyone["registrar_a"], everyone["registrar_b"], everyone["officer_longyou"]
    caplog.set_level(logging.WARNING, logger="notifications.services")

    with broker_unreachable():
        transfer = start_transfer(student, receiving, to_class=class_b)
        # 龙游县 approves on the task page: school A's release step is created; its publish fails.
        response = approve_on_the_page(client_for(officer), open_step(officer, transfer))

    assert (response.status_code, response["Location"]) == (302, reverse("inbox"))
    assert WorkItem.objects.get(request=transfer, step="approve_by_receiving_bureau").decision == "approve"
    release = open_step(registrar, transfer)
    assert broker_failures(caplog) == 2  # the bureau's step, then the school's
    assert told(Notification.Kind.TASK_WAITING, work_item=release) == []

    # The broker is back; beat's next sweep finds the step nobody was told about.
    call_command("xueji_sweep", "missed", stdout=io.StringIO())

    assert told(Notification.Kind.TASK_WAITING, work_item=release) == ["registrar_a", "registrar_a2"]
    assert "registrar_a@example.edu.cn" in mailed(mailoutbox)

    # Down again while school A confirms the release, the last step: the student moves all the same.
    caplog.clear()
    with broker_unreachable():
        response = approve_on_the_page(client_for(registrar), release)

    assert (response.status_code, response["Location"]) == (302, reverse("inbox"))
    transfer.refresh_from_db()
    assert transfer.state == Request.State.COMPLETED
    assert where(student) == (class_b.school, class_b, student.Status.ENROLLED)
    assert broker_failures(caplog) == 1
    assert told(Notification.Kind.REQUEST_COMPLETED, request=transfer) == []

    call_command("xueji_sweep", "missed", stdout=io.StringIO())
    call_command("xueji_sweep", "missed", stdout=io.StringIO())

    # The starter, school B's registrar, hears that the transfer is done; once.
    assert told(Notification.Kind.REQUEST_COMPLETED, request=transfer) == ["registrar_b"]
    assert mailed(mailoutbox, "申请已办结") == ["registrar_b@example.edu.cn"]
