"""外地转入: a student from outside the system gets a new record (policy texts 篇2 第八条),
marked as a transfer-in; the bureau approves and the record is created and placed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import serializers
from viewflow import this
from viewflow.forms import Row
from viewflow.workflow import flow

from records.models import CodeTable, Role, School, SchoolClass
from records.services import code_get, student_register
from records.term_calendar import transfer_start_check
from records.text_lengths import REASON_MAX_LENGTH, text_api_field

from .base import RequestFlow
from .engine import applicant_fields, new_record_check, normalized_record, request_start, require_role
from .forms import ClassChoiceField, RequestStartForm
from .models import Request, TransferIn
from .nodes import End, Function, Start
from .pages import RecordEntryMixin, StartRequestView, registrar
from .record_json import family_from_json, family_to_json, record_from_json, record_items, record_to_json
from .serializers import ApplicantSerializer, EvidenceFields, KindField, RecordBody, class_code, evidence_of, record_of
from .steps import Step

TRANSFER_IN_ENTRY_WAY = "5"  # entry way code: 转入


class TransferInFlow(RequestFlow, flow.Flow):
    """外地转入"""

    process_class = TransferIn
    kind = Request.Kind.TRANSFER_IN
    lapses = True
    api_field_names = {"to_class": "class_code"}

    start = Start(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = Step(org=this.bureau, title=_lazy("教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    apply_change = Function(this.create_record).Annotation(title=_lazy("学籍变更生效")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def create_record(self, activation):
        request = activation.process
        request.student = student_register(
            school_class=request.to_class,
            data=record_from_json(request.record),
            family_members=family_from_json(request.family),
            by=self.last_actor(activation),
            placement_reason=_("外地转入"),
        )
        request.save(update_fields=["student"])
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return TransferInStart

    @property
    def start_pages(self):
        return (path("transfers/from-outside/", TransferInView.as_view(), name="transfer_in"),)

    def record_items(self, process):
        return record_items(process.record, process.family)

    def details(self, process):
        return {
            "class_code": class_code(process.to_class),
            "previous_school": process.previous_school,
            "record": process.record,
            "family_members": process.family,
        }

    def start_from_api(self, user, data):
        return transfer_in_start(
            to_class=data["class_code"], by=user, record=record_of(data), family=data["family_members"],
            previous_school=data["previous_school"], applicant=data["applicant"], reason=data["reason"],
            evidence=evidence_of(data),
        )


@transaction.atomic
def transfer_in_start(
    *, to_class, by, record: dict, family: list, previous_school: str = "", applicant=None, reason="",
    evidence=(), today=None,
):
    """外地转入: the receiving registrar enters the record; it is created at the bureau's approval."""
    membership = require_role(by, Role.REGISTRAR)
    if to_class.school_id != membership.school_id:
        raise PermissionDenied(_("转入班级须是本校的班级。"))
    if to_class.state != SchoolClass.State.OPEN:
        raise ValidationError({"to_class": _("该班级已不在读。")})
    fields = applicant_fields(applicant, reason)
    record = normalized_record(dict(record, entry_way=code_get(CodeTable.ENTRY_WAY, TRANSFER_IN_ENTRY_WAY)))
    new_record_check(school=to_class.school, record=record, family=family)
    transfer_start_check(bureau=to_class.school.bureau, grade=to_class.grade, day=today or timezone.localdate())
    return request_start(
        TransferInFlow,
        by=by,
        evidence=evidence,
        school=to_class.school,
        to_class=to_class,
        record=record_to_json(record),
        family=family_to_json(family),
        previous_school=previous_school,
        **fields,
    )


class TransferInForm(RequestStartForm):
    """外地转入: where the student comes from and which class receives them."""

    to_class = ClassChoiceField(label=_lazy("编入班级"), queryset=SchoolClass.objects.none())
    previous_school = forms.CharField(label=_lazy("原就读学校（省市、校名）"), max_length=100)

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_class"].queryset = SchoolClass.objects.filter(
            school=school, state=SchoolClass.State.OPEN
        ).order_by("grade", "sequence")
        self.layout = self.base_layout(Row("to_class", "previous_school"))


class TransferInView(RecordEntryMixin, StartRequestView):
    """外地转入: the record, up to two family members, the class, and the parent's request."""

    form_class = TransferInForm
    template_name = "flows/transfer_in.html"
    title = _lazy("外地转入（新建学籍）")
    record_form_kwargs = {"transfer_in": True}

    def check_access(self, request, *args, **kwargs):
        self.membership = registrar(request.user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school": self.membership.school}

    def get_context_data(self, **kwargs):
        if "record_form" not in kwargs:
            kwargs.update(self.record_forms())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        forms_ = {"form": self.get_form(), **self.record_forms()}
        entered = self.entered_record(forms_)
        if entered is not None:
            form = forms_["form"]
            try:
                with transaction.atomic():
                    started = transfer_in_start(
                        to_class=form.cleaned_data["to_class"], by=request.user, **entered,
                        previous_school=form.cleaned_data["previous_school"],
                        applicant=form.applicant(), reason=form.cleaned_data["reason"], evidence=form.evidence(),
                    )
            except ValidationError as error:
                self.show_error(forms_, error)
            else:
                messages.success(request, _("转入申请已提交（#%(pk)d），等待教育局审批。") % {"pk": started.pk})
                return redirect("request_detail", pk=started.pk)
        return self.render_to_response(self.get_context_data(**forms_))


class TransferInStart(EvidenceFields, RecordBody):
    """外地转入: the record as for a registration (its entry way is always 转入), where the student
    comes from, and the parent's request."""

    kind = KindField(Request.Kind.TRANSFER_IN)
    previous_school = serializers.CharField(max_length=100, allow_blank=True)
    reason = text_api_field(_lazy("申请理由"), REASON_MAX_LENGTH)
    applicant = ApplicantSerializer()

    class Meta(RecordBody.Meta):
        fields = ["kind", *[f for f in RecordBody.Meta.fields if f != "photo"], "previous_school", "reason", "applicant"]
        extra_kwargs = {**RecordBody.Meta.extra_kwargs, "entry_way": {"required": False}}
