"""毕业: the registrar proposes a graduating class with a certificate number per student (or an
exclusion with its reason); the bureau approves; every included student graduates and the class
closes, in one transaction."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from viewflow.workflow import flow

from records.services import class_graduate

from .models import Graduation, Request, RequestStudent
from .request_flow import BureauApproval


class GraduationFlow(BureauApproval, flow.Flow):
    """毕业"""

    process_class = Graduation
    kind = Request.Kind.GRADUATION

    def apply(self, activation):
        request = activation.process
        certificates = dict(
            request.entries.filter(excluded=False).values_list("student_id", "certificate_number")
        )
        # The students are this request's, so no other request can be open for them; refuse anyway
        # with the list rather than graduate someone another request is about.
        busy = list(
            RequestStudent.objects.filter(student_id__in=list(certificates), open=True)
            .exclude(request=request)
            .select_related("student", "request")
        )
        if busy:
            raise ValidationError(
                [
                    _("%(name)s已有办理中的申请（%(kind)s #%(pk)d）。")
                    % {"name": b.student.name, "kind": b.request.get_kind_display(), "pk": b.request_id}
                    for b in busy
                ],
                code="open_request",
            )
        class_graduate(
            school_class=request.school_class, certificates=certificates, year=request.year,
            by=self.last_actor(activation), remark=_("毕业（申请 #%(pk)d）") % {"pk": request.pk},
        )
