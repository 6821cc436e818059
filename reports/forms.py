"""Forms of the statistics and the term reports: their filters (region, school, grade, term) and the filing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from records.class_codes import GRADE_CHOICES
from records.focus_filter import FocusFilterForm
from records.forms import ALL

from .selectors import Period, current_term_name, period_of_term, term_names


class StatisticsFilterForm(FocusFilterForm):
    grade = forms.TypedChoiceField(label=_("年级"), required=False, coerce=int, empty_value=None, choices=[ALL, *GRADE_CHOICES])
    term = forms.ChoiceField(label=_("学期"), required=False)

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else {}
        if "term" not in data:
            data["term"] = current_term_name(user)
        super().__init__(data, *args, user=user, **kwargs)
        self.fields["term"].choices = [("", _("不限学期")), *((name, name) for name in term_names(user))]
        self.layout = self.layout_of(["region", "school", "grade", "term"])

    def chosen_grade(self) -> int | None:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("grade")

    def period(self) -> Period:
        self.is_valid()
        name = getattr(self, "cleaned_data", {}).get("term") or ""
        return period_of_term(self.user, name) if name else Period()


class TermReportFilterForm(FocusFilterForm):
    term = forms.ChoiceField(label=_("学期"), required=False)

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("term"):
            data["term"] = current_term_name(user)
        super().__init__(data, *args, user=user, **kwargs)
        if "school" in self.fields:
            del self.fields["school"]
        self.fields["term"].choices = [(name, name) for name in term_names(user)]
        self.layout = self.layout_of(["region", "term"])

    def term_name(self) -> str:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("term") or ""


class TermReportSubmitForm(forms.Form):
    note = forms.CharField(label=_("报送说明"), required=False, max_length=200)
