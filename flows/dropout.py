"""流失 / 退学 / 死亡 (policy texts 篇2 第六条、第十六条): the bureau approves; the student becomes
dropped out or deceased and the placement closes. Deceased is final."""

from viewflow.workflow import flow

from records.services import student_decease, student_drop_out

from .models import Dropout, Request
from .request_flow import BureauApproval

DEATH = "4"  # dropout reason code: 死亡


class DropoutFlow(BureauApproval, flow.Flow):
    """流失/退学/死亡"""

    process_class = Dropout
    kind = Request.Kind.DROPOUT

    def apply(self, activation):
        request = activation.process
        by = self.last_actor(activation)
        remark = request.remark or request.reason_code.name
        if request.reason_code.code == DEATH:
            student_decease(student=request.student, by=by, remark=remark)
        else:
            student_drop_out(student=request.student, reason=request.reason_code, remark=remark, by=by)
