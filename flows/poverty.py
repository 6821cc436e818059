"""贫困生认定 / 取消 (policy texts 篇2 第五条): the school asks, the bureau approves, the flag changes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from rest_framework import serializers
from viewflow import this
from viewflow.workflow import flow

from records.models import Student
from records.services import poverty_change_check, status_check, student_set_poverty
from records.text_lengths import NOTE_MAX_LENGTH, text_api_field, text_form_field

from .base import RequestFlow
from .engine import request_start, require_own_student
from .models import PovertyChange, Request
from .nodes import End, Function, Start
from .pages import OwnStudentMixin, StartRequestView, StudentFormMixin
from .serializers import StartSerializer, id_field, visible_student
from .steps import Step


class PovertyFlow(RequestFlow, flow.Flow):
    """贫困生认定/取消"""

    process_class = PovertyChange
    kind = Request.Kind.POVERTY

    start = Start(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = Step(org=this.bureau, title=_lazy("教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    apply_change = Function(this.set_poverty).Annotation(title=_lazy("学籍变更生效")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def set_poverty(self, activation):
        request = activation.process
        student_set_poverty(
            student=request.student,
            poverty=request.action == PovertyChange.Action.IDENTIFY,
            by=self.last_actor(activation),
            note=request.note,
        )
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return PovertyStart

    @property
    def start_pages(self):
        return (path("students/<int:pk>/poverty/", PovertyStartView.as_view(), name="poverty_start"),)

    def items(self, process):
        return [(_("操作"), process.get_action_display())]

    def details(self, process):
        return {"action": process.action, "note": process.note}

    def student_action(self, student):
        if student.allows("amend"):
            return {"label": pgettext("action", "贫困生认定/取消"), "url": reverse("poverty_start", args=[student.pk])}
        return None

    def start_from_api(self, user, data):
        return poverty_start(
            student=visible_student(user, data["student"]), by=user, action=data["action"], note=data["note"]
        )


def poverty_start(*, student: Student, by, action: str, note: str = ""):
    """贫困生认定 / 取消."""
    require_own_student(by, student)
    status_check(student, "amend", _("贫困生认定/取消"))
    if action not in PovertyChange.Action.values:
        raise ValidationError({"action": _("请选择认定或取消。")})
    poverty_change_check(student=student, poverty=action == PovertyChange.Action.IDENTIFY)
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写说明。")})
    return request_start(
        PovertyFlow, by=by, students=[student], student=student, school=student.school,
        action=action, note=note.strip(), reason=note.strip(),
    )


class PovertyForm(forms.Form):
    action = forms.ChoiceField(label=_lazy("操作"), choices=PovertyChange.Action.choices)
    note = text_form_field(_lazy("说明"), NOTE_MAX_LENGTH)

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].initial = PovertyChange.Action.CANCEL if student.poverty else PovertyChange.Action.IDENTIFY


class PovertyStartView(OwnStudentMixin, StudentFormMixin, StartRequestView):
    form_class = PovertyForm
    title = _lazy("贫困生认定/取消")

    def start(self, form):
        return poverty_start(
            student=self.student, by=self.request.user, action=form.cleaned_data["action"], note=form.cleaned_data["note"]
        )


class PovertyStart(StartSerializer):
    """贫困生认定 (identify) / 取消 (cancel)."""

    kind_value = Request.Kind.POVERTY
    student = id_field()
    action = serializers.ChoiceField(choices=PovertyChange.Action.choices)
    note = text_api_field(_lazy("说明"), NOTE_MAX_LENGTH)
