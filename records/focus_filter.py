"""The region and school filter of the report pages (statistics, dropout follow-ups, term reports).

Its choices are what the user may see: a region or school outside it is not a choice, so the
form refuses it and the page stays the user's own.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from viewflow.forms import Layout, Row, Span

from .models import Region, School
from .selectors import Focus, home_focus, regions_in_focus, report_schools

INDENT = {Region.Level.PROVINCE: "", Region.Level.CITY: "　", Region.Level.COUNTY: "　　"}


class FocusFilterForm(forms.Form):
    """Region and school: which part of the user's region a page shows."""

    region = forms.ChoiceField(label=_("地区"), required=False)
    school = forms.ChoiceField(label=_("学校"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.home = home_focus(user)
        regions = list(regions_in_focus(user).order_by("code"))
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
            schools = report_schools(user).filter(region=county).order_by("identifier")
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
