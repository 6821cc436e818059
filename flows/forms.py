"""Forms of the request pages: starting a request and deciding a step."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from viewflow.forms import FieldSet, Layout, Row

from records.forms import FamilyMemberForm  # noqa: F401  (the record entry pages use it)
from records.models import Code, CodeTable, School, SchoolClass, Student

from .models import Cause, Evidence, PovertyChange, TransferOut, WorkItem
from .record_json import RECORD_FIELDS


class DateInput(forms.DateInput):
    """The browser's date picker. It shows a value only in ISO form (2016-09-05), not in the
    zh-hans input format (2016/09/05) that Django would otherwise render."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DecisionForm(forms.Form):
    """Approve, or reject with a reason (a rejection needs one)."""

    decision = forms.ChoiceField(label=_("办理意见"), choices=WorkItem.Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

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


class ReceivingClassDecisionForm(DecisionForm):
    """The receiving school confirms and picks a class of the student's grade."""

    to_class = ClassChoiceField(label=_("转入班级"), queryset=SchoolClass.objects.none(), required=False)

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


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=Evidence.Kind.choices)
    file = forms.FileField(label=_("文件"))

    MAX_BYTES = 10 * 1024 * 1024
    ALLOWED = (".pdf", ".jpg", ".jpeg", ".png")

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > self.MAX_BYTES:
            raise ValidationError(_("文件不能超过10MB。"))
        if not file.name.lower().endswith(self.ALLOWED):
            raise ValidationError(_("只接受PDF、JPG、PNG格式的扫描件。"))
        return file


class WholeClassDecisionForm(DecisionForm):
    """The receiving school confirms and picks an open class of the same grade, or names a new one."""

    to_class = ClassChoiceField(label=_("转入已有班级"), queryset=SchoolClass.objects.none(), required=False)
    new_class_name = forms.CharField(label=_("或新建班级，名称"), max_length=32, required=False)

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


# --- Starting requests ------------------------------------------------------------------------



def _file_checked(file):
    if file is None:
        return None
    if file.size > EvidenceForm.MAX_BYTES:
        raise ValidationError(_("文件不能超过10MB。"))
    if not file.name.lower().endswith(EvidenceForm.ALLOWED):
        raise ValidationError(_("只接受PDF、JPG、PNG格式的扫描件。"))
    return file


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
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 3}))

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
                cleaned[name] = _file_checked(cleaned.get(name))
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


class TransferSendForm(RequestStartForm):
    """The sending school starts: it picks the receiving school; that school picks the class."""

    to_school = forms.ModelChoiceField(label=_("转入学校"), queryset=School.objects.none())

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        placement = student.open_placement
        grade = placement.school_class.grade if placement else None
        types = [school_type for school_type, grades in School.GRADES.items() if grade in grades]
        self.fields["to_school"].queryset = (
            School.objects.filter(type__in=types).exclude(pk=student.school_id).order_by("region__code", "name")
        )
        self.layout = self.base_layout("to_school")


class StudentLookupForm(forms.Form):
    """A school finds a student of another school only by the exact student number and name."""

    student_number = forms.CharField(label=_("学籍号"), max_length=19)
    name = forms.CharField(label=_("姓名"), max_length=50)
    layout = Layout(Row("student_number", "name"))


class TransferReceiveForm(RequestStartForm):
    """The receiving school starts (the parent applied there) and picks the class now."""

    to_class = ClassChoiceField(label=_("转入班级"), queryset=SchoolClass.objects.none())

    def __init__(self, *args, student: Student, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        placement = student.open_placement
        grade = placement.school_class.grade if placement else 0
        self.fields["to_class"].queryset = open_classes(school, grade)
        self.layout = self.base_layout("to_class")


class TransferOutForm(RequestStartForm):
    scope = forms.ChoiceField(label=_("转往范围"), choices=TransferOut.Scope.choices)
    destination = forms.CharField(label=_("转往地（省市或国家）"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = self.base_layout(Row("scope", "destination"))


class WholeClassTransferForm(RequestStartForm):
    with_applicant = False
    evidence_fields = {}
    to_school = forms.ModelChoiceField(label=_("转入学校"), queryset=School.objects.none())

    def __init__(self, *args, school_class: SchoolClass, **kwargs):
        super().__init__(*args, **kwargs)
        types = [school_type for school_type, grades in School.GRADES.items() if school_class.grade in grades]
        self.fields["to_school"].queryset = (
            School.objects.filter(type__in=types).exclude(pk=school_class.school_id).order_by("region__code", "name")
        )
        self.layout = Layout("to_school", "reason")


class TransferCancelForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), widget=forms.Textarea(attrs={"rows": 3}))


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


class TransferInForm(RequestStartForm):
    """外地转入: where the student comes from and which class receives them."""

    to_class = ClassChoiceField(label=_("编入班级"), queryset=SchoolClass.objects.none())
    previous_school = forms.CharField(label=_("原就读学校（省市、校名）"), max_length=100)

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_class"].queryset = SchoolClass.objects.filter(
            school=school, state=SchoolClass.State.OPEN
        ).order_by("grade", "sequence")
        self.layout = self.base_layout(Row("to_class", "previous_school"))


