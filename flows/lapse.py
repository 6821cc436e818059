"""Transfers lapse three months after they were started (篇10 三.一.3: 转学材料自开出之日起三个月内有效).

The sweep that beat runs (flows.tasks) ends each lapsed request: its open steps are cancelled, the
student is untouched, and the starter and both schools are told.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import request_closed_record

from .engine import cancel_open_tasks, request_close
from .flows import FLOWS
from .models import Request

LAPSE_AFTER_MONTHS = 3
# The kinds that lapse: the transfers of every kind (their flows say so).
LAPSING_KINDS = tuple(flow.kind for flow in FLOWS if flow.lapses)


def lapse_due(request: Request, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    created = timezone.localtime(request.created)
    month = created.month - 1 + LAPSE_AFTER_MONTHS
    year, month = created.year + month // 12, month % 12 + 1
    try:
        deadline = created.replace(year=year, month=month)
    except ValueError:  # e.g. 30 November + 3 months: the deadline is the end of February
        deadline = (created.replace(year=year, month=month, day=1) + datetime.timedelta(days=32)).replace(day=1)
        deadline -= datetime.timedelta(days=1)
    return now >= deadline


@transaction.atomic
def request_lapse(*, request: Request, now: datetime.datetime | None = None) -> Request | None:
    """An open transfer lapses three months after it started: it ends, nothing changes on the student."""
    with request.flow_class.lock(request.pk):
        request = Request.objects.get(pk=request.pk).coerced
        if not request.is_open or not lapse_due(request, now):
            return None
        cancel_open_tasks(request, comment=_("申请逾期未办结，已自动失效"))
        return request_close(request, state=Request.State.LAPSED, comment=_("自发起之日起三个月未办结，自动失效"))


def expire_lapsed_transfers(*, now: datetime.datetime | None = None) -> int:
    """Transfers still open three months after they started end as lapsed; the student is untouched,
    and the starter and both schools are told here rather than after a round trip through the broker."""
    now = now or timezone.now()
    # Three months are never shorter than 89 days: older requests are the only candidates.
    candidates = Request.objects.filter(
        state=Request.State.OPEN, kind__in=LAPSING_KINDS, created__lte=now - datetime.timedelta(days=89)
    )
    lapsed = 0
    for request in candidates.order_by("created", "pk"):
        if not lapse_due(request, now):
            continue
        closed = request_lapse(request=request, now=now)
        if closed is not None:
            request_closed_record(closed)
            lapsed += 1
    return lapsed
