"""转学: transfer between two schools of the system.

Started by the receiving school (national order: the parent applies there and it picks the
class) or by the sending school (county order, policy texts 篇2 第七条 and 第二十三条: the
receiving school confirms and picks the class). The second bureau step is skipped when both
schools are under the same bureau. The last approval moves the placement.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from records.services import student_transfer

from .forms import ReceivingClassDecisionForm
from .models import Request, Transfer
from .request_flow import BetweenTwoSchools
from .steps import Step


class TransferFlow(BetweenTwoSchools, flow.Flow):
    """转学"""

    process_class = Transfer
    kind = Request.Kind.TRANSFER

    start = flow.StartHandle(this.begin).Next(this.needs_receiving_confirmation)

    needs_receiving_confirmation = (
        flow.If(lambda activation: activation.process.order == Transfer.Order.SENDING)
        .Then(this.confirm_by_receiving_school)
        .Else(this.approve_by_receiving_bureau)
    )
    confirm_by_receiving_school = (
        Step(
            org=this.receiving_school,
            title=_("转入学校确认接收并选择班级"),
            form_class=ReceivingClassDecisionForm,
            apply=this.set_receiving_class,
            form_required=True,
        )
        .Next(this.approve_by_receiving_bureau)
        .OnReject(this.rejected)
    )
    approve_by_receiving_bureau = (
        Step(org=this.receiving_bureau, title=_("转入地教育局审批"))
        .Next(this.needs_release)
        .OnReject(this.rejected)
    )
    needs_release = (
        flow.If(lambda activation: activation.process.order == Transfer.Order.RECEIVING)
        .Then(this.confirm_release_by_sending_school)
        .Else(this.needs_sending_bureau)
    )
    confirm_release_by_sending_school = (
        Step(org=this.sending_school, title=_("转出学校确认转出"))
        .Next(this.needs_sending_bureau)
        .OnReject(this.rejected)
    )
    apply_change = flow.Function(this.complete_transfer).Annotation(title=_("转入新班级")).Next(this.end)

    def set_receiving_class(self, process, cleaned_data):
        process.to_class = cleaned_data["to_class"]

    def complete_transfer(self, activation):
        transfer = activation.process
        student_transfer(
            student=transfer.student, to_class=transfer.to_class, by=self.last_actor(activation), reason=_("转学")
        )
        transfer.completed_on = timezone.localdate()
        transfer.save(update_fields=["completed_on"])
        self.close_completed(activation)
