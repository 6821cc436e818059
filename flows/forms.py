"""The forms every kind of request shares: a step's decision, evidence, the parent's request,
the record of a new student. Each kind's own forms are in its module."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from viewflow.forms import FieldSet, Layout, Row

from records.forms import DateInput, FamilyMemberForm, one_row
from records.models import Code, CodeTable, SchoolClass, Student
from records.text_lengths import COMMENT_MAX_LENGTH, REASON_MAX_LENGTH, text_form_field

from .evidence_files import evidence_file_check
from .models import Evidence, Request, WorkItem
from .record_json import RECORD_FIELDS

__all__ = ["DateInput", "FamilyMemberForm"]  # the kinds' pages use them beside this module's forms


class RequestFilterForm(forms.Form):
    """The request list's filters: an unknown kind or state is refused and left out."""

    kind = forms.ChoiceField(label=_("业务"), required=False, choices=[("", _("全部业务")), *Request.Kind.choices])
    state = forms.ChoiceField(label=_("办理状态"), required=False, choices=[("", _("全部状态")), *Request.State.choices])
    layout = one_row(["kind", "state"])

    def search_arguments(self) -> dict:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) or "" for name in ("kind", "state")}


class DecisionForm(forms.Form):
    """Approve, or reject with a reason (a rejection needs one)."""

    decision = forms.ChoiceField(label=_("办理意见"), choices=WorkItem.Decision.choices, widget=forms.RadioSelect)
    comment = text_form_field(_("说明"), COMMENT_MAX_LENGTH, required=False)

    def __init__(self, *args, request=None, user=None, step=None, **kwargs):
        self.request = request
        self.user = user
        super().__init__(*args, **kwargs)
        if not (step is not None and step.can_return):
            self.fields["decision"].choices = [
                choice for choice in WorkItem.Decision.choices if choice[0] != WorkItem.Decision.RETURN
            ]

    def clean(self):
        cleaned = super().clean()
        comment = (cleaned.get("comment") or "").strip()
        if cleaned.get("decision") == WorkItem.Decision.REJECT and not comment:
            self.add_error("comment", _("不同意时请填写理由。"))
        if cleaned.get("decision") == WorkItem.Decision.RETURN and not comment:
            self.add_error("comment", _("退回修改时请写明需要修改的地方。"))
        return cleaned

    @property
    def approving(self) -> bool:
        return self.cleaned_data.get("decision") == WorkItem.Decision.APPROVE


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SchoolClass) -> str:
        return f"{obj.name}（{obj.code}）"


def open_classes(school, grade):
    return SchoolClass.objects.filter(school=school, grade=grade, state=SchoolClass.State.OPEN).order_by("sequence")


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=Evidence.Kind.choices)
    file = forms.FileField(label=_("文件"))

    def clean_file(self):
        return evidence_file_check(self.cleaned_data["file"])


class RequestStartForm(forms.Form):
    """What the registrar logs from the parent's request: applicant, reason and scanned evidence."""

    applicant_fields = ("applicant_name", "applicant_relationship", "applicant_phone")
    # Which scanned documents the form asks for: field name → evidence kind.
    evidence_fields = {
        "evidence_household_register": Evidence.Kind.HOUSEHOLD_REGISTER,
        "evidence_residence": Evidence.Kind.RESIDENCE,
        "evidence_other": Evidence.Kind.OTHER,
    }
    with_applicant = True

    applicant_name = forms.CharField(label=_("申请人（家长）姓名"), max_length=50)
    applicant_relationship = forms.CharField(label=_("与学生关系"), max_length=20)
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=20)
    reason = text_form_field(_("申请理由"), REASON_MAX_LENGTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.with_applicant:
            for name in self.applicant_fields:
                del self.fields[name]
        for name, kind in self.evidence_fields.items():
            self.fields[name] = forms.FileField(
                label=_("%(kind)s（扫描件）") % {"kind": Evidence.Kind(kind).label}, required=False,
                help_text=_("PDF、JPG或PNG，不超过10MB"),
            )

    def clean(self):
        cleaned = super().clean()
        for name in self.evidence_fields:
            try:
                cleaned[name] = evidence_file_check(cleaned.get(name))
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def applicant(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data.get("applicant_name", ""),
            "relationship": data.get("applicant_relationship", ""),
            "phone": data.get("applicant_phone", ""),
        }

    def evidence(self) -> list:
        return [(kind, self.cleaned_data[name]) for name, kind in self.evidence_fields.items() if self.cleaned_data.get(name)]

    def base_layout(self, *head):
        return Layout(
            *head,
            FieldSet(_("申请人"), Row(*[name for name in self.applicant_fields if name in self.fields])),
            "reason",
            *([FieldSet(_("证明材料"), Row(*self.evidence_fields))] if self.evidence_fields else []),
        )


class StudentRecordForm(forms.ModelForm):
    """The student's record items as entered by a registrar (new record or transfer-in)."""

    class Meta:
        model = Student
        fields = list(RECORD_FIELDS)
        widgets = {
            "birth_date": DateInput(),
            "entry_date": DateInput(),
        }

    layout = Layout(
        FieldSet(_("基本信息"), Row("name", "former_names", "gender"), Row("birth_date", "ethnicity", "nationality"),
                 Row("birthplace", "native_place", "overseas_chinese", "health")),
        FieldSet(_("身份证件"), Row("id_type", "id_number")),
        FieldSet(_("户口"), Row("household_place", "household_type")),
        FieldSet(_("学籍"), Row("entry_date", "entry_way", "study_mode"), Row("student_type", "disability_type")),
        FieldSet(_("联系方式"), Row("current_address", "home_address"), Row("contact_phone", "postal_code")),
        FieldSet(_("家庭与特殊标识"), Row("left_behind", "only_child", "preschool", "migrant_worker_child"),
                 Row("orphan", "martyr_child", "needs_aid", "enjoys_subsidy")),
        FieldSet(_("上下学"), Row("distance_km", "transport", "school_bus")),
    )


    def _get_validation_exclusions(self):
        # Leave the one-person-one-record constraint to records.services.student_check_identity,
        # whose message names the school that holds the record; the database still guards the insert.
        return super()._get_validation_exclusions() | {"id_number"}

    def __init__(self, *args, transfer_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if transfer_in:
            # A transfer-in's entry way is always 转入.
            self.fields["entry_way"].disabled = True
            self.fields["entry_way"].initial = Code.objects.get(table=CodeTable.ENTRY_WAY, code="5").pk


def own_classes(school, grades):
    return SchoolClass.objects.filter(school=school, grade__in=grades, state=SchoolClass.State.OPEN).order_by(
        "grade", "sequence"
    )


