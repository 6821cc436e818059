"""撤销转学: within 10 days of completion a registrar of either school asks to reverse a transfer;
the other school approves, and the student returns to the former class."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from records.services import student_transfer

from .models import Request, TransferCancellation
from .request_flow import RequestFlowMixin
from .services import request_close
from .steps import Step


class TransferCancelFlow(RequestFlowMixin, flow.Flow):
    """撤销转学"""

    process_class = TransferCancellation
    kind = Request.Kind.TRANSFER_CANCEL

    start = flow.StartHandle(this.begin).Next(this.approve_by_other_school)
    approve_by_other_school = (
        Step(org=this.other_school, title=_("对方学校同意撤销转学"))
        .Next(this.return_student)
        .OnReject(this.rejected)
    )
    return_student = flow.Function(this.reverse_transfer).Annotation(title=_("回到原班级")).Next(this.end)

    def other_school(self, process):
        return process.other_school

    def reverse_transfer(self, activation):
        cancellation = activation.process
        transfer = cancellation.original
        student_transfer(
            student=cancellation.student, to_class=transfer.from_class, by=self.last_actor(activation),
            reason=_("撤销转学"),
        )
        request_close(transfer, state=Request.State.CANCELLED, comment=_("转学已撤销（#%(pk)d）") % {"pk": cancellation.pk})
        self.close_completed(activation)
