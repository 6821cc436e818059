"""复学 at the original school (policy texts 篇2 第十四条); resuming elsewhere is a resumption
followed by a transfer."""

from django.utils.translation import gettext_lazy as _
from viewflow.workflow import flow

from records.services import student_resume

from .models import Request, Resumption
from .request_flow import BureauApproval


class ResumptionFlow(BureauApproval, flow.Flow):
    """复学"""

    process_class = Resumption
    kind = Request.Kind.RESUMPTION

    def apply(self, activation):
        request = activation.process
        student_resume(student=request.student, to_class=request.to_class, by=self.last_actor(activation), reason=_("复学"))
