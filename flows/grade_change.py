"""留级 / 跳级 (policy texts 篇2 第十三条): exactly one grade down or up, in the same school, where
the bureau allows it."""

from viewflow.workflow import flow

from records.services import student_change_grade

from .models import GradeChange, Request
from .request_flow import BureauApproval


class GradeChangeFlow(BureauApproval, flow.Flow):
    """留级/跳级"""

    process_class = GradeChange
    kind = Request.Kind.GRADE_CHANGE

    def apply(self, activation):
        request = activation.process
        student_change_grade(
            student=request.student, to_class=request.to_class, by=self.last_actor(activation), reason=request.reason
        )
