"""Celery tasks: the events the flows queue after their commit, and the sweeps beat runs.

The flows call two hooks, `notify_task_waiting` and `notify_request_closed`, inside their
transaction: each queues a task once the transaction commits. A third, `notify_tasks_finished`,
marks the steps' waiting notifications read in that same transaction (one UPDATE, no broker). If the broker cannot take it, the
web request still succeeds, and the next sweep finds the step or request that nobody was told
about (notifications.sweeps.deliver_missed) and tells them.

The tasks take ids, load what they need and call notifications.services or notifications.sweeps.
All are idempotent (the database keeps one notification per person and event), so they are
acknowledged late: a worker lost half-way leaves the message for another worker. No task
stores a result, and publishing one needs nothing but the broker.
"""

from __future__ import annotations

import functools
import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError

from flows.models import Request, WorkItem
from records.models import RegistrarChange

from . import services, sweeps, term_reminders

logger = logging.getLogger(__name__)
TASK_OPTIONS = {"ignore_result": True, "acks_late": True}


# --- Hooks called by the flows ---------------------------------------------------------------------


def notify_task_waiting(work_item: WorkItem) -> None:
    """A step has arrived: tell the people who can act on it, once the step is committed."""
    transaction.on_commit(functools.partial(_publish, deliver_task_waiting, work_item.pk), robust=True)


def notify_request_closed(request: Request) -> None:
    """A request has ended: tell its starter (and, when it lapsed, both schools) after the commit."""
    if request.state in services.CLOSED_KINDS:
        transaction.on_commit(functools.partial(_publish, deliver_request_closed, request.pk), robust=True)


def notify_tasks_finished(work_item_ids) -> None:
    """Steps were decided or cancelled: their 新的待办 and reminders no longer wait for anyone."""
    services.task_notifications_settle(work_item_ids=work_item_ids)


def _publish(task, *args) -> None:
    """Queue `task` after the commit. Nothing here may fail the web request that committed: a
    broker error is logged (and the callback is registered robust, for anything else)."""
    try:
        task.delay(*args)
    except OperationalError:
        # The step or request is committed; deliver_missed finds it on the next sweep.
        logger.warning("Broker unreachable: %s%r left for the next sweep.", task.name, args, exc_info=True)


# --- Tasks -----------------------------------------------------------------------------------------


@shared_task(**TASK_OPTIONS)
def deliver_task_waiting(work_item_id: int) -> int:
    """新的待办 for a step that has just arrived (skipped when it was done before the worker got to it)."""
    work_item = (
        WorkItem.objects.filter(pk=work_item_id, finished__isnull=True)
        .select_related("request", "request__student")
        .first()
    )
    recorded = services.task_waiting_record(work_item) if work_item else 0
    services.emails_send()
    return recorded


@shared_task(**TASK_OPTIONS)
def deliver_request_closed(request_id: int) -> int:
    """How a request ended, to its starter (and both schools when it lapsed)."""
    request = Request.objects.filter(pk=request_id).select_related("student", "started_by").first()
    recorded = services.request_closed_record(request) if request else 0
    services.emails_send()
    return recorded


@shared_task(**TASK_OPTIONS)
def deliver_registrar_change(change_id: int) -> int:
    """学籍管理员变更, to the school's bureau; queued by records.services.accounts by this task's name."""
    change = (
        RegistrarChange.objects.filter(pk=change_id)
        .select_related("school", "old_registrar", "new_registrar", "changed_by")
        .first()
    )
    recorded = services.registrar_change_record(change) if change else 0
    services.emails_send()
    return recorded


def sweep_and_send(sweep, **kwargs) -> int:
    """Run a sweep, then send the e-mails of what it recorded."""
    handled = sweep(**kwargs)
    services.emails_send()
    return handled


@shared_task(**TASK_OPTIONS)
def remind_pending_tasks() -> int:
    return sweep_and_send(sweeps.remind_pending_tasks)


@shared_task(**TASK_OPTIONS)
def escalate_overdue_tasks() -> int:
    return sweep_and_send(sweeps.escalate_overdue_tasks)


@shared_task(**TASK_OPTIONS)
def remind_suspensions_ending() -> int:
    return sweep_and_send(sweeps.remind_suspensions_ending)


@shared_task(**TASK_OPTIONS)
def remind_term_work_due() -> int:
    """Head counts, grades and comments not done a few days before they are due, to their teachers."""
    return sweep_and_send(term_reminders.remind_term_work_due)


@shared_task(**TASK_OPTIONS)
def report_term_work() -> int:
    """Head counts overdue, and those that do not match the roster, to the school's registrars."""
    return sweep_and_send(term_reminders.report_term_work)


@shared_task(**TASK_OPTIONS)
def deliver_missed_notifications() -> int:
    """What the broker never carried, and e-mails not sent yet."""
    return sweep_and_send(sweeps.deliver_missed)


@shared_task(**TASK_OPTIONS)
def send_notification_emails() -> int:
    """The e-mail drain: what was recorded and not yet sent, every minute."""
    return services.emails_send()
