"""新生建档 (policy texts 篇1 四, 篇2 第四条): a class teacher or registrar enters the record; the
academic office verifies it (and may send it back to the one who entered it, the entries kept);
the bureau approves; the record is created, the student number issued and the student placed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from django.views.generic import TemplateView
from viewflow import this
from viewflow.forms import Layout, Row
from viewflow.workflow import flow

from records.models import Role, SchoolClass
from records.services import student_register
from records.views.access import SignedInMixin

from .base import RequestFlow
from .engine import new_record_check, normalized_record, request_start, require_role, task_decide
from .forms import ClassChoiceField, DecisionForm
from .models import Registration, Request, WorkItem
from .nodes import End, Function, Start
from .pages import RecordEntryMixin, member
from .record_json import family_from_json, family_to_json, record_from_json, record_items, record_to_json
from .selectors import user_may_act_on
from .serializers import KindField, RecordBody, class_code, record_of
from .steps import Step

CORRECTION_STEP = "correct_by_enterer"


class RegistrationFlow(RequestFlow, flow.Flow):
    """新生建档"""

    process_class = Registration
    kind = Request.Kind.REGISTRATION
    api_field_names = {"to_class": "class_code"}

    start = Start(this.begin).Next(this.verify_by_academic_office)
    verify_by_academic_office = (
        Step(
            org=this.school,
            title=_lazy("教导处核准新生信息"),
            role=Role.ACADEMIC_OFFICE,
            form_class=this.verification_form,
            apply=this.acknowledge_duplicate,
            # The acknowledgement of a possible duplicate comes with the step's data: an approval
            # without it would skip the check.
            form_required=True,
        )
        .Next(this.approve_by_bureau)
        .OnReject(this.rejected)
        .OnReturn(this.correct_by_enterer)
    )
    correct_by_enterer = (
        Step(
            org=this.school,
            title=_lazy("录入人修改后重新提交"),
            role=None,
            assignee=this.enterer,
            apply=this.apply_correction,
            page="registration_correct",
            form_required=True,
        )
        .Next(this.verify_by_academic_office)
        .OnReject(this.rejected)
    )
    approve_by_bureau = (
        Step(org=this.bureau, title=_lazy("教育局审批新生建档")).Next(this.create_record).OnReject(this.rejected)
    )
    create_record = Function(this.register).Annotation(title=_lazy("建立学籍、编班")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    @property
    def verification_form(self):
        return VerifyRegistrationForm

    def enterer(self, process):
        return process.started_by

    def acknowledge_duplicate(self, process, cleaned_data):
        acknowledged = bool(cleaned_data.get("acknowledge_duplicate"))
        if process.possible_duplicate_id and not acknowledged:
            raise ValidationError(
                {"acknowledge_duplicate": _("有疑似重复学籍：请核实不是同一人后勾选，或退回修改。")}
            )
        process.duplicate_acknowledged = acknowledged

    def apply_correction(self, process, data):
        """The corrected record, as registration_resubmit checked it, replaces the entered one."""
        process.to_class = data["to_class"]
        process.record = data["record"]
        process.family = data["family"]
        process.possible_duplicate = data["possible_duplicate"]
        process.duplicate_acknowledged = False
        if data.get("photo"):
            process.photo = data["photo"]

    def register(self, activation):
        request = activation.process
        data = record_from_json(request.record)
        if request.photo:
            data["photo"] = request.photo.name
        request.student = student_register(
            school_class=request.to_class,
            data=data,
            family_members=family_from_json(request.family),
            by=self.last_actor(activation),
            placement_reason=_("新生建档"),
        )
        request.save(update_fields=["student"])
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return RegistrationStart

    @property
    def start_pages(self):
        return (
            path("registrations/new/", RegistrationStartView.as_view(), name="registration_start"),
            path("registrations/correct/<int:pk>/", RegistrationCorrectView.as_view(), name="registration_correct"),
        )

    def record_items(self, process):
        return record_items(process.record, process.family)

    def details(self, process):
        return {
            "class_code": class_code(process.to_class),
            "record": process.record,
            "family_members": process.family,
            "has_possible_duplicate": process.possible_duplicate_id is not None,
            "duplicate_acknowledged": process.duplicate_acknowledged,
        }

    def start_from_api(self, user, data):
        return registration_start(
            to_class=data["class_code"], by=user, record=record_of(data), family=data["family_members"],
            photo=data.get("photo"),
        )

    def resubmit_from_api(self, item, user, data):
        """The API's correction of a sent-back registration: a validated RecordBody."""
        return registration_resubmit(
            work_item=item, by=user, to_class=data["class_code"], record=record_of(data),
            family=data["family_members"], photo=data.get("photo"),
        )


