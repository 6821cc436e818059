"""外地转入: a student from outside the system gets a new record (policy texts 篇2 第八条),
marked as a transfer-in; the bureau approves and the record is created and placed."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from records.services import student_register

from .models import Request, TransferIn
from .record_json import family_from_json, record_from_json
from .request_flow import RequestFlowMixin
from .steps import Step


class TransferInFlow(RequestFlowMixin, flow.Flow):
    """外地转入"""

    process_class = TransferIn
    kind = Request.Kind.TRANSFER_IN

    start = flow.StartHandle(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = (
        Step(org=this.bureau, title=_("教育局审批转入")).Next(this.create_record).OnReject(this.rejected)
    )
    create_record = flow.Function(this.register).Next(this.end)
    rejected = flow.Function(this.close_rejected).Next(this.end_rejected)
    end = flow.End()
    end_rejected = flow.End()

    def bureau(self, process):
        return process.school.bureau

    def register(self, activation):
        request = activation.process
        student = student_register(
            school_class=request.to_class,
            data=record_from_json(request.record),
            family_members=family_from_json(request.family),
            by=self.last_actor(activation),
            placement_reason=_("外地转入"),
        )
        request.student = student
        request.save(update_fields=["student"])
        self.close_completed(activation)
