"""What every request flow shares: how it begins and how a rejection ends it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from .models import Request, WorkItem
from .services import request_close
from .steps import Step


class RequestFlowMixin:
    """Mixed into each request's Flow. Nodes stay in the flow modules so each reads like its diagram."""

    kind: str = ""
    # The default no_lock lets two people complete the same task twice (VIEWFLOW_NOTES.md).
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    # Every flow ends here: a rejection at any step closes the request with nothing changed.
    rejected = flow.Function(this.close_rejected).Annotation(title=_("未获同意，办结")).Next(this.end_rejected)
    end = flow.End().Annotation(title=_("已办结"))
    end_rejected = flow.End().Annotation(title=_("已驳回"))

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


class BureauApproval(RequestFlowMixin):
    """The shape most requests share: the school starts, its bureau approves, the change applies.

    A flow mixes this in (before flow.Flow) and defines `apply(activation)`, the one call into
    records.services that the last approval makes.
    """

    start = flow.StartHandle(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = (
        Step(org=this.bureau, title=_("教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    )
    apply_change = flow.Function(this.apply_and_close).Annotation(title=_("学籍变更生效")).Next(this.end)

    def bureau(self, process):
        return process.school.bureau

    def apply(self, activation) -> None:
        raise NotImplementedError

    def apply_and_close(self, activation) -> None:
        self.apply(activation)
        self.close_completed(activation)


class BetweenTwoSchools(RequestFlowMixin):
    """Requests between a sending and a receiving school (转学, 整班转学): after the receiving side,
    the sending school's bureau approves too when it is not the receiving school's bureau.

    The process has `from_school` and `to_school`; the flow defines `apply_change`.
    """

    needs_sending_bureau = (
        flow.If(this.bureaus_differ).Then(this.approve_by_sending_bureau).Else(this.apply_change)
    )
    approve_by_sending_bureau = (
        Step(org=this.sending_bureau, title=_("转出地教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    )

    def bureaus_differ(self, activation) -> bool:
        return activation.process.from_school.bureau_id != activation.process.to_school.bureau_id

    def receiving_school(self, process):
        return process.to_school

    def sending_school(self, process):
        return process.from_school

    def receiving_bureau(self, process):
        return process.to_school.bureau

    def sending_bureau(self, process):
        return process.from_school.bureau
