"""The reads behind the documents, scoped as the pages are: a student card for whoever may see
the student (records.selectors), a certificate for whoever may see the request (flows.selectors).
Anyone else gets a 404, as on the pages, so that numbers of other schools cannot be probed."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from flows import selectors as flow_selectors
from flows.models import Request, Suspension, Transfer, WorkItem

from records import selectors
from records.models import Placement, Student
from records.record_form import STUDENT_CODE_FIELDS


class DocumentNotIssued(Http404):
    """The request is visible, but this certificate does not exist for it: the request is of
    another kind, or not completed. The message says which; the API answers it as a 404."""


def student_for_card(user, pk: int) -> Student:
    students = selectors.students_visible_to(user).select_related(
        *STUDENT_CODE_FIELDS, "dropout_reason", "school__bureau"
    )
    return get_object_or_404(students, pk=pk)


def family_members_of(student: Student):
    return student.family_members.select_related("relationship", "ethnicity", "id_type").order_by("position")


def placements_of(student: Student):
    """Oldest first, as a record card lists them."""
    return student.placements.select_related("school", "school_class").order_by("started_on", "id")


def completed_request_for(user, pk: int, *, kind: str, document: str, model: type[Request], related=()) -> Request:
    """The completed request of `kind` with id `pk`, as its own model, if `user` may see it."""
    request = get_object_or_404(flow_selectors.requests_visible_to(user), pk=pk)
    kind_label = Request.Kind(kind).label
    if request.kind != kind:
        raise DocumentNotIssued(
            _("申请 #%(pk)s 是%(kind)s申请，没有%(document)s。")
            % {"pk": pk, "kind": request.get_kind_display(), "document": document}
        )
    if request.state != Request.State.COMPLETED:
        raise DocumentNotIssued(
            _("%(kind)s申请 #%(pk)s 的办理状态是“%(state)s”，只有“%(completed)s”的申请才能打印%(document)s。")
            % {
                "kind": kind_label, "pk": pk, "state": request.get_state_display(),
                "completed": Request.State.COMPLETED.label, "document": document,
            }
        )
    return model.objects.select_related("student", "school__bureau", *related).get(pk=pk)


def transfer_for_certificate(user, pk: int) -> Transfer:
    return completed_request_for(
        user, pk, kind=Request.Kind.TRANSFER, document=_("转学证明"), model=Transfer,
        related=("from_school__bureau", "from_class", "to_school__bureau", "to_class", "student__gender"),
    )


def suspension_for_certificate(user, pk: int) -> Suspension:
    return completed_request_for(
        user, pk, kind=Request.Kind.SUSPENSION, document=_("休学证明"), model=Suspension,
        related=("student__gender",),
    )


def approvals_of(request: Request) -> list[WorkItem]:
    """The request's approving decisions, in the order they were given, with who gave them where."""
    return list(
        WorkItem.objects.filter(request=request, decision=WorkItem.Decision.APPROVE)
        .select_related("actor", "school", "bureau")
        .order_by("finished", "pk")
    )


def evidence_of(request: Request):
    return request.evidence.all()


def placement_when_requested(student: Student, request: Request) -> Placement | None:
    """The class the student was in when the request was made (a suspension closes it)."""
    requested_on = timezone.localdate(request.created)
    return (
        Placement.objects.filter(student=student, school=request.school, started_on__lte=requested_on)
        .select_related("school_class")
        .order_by("-started_on", "-id")
        .first()
    )

