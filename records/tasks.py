"""Celery tasks of the register: long batches that the pages follow with a progress bar."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def apply_rollover(rollover_id: int) -> None:
    """Apply a confirmed school-year rollover; idempotent (a second delivery finds it applied)."""
    from .rollover import rollover_apply

    rollover_apply(rollover_id=rollover_id)
