"""升学: a middle school picks primary graduates of its bureau's region into its first-year
classes; the bureau approves; each enrolls there with the same student number."""

from viewflow.workflow import flow

from records.services import students_promote

from .models import Promotion, Request
from .request_flow import BureauApproval


class PromotionFlow(BureauApproval, flow.Flow):
    """升学"""

    process_class = Promotion
    kind = Request.Kind.PROMOTION

    def apply(self, activation):
        entries = activation.process.entries.select_related("to_class")
        students_promote(placements={e.student_id: e.to_class for e in entries}, by=self.last_actor(activation))
