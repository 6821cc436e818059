"""留级 / 跳级 (policy texts 篇2 第十三条): exactly one grade down or up, in the same school, where
the bureau allows it (义务教育阶段严格控制学生留级, 篇10 三.四)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext, pgettext_lazy
from viewflow import this
from viewflow.workflow import flow

from records.errors import Conflict
from records.models import SchoolClass, Student
from records.serializers import ClassCodeField
from records.services import grade_change_check, status_check, student_change_grade
from records.text_lengths import REASON_MAX_LENGTH, text_api_field, text_form_field

from .base import RequestFlow
from .engine import request_start, require_own_student
from .forms import ClassChoiceField, own_classes
from .models import GradeChange, Request
from .nodes import End, Function, Start
from .pages import OwnStudentMixin, StartRequestView, StudentFormMixin
from .serializers import StartSerializer, class_code, id_field, visible_student
from .steps import Step


class GradeChangeFlow(RequestFlow, flow.Flow):
    """留级/跳级"""

    process_class = GradeChange
    kind = Request.Kind.GRADE_CHANGE

    start = Start(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = Step(org=this.bureau, title=_lazy("教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    apply_change = Function(this.change_grade).Annotation(title=_lazy("学籍变更生效")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def change_grade(self, activation):
        request = activation.process
        student_change_grade(
            student=request.student, to_class=request.to_class, by=self.last_actor(activation), reason=request.reason
        )
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return GradeChangeStart

    @property
    def start_pages(self):
        return (path("students/<int:pk>/grade-change/", GradeChangeStartView.as_view(), name="grade_change_start"),)

    def items(self, process):
        kind = _("留级") if process.to_class.grade < process.from_class.grade else _("跳级")
        return [(kind, f"{process.from_class.name} → {process.to_class.name}")]

    def details(self, process):
        return {"from_class": class_code(process.from_class), "to_class": class_code(process.to_class)}

    def student_action(self, student):
        if student.allows("move") and student.school.bureau.allow_repeat_or_skip:
            return {"label": pgettext("action", "留级/跳级"), "url": reverse("grade_change_start", args=[student.pk])}
        return None

    def start_from_api(self, user, data):
        return grade_change_start(
            student=visible_student(user, data["student"]), by=user, to_class=data["to_class"],
            justification=data["justification"],
        )


def grade_change_start(*, student: Student, by, to_class: SchoolClass, justification: str):
    """留级 / 跳级: exactly one grade down or up, same school, where the bureau allows it."""
    require_own_student(by, student)
    bureau = student.school.bureau
    if not bureau.allow_repeat_or_skip:
        raise Conflict(_("%(bureau)s未开放留级/跳级办理。") % {"bureau": bureau.name}, code="not_allowed")
    status_check(student, "move", _("留级/跳级"))
    current = student.open_placement.school_class
    grade_change_check(student=student, from_class=current, to_class=to_class)
    if not (justification or "").strip():
        raise ValidationError({"justification": _("请填写留级或跳级的理由。")})
    return request_start(
        GradeChangeFlow, by=by, students=[student], student=student, school=student.school,
        from_class=current, to_class=to_class, reason=justification.strip(),
    )


class GradeChangeForm(forms.Form):
    to_class = ClassChoiceField(label=_lazy("调入班级"), queryset=SchoolClass.objects.none())
    justification = text_form_field(_lazy("理由"), REASON_MAX_LENGTH)

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        placement = student.open_placement
        grade = placement.school_class.grade if placement else 0
        self.fields["to_class"].queryset = own_classes(student.school, [grade - 1, grade + 1])
        self.fields["to_class"].help_text = _("留级选低一个年级的班级，跳级选高一个年级的班级。")


class GradeChangeStartView(OwnStudentMixin, StudentFormMixin, StartRequestView):
    form_class = GradeChangeForm
    title = pgettext_lazy("action", "留级/跳级")

    def start(self, form):
        return grade_change_start(
            student=self.student, by=self.request.user, to_class=form.cleaned_data["to_class"],
            justification=form.cleaned_data["justification"],
        )


class GradeChangeStart(StartSerializer):
    """留级 / 跳级: a class of the same school one grade down or up."""

    kind_value = Request.Kind.GRADE_CHANGE
    student = id_field()
    to_class = ClassCodeField()
    justification = text_api_field(_lazy("理由"), REASON_MAX_LENGTH)
