"""转至市外/省外/境外: the receiving school cannot be reached in the system (policy texts 篇2 第九条),
so the student is recorded as dropped out with the reason "left the system" and the destination."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from rest_framework import serializers
from viewflow import this
from viewflow.forms import Row
from viewflow.workflow import flow

from records.models import CodeTable, Role, Student
from records.services import code_get, status_check, student_drop_out, student_last_placement
from records.term_calendar import transfer_start_check
from records.text_lengths import REASON_MAX_LENGTH, text_api_field

from .base import RequestFlow
from .engine import applicant_fields, request_start, require_role
from .forms import RequestStartForm
from .models import Request, TransferOut
from .nodes import End, Function, Start
from .pages import OwnStudentMixin, StartRequestView
from .serializers import ApplicantSerializer, EvidenceFields, StartSerializer, evidence_of, id_field, visible_student
from .steps import Step

LEFT_THE_SYSTEM = "3"  # dropout reason code: 转至市外/省外/境外


class TransferOutFlow(RequestFlow, flow.Flow):
    """转出（市外/省外/境外）"""

    process_class = TransferOut
    kind = Request.Kind.TRANSFER_OUT
    lapses = True

    start = Start(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = Step(org=this.bureau, title=_lazy("教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    apply_change = Function(this.record_departure).Annotation(title=_lazy("学籍变更生效")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def record_departure(self, activation):
        request = activation.process
        student_drop_out(
            student=request.student,
            reason=code_get(CodeTable.DROPOUT_REASON, LEFT_THE_SYSTEM),
            destination=f"{request.get_scope_display()}：{request.destination}",
            remark=_("转出至%(place)s") % {"place": request.destination},
            by=self.last_actor(activation),
        )
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return TransferOutStart

    @property
    def start_pages(self):
        return (path("students/<int:pk>/transfer-out/", TransferOutView.as_view(), name="transfer_out"),)

    def details(self, process):
        return {"scope": process.scope, "destination": process.destination}

    def student_action(self, student):
        if student.allows("drop_out"):
            return {"label": pgettext("action", "转出（市外/省外/境外）"), "url": reverse("transfer_out", args=[student.pk])}
        return None

    def start_from_api(self, user, data):
        return transfer_out_start(
            student=visible_student(user, data["student"]), by=user, scope=data["scope"],
            destination=data["destination"], applicant=data["applicant"], reason=data["reason"],
            evidence=evidence_of(data),
        )


def transfer_out_start(
    *, student: Student, by, scope: str, destination: str, applicant=None, reason="", evidence=(), today=None
):
    """转至市外/省外/境外: the student's school asks; its bureau approves."""
    membership = require_role(by, Role.REGISTRAR)
    if membership.school_id != student.school_id:
        raise PermissionDenied(_("只能为本校学生办理转出。"))
    # A suspended student may leave the system too (dropped out from suspended).
    status_check(student, "drop_out", pgettext("refused action", "转出"))
    from_class = student_last_placement(student).school_class
    fields = applicant_fields(applicant, reason)
    if scope not in TransferOut.Scope.values:
        raise ValidationError({"scope": _("请选择转往范围：市外、省外或境外。")})
    if not (destination or "").strip():
        raise ValidationError({"destination": _("请填写转往的省市或国家。")})
    transfer_start_check(bureau=student.school.bureau, grade=from_class.grade, day=today or timezone.localdate())
    return request_start(
        TransferOutFlow,
        by=by,
        students=[student],
        evidence=evidence,
        student=student,
        school=student.school,
        scope=scope,
        destination=destination.strip(),
        **fields,
    )


class TransferOutForm(RequestStartForm):
    scope = forms.ChoiceField(label=_lazy("转往范围"), choices=TransferOut.Scope.choices)
    destination = forms.CharField(label=_lazy("转往地（省市或国家）"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = self.base_layout(Row("scope", "destination"))


class TransferOutView(OwnStudentMixin, StartRequestView):
    form_class = TransferOutForm
    title = _lazy("转出（市外/省外/境外）")

    def start(self, form):
        data = form.cleaned_data
        return transfer_out_start(
            student=self.student, by=self.request.user, scope=data["scope"], destination=data["destination"],
            applicant=form.applicant(), reason=data["reason"], evidence=form.evidence(),
        )


class TransferOutStart(EvidenceFields, StartSerializer):
    """转出 to another city, province or abroad: the student leaves the system."""

    kind_value = Request.Kind.TRANSFER_OUT
    student = id_field()
    scope = serializers.ChoiceField(choices=TransferOut.Scope.choices)
    destination = serializers.CharField(max_length=100, allow_blank=True)
    reason = text_api_field(_lazy("申请理由"), REASON_MAX_LENGTH)
    applicant = ApplicantSerializer()
