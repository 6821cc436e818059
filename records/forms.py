"""Forms of the register's pages: the student and class filters, login and password change, a school's accounts."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from viewflow.contrib.auth import AuthenticationForm
from viewflow.forms import FieldSet, Layout, Row, Span

from .class_codes import GRADE_CHOICES
from .models import SCHOOL_ROLES, FamilyMember, Role, SchoolClass, Student
from .services import EDITABLE_STUDENT_FIELDS, member_id_number
from .subjects import Subject
from .selectors import classes_visible_to, schools_visible_to, sees_identity_whole

ALL = ("", _("全部"))
# viewflow spreads a row over 12 desktop columns; the search box gets the spare width.
_ROW_SIZES = {1: (12,), 2: (6, 6), 3: (4, 4, 4), 4: (3, 3, 3, 3), 5: (3, 3, 2, 2, 2)}


def one_row(names: list[str]) -> Layout:
    return Layout(Row(*(Span(name, desktop=size) for name, size in zip(names, _ROW_SIZES[len(names)]))))


class DateInput(forms.DateInput):
    """The browser's date picker. It shows a value only in ISO form (2016-09-05), not in the
    zh-hans input format (2016/09/05) that Django would otherwise render."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _school_choices(form, user, schools: list[tuple[str, str]] | None = None) -> None:
    """A filter's school choices: the schools the user sees (`schools`, when read already), or no
    school filter when that is one."""
    if schools is None:
        schools = list(schools_visible_to(user).values_list("identifier", "name"))
    if len(schools) > 1:
        form.fields["school"].choices = [("", _("全部学校")), *schools]
    else:
        del form.fields["school"]


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "invalid_login": _("用户名或密码不正确。请注意：连续输错多次后账号会被暂时锁定。"),
            "inactive": _("该账号已停用，请联系系统管理员。"),
        }
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, refusing the old password as the new one (the initial password must go)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # viewflow prints help texts as text: the rules one after another, not Django's <ul>.
        self.fields["new_password1"].help_text = " ".join(password_validation.password_validators_help_texts())

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and self.user.check_password(password):
            raise forms.ValidationError(_("新密码不能与原密码相同。"), code="password_unchanged")
        return password


# Above this many schools (a province has thousands) the school filter is typed, not chosen:
# a drop-down of 5,000 schools made the province's list page 1.4 MB and most of its time.
SCHOOL_CHOICES_UP_TO = 500


