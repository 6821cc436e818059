"""转学: transfer between two schools of the system.

Started by the receiving school (national order: the parent applies there and it picks the
class) or by the sending school (county order, policy texts 篇2 第七条 and 第二十三条: the
receiving school confirms and picks the class). The second bureau step is skipped when both
schools are under the same bureau. The last approval moves the placement; the grade stays.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from rest_framework import exceptions, serializers
from viewflow import this
from viewflow.forms import Layout, Row
from viewflow.workflow import flow

from records import selectors
from records.models import Role, School, SchoolClass, Student
from records.serializers import ClassCodeField, SchoolIdentifierField
from records.services import status_check, student_transfer, transfer_class_check
from records.term_calendar import transfer_start_check
from records.text_lengths import REASON_MAX_LENGTH, text_api_field

from .base import RequestFlow
from .engine import applicant_fields, request_start, require_role
from .forms import ClassChoiceField, DecisionForm, RequestStartForm, open_classes
from .models import Evidence, Request, Transfer, WorkItem
from .nodes import End, Function, If, Start
from .pages import OwnStudentMixin, StartRequestView, StudentFormMixin, registrar
from .serializers import ApplicantSerializer, EvidenceFields, StartSerializer, class_code, evidence_of, id_field, school_identifier
from .steps import Step


class TransferFlow(RequestFlow, flow.Flow):
    """转学"""

    process_class = Transfer
    kind = Request.Kind.TRANSFER
    lapses = True
    step_reads = ("student", "from_school__bureau", "to_school__bureau", "to_class__school")

    start = Start(this.begin).Next(this.needs_receiving_confirmation)
    needs_receiving_confirmation = (
        If(this.started_by_sending_school)
        .Then(this.confirm_by_receiving_school)
        .Else(this.approve_by_receiving_bureau)
    )
    confirm_by_receiving_school = (
        Step(
            org=this.receiving_school,
            title=_lazy("转入学校确认接收并选择班级"),
            form_class=this.receiving_class_form,
            apply=this.set_receiving_class,
            form_required=True,
        )
        .Next(this.approve_by_receiving_bureau)
        .OnReject(this.rejected)
    )
    approve_by_receiving_bureau = (
        Step(org=this.receiving_bureau, title=_lazy("转入地教育局审批"))
        .Next(this.needs_release)
        .OnReject(this.rejected)
    )
    needs_release = (
        If(this.started_by_receiving_school)
        .Then(this.confirm_release_by_sending_school)
        .Else(this.needs_sending_bureau)
    )
    confirm_release_by_sending_school = (
        Step(org=this.sending_school, title=_lazy("转出学校确认转出"))
        .Next(this.needs_sending_bureau)
        .OnReject(this.rejected)
    )
    needs_sending_bureau = (
        If(this.bureaus_differ).Then(this.approve_by_sending_bureau).Else(this.apply_change)
    )
    approve_by_sending_bureau = (
        Step(org=this.sending_bureau, title=_lazy("转出地教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    )
    apply_change = Function(this.complete_transfer).Annotation(title=_lazy("转入新班级")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def started_by_sending_school(self, activation) -> bool:
        return activation.process.order == Transfer.Order.SENDING

    def started_by_receiving_school(self, activation) -> bool:
        return activation.process.order == Transfer.Order.RECEIVING

    @property
    def receiving_class_form(self):
        return ReceivingClassDecisionForm

    def set_receiving_class(self, process, cleaned_data):
        process.to_class = cleaned_data["to_class"]

    def complete_transfer(self, activation):
        transfer = activation.process
        student_transfer(
            student=transfer.student, to_class=transfer.to_class, by=self.last_actor(activation), reason=_("转学")
        )
        transfer.completed_on = timezone.localdate()
        transfer.save(update_fields=["completed_on"])
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return TransferStart

    @property
    def start_pages(self):
        return (
            path("students/<int:pk>/transfer/", TransferSendView.as_view(), name="transfer_send"),
            path("transfers/incoming/", TransferReceiveView.as_view(), name="transfer_receive"),
        )

    def details(self, process):
        return {
            "order": process.order,
            "from_school": school_identifier(process.from_school),
            "from_class": class_code(process.from_class),
            "to_school": school_identifier(process.to_school),
            "to_class": class_code(process.to_class),
            "completed_on": process.completed_on.isoformat() if process.completed_on else None,
        }

    def student_action(self, student):
        if student.allows("move"):
            return {"label": _("转学（本校转出）"), "url": reverse("transfer_send", args=[student.pk])}
        return None

    def start_from_api(self, user, data):
        return transfer_start(
            student=transfer_student(user, data), by=user, to_class=data.get("to_class"),
            to_school=data.get("to_school"), applicant=data["applicant"], reason=data["reason"],
            evidence=evidence_of(data),
        )


def transfer_start(
    *,
    student: Student,
    by,
    to_class=None,
    to_school=None,
    applicant: dict | None = None,
    reason: str = "",
    evidence=(),
    today: datetime.date | None = None,
):
    """Start a transfer. The receiving school starts it with `to_class` (national order); the
    sending school with `to_school` (county order), and the receiving school picks the class."""
    membership = require_role(by, Role.REGISTRAR)
    status_check(student, "move", pgettext("refused action", "转学"))
    from_class = student.open_placement.school_class
    fields = applicant_fields(applicant, reason)
    # The student's school, the starter's and the receiving one, each with its bureau, in one read.
    schools = School.objects.select_related("bureau").in_bulk(
        {student.school_id, membership.school_id, *([to_school.pk] if to_school is not None else [])}
    )
    from_school = schools[student.school_id]
    if membership.school_id == student.school_id:
        if to_school is None:
            raise ValidationError({"to_school": _("请选择转入学校。")})
        if to_school.pk == student.school_id:
            raise ValidationError({"to_school": _("转入学校不能是本校。")})
        if from_class.grade not in to_school.grades:
            raise ValidationError(
                {"to_school": _("%(school)s没有%(grade)s。") % {"school": to_school.name, "grade": from_class.grade_name}}
            )
        order, to_school, to_class = Transfer.Order.SENDING, schools[to_school.pk], None
    else:
        if to_class is None:
            raise ValidationError({"to_class": _("请选择转入班级。")})
        if to_class.school_id != membership.school_id:
            raise PermissionDenied(_("转入班级须是本校的班级。"))
        transfer_class_check(from_class=from_class, to_class=to_class)
        order, to_school = Transfer.Order.RECEIVING, schools[membership.school_id]
        if to_school.bureau.transfer_in_evidence_required:
            receiving_evidence_check(evidence)
    transfer_start_check(bureau=from_school.bureau, grade=from_class.grade, day=today or timezone.localdate())
    return request_start(
        TransferFlow,
        by=by,
        students=[student],
        evidence=evidence,
        student=student,
        school=schools[membership.school_id],
        other_school=to_school if order == Transfer.Order.SENDING else from_school,
        order=order,
        from_school=from_school,
        from_class=from_class,
        to_school=to_school,
        to_class=to_class,
        **fields,
    )


def receiving_evidence_check(evidence) -> None:
    """The parent brings the household register and the receiving area's acceptance (篇10 三.一.1:
    监护人持户籍和迁入地教育主管部门同意接收证明); the receiving school logs both when it starts.
    Each missing one is named on its own upload (the page's and the API's `evidence_<kind>`)."""
    kinds = {kind for kind, _file in evidence}
    missing = {
        f"evidence_{kind}": message
        for kind, message in (
            (Evidence.Kind.HOUSEHOLD_REGISTER, _("请上传学生户口簿（扫描件）。")),
            (Evidence.Kind.ACCEPTANCE, _("请上传迁入地教育主管部门同意接收证明（扫描件）。")),
        )
        if kind not in kinds
    }
    if missing:
        raise ValidationError(missing)


# --- Forms -------------------------------------------------------------------------------------------


class ReceivingClassDecisionForm(DecisionForm):
    """The receiving school confirms and picks a class of the student's grade."""

    to_class = ClassChoiceField(label=_lazy("转入班级"), queryset=SchoolClass.objects.none(), required=False)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        request = request.coerced if hasattr(request, "coerced") else request
        self.fields["to_class"].queryset = open_classes(request.to_school, request.from_class.grade)
        self.fields["to_class"].help_text = _("只能选择与原班级同一年级（%(grade)s）的班级。") % {
            "grade": request.from_class.grade_name
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == WorkItem.Decision.APPROVE and not cleaned.get("to_class"):
            self.add_error("to_class", _("同意接收时请选择转入班级。"))
        return cleaned


def schools_teaching(grade: int | None, *, exclude: int):
    """Schools that have `grade` (the receiving school of a transfer), but the sending one."""
    types = [school_type for school_type, grades in School.GRADES.items() if grade in grades]
    return School.objects.filter(type__in=types).exclude(pk=exclude).order_by("region__code", "name")


class TransferSendForm(RequestStartForm):
    """The sending school starts: it picks the receiving school; that school picks the class."""

    to_school = forms.ModelChoiceField(label=_lazy("转入学校"), queryset=School.objects.none())

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        placement = student.open_placement
        grade = placement.school_class.grade if placement else None
        self.fields["to_school"].queryset = schools_teaching(grade, exclude=student.school_id)
        self.layout = self.base_layout("to_school")


class StudentLookupForm(forms.Form):
    """A school finds a student of another school only by the exact student number and name."""

    student_number = forms.CharField(label=_lazy("学籍号"), max_length=19)
    name = forms.CharField(label=_lazy("姓名"), max_length=50)
    layout = Layout(Row("student_number", "name"))


class TransferReceiveForm(RequestStartForm):
    """The receiving school starts (the parent applied there) and picks the class now."""

    evidence_fields = {
        "evidence_household_register": Evidence.Kind.HOUSEHOLD_REGISTER,
        "evidence_acceptance": Evidence.Kind.ACCEPTANCE,
        "evidence_residence": Evidence.Kind.RESIDENCE,
        "evidence_other": Evidence.Kind.OTHER,
    }
    to_class = ClassChoiceField(label=_lazy("转入班级"), queryset=SchoolClass.objects.none())

    def __init__(self, *args, student: Student, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        placement = student.open_placement
        grade = placement.school_class.grade if placement else 0
        self.fields["to_class"].queryset = open_classes(school, grade)
        self.layout = self.base_layout("to_class")


# --- Pages -------------------------------------------------------------------------------------------


class TransferSendView(OwnStudentMixin, StudentFormMixin, StartRequestView):
    """The sending school starts a transfer (county order)."""

    form_class = TransferSendForm
    title = _lazy("办理转学（本校转出）")

    def start(self, form):
        return transfer_start(
            student=self.student, by=self.request.user, to_school=form.cleaned_data["to_school"],
            applicant=form.applicant(), reason=form.cleaned_data["reason"], evidence=form.evidence(),
        )


class TransferReceiveView(StartRequestView):
    """The receiving school finds the student by student number and name, then starts (national order)."""

    form_class = TransferReceiveForm
    title = _lazy("转入学生（本校接收）")

    def check_access(self, request, *args, **kwargs):
        self.membership = registrar(request.user)
        source = request.POST if request.method == "POST" else request.GET
        self.lookup = StudentLookupForm(source if "student_number" in source else None)
        self.student = None
        if self.lookup.is_bound and self.lookup.is_valid():
            self.student = selectors.student_find_for_transfer_in(
                student_number=self.lookup.cleaned_data["student_number"], name=self.lookup.cleaned_data["name"]
            )
            if self.student is None:
                self.lookup.add_error(None, _("没有找到学籍号与姓名都相符的学生，请核对家长提供的信息。"))
            elif self.student.school_id == self.membership.school_id:
                self.lookup.add_error(None, _("该生已在本校，无需转入。"))
                self.student = None

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form() if self.student else None))

    def post(self, request, *args, **kwargs):
        if self.student is None:
            return self.render_to_response(self.get_context_data(form=None))
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "student": self.student, "school": self.membership.school}

    def get_context_data(self, **kwargs):
        placement = self.student.open_placement if self.student else None
        return super().get_context_data(lookup=self.lookup, found=self.student, found_placement=placement, **kwargs)

    def start(self, form):
        return transfer_start(
            student=self.student, by=self.request.user, to_class=form.cleaned_data["to_class"],
            applicant=form.applicant(), reason=form.cleaned_data["reason"], evidence=form.evidence(),
        )


# --- API ---------------------------------------------------------------------------------------------


class TransferStart(EvidenceFields, StartSerializer):
    """转学. The receiving school starts with `to_class` (one of its classes; a student of another
    school is named by `student` together with the `student_number` and `name` the parent gave,
    as found with POST /api/v1/students/lookup/); the sending school starts with `to_school`."""

    kind_value = Request.Kind.TRANSFER
    student = id_field()
    student_number = serializers.CharField(required=False, max_length=19)
    name = serializers.CharField(required=False, max_length=50)
    to_class = ClassCodeField(required=False)
    to_school = SchoolIdentifierField(required=False)
    reason = text_api_field(_lazy("申请理由"), REASON_MAX_LENGTH)
    applicant = ApplicantSerializer()


def transfer_student(user, data) -> Student:
    """Your own school's student, or another school's named by the student number and name the
    parent gave (the pages' transfer-in lookup); nothing else is found."""
    student = selectors.students_visible_to(user).filter(pk=data["student"]).first()
    if student is not None:
        return student
    if data.get("student_number") and data.get("name"):
        found = selectors.student_find_for_transfer_in(student_number=data["student_number"], name=data["name"])
        if found is not None and found.pk == data["student"]:
            return found
    raise exceptions.NotFound()
