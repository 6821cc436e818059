"""关键信息变更: name, gender, birth date, ID type and number change only through this request
(policy texts 篇2 第十九条); the old values stay in the history."""

from viewflow.workflow import flow

from records.services import student_change_key_info

from .models import KeyInfoChange, Request
from .record_json import record_from_json
from .request_flow import BureauApproval


class KeyInfoChangeFlow(BureauApproval, flow.Flow):
    """关键信息变更"""

    process_class = KeyInfoChange
    kind = Request.Kind.KEY_INFO_CHANGE

    def apply(self, activation):
        request = activation.process
        student_change_key_info(
            student=request.student,
            changes=record_from_json(request.changes),
            by=self.last_actor(activation),
            reason=request.reason,
        )