class StudentFilterForm(forms.Form):
    """Search and filters of the student list; its choices are what the user may see.

    A filter only narrows students_visible_to(user): an identifier of a school the user cannot
    see is not a choice, so the form refuses it and the list stays the user's own.
    """

    q = forms.CharField(label=_("姓名或学籍号"), required=False, max_length=50)
    school = forms.ChoiceField(label=_("学校"), required=False)
    class_code = forms.ChoiceField(label=_("班级"), required=False)
    grade = forms.TypedChoiceField(
        label=_("年级"), required=False, coerce=int, empty_value=None, choices=[ALL, *GRADE_CHOICES]
    )
    status = forms.ChoiceField(label=_("学籍状态"), required=False, choices=[ALL, *Student.Status.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not sees_identity_whole(user):
            # A teacher reads student numbers masked and searches names only (selectors.privacy).
            self.fields["q"].label = _("姓名")
        self.user = user
        schools = list(schools_visible_to(user).values_list("identifier", "name")[: SCHOOL_CHOICES_UP_TO + 1])
        if len(schools) > SCHOOL_CHOICES_UP_TO:
            self.fields["school"] = forms.CharField(
                label=_("学校"), required=False, max_length=100, help_text=_("输入学校标识码或学校全称")
            )
            chosen_school = self._typed_identifier = self._typed_school(self.data.get("school", ""))
        else:
            _school_choices(self, user, schools)
            chosen_school = self.data.get("school") if "school" in self.fields else None
        many_schools = "school" in self.fields

        classes = classes_visible_to(user).filter(state=SchoolClass.State.OPEN)
        if chosen_school:
            classes = classes.filter(school__identifier=chosen_school)
        elif many_schools:
            classes = classes.none()  # a county has thousands of classes: pick the school first
            self.fields["class_code"].help_text = _("请先选择学校")
        class_choices = list(classes.order_by("grade", "sequence").values_list("code", "name"))
        if len(class_choices) == 1 and not many_schools:
            del self.fields["class_code"]  # a teacher's one class
        else:
            self.fields["class_code"].choices = [("", _("全部班级")), *class_choices]

        fields = [name for name in ("q", "school", "class_code", "grade", "status") if name in self.fields]
        self.layout = one_row(fields)

    def _typed_school(self, typed: str) -> str | None:
        """The identifier of the one school the user sees by that identifier or full name."""
        typed = typed.strip()
        if not typed:
            return None
        found = list(
            schools_visible_to(self.user).filter(Q(identifier=typed) | Q(name=typed)).values_list("identifier", flat=True)[:2]
        )
        return found[0] if len(found) == 1 else None

    def clean_school(self):
        typed = self.cleaned_data.get("school", "")
        if not isinstance(self.fields["school"], forms.CharField) or not typed:
            return typed
        identifier = self._typed_identifier  # what __init__ found for the same text
        if identifier is None:
            raise ValidationError(_("没有找到这所学校，请输入学校标识码或学校全称。"), code="unknown_school")
        return identifier

    def search_arguments(self) -> dict:
        """The keyword arguments for selectors.student_search; invalid filters are left out."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        arguments = {}
        for name in ("q", "school", "class_code", "status", "grade"):
            if name in self.fields and cleaned.get(name) not in (None, ""):
                arguments[name] = cleaned[name]
        return arguments


class ClassFilterForm(forms.Form):
    school = forms.ChoiceField(label=_("学校"), required=False)
    grade = forms.TypedChoiceField(
        label=_("年级"), required=False, coerce=int, empty_value=None, choices=[ALL, *GRADE_CHOICES]
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[ALL, *SchoolClass.State.choices],
        initial=SchoolClass.State.OPEN,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _school_choices(self, user)
        self.layout = one_row(list(self.fields))

    def filter(self, classes):
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        if cleaned.get("school"):
            classes = classes.filter(school__identifier=cleaned["school"])
        if cleaned.get("grade"):
            classes = classes.filter(grade=cleaned["grade"])
        if cleaned.get("state"):
            classes = classes.filter(state=cleaned["state"])
        return classes


class FamilyMemberForm(forms.ModelForm):
    class Meta:
        model = FamilyMember
        fields = ["name", "relationship", "is_guardian", "phone", "ethnicity", "work_unit", "job_title",
                  "address", "household_place", "id_type", "id_number"]

    layout = Layout(
        Row("name", "relationship", "is_guardian", "phone"),
        Row("work_unit", "job_title", "ethnicity"),
        Row("address", "household_place"),
        Row("id_type", "id_number"),
    )

    def __init__(self, *args, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.optional = optional
        if optional:
            for field in self.fields.values():
                field.required = False

    def is_blank(self) -> bool:
        return self.optional and not (self.data.get(self.add_prefix("name")) or "").strip()

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["id_number"] = member_id_number(cleaned)
        except ValidationError as error:
            self.add_error("id_number", error.messages)
        return cleaned


class StudentEditForm(forms.ModelForm):
    """What the school edits directly (everything but key information and status); the edit
    is kept in the history. 借读 is a student type set here, without approval."""

    class Meta:
        model = Student
        fields = list(EDITABLE_STUDENT_FIELDS)
        # <input type="date"> shows only ISO dates, not the zh-hans input format 2016/09/05.
        widgets = {"entry_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    layout = Layout(
        FieldSet(_("基本信息"), Row("birthplace", "native_place"), Row("ethnicity", "nationality", "overseas_chinese", "health")),
        FieldSet(_("户口"), Row("household_place", "household_type")),
        FieldSet(_("学籍"), Row("entry_date", "entry_way", "study_mode"), Row("student_type", "disability_type")),
        FieldSet(_("联系方式"), Row("current_address", "home_address"), Row("contact_phone", "postal_code")),
        FieldSet(_("家庭与特殊标识"), Row("left_behind", "only_child", "preschool", "migrant_worker_child"),
                 Row("orphan", "martyr_child", "needs_aid", "enjoys_subsidy")),
        FieldSet(_("上下学"), Row("distance_km", "transport", "school_bus")),
        "photo",
    )


def form_errors_from(form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on the named field when the form has it
    (`field_map` names the form's field for a service's field name where they differ), above the
    form otherwise."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            field = (field_map or {}).get(field, field)
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)



# --- A bureau's calendar: its terms and its transfer windows ------------------------------------------


class TermForm(forms.Form):
    name = forms.CharField(label=_("学期名称"), max_length=50)
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("结束日期"), widget=DateInput())
    # One row per term; DELETE is the formset's own field.
    layout = Layout(Row(Span("name", desktop=4), Span("start", desktop=3), Span("end", desktop=3), Span("DELETE", desktop=2)))


class WindowForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("结束日期"), widget=DateInput())
    layout = Layout(Row(Span("start", desktop=5), Span("end", desktop=5), Span("DELETE", desktop=2)))


TermFormSet = forms.formset_factory(TermForm, extra=1, can_delete=True)
WindowFormSet = forms.formset_factory(WindowForm, extra=1, can_delete=True)


def calendar_formsets(bureau, data=None):
    terms = TermFormSet(
        data, prefix="terms", initial=[{"name": t.name, "start": t.start, "end": t.end} for t in bureau.terms.all()]
    )
    windows = WindowFormSet(
        data, prefix="windows", initial=[{"start": w.start, "end": w.end} for w in bureau.transfer_windows.all()]
    )
    return terms, windows


def kept_rows(formset) -> list[dict]:
    """The rows of a valid formset that were filled in and not marked for deletion."""
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class RolloverYearForm(forms.Form):
    """The new school year a rollover previews (the default: the one after the current term)."""

    school_year = forms.IntegerField(label=_("新学年"), min_value=2000, max_value=2100)
    layout = Layout(Row("school_year"))


class ClassRenameForm(forms.Form):
    name = forms.CharField(label=_("新班级名称"), max_length=32)
    layout = Layout(Row("name"))


class ClassMergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("并入班级"), queryset=SchoolClass.objects.none(), empty_label=None)
    layout = Layout(Row("into"))

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets
        first = targets.first()
        self.fields["into"].initial = first.pk if first else None


class ReassignClassForm(forms.Form):
    """重新分班: another open class of the same grade in the student's school."""

    to_class = forms.ModelChoiceField(label=_("调入班级"), queryset=SchoolClass.objects.none())
    reason = forms.CharField(label=_("原因"), max_length=80, required=False, help_text=_("如：分班调整、家长申请，可不填。"))

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        current = student.open_placement
        classes = SchoolClass.objects.filter(school=student.school_id, state=SchoolClass.State.OPEN)
        if current is not None:
            classes = classes.filter(grade=current.school_class.grade).exclude(pk=current.school_class_id)
        self.fields["to_class"].queryset = classes.order_by("sequence")
        self.fields["to_class"].label_from_instance = lambda c: f"{c.name}（{c.code}）"
        self.layout = Layout(Row("to_class", "reason"))


# --- A school's accounts, opened by its academic office ------------------------------------------------


class SchoolAccountForm(forms.Form):
    """开通账号: who, their login, their role, and the class (and subject) a teacher teaches."""

    full_name = forms.CharField(label=_("姓名"), max_length=150)
    username = forms.CharField(
        label=_("登录名"), max_length=150, help_text=_("字母、数字和 @ . + - _，如 wang.fang；开通后不能修改。")
    )
    role = forms.ChoiceField(label=_("角色"))
    school_class = forms.ModelChoiceField(
        label=_("任教班级"), queryset=SchoolClass.objects.none(), required=False, help_text=_("班主任和任课教师须选择。")
    )
    subject = forms.ChoiceField(label=_("任教学科"), required=False, help_text=_("任课教师须选择。"))

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "---------"), *((role.value, role.label) for role in map(Role, SCHOOL_ROLES))]
        self.fields["school_class"].queryset = SchoolClass.objects.filter(
            school=school, state=SchoolClass.State.OPEN
        ).order_by("grade", "sequence")
        self.fields["school_class"].label_from_instance = lambda c: f"{c.name}（{c.code}）"
        self.fields["subject"].choices = [("", "---------"), *Subject.choices]
        self.layout = Layout(Row("full_name", "username"), Row("role", "school_class", "subject"))


class CertificateVerifyForm(forms.Form):
    """毕业证书查验: the certificate's number and its holder's name, both as printed."""

    number = forms.CharField(
        label=_("毕业证书编号"), max_length=32, error_messages={"required": _("请填写毕业证书编号。")}
    )
    name = forms.CharField(label=_("持证人姓名"), max_length=50, error_messages={"required": _("请填写持证人姓名。")})
