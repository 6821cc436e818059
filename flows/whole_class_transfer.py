"""整班转学 (policy texts 篇2 第二十四条): the sending school moves a whole class; the receiving school
confirms and picks or creates the class; the bureaus approve; every student moves in one
transaction, or none does."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from viewflow import this
from viewflow.forms import Layout
from viewflow.workflow import flow

from records import selectors
from records.models import Role, School, SchoolClass, Student
from records.serializers import ClassCodeField, SchoolIdentifierField
from records.services import class_transfer
from records.term_calendar import transfer_start_check
from records.text_lengths import REASON_MAX_LENGTH, text_api_field

from .base import RequestFlow
from .engine import request_start, require_role
from .forms import ClassChoiceField, DecisionForm, RequestStartForm, open_classes
from .models import Request, RequestStudent, WholeClassTransfer, WorkItem
from .nodes import End, Function, If, Start
from .pages import StartRequestView, registrar
from .serializers import StartSerializer, class_code, school_identifier
from .steps import Step
from .transfer import schools_teaching


class WholeClassTransferFlow(RequestFlow, flow.Flow):
    """整班转学"""

    process_class = WholeClassTransfer
    kind = Request.Kind.WHOLE_CLASS_TRANSFER
    lapses = True
    step_reads = ("school__bureau", "from_class__school__bureau", "to_school__bureau", "to_class")

    start = Start(this.begin).Next(this.confirm_by_receiving_school)
    confirm_by_receiving_school = (
        Step(
            org=this.receiving_school,
            title=_lazy("转入学校确认接收并选择或新建班级"),
            form_class=this.receiving_class_form,
            apply=this.set_receiving_class,
            form_required=True,
        )
        .Next(this.approve_by_receiving_bureau)
        .OnReject(this.rejected)
    )
    approve_by_receiving_bureau = (
        Step(org=this.receiving_bureau, title=_lazy("转入地教育局审批"))
        .Next(this.needs_sending_bureau)
        .OnReject(this.rejected)
    )
    needs_sending_bureau = (
        If(this.bureaus_differ).Then(this.approve_by_sending_bureau).Else(this.apply_change)
    )
    approve_by_sending_bureau = (
        Step(org=this.sending_bureau, title=_lazy("转出地教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    )
    apply_change = Function(this.move_class).Annotation(title=_lazy("全班转入")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    @property
    def receiving_class_form(self):
        return WholeClassDecisionForm

    def set_receiving_class(self, process, cleaned_data):
        process.to_class = cleaned_data.get("to_class")
        process.new_class_name = cleaned_data.get("new_class_name") or ""

    def move_class(self, activation):
        request = activation.process
        request.to_class = class_transfer(
            from_class=request.from_class,
            students=[rs.student for rs in RequestStudent.objects.filter(request=request).select_related("student")],
            to_school=request.to_school,
            to_class=request.to_class,
            new_class_name=request.new_class_name,
            by=self.last_actor(activation),
            reason=_("整班转学"),
        )
        request.save(update_fields=["to_class"])
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return WholeClassTransferStart

    @property
    def start_pages(self):
        return (path("classes/<int:pk>/transfer/", WholeClassTransferView.as_view(), name="whole_class_transfer"),)

    def details(self, process):
        return {
            "class_code": class_code(process.from_class),
            "to_school": school_identifier(process.to_school),
            "to_class": class_code(process.to_class),
            "new_class_name": process.new_class_name,
        }

    def start_from_api(self, user, data):
        return whole_class_transfer_start(
            school_class=data["class_code"], by=user, to_school=data["to_school"], reason=data["reason"]
        )


def whole_class_transfer_start(*, school_class, by, to_school, reason: str = "", today=None):
    """整班转学: the sending registrar picks the class and the receiving school."""
    membership = require_role(by, Role.REGISTRAR)
    if school_class.school_id != membership.school_id:
        raise PermissionDenied(_("只能为本校班级办理整班转学。"))
    if school_class.state != SchoolClass.State.OPEN:
        raise ValidationError({"class_code": _("该班级已不在读。")})
    if to_school is None or to_school.pk == school_class.school_id:
        raise ValidationError({"to_school": _("请选择另一所学校作为转入学校。")})
    if school_class.grade not in to_school.grades:
        raise ValidationError(
            {"to_school": _("%(school)s没有%(grade)s。") % {"school": to_school.name, "grade": school_class.grade_name}}
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写申请理由。")})
    students = list(
        Student.objects.filter(placements__school_class=school_class, placements__ended_on__isnull=True).order_by("pk")
    )
    if not students:
        raise ValidationError({"class_code": _("该班级没有在读学生。")})
    transfer_start_check(bureau=school_class.school.bureau, grade=school_class.grade, day=today or timezone.localdate())
    return request_start(
        WholeClassTransferFlow,
        by=by,
        students=students,
        school=school_class.school,
        other_school=to_school,
        from_class=school_class,
        to_school=to_school,
        reason=reason.strip(),
    )


class WholeClassDecisionForm(DecisionForm):
    """The receiving school confirms and picks an open class of the same grade, or names a new one."""

    to_class = ClassChoiceField(label=_lazy("转入已有班级"), queryset=SchoolClass.objects.none(), required=False)
    new_class_name = forms.CharField(label=_lazy("或新建班级，名称"), max_length=32, required=False)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        request = request.coerced if hasattr(request, "coerced") else request
        self.fields["to_class"].queryset = open_classes(request.to_school, request.from_class.grade)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == WorkItem.Decision.APPROVE:
            if bool(cleaned.get("to_class")) == bool((cleaned.get("new_class_name") or "").strip()):
                self.add_error("to_class", _("同意接收时，请选择一个已有班级或填写新建班级名称（二选一）。"))
        return cleaned


class WholeClassTransferForm(RequestStartForm):
    with_applicant = False
    evidence_fields = {}
    to_school = forms.ModelChoiceField(label=_lazy("转入学校"), queryset=School.objects.none())

    def __init__(self, *args, school_class: SchoolClass, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_school"].queryset = schools_teaching(school_class.grade, exclude=school_class.school_id)
        self.layout = Layout("to_school", "reason")


class WholeClassTransferView(StartRequestView):
    form_class = WholeClassTransferForm
    title = pgettext_lazy("action", "整班转学")

    def check_access(self, request, *args, **kwargs):
        membership = registrar(request.user)
        self.school_class = get_object_or_404(selectors.classes_visible_to(request.user), pk=kwargs["pk"])
        if self.school_class.school_id != membership.school_id or self.school_class.state != SchoolClass.State.OPEN:
            raise Http404

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school_class": self.school_class}

    def get_context_data(self, **kwargs):
        return super().get_context_data(school_class=self.school_class, **kwargs)

    def start(self, form):
        return whole_class_transfer_start(
            school_class=self.school_class, by=self.request.user, to_school=form.cleaned_data["to_school"],
            reason=form.cleaned_data["reason"],
        )


class WholeClassTransferStart(StartSerializer):
    """整班转学 of one of your classes to another school."""

    kind_value = Request.Kind.WHOLE_CLASS_TRANSFER
    class_code = ClassCodeField()
    to_school = SchoolIdentifierField()
    reason = text_api_field(_lazy("申请理由"), REASON_MAX_LENGTH)
