"""Celery tasks of the flows that beat runs: lapsing transfers, suspensions beginning on their
start date, and viewflow's timers.

Idempotent (a lapsed request is found closed the second time; a fired timer is done), so they
are acknowledged late.
"""

from __future__ import annotations

from celery import shared_task
from viewflow.workflow.timers import fire_due_timers

from notifications.tasks import TASK_OPTIONS, sweep_and_send

from . import lapse, suspension


@shared_task(**TASK_OPTIONS)
def expire_lapsed_transfers() -> int:
    return sweep_and_send(lapse.expire_lapsed_transfers)


@shared_task(**TASK_OPTIONS)
def begin_suspensions() -> int:
    return sweep_and_send(suspension.suspensions_begin)


@shared_task(**TASK_OPTIONS)
def fire_workflow_timers() -> int:
    """viewflow's due flow.Timer tasks (and .OnTimeout boundaries): viewflow ships no Celery task for them."""
    return fire_due_timers()
