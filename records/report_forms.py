"""Forms of the statistics, the dropout follow-up list and the term report.

The filters' choices are what the user may see: a region or school outside it is not a choice,
so the form refuses it and the page stays the user's own.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.forms import Layout, Row, Span

from .class_codes import GRADE_CHOICES
from .models import Code, CodeTable, DropoutFollowUp, Region, School
from .selectors import reports
from .selectors.reports import NOT_FOLLOWED_UP, Focus, Period

ALL = ("", _("全部"))
INDENT = {Region.Level.PROVINCE: "", Region.Level.CITY: "　", Region.Level.COUNTY: "　　"}


class FocusFilterForm(forms.Form):
    """Region and school: which part of the user's region a page shows."""

    region = forms.ChoiceField(label=_("地区"), required=False)
    school = forms.ChoiceField(label=_("学校"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.home = reports.home_focus(user)
        regions = list(reports.regions_in_focus(user).order_by("code"))
        self.regions = {region.code: region for region in regions}
        if len(regions) > 1 or (self.home and self.home.region is None and regions):
            label = self.home.name if self.home and self.home.region else _("全部地区")
            self.fields["region"].choices = [("", label)] + [
                (r.code, f"{INDENT.get(r.level, '')}{r.name}") for r in regions if not self.home.region or r != self.home.region
            ]
        else:
            del self.fields["region"]
        # A county's schools are a choice; a city's thousands are not: pick the county first.
        county = self._chosen_region()
        if self.home and self.home.school is None and county is not None and county.level == Region.Level.COUNTY:
            schools = reports.term_report_schools(user).filter(region=county).order_by("identifier")
            self.fields["school"].choices = [("", _("全部学校")), *schools.values_list("identifier", "name")]
        else:
            del self.fields["school"]

    def _chosen_region(self) -> Region | None:
        code = self.data.get("region") if "region" in self.fields else ""
        if code and code in self.regions:
            return self.regions[code]
        return self.home.region if self.home else None

    def focus(self) -> Focus | None:
        """The focus the filters ask for; invalid filters are left out."""
        if self.home is None:
            return None
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        if self.home.school is not None:
            return self.home
        identifier = cleaned.get("school")
        if identifier:
            return Focus(school=School.objects.select_related("region", "bureau").get(identifier=identifier))
        code = cleaned.get("region")
        if code:
            return Focus(region=self.regions[code])
        return self.home

    def layout_of(self, names: list[str]) -> Layout:
        present = [name for name in names if name in self.fields]
        size = max(12 // max(len(present), 1), 2)
        return Layout(Row(*(Span(name, desktop=size) for name in present)))


class StatisticsFilterForm(FocusFilterForm):
    grade = forms.TypedChoiceField(label=_("年级"), required=False, coerce=int, empty_value=None, choices=[ALL, *GRADE_CHOICES])
    term = forms.ChoiceField(label=_("学期"), required=False)

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else {}
        if "term" not in data:
            data["term"] = reports.current_term_name(user)
        super().__init__(data, *args, user=user, **kwargs)
        self.fields["term"].choices = [("", _("不限学期")), *((name, name) for name in reports.term_names(user))]
        self.layout = self.layout_of(["region", "school", "grade", "term"])

    def chosen_grade(self) -> int | None:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("grade")

    def period(self) -> Period:
        self.is_valid()
        name = getattr(self, "cleaned_data", {}).get("term") or ""
        return reports.period_of_term(self.user, name) if name else Period()


class DropoutFilterForm(FocusFilterForm):
    reason = forms.ChoiceField(label=_("流失原因"), required=False)
    result = forms.ChoiceField(
        label=_("最近跟踪结果"), required=False,
        choices=[ALL, (NOT_FOLLOWED_UP, _("尚未跟踪")), *DropoutFollowUp.Result.choices],
    )
    q = forms.CharField(label=_("姓名或学籍号"), required=False, max_length=50)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        death = reports.DEATH_REASON
        reasons = Code.objects.filter(table=CodeTable.DROPOUT_REASON).exclude(code=death)
        self.fields["reason"].choices = [ALL, *reasons.values_list("code", "name")]
        self.layout = self.layout_of(["region", "school", "reason", "result", "q"])

    def search_arguments(self) -> dict:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in ("reason", "result", "q") if cleaned.get(name)}


class TermReportFilterForm(FocusFilterForm):
    term = forms.ChoiceField(label=_("学期"), required=False)

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("term"):
            data["term"] = reports.current_term_name(user)
        super().__init__(data, *args, user=user, **kwargs)
        if "school" in self.fields:
            del self.fields["school"]
        self.fields["term"].choices = [(name, name) for name in reports.term_names(user)]
        self.layout = self.layout_of(["region", "term"])

    def term_name(self) -> str:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("term") or ""


class FollowUpForm(forms.Form):
    followed_up_on = forms.DateField(label=_("跟踪日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    followed_up_by = forms.CharField(label=_("跟踪人"), max_length=100, help_text=_("实际上门、打电话的人，可填多人。"))
    method = forms.ChoiceField(label=_("跟踪方式"), choices=DropoutFollowUp.Method.choices)
    result = forms.ChoiceField(label=_("跟踪结果"), choices=DropoutFollowUp.Result.choices)
    note = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    layout = Layout(
        Row(Span("followed_up_on", desktop=3), Span("followed_up_by", desktop=3), Span("method", desktop=3), Span("result", desktop=3)),
        "note",
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"followed_up_on": timezone.localdate(), "followed_up_by": user.get_full_name()})
        super().__init__(*args, **kwargs)


class TermReportSubmitForm(forms.Form):
    note = forms.CharField(label=_("报送说明"), required=False, max_length=200)
