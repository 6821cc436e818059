"""Celery tasks: the events the flows queue after their commit, and the sweeps beat runs.

They take ids, load what they need and call notifications.services or notifications.sweeps.
All are idempotent (the database keeps one notification per person and event), so they are
acknowledged late: a worker lost half-way leaves the message for another worker. No task
stores a result, and publishing one needs nothing but the broker.
"""

from __future__ import annotations

from celery import shared_task

from flows.models import Request, WorkItem

from . import services, sweeps, term_reminders

TASK_OPTIONS = {"ignore_result": True, "acks_late": True}


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


def _sweep_and_send(sweep, **kwargs) -> int:
    handled = sweep(**kwargs)
    services.emails_send()
    return handled


@shared_task(**TASK_OPTIONS)
def remind_pending_tasks() -> int:
    return _sweep_and_send(sweeps.remind_pending_tasks)


@shared_task(**TASK_OPTIONS)
def escalate_overdue_tasks() -> int:
    return _sweep_and_send(sweeps.escalate_overdue_tasks)


@shared_task(**TASK_OPTIONS)
def expire_lapsed_transfers() -> int:
    return _sweep_and_send(sweeps.expire_lapsed_transfers)


@shared_task(**TASK_OPTIONS)
def remind_suspensions_ending() -> int:
    return _sweep_and_send(sweeps.remind_suspensions_ending)


@shared_task(**TASK_OPTIONS)
def remind_term_work_due() -> int:
    """Head counts, grades and comments not done a few days before they are due, to their teachers."""
    return _sweep_and_send(term_reminders.remind_term_work_due)


@shared_task(**TASK_OPTIONS)
def report_term_work() -> int:
    """Head counts overdue, and those that do not match the roster, to the school's registrars."""
    return _sweep_and_send(term_reminders.report_term_work)


@shared_task(**TASK_OPTIONS)
def deliver_missed_notifications() -> int:
    """What the broker never carried, and e-mails not sent yet."""
    return _sweep_and_send(sweeps.deliver_missed)


@shared_task(**TASK_OPTIONS)
def fire_workflow_timers() -> int:
    return sweeps.fire_workflow_timers()
