"""外地转入: a student from outside the system gets a new record (policy texts 篇2 第八条),
marked as a transfer-in; the bureau approves and the record is created and placed."""

from django.utils.translation import gettext_lazy as _
from viewflow.workflow import flow

from records.services import student_register

from .models import Request, TransferIn
from .record_json import family_from_json, record_from_json
from .request_flow import BureauApproval


class TransferInFlow(BureauApproval, flow.Flow):
    """外地转入"""

    process_class = TransferIn
    kind = Request.Kind.TRANSFER_IN

    def apply(self, activation):
        request = activation.process
        request.student = student_register(
            school_class=request.to_class,
            data=record_from_json(request.record),
            family_members=family_from_json(request.family),
            by=self.last_actor(activation),
            placement_reason=_("外地转入"),
        )
        request.save(update_fields=["student"])
