"""转学证明 with its 存根 and 回执, and 休学证明: the papers of a completed transfer and suspension.

Policy texts 篇10 三.一: the sending school issues the transfer certificate, keeps its stub
(存根) on file, the student takes the certificate to the receiving school, and the receiving
school sends the receipt (回执) back. One A4 sheet carries the three parts, cut apart on the
dashed lines. 篇10 三.二: the academic office fills in the suspension certificate, signs and
stamps it, and the bureau's approval makes the suspension valid.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from flows.models import Request, Suspension, Transfer, WorkItem

from records.models import Role
from records.selectors import IdentityShown
from . import selectors
from .numbers import request_issued_on, suspension_certificate_number, transfer_certificate_number
from .pdf import Document, in_document_language


def _last(steps: list[WorkItem], given_by) -> WorkItem | None:
    """The last approval for which `given_by(step)` holds: a school's, a bureau's."""
    matching = [step for step in steps if given_by(step)]
    return matching[-1] if matching else None


def _certificate(
    request: Request, *, title: str, number: str, school, template_name: str, shown: IdentityShown, **context
) -> Document:
    """A certificate of a completed request: dated the day of its last approval, about its student;
    its student number and the applicant's phone as `shown` lets the viewer read them."""
    return Document(
        title=title,
        number=number,
        issued_on=request_issued_on(request),
        school=school,
        subject=request.student.name,
        template_name=template_name,
        context={"student": request.student, "shown": shown, **context},
    )


@in_document_language
def transfer_certificate(transfer: Transfer, *, shown: IdentityShown) -> Document:
    steps = selectors.approvals_of(transfer)
    return _certificate(
        transfer,
        title=_("转学证明"),
        number=transfer_certificate_number(transfer),
        school=transfer.from_school,
        template_name="documents/transfer_certificate.html",
        transfer=shown.request(transfer),
        shown=shown,
        steps=steps,
        sending_bureau_step=_last(steps, lambda step: step.bureau_id == transfer.from_school.bureau_id),
    )


@in_document_language
def suspension_certificate(suspension: Suspension, *, shown: IdentityShown) -> Document:
    steps = selectors.approvals_of(suspension)
    placement = selectors.placement_when_requested(suspension.student, suspension)
    return _certificate(
        suspension,
        title=_("休学证明"),
        number=suspension_certificate_number(suspension),
        school=suspension.school,
        template_name="documents/suspension_certificate.html",
        suspension=shown.request(suspension),
        shown=shown,
        school_class=placement.school_class if placement else None,
        office_step=_last(steps, lambda step: step.role == Role.ACADEMIC_OFFICE),
        bureau_step=_last(steps, lambda step: step.bureau_id is not None),
        evidence=list(selectors.evidence_of(suspension)),
    )
