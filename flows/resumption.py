"""复学 at the original school (policy texts 篇2 第十四条, 篇10 三.二.4): the bureau approves; the
student is back in the former class after three months away or less, and may be placed one grade
lower after longer. Resuming elsewhere is a resumption followed by a transfer."""

from __future__ import annotations

from django import forms
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext, pgettext_lazy
from rest_framework import serializers
from viewflow import this
from viewflow.forms import Row
from viewflow.workflow import flow

from records.models import SchoolClass, Student
from records.serializers import ClassCodeField
from records.services import resumption_class_check, status_check, student_last_placement, student_resume
from records.text_lengths import REASON_MAX_LENGTH, text_api_field

from .base import RequestFlow
from .engine import applicant_fields, request_start, require_evidence, require_own_student
from .forms import ClassChoiceField, RequestStartForm, own_classes
from .models import Cause, Evidence, Request, Resumption
from .nodes import End, Function, Start
from .pages import OwnStudentMixin, StartRequestView, StudentFormMixin
from .serializers import ApplicantSerializer, EvidenceFields, StartSerializer, class_code, evidence_of, id_field, visible_student
from .steps import Step


class ResumptionFlow(RequestFlow, flow.Flow):
    """复学"""

    process_class = Resumption
    kind = Request.Kind.RESUMPTION

    start = Start(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = Step(org=this.bureau, title=_lazy("教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    apply_change = Function(this.resume).Annotation(title=_lazy("学籍变更生效")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def resume(self, activation):
        request = activation.process
        student_resume(student=request.student, to_class=request.to_class, by=self.last_actor(activation), reason=_("复学"))
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return ResumptionStart

    @property
    def start_pages(self):
        return (path("students/<int:pk>/resume/", ResumptionStartView.as_view(), name="resumption_start"),)

    def items(self, process):
        to_class = process.to_class.name if process.to_class_id else _("原班级")
        return [(_("原休学/离校原因"), process.get_cause_display()), (_("复学班级"), to_class)]

    def details(self, process):
        return {"cause": process.cause, "to_class": class_code(process.to_class)}

    def student_action(self, student):
        if student.allows("resume"):
            return {"label": pgettext("action", "复学"), "url": reverse("resumption_start", args=[student.pk])}
        return None

    def start_from_api(self, user, data):
        return resumption_start(
            student=visible_student(user, data["student"]), by=user, cause=data["cause"], to_class=data.get("to_class"),
            applicant=data["applicant"], reason=data["reason"], evidence=evidence_of(data),
        )


def resumption_start(*, student: Student, by, cause: str = Cause.OTHER, to_class=None, applicant=None, reason="", evidence=()):
    """复学 for a suspended or dropped-out student, at the original school; `to_class` None is the
    former class."""
    require_own_student(by, student)
    status_check(student, "resume", _("复学"))
    fields = applicant_fields(applicant, reason)
    if cause == Cause.ILLNESS:
        require_evidence(
            evidence, (Evidence.Kind.DIAGNOSIS, Evidence.Kind.CERTIFICATE),
            _("因病休学的学生复学，须上传医院出具的可以复学的证明。"),
        )
    resumption_class_check(
        student=student, last=student_last_placement(student), to_class=to_class, today=timezone.localdate()
    )
    return request_start(
        ResumptionFlow, by=by, students=[student], evidence=evidence, student=student, school=student.school,
        cause=cause, to_class=to_class, **fields,
    )


class ResumptionForm(RequestStartForm):
    evidence_fields = {
        "evidence_application": Evidence.Kind.APPLICATION,
        "evidence_certificate": Evidence.Kind.CERTIFICATE,
        "evidence_other": Evidence.Kind.OTHER,
    }
    cause = forms.ChoiceField(label=_lazy("原休学/离校原因"), choices=Cause.choices)
    to_class = ClassChoiceField(
        label=_lazy("复学班级"), queryset=SchoolClass.objects.none(), required=False,
        help_text=_lazy("不选则回原班级；离校超过三个月的，可选原年级或低一个年级的班级。"),
    )

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        last = student_last_placement(student)
        grades = [last.school_class.grade - 1, last.school_class.grade] if last else []
        self.fields["to_class"].queryset = own_classes(student.school, grades)
        self.layout = self.base_layout(Row("cause", "to_class"))


class ResumptionStartView(OwnStudentMixin, StudentFormMixin, StartRequestView):
    form_class = ResumptionForm
    title = pgettext_lazy("action", "复学")

    def start(self, form):
        data = form.cleaned_data
        return resumption_start(
            student=self.student, by=self.request.user, cause=data["cause"], to_class=data.get("to_class"),
            applicant=form.applicant(), reason=data["reason"], evidence=form.evidence(),
        )


class ResumptionStart(EvidenceFields, StartSerializer):
    """复学 at the original school; `to_class` only when the former class is closed or after
    more than three months away."""

    kind_value = Request.Kind.RESUMPTION
    student = id_field()
    cause = serializers.ChoiceField(choices=Cause.choices, default=Cause.OTHER)
    to_class = ClassCodeField(required=False, allow_null=True)
    reason = text_api_field(_lazy("申请理由"), REASON_MAX_LENGTH)
    applicant = ApplicantSerializer()
