"""关键信息变更: name, gender, birth date, ID type and number change only through this request
(policy texts 篇2 第十九条, 篇10 二.1); the old values stay in the history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext, pgettext_lazy
from rest_framework import serializers
from viewflow import this
from viewflow.workflow import flow
from viewflow.forms import Row

from records.models import CodeTable, Student
from records.serializers import CodeField
from records.services import key_info_check, status_check, student_change_key_info
from records.text_lengths import REASON_MAX_LENGTH, text_api_field

from .base import RequestFlow
from .engine import request_start, require_evidence, require_own_student
from .forms import DateInput, RequestStartForm
from .models import Evidence, KeyInfoChange, Request
from .nodes import End, Function, Start
from .pages import OwnStudentMixin, StartRequestView, StudentFormMixin
from .record_json import record_from_json, record_to_json
from .serializers import EvidenceFields, StartSerializer, evidence_of, id_field, visible_student
from .steps import Step


class KeyInfoChangeFlow(RequestFlow, flow.Flow):
    """关键信息变更"""

    process_class = KeyInfoChange
    kind = Request.Kind.KEY_INFO_CHANGE
    api_field_names = {name: f"changes.{name}" for name in Student.KEY_FIELDS}

    start = Start(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = Step(org=this.bureau, title=_lazy("教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    apply_change = Function(this.change_key_info).Annotation(title=_lazy("学籍变更生效")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def change_key_info(self, activation):
        request = activation.process
        student_change_key_info(
            student=request.student,
            changes=record_from_json(request.changes),
            by=self.last_actor(activation),
            reason=request.reason,
        )
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return KeyInfoChangeStart

    @property
    def start_pages(self):
        return (path("students/<int:pk>/key-info/", KeyInfoChangeStartView.as_view(), name="key_info_change_start"),)

    def items(self, process):
        new, old = record_from_json(process.changes), record_from_json(process.previous)
        return [
            (str(Student._meta.get_field(name).verbose_name), f"{old.get(name, '—')} → {new.get(name, '—')}")
            for name in process.changes
        ]

    def details(self, process):
        return {"changes": process.changes, "previous": process.previous}

    def student_action(self, student):
        if student.allows("amend"):
            return {"label": pgettext("action", "关键信息变更"), "url": reverse("key_info_change_start", args=[student.pk])}
        return None

    def start_from_api(self, user, data):
        return key_info_change_start(
            student=visible_student(user, data["student"]), by=user, changes=data["changes"], reason=data["reason"],
            evidence=evidence_of(data),
        )


def key_info_change_start(*, student: Student, by, changes: dict, reason: str = "", evidence=()):
    """关键信息变更 with evidence; the new values are validated and checked for duplicates now and
    again when the change is applied."""
    require_own_student(by, student)
    status_check(student, "amend", _("关键信息变更"))
    unknown = sorted(set(changes) - set(Student.KEY_FIELDS))
    if unknown:
        raise ValidationError({field: _("该项不是关键信息，学校可直接修改。") for field in unknown})
    changes = {field: value for field, value in changes.items() if getattr(student, field) != value}
    if not changes:
        raise ValidationError({"changes": _("没有要变更的内容。")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写变更理由。")})
    require_evidence(evidence, Evidence.Kind.values, _("关键信息变更须上传证明材料（如户口簿、公安机关证明）。"))
    candidate = Student.objects.get(pk=student.pk)
    for field, value in changes.items():
        setattr(candidate, field, value)
    key_info_check(candidate=candidate, exclude=student)
    previous = record_to_json({field: getattr(student, field) for field in changes})
    return request_start(
        KeyInfoChangeFlow, by=by, students=[student], evidence=evidence, student=student, school=student.school,
        changes=record_to_json(changes), previous=previous, reason=reason.strip(),
    )


class KeyInfoChangeForm(RequestStartForm):
    with_applicant = False
    evidence_fields = {
        "evidence_household_register": Evidence.Kind.HOUSEHOLD_REGISTER,
        "evidence_certificate": Evidence.Kind.CERTIFICATE,
    }

    class _Fields(forms.ModelForm):
        class Meta:
            model = Student
            fields = list(Student.KEY_FIELDS)
            widgets = {"birth_date": DateInput()}

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        key_fields = self._Fields(instance=student).fields
        for name in Student.KEY_FIELDS:
            self.fields[name] = key_fields[name]
            self.fields[name].initial = getattr(student, f"{name}_id" if name in ("gender", "id_type") else name)
        self.fields["id_number"].required = False
        self.layout = self.base_layout(Row("name", "gender", "birth_date"), Row("id_type", "id_number"))

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in Student.KEY_FIELDS}


class KeyInfoChangeStartView(OwnStudentMixin, StudentFormMixin, StartRequestView):
    form_class = KeyInfoChangeForm
    title = pgettext_lazy("action", "关键信息变更")

    def start(self, form):
        return key_info_change_start(
            student=self.student, by=self.request.user, changes=form.changes(), reason=form.cleaned_data["reason"],
            evidence=form.evidence(),
        )


class KeyInfoChangesSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False)
    gender = CodeField(table=CodeTable.GENDER, required=False)
    birth_date = serializers.DateField(required=False)
    id_type = CodeField(table=CodeTable.ID_TYPE, required=False)
    id_number = serializers.CharField(max_length=32, required=False, allow_blank=True)


class KeyInfoChangeStart(EvidenceFields, StartSerializer):
    """关键信息变更 of name, gender, birth date, ID type or number, with evidence."""

    kind_value = Request.Kind.KEY_INFO_CHANGE
    student = id_field()
    changes = KeyInfoChangesSerializer()
    reason = text_api_field(_lazy("申请理由"), REASON_MAX_LENGTH)
