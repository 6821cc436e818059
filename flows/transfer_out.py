"""转至市外/省外/境外: the receiving school cannot be reached in the system (policy texts 篇2 第九条),
so the student is recorded as dropped out with the reason "left the system" and the destination."""

from django.utils.translation import gettext_lazy as _
from viewflow.workflow import flow

from records.models import CodeTable
from records.services import code_get, student_drop_out

from .models import Request, TransferOut
from .request_flow import BureauApproval

LEFT_THE_SYSTEM = "3"  # dropout reason code: 转至市外/省外/境外


class TransferOutFlow(BureauApproval, flow.Flow):
    """转出（市外/省外/境外）"""

    process_class = TransferOut
    kind = Request.Kind.TRANSFER_OUT

    def apply(self, activation):
        request = activation.process
        student_drop_out(
            student=request.student,
            reason=code_get(CodeTable.DROPOUT_REASON, LEFT_THE_SYSTEM),
            destination=f"{request.get_scope_display()}：{request.destination}",
            remark=_("转出至%(place)s") % {"place": request.destination},
            by=self.last_actor(activation),
        )
