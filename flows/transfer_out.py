"""转至市外/省外/境外: the receiving school cannot be reached in the system (policy texts 篇2 第九条),
so the student is recorded as dropped out with the reason "left the system" and the destination."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from records.models import CodeTable
from records.services import code_get, student_drop_out

from .models import Request, TransferOut
from .request_flow import RequestFlowMixin
from .steps import Step

LEFT_THE_SYSTEM = "3"  # dropout reason code: 转至市外/省外/境外


class TransferOutFlow(RequestFlowMixin, flow.Flow):
    """转出（市外/省外/境外）"""

    process_class = TransferOut
    kind = Request.Kind.TRANSFER_OUT

    start = flow.StartHandle(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = (
        Step(org=this.bureau, title=_("教育局审批转出")).Next(this.record_departure).OnReject(this.rejected)
    )
    record_departure = flow.Function(this.drop_out).Next(this.end)
    rejected = flow.Function(this.close_rejected).Next(this.end_rejected)
    end = flow.End()
    end_rejected = flow.End()

    def bureau(self, process):
        return process.school.bureau

    def drop_out(self, activation):
        request = activation.process
        student_drop_out(
            student=request.student,
            reason=code_get(CodeTable.DROPOUT_REASON, LEFT_THE_SYSTEM),
            destination=f"{request.get_scope_display()}：{request.destination}",
            remark=_("转出至%(place)s") % {"place": request.destination},
            by=self.last_actor(activation),
        )
        self.close_completed(activation)
