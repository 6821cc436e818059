"""What every request flow shares: how it begins and how a rejection ends it."""

from __future__ import annotations

from viewflow.workflow import lock

from .models import Request, WorkItem
from .services import request_close


class RequestFlowMixin:
    """Mixed into each request's Flow. Nodes stay in the flow modules so each reads like its diagram."""

    kind: str = ""
    # The default no_lock lets two people complete the same task twice (VIEWFLOW_NOTES.md).
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    def begin(self, activation, *, by, fields: dict) -> Request:
        request = activation.process
        request.kind = self.kind
        request.started_by = by
        for name, value in fields.items():
            setattr(request, name, value)
        request.save()
        return request

    def close_rejected(self, activation) -> None:
        last = (
            WorkItem.objects.filter(request=activation.process, decision=WorkItem.Decision.REJECT)
            .order_by("-finished")
            .first()
        )
        request_close(activation.process, state=Request.State.REJECTED, comment=last.comment if last else "")

    def last_actor(self, activation):
        """Who gave the last approval: the register records them as the one who made the change."""
        last = WorkItem.objects.filter(request=activation.process, finished__isnull=False).order_by("-finished").first()
        return last.actor if last else activation.process.started_by

    def close_completed(self, activation, comment: str = "") -> None:
        request_close(activation.process, state=Request.State.COMPLETED, comment=comment)
