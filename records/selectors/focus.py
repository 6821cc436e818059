"""What a report page is about (its focus): a region and everything below it, or one school.

The statistics, the dropout follow-up list (控辍保学) and the term reports start at the user's own
region or school, and may narrow to a part of it. Who reads them: the bureau officers for their
region, a school's registrar and academic office for the school; teachers do not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import CLASS_ROLES, Region, Role, School
from .scope import membership_of, region_q, schools_visible_to, user_sees_everything


@dataclass(frozen=True)
class Focus:
    """A region (and everything below it), or one school. Its rows are the level below."""

    region: Region | None = None
    school: School | None = None

    @property
    def unit(self) -> str:
        """What one row of the breakdown is: a city, a county, a school, or (for a school) a grade."""
        if self.school is not None:
            return "grade"
        if self.region is None:
            return "province"
        return {Region.Level.PROVINCE: "city", Region.Level.CITY: "county", Region.Level.COUNTY: "school"}[
            self.region.level
        ]

    @property
    def name(self) -> str:
        if self.school is not None:
            return self.school.name
        return self.region.name if self.region is not None else str(_("全部地区"))


def home_focus(user) -> Focus | None:
    """Where the reports start for a user: the bureau's region, the school; None for a teacher."""
    membership = membership_of(user)
    if user_sees_everything(user):
        return Focus()
    if membership is None:
        return None
    if membership.role == Role.BUREAU_OFFICER:
        return Focus(region=membership.bureau.region)
    if membership.role in (Role.REGISTRAR, Role.ACADEMIC_OFFICE):
        return Focus(school=membership.school)
    return None


def statistics_visible_to(user) -> bool:
    """Whether the user reads the statistics, the dropout follow-up list and the term reports."""
    return home_focus(user) is not None


def regions_in_focus(user) -> QuerySet[Region]:
    """The regions a user may narrow the reports to: their own and every one below it."""
    focus = home_focus(user)
    if focus is None or focus.school is not None:
        return Region.objects.none()
    if focus.region is None:
        return Region.objects.all()
    region = focus.region.pk
    return Region.objects.filter(Q(pk=region) | Q(parent=region) | Q(parent__parent=region))


def in_focus(path: str, focus: Focus) -> Q:
    """Schools at `path` (e.g. "school", "to_school", or "pk" on schools) inside the focus."""
    if focus.school is not None:
        return Q(**{path: focus.school.pk})
    if focus.region is not None:
        return region_q("region" if path == "pk" else f"{path}__region", focus.region.pk)
    return Q()


def report_schools(user) -> QuerySet[School]:
    """The schools whose reports a user may read: their own school's registrar and academic
    office, the bureau officers of its region."""
    membership = membership_of(user)
    if membership is not None and membership.role in CLASS_ROLES:
        return School.objects.none()
    return schools_visible_to(user)
