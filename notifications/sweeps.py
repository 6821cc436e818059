"""The periodic sweeps: each reads what is due from PostgreSQL, records it, and can run any number
of times, in parallel too, without telling anyone anything twice.

Celery beat runs them through notifications.tasks; `manage.py xueji_sweep` runs them by hand.
Each returns how many notifications (or requests, or timers) it handled.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone

from flows.models import Request, WorkItem
from records.models import RegistrarChange, Student
from records.working_days import working_days_between

from . import services
from .models import Escalation, Notification

Kind = Notification.Kind

def _open_steps():
    return WorkItem.objects.filter(finished__isnull=True).select_related(
        "request", "request__student", "school", "school__bureau", "bureau", "bureau__region"
    )


def _local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def reminder_round(waited: int) -> int:
    """0 before the threshold; 1 once a step has waited the threshold, then one more every interval."""
    after, every = settings.XUEJI_REMIND_AFTER_WORKING_DAYS, settings.XUEJI_REMIND_EVERY_WORKING_DAYS
    if waited < after:
        return 0
    return (waited - after) // every + 1


def remind_pending_tasks(*, today: datetime.date | None = None) -> int:
    """待办提醒: a step waiting the threshold reminds whoever can act on it, then every interval again.

    The round follows from the working days waited, so the hourly sweep repeats nothing, and a
    sweep that missed days sends the current round once instead of the rounds it missed. The
    steps of one arrival day share their round and are told in two statements (school steps,
    bureau steps): the statements grow with the days, not with the steps.
    """
    today = today or timezone.localdate()
    # TruncDate in the site's time zone: a step that arrived at 00:30 Beijing time arrived that day.
    arrival_days = (
        WorkItem.objects.filter(finished__isnull=True)
        .annotate(day=TruncDate("created"))
        .order_by("day")
        .values_list("day", flat=True)
        .distinct()
    )
    recorded = 0
    for day in arrival_days:
        waited = working_days_between(day, today)
        round = reminder_round(waited)
        if round == 0:
            continue
        start, end = _local_day_bounds(day)
        due = WorkItem.objects.filter(finished__isnull=True, created__gte=start, created__lt=end)
        # Who was told this round already is the unique (recipient, key) the INSERT skips: an
        # anti-join here would be planned on the statistics of a table this very sweep is filling.
        recorded += services.task_reminders_record(due, round=round, waited=waited)
    return recorded


def escalate_overdue_tasks(*, today: datetime.date | None = None) -> int:
    """超期督办: a step past its due date goes to the supervising bureau's officers, once."""
    today = today or timezone.localdate()
    escalated = Escalation.objects.filter(work_item=OuterRef("pk"))
    overdue = WorkItem.objects.filter(finished__isnull=True, due__lt=today).exclude(Exists(escalated))
    return services.tasks_escalate(overdue)


def remind_suspensions_ending(*, today: datetime.date | None = None) -> int:
    """休学即将到期: suspensions ending within the window remind the school's registrars, once per end date."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=settings.XUEJI_SUSPENSION_ENDING_DAYS)
    students = Student.objects.filter(
        status=Student.Status.SUSPENDED, suspended_until__gte=today, suspended_until__lte=until
    ).select_related("school")
    return sum(services.suspension_ending_record(student) for student in students.order_by("suspended_until", "pk"))


def deliver_missed(*, now: datetime.datetime | None = None) -> int:
    """Events whose Celery task never ran (the broker was down): steps that arrived, requests
    that ended and schools' registrars that changed recently, with nobody told yet."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=settings.XUEJI_CATCH_UP_DAYS)
    recorded = 0
    told = Notification.objects.filter(kind=Kind.TASK_WAITING, work_item=OuterRef("pk"))
    for work_item in _open_steps().filter(created__gte=since).exclude(Exists(told)).order_by("created", "pk"):
        recorded += services.task_waiting_record(work_item)
    for state, kind in services.CLOSED_KINDS.items():
        # By kind: a completed transfer that is cancelled later is told both times.
        told = Notification.objects.filter(kind=kind, request=OuterRef("pk"))
        closed = Request.objects.filter(state=state, closed_at__gte=since).exclude(Exists(told))
        for request in closed.select_related("student", "started_by").order_by("closed_at", "pk"):
            recorded += services.request_closed_record(request)
    changes = list(
        RegistrarChange.objects.filter(changed_at__gte=since)
        .select_related("school", "old_registrar", "new_registrar", "changed_by")
        .order_by("changed_at", "pk")
    )
    told = set(
        Notification.objects.filter(kind=Kind.REGISTRAR_CHANGED, key__in=[services.registrar_change_key(c) for c in changes])
        .values_list("key", flat=True)
    )
    for change in changes:
        if services.registrar_change_key(change) not in told:
            recorded += services.registrar_change_record(change)
    return recorded
