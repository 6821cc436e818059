"""Forms of the request pages: starting a request and deciding a step."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from records.models import SchoolClass

from .models import Evidence, WorkItem


class DecisionForm(forms.Form):
    """Approve, or reject with a reason (a rejection needs one)."""

    decision = forms.ChoiceField(label=_("办理意见"), choices=WorkItem.Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, request=None, user=None, **kwargs):
        self.request = request
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == WorkItem.Decision.REJECT and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("不同意时请填写理由。"))
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