class VerifyRegistrationForm(DecisionForm):
    """The academic office verifies a new record; a possible duplicate must be acknowledged."""

    acknowledge_duplicate = forms.BooleanField(
        label=_("已核实：与疑似重复的学籍不是同一人"), required=False
    )

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


# --- Status-change requests -----------------------------------------------------------------


def own_classes(school, grades):
    return SchoolClass.objects.filter(school=school, grade__in=grades, state=SchoolClass.State.OPEN).order_by(
        "grade", "sequence"
    )


class SuspensionForm(RequestStartForm):
    evidence_fields = {
        "evidence_application": Evidence.Kind.APPLICATION,
        "evidence_diagnosis": Evidence.Kind.DIAGNOSIS,
        "evidence_other": Evidence.Kind.OTHER,
    }
    cause = forms.ChoiceField(label=_("休学原因"), choices=Cause.choices)
    start_date = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    end_date = forms.DateField(
        label=_("截止日期"), required=False, widget=DateInput(),
        help_text=_("不填则为三个月；最长不超过一学年。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = self.base_layout(Row("cause", "start_date", "end_date"))


class ResumptionForm(RequestStartForm):
    evidence_fields = {
        "evidence_application": Evidence.Kind.APPLICATION,
        "evidence_certificate": Evidence.Kind.CERTIFICATE,
        "evidence_other": Evidence.Kind.OTHER,
    }
    cause = forms.ChoiceField(label=_("原休学/离校原因"), choices=Cause.choices)
    to_class = ClassChoiceField(
        label=_("复学班级"), queryset=SchoolClass.objects.none(), required=False,
        help_text=_("不选则回原班级；离校超过三个月的，可选原年级或低一个年级的班级。"),
    )

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        from records.services import student_last_placement

        last = student_last_placement(student)
        grades = [last.school_class.grade - 1, last.school_class.grade] if last else []
        self.fields["to_class"].queryset = own_classes(student.school, grades)
        self.layout = self.base_layout(Row("cause", "to_class"))


class DropoutForm(RequestStartForm):
    with_applicant = False
    evidence_fields = {"evidence_certificate": Evidence.Kind.CERTIFICATE, "evidence_other": Evidence.Kind.OTHER}
    reason_code = forms.ModelChoiceField(label=_("原因"), queryset=Code.objects.filter(table=CodeTable.DROPOUT_REASON))
    remark = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]
        self.fields["evidence_certificate"].help_text = _("死亡登记须上传公安机关或医院出具的死亡证明。")
        self.layout = Layout(Row("reason_code", "remark"), FieldSet(_("证明材料"), Row(*self.evidence_fields)))


class GradeChangeForm(forms.Form):
    to_class = ClassChoiceField(label=_("调入班级"), queryset=SchoolClass.objects.none())
    justification = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        placement = student.open_placement
        grade = placement.school_class.grade if placement else 0
        self.fields["to_class"].queryset = own_classes(student.school, [grade - 1, grade + 1])
        self.fields["to_class"].help_text = _("留级选低一个年级的班级，跳级选高一个年级的班级。")


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


class PovertyForm(forms.Form):
    action = forms.ChoiceField(label=_("操作"), choices=PovertyChange.Action.choices)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].initial = PovertyChange.Action.CANCEL if student.poverty else PovertyChange.Action.IDENTIFY


class RegistrationForm(forms.Form):
    """新生建档: the class, and a photo; the record and family members are their own forms."""

    to_class = ClassChoiceField(label=_("编入班级"), queryset=SchoolClass.objects.none())
    photo = forms.ImageField(label=_("照片（近期免冠）"), required=False)

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_class"].queryset = classes
        self.layout = Layout(Row("to_class", "photo"))
