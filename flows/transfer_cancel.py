"""撤销转学: within 10 days of completion a registrar of either school asks to reverse a transfer;
the other school approves, and the student returns to the former class."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from viewflow import this
from viewflow.workflow import flow

from records.errors import Conflict
from records.models import Role, Student
from records.selectors import membership_of
from records.services import student_transfer
from records.text_lengths import REASON_MAX_LENGTH, text_api_field, text_form_field

from .base import RequestFlow
from .engine import request_close, request_parties, request_start, require_role
from .models import Request, Transfer, TransferCancellation
from .nodes import End, Function, Start
from .pages import StartRequestView, registrar
from .selectors import requests_visible_to
from .serializers import StartSerializer, id_field
from .steps import Step

CANCEL_WITHIN_DAYS = 10


class TransferCancelFlow(RequestFlow, flow.Flow):
    """撤销转学"""

    process_class = TransferCancellation
    kind = Request.Kind.TRANSFER_CANCEL
    step_reads = ("student", "other_school__bureau", "original__from_class__school")

    start = Start(this.begin).Next(this.approve_by_other_school)
    approve_by_other_school = (
        Step(org=this.other_school, title=_lazy("对方学校同意撤销转学"))
        .Next(this.return_student)
        .OnReject(this.rejected)
    )
    return_student = Function(this.reverse_transfer).Annotation(title=_lazy("回到原班级")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

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

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return TransferCancelStart

    @property
    def start_pages(self):
        return (path("requests/<int:pk>/cancel/", TransferCancelView.as_view(), name="transfer_cancel"),)

    def details(self, process):
        return {"original": process.original_id}

    def request_action(self, process, user) -> dict | None:
        """On a completed transfer's page, for a registrar of either school, within the 10 days."""
        membership = membership_of(user)
        if (
            process.kind == Request.Kind.TRANSFER
            and process.state == Request.State.COMPLETED
            and membership is not None
            and membership.role == Role.REGISTRAR
            and membership.school_id in request_parties(process)
            and within_cancel_period(process.coerced, timezone.localdate())
        ):
            return {"label": _("申请撤销转学"), "url": reverse("transfer_cancel", args=[process.pk])}
        return None

    def start_from_api(self, user, data):
        transfer = get_object_or_404(requests_visible_to(user), pk=data["request"], kind=Request.Kind.TRANSFER)
        return transfer_cancel_start(transfer=transfer.coerced, by=user, reason=data["reason"])


def within_cancel_period(transfer: Transfer, today: datetime.date) -> bool:
    return transfer.completed_on is not None and (today - transfer.completed_on).days <= CANCEL_WITHIN_DAYS


def transfer_cancel_start(*, transfer, by, reason: str = "", today: datetime.date | None = None):
    """Ask to reverse a completed transfer within 10 days of completion; the other school approves."""
    membership = require_role(by, Role.REGISTRAR)
    transfer = transfer.coerced if hasattr(transfer, "coerced") else transfer
    if membership.school_id not in (transfer.from_school_id, transfer.to_school_id):
        raise PermissionDenied(_("只有转出或转入学校的学籍管理员可以申请撤销转学。"))
    today = today or timezone.localdate()
    if transfer.state != Request.State.COMPLETED or transfer.completed_on is None:
        raise Conflict(_("只有已办结的转学可以撤销。"), code="not_completed")
    if not within_cancel_period(transfer, today):
        raise Conflict(
            _("转学已于%(date)s办结，超过%(days)d天，不能撤销。") % {"date": transfer.completed_on, "days": CANCEL_WITHIN_DAYS},
            code="too_late",
        )
    student: Student = transfer.student
    placement = student.open_placement
    if not student.allows("move") or placement is None or placement.school_class_id != transfer.to_class_id:
        raise Conflict(_("该生已不在转入班级，不能撤销这次转学。"), code="moved_since")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写撤销理由。")})
    other = transfer.to_school if membership.school_id == transfer.from_school_id else transfer.from_school
    return request_start(
        TransferCancelFlow,
        by=by,
        students=[student],
        student=student,
        school=membership.school,
        other_school=other,
        original=transfer,
        reason=reason.strip(),
    )


class TransferCancelForm(forms.Form):
    reason = text_form_field(_lazy("撤销理由"), REASON_MAX_LENGTH)


class TransferCancelView(StartRequestView):
    form_class = TransferCancelForm
    title = _lazy("申请撤销转学")

    def check_access(self, request, *args, **kwargs):
        registrar(request.user)
        found = get_object_or_404(requests_visible_to(request.user), pk=kwargs["pk"], kind=Request.Kind.TRANSFER)
        self.transfer = found.coerced

    def get_context_data(self, **kwargs):
        return super().get_context_data(original=self.transfer, student=self.transfer.student, **kwargs)

    def start(self, form):
        return transfer_cancel_start(transfer=self.transfer, by=self.request.user, reason=form.cleaned_data["reason"])


class TransferCancelStart(StartSerializer):
    """撤销转学 of a transfer completed within the last 10 days; the other school approves."""

    kind_value = Request.Kind.TRANSFER_CANCEL
    request = id_field(help_text="id of the completed transfer")
    reason = text_api_field(_lazy("撤销理由"), REASON_MAX_LENGTH)
