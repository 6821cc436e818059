"""休学 (and 续休): the registrar logs the guardian's written request with its evidence (policy
texts 篇10 三.二); the academic office signs — in a graduating grade the class teacher and the
principal too (篇10 五.五); the bureau approves; the student is suspended until the end date, or a
suspended student's end date moves later."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from rest_framework import serializers
from viewflow import this
from viewflow.forms import Row
from viewflow.workflow import flow

from records.class_codes import GRADUATING_GRADES
from records.errors import Conflict
from records.models import Role, Student
from records.selectors import users_in_role
from records.services import (
    status_check,
    student_extend_suspension,
    student_last_placement,
    student_suspend,
    suspension_period_check,
)
from records.text_lengths import REASON_MAX_LENGTH, text_api_field

from .base import RequestFlow
from .engine import (
    applicant_fields,
    claims_release,
    request_close,
    request_start,
    require_evidence,
    require_own_student,
)
from .forms import DateInput, RequestStartForm
from .models import Cause, Evidence, Request, Suspension, WorkItem
from .nodes import End, Function, If, Start
from .pages import OwnStudentMixin, StartRequestView
from .serializers import ApplicantSerializer, EvidenceFields, StartSerializer, evidence_of, id_field, visible_student
from .steps import Step

SUSPENSION_DEFAULT_MONTHS = 3  # 篇10 三.二.2: 期限为三个月


class SuspensionFlow(RequestFlow, flow.Flow):
    """休学"""

    process_class = Suspension
    kind = Request.Kind.SUSPENSION

    start = Start(this.begin).Next(this.sign_by_academic_office)
    sign_by_academic_office = (
        Step(org=this.school, title=_lazy("教导处签署意见"), role=Role.ACADEMIC_OFFICE)
        .Next(this.is_graduating_grade)
        .OnReject(this.rejected)
    )
    # 篇10 五.五: a graduating grade's suspension is signed by the class teacher and the principal too.
    is_graduating_grade = (
        If(this.in_graduating_grade).Then(this.sign_by_class_teacher).Else(this.approve_by_bureau)
    )
    sign_by_class_teacher = (
        Step(org=this.school, title=_lazy("班主任签字"), role=Role.CLASS_TEACHER, school_class=this.student_class)
        .Next(this.sign_by_principal)
        .OnReject(this.rejected)
    )
    sign_by_principal = (
        Step(org=this.school, title=_lazy("校长签字"), role=Role.PRINCIPAL)
        .Next(this.approve_by_bureau)
        .OnReject(this.rejected)
    )
    approve_by_bureau = (
        Step(org=this.bureau, title=_lazy("教育局审批休学")).Next(this.is_extension).OnReject(this.rejected)
    )
    is_extension = If(this.extends).Then(this.extend).Else(this.suspend)
    suspend = Function(this.apply_suspension).Annotation(title=_lazy("休学生效")).Next(this.end)
    extend = Function(this.apply_extension).Annotation(title=_lazy("续休生效")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def extends(self, activation) -> bool:
        return activation.process.extension

    def in_graduating_grade(self, activation) -> bool:
        return activation.process.graduating_grade

    def student_class(self, process):
        return process.school_class

    def reason_text(self, request: Suspension) -> str:
        return f"{request.get_cause_display()}：{request.reason}"

    def apply_suspension(self, activation):
        request = activation.process
        if request.start_date > timezone.localdate():
            # Approved ahead of its start: the student stays in class until then, and no other
            # request is started for them meanwhile (suspensions_begin applies it).
            request_close(
                request, state=Request.State.COMPLETED, keep_claim=True,
                comment=_("已批准，%(date)s起休学") % {"date": request.start_date.isoformat()},
            )
            return
        suspension_apply(request, by=self.last_actor(activation))
        self.close_completed(activation)

    def apply_extension(self, activation):
        request = activation.process
        student_extend_suspension(
            student=request.student, until=request.end_date, by=self.last_actor(activation),
            reason=self.reason_text(request),
        )
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return SuspensionStart

    @property
    def start_pages(self):
        return (path("students/<int:pk>/suspend/", SuspensionStartView.as_view(), name="suspension_start"),)

    def items(self, process):
        cause = process.get_cause_display() + (f"（{_('续休')}）" if process.extension else "")
        return [
            (_("休学原因"), cause),
            (_("休学开始日期"), f"{process.start_date:%Y-%m-%d}"),
            (_("休学截止日期"), f"{process.end_date:%Y-%m-%d}"),
        ]

    def details(self, process):
        return {
            "cause": process.cause,
            "start": process.start_date.isoformat(),
            "end": process.end_date.isoformat(),
            "extension": process.extension,
        }

    def student_action(self, student):
        if student.allows("suspend"):
            label = pgettext("action", "休学")
        elif student.allows("extend_suspension"):
            label = pgettext("action", "续休")
        else:
            return None
        return {"label": label, "url": reverse("suspension_start", args=[student.pk])}

    def start_from_api(self, user, data):
        return suspension_start(
            student=visible_student(user, data["student"]), by=user, cause=data["cause"], start_date=data.get("start"),
            end_date=data.get("end"), applicant=data["applicant"], reason=data["reason"], evidence=evidence_of(data),
        )


def suspension_apply(request: Suspension, *, by) -> None:
    """The approved suspension takes effect: the student is suspended and leaves the class."""
    student_suspend(student=request.student, until=request.end_date, by=by, reason=SuspensionFlow.instance.reason_text(request))
    request.suspended_at = timezone.now()
    request.save(update_fields=["suspended_at"])


def suspensions_begin(*, today: datetime.date | None = None) -> int:
    """Suspensions approved ahead of their start date take effect on it (a beat task): each in a
    transaction of its own, by the officer who approved it; the student's claim is then free."""
    today = today or timezone.localdate()
    due = Suspension.objects.filter(
        state=Request.State.COMPLETED, extension=False, suspended_at__isnull=True, start_date__lte=today
    )
    begun = 0
    for pk in due.order_by("start_date", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            request = Suspension.objects.select_for_update().get(pk=pk)
            if request.suspended_at is not None:
                continue  # another worker got here first
            approval = request.work_items.filter(decision=WorkItem.Decision.APPROVE).order_by("-finished").first()
            suspension_apply(request, by=approval.actor if approval else request.started_by)
            claims_release(request)
            begun += 1
    return begun


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def suspension_start(
    *, student: Student, by, cause: str, start_date: datetime.date | None = None, end_date: datetime.date | None = None,
    applicant=None, reason="", evidence=(),
):
    """休学 for an enrolled student, 续休 (extension) for a suspended one. Illness needs a hospital
    diagnosis; other reasons their proof. Default three months, at most one school year."""
    require_own_student(by, student)
    extension = student.allows("extend_suspension")
    status_check(student, "extend_suspension" if extension else "suspend", _("休学"))
    fields = applicant_fields(applicant, reason)
    last = student_last_placement(student)
    school_class = last.school_class if last else None
    graduating = school_class is not None and school_class.grade in GRADUATING_GRADES
    if graduating:
        signers_check(student.school, school_class)
    if cause not in Cause.values:
        raise ValidationError({"cause": _("请选择休学原因。")})
    today = timezone.localdate()
    start_date = start_date or (student.suspended_until if extension and student.suspended_until else today)
    end_date = end_date or add_months(start_date, SUSPENSION_DEFAULT_MONTHS)
    suspension_period_check(student=student, start=start_date, end=end_date, today=today)
    if cause == Cause.ILLNESS:
        require_evidence(evidence, (Evidence.Kind.DIAGNOSIS,), _("因病休学须上传医院诊断证明。"))
    else:
        require_evidence(evidence, Evidence.Kind.values, _("请上传休学理由的证明材料。"))
    return request_start(
        SuspensionFlow, by=by, students=[student], evidence=evidence, student=student, school=student.school,
        cause=cause, start_date=start_date, end_date=end_date, extension=extension,
        school_class=school_class, graduating_grade=graduating, **fields,
    )


def signers_check(school, school_class) -> None:
    """A graduating grade's suspension needs its class teacher and the principal to sign: refuse
    it now, with what to do, when nobody could (the step would wait in nobody's inbox)."""
    missing = []
    if not users_in_role(Role.CLASS_TEACHER, school=school).filter(membership__school_class=school_class).exists():
        missing.append(_("%(name)s没有班主任账号") % {"name": school_class.name})
    if not users_in_role(Role.PRINCIPAL, school=school).exists():
        missing.append(_("本校没有校长账号"))
    if missing:
        raise Conflict(
            _("毕业年级休学须班主任、校长签字，但%(missing)s：请先由教导处开通账号。") % {"missing": "、".join(missing)},
            code="no_signer",
        )


class SuspensionForm(RequestStartForm):
    evidence_fields = {
        "evidence_application": Evidence.Kind.APPLICATION,
        "evidence_diagnosis": Evidence.Kind.DIAGNOSIS,
        "evidence_other": Evidence.Kind.OTHER,
    }
    cause = forms.ChoiceField(label=_lazy("休学原因"), choices=Cause.choices)
    start_date = forms.DateField(label=_lazy("开始日期"), required=False, widget=DateInput())
    end_date = forms.DateField(
        label=_lazy("截止日期"), required=False, widget=DateInput(),
        help_text=_lazy("不填则为三个月；最长不超过一学年。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = self.base_layout(Row("cause", "start_date", "end_date"))


class SuspensionStartView(OwnStudentMixin, StartRequestView):
    form_class = SuspensionForm
    field_map = {"start": "start_date", "end": "end_date"}

    @property
    def title(self):
        if self.student.allows("extend_suspension"):
            return pgettext("action", "续休")
        return pgettext("action", "休学")

    def start(self, form):
        data = form.cleaned_data
        return suspension_start(
            student=self.student, by=self.request.user, cause=data["cause"], start_date=data.get("start_date"),
            end_date=data.get("end_date"), applicant=form.applicant(), reason=data["reason"], evidence=form.evidence(),
        )


class SuspensionStart(EvidenceFields, StartSerializer):
    """休学 (续休 for a suspended student). Illness needs `evidence_diagnosis`; another cause its proof."""

    kind_value = Request.Kind.SUSPENSION
    student = id_field()
    cause = serializers.ChoiceField(choices=Cause.choices)
    start = serializers.DateField(required=False, allow_null=True, help_text="default: today (续休: the current end)")
    end = serializers.DateField(required=False, allow_null=True, help_text="default: three months after the start")
    reason = text_api_field(_lazy("申请理由"), REASON_MAX_LENGTH)
    applicant = ApplicantSerializer()
