"""休学 (and 续休): the registrar logs the guardian's written request with its evidence; the
academic office signs; the bureau approves; the student is suspended until the end date."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from records.models import Role
from records.services import student_extend_suspension, student_suspend

from .models import Request, Suspension
from .request_flow import RequestFlowMixin
from .steps import Step


class SuspensionFlow(RequestFlowMixin, flow.Flow):
    """休学"""

    process_class = Suspension
    kind = Request.Kind.SUSPENSION

    start = flow.StartHandle(this.begin).Next(this.sign_by_academic_office)
    sign_by_academic_office = (
        Step(org=this.school, title=_("教导处签署意见"), role=Role.ACADEMIC_OFFICE)
        .Next(this.approve_by_bureau)
        .OnReject(this.rejected)
    )
    approve_by_bureau = (
        Step(org=this.bureau, title=_("教育局审批休学")).Next(this.suspend).OnReject(this.rejected)
    )
    suspend = flow.Function(this.apply_suspension).Annotation(title=_("休学生效")).Next(this.end)

    def school(self, process):
        return process.school

    def bureau(self, process):
        return process.school.bureau

    def apply_suspension(self, activation):
        request = activation.process
        by = self.last_actor(activation)
        text = f"{request.get_cause_display()}：{request.reason}"
        if request.extension:
            student_extend_suspension(student=request.student, until=request.end_date, by=by, reason=text)
        else:
            student_suspend(student=request.student, until=request.end_date, by=by, reason=text)
        self.close_completed(activation)
