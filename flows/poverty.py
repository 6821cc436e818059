"""贫困生认定 / 取消 (policy texts 篇2 第五条): the school asks, the bureau approves, the flag changes."""

from viewflow.workflow import flow

from records.services import student_set_poverty

from .models import PovertyChange, Request
from .request_flow import BureauApproval


class PovertyFlow(BureauApproval, flow.Flow):
    """贫困生认定/取消"""

    process_class = PovertyChange
    kind = Request.Kind.POVERTY

    def apply(self, activation):
        request = activation.process
        student_set_poverty(
            student=request.student,
            poverty=request.action == PovertyChange.Action.IDENTIFY,
            by=self.last_actor(activation),
            note=request.note,
        )