def _require_entry_rights(by, to_class: SchoolClass):
    membership = require_role(by, Role.REGISTRAR, Role.CLASS_TEACHER)
    if to_class.school_id != membership.school_id:
        raise PermissionDenied(_("只能为本校班级建档。"))
    if membership.role == Role.CLASS_TEACHER and membership.school_class_id != to_class.pk:
        raise PermissionDenied(_("班主任只能为本班学生建档。"))
    return membership


def _entry_check(*, to_class: SchoolClass, record: dict, family: list, exclude_request=None):
    if to_class.state != SchoolClass.State.OPEN:
        raise ValidationError({"to_class": _("该班级已不在读。")})
    return new_record_check(school=to_class.school, record=record, family=family, exclude=exclude_request)


@transaction.atomic
def registration_start(*, to_class: SchoolClass, by, record: dict, family: list, photo=None) -> Registration:
    """A registrar (any class of the school) or a class teacher (their class) enters a new student."""
    _require_entry_rights(by, to_class)
    record = normalized_record(record)
    duplicate = _entry_check(to_class=to_class, record=record, family=family)
    return request_start(
        RegistrationFlow,
        by=by,
        school=to_class.school,
        to_class=to_class,
        record=record_to_json(record),
        family=family_to_json(family),
        photo=photo or "",
        possible_duplicate=duplicate,
    )


@transaction.atomic
def registration_resubmit(*, work_item: WorkItem, by, to_class: SchoolClass, record: dict, family: list, photo=None):
    """The one who entered a sent-back registration corrects it; it goes back to verification."""
    request = work_item.request.coerced
    if not isinstance(request, Registration) or work_item.step != CORRECTION_STEP:
        raise PermissionDenied
    if to_class.school_id != request.school_id:
        raise PermissionDenied(_("只能为本校班级建档。"))
    # A class teacher corrects within their own class, as when entering.
    _require_entry_rights(by, to_class)
    record = normalized_record(record)
    duplicate = _entry_check(to_class=to_class, record=record, family=family, exclude_request=request)
    data = {
        "to_class": to_class,
        "record": record_to_json(record),
        "family": family_to_json(family),
        "possible_duplicate": duplicate,
        "photo": photo,
    }
    return task_decide(work_item=work_item, by=by, decision=WorkItem.Decision.APPROVE, comment=_("已修改，重新提交"), data=data)


# --- Forms -------------------------------------------------------------------------------------------


class VerifyRegistrationForm(DecisionForm):
    """The academic office verifies a new record; a possible duplicate must be acknowledged."""

    acknowledge_duplicate = forms.BooleanField(label=_lazy("已核实：与疑似重复的学籍不是同一人"), required=False)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        request = request.coerced if hasattr(request, "coerced") else request
        self.possible_duplicate = getattr(request, "possible_duplicate", None)
        if self.possible_duplicate is None:
            del self.fields["acknowledge_duplicate"]
        else:
            self.fields["acknowledge_duplicate"].help_text = _(
                "已有学籍“%(name)s”（%(school)s）的姓名、性别、出生日期与本生相同。"
            ) % {"name": self.possible_duplicate.name, "school": self.possible_duplicate.school.name}

    def clean(self):
        cleaned = super().clean()
        if (
            self.possible_duplicate is not None
            and cleaned.get("decision") == WorkItem.Decision.APPROVE
            and not cleaned.get("acknowledge_duplicate")
        ):
            self.add_error("acknowledge_duplicate", _("有疑似重复学籍：请核实不是同一人后勾选，或退回修改。"))
        return cleaned


class RegistrationForm(forms.Form):
    """新生建档: the class, and a photo; the record and family members are their own forms."""

    to_class = ClassChoiceField(label=_lazy("编入班级"), queryset=SchoolClass.objects.none())
    photo = forms.ImageField(label=_lazy("照片（近期免冠）"), required=False)

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_class"].queryset = classes
        self.layout = Layout(Row("to_class", "photo"))


# --- Pages -------------------------------------------------------------------------------------------


