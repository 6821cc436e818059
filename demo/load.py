"""demo_load: the whole demo, all or nothing: the register, the completed changes, the requests in motion."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from records import demo as register

from .changes import status_changes
from .motion import requests_in_motion


@transaction.atomic
def demo_load(*, seed: int = register.SEED, today: datetime.date | None = None) -> register.Summary:
    """Load the demo into an empty database, all or nothing. Call only when
    records.demo.demo_is_loaded() is False."""
    today = today or timezone.localdate()
    summary = register.demo_load(seed=seed, today=today)
    students = status_changes(today=today)
    requests_in_motion(summary=summary, students=students, today=today)
    return summary