class RegistrationEntryMixin(RecordEntryMixin):
    """The record, up to two family members, the class and a photo: the new-student entry page."""

    template_name = "flows/registration.html"

    def classes(self):
        if self.membership.role == Role.CLASS_TEACHER:
            return SchoolClass.objects.filter(pk=self.membership.school_class_id)
        return SchoolClass.objects.filter(school=self.membership.school, state=SchoolClass.State.OPEN).order_by(
            "grade", "sequence"
        )

    def forms(self, initial=None) -> dict:
        data = self.request.POST if self.request.method == "POST" else None
        files = self.request.FILES if self.request.method == "POST" else None
        initial = initial or {}
        return {
            "form": RegistrationForm(data, files, classes=self.classes(), initial={"to_class": initial.get("to_class")}),
            **self.record_forms(initial),
        }

    def submitted(self, forms_) -> dict | None:
        entered = self.entered_record(forms_)
        if entered is None:
            return None
        form = forms_["form"]
        return {"to_class": form.cleaned_data["to_class"], "photo": form.cleaned_data.get("photo"), **entered}


class RegistrationStartView(SignedInMixin, RegistrationEntryMixin, TemplateView):
    def check_access(self, request, *args, **kwargs):
        self.membership = member(request.user)
        if self.membership.role not in (Role.REGISTRAR, Role.CLASS_TEACHER):
            raise PermissionDenied(_("新生信息由学籍管理员或班主任录入。"))

    def get_context_data(self, **kwargs):
        preselected = {"to_class": self.request.GET.get("to_class")} if self.request.method == "GET" else None
        return super().get_context_data(title=pgettext("action", "新生建档"), **{**self.forms(preselected), **kwargs})

    def post(self, request, *args, **kwargs):
        forms_ = self.forms()
        data = self.submitted(forms_)
        if data is not None:
            try:
                with transaction.atomic():
                    started = registration_start(by=request.user, **data)
            except ValidationError as error:
                self.show_error(forms_, error)
            else:
                if started.possible_duplicate_id:
                    messages.warning(request, _("已提交。注意：已有姓名、性别、出生日期相同的学籍，教导处核准时须核实。"))
                else:
                    messages.success(request, _("新生信息已提交，等待教导处核准。"))
                return redirect("request_detail", pk=started.pk)
        return self.render_to_response(self.get_context_data(**forms_))


class RegistrationCorrectView(SignedInMixin, RegistrationEntryMixin, TemplateView):
    """The one who entered a sent-back registration corrects it: their earlier entries are kept."""

    def check_access(self, request, *args, **kwargs):
        self.membership = member(request.user)
        self.work_item = get_object_or_404(WorkItem, pk=kwargs["pk"], step=CORRECTION_STEP, finished__isnull=True)
        if not user_may_act_on(request.user, self.work_item):
            raise Http404
        self.registration = self.work_item.request.coerced

    def initial(self) -> dict:
        def as_initial(values: dict) -> dict:
            return {name: (value.pk if hasattr(value, "pk") else value) for name, value in values.items()}

        return {
            "to_class": self.registration.to_class_id,
            "record": as_initial(record_from_json(self.registration.record)),
            "family": [as_initial(member) for member in family_from_json(self.registration.family)],
        }

    def get_context_data(self, **kwargs):
        returned = (
            WorkItem.objects.filter(request=self.registration, decision=WorkItem.Decision.RETURN)
            .order_by("-finished")
            .first()
        )
        forms_ = {key: kwargs.pop(key) for key in ("form", "record_form", "family1", "family2") if key in kwargs}
        return super().get_context_data(
            title=_("修改后重新提交"), returned=returned, req=self.registration,
            **(forms_ or self.forms(self.initial())), **kwargs,
        )

    def post(self, request, *args, **kwargs):
        forms_ = self.forms()
        data = self.submitted(forms_)
        if data is not None:
            try:
                registration_resubmit(work_item=self.work_item, by=request.user, **data)
            except ValidationError as error:
                self.show_error(forms_, error)
            else:
                messages.success(request, _("已重新提交，等待教导处核准。"))
                return redirect("request_detail", pk=self.registration.pk)
        return self.render_to_response(self.get_context_data(**forms_))


# --- API ---------------------------------------------------------------------------------------------


class RegistrationStart(RecordBody):
    """新生建档: the record's items at the top level, named as in the student detail, its family
    members (one or two, at least one a guardian) and the class."""

    kind = KindField(Request.Kind.REGISTRATION)

    class Meta(RecordBody.Meta):
        fields = ["kind", *RecordBody.Meta.fields]

