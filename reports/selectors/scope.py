"""Which schools the statistics count, inside the user's own region or school."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from records.models import Region
from records.selectors import Focus, home_focus, in_focus, schools_visible_to


@dataclass(frozen=True)
class Scope:
    """The schools counted: those of some regions (a region and those below it), or some schools.

    The counting queries filter on a short list of region ids (a province has about 110) or of
    school ids, which PostgreSQL estimates well; through the region tree it does not, and picks a
    nested loop over a million students.
    """

    regions: tuple[int, ...] | None = None
    schools: tuple[int, ...] | None = None

    def q(self, path: str) -> Q:
        if self.schools is not None:
            return Q(**{f"{path}__in": self.schools})
        if self.regions is not None:
            return Q(**{f"{path}__region__in": self.regions})
        return Q()


def _below(region_id: int) -> set[int]:
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    below = {region_id}
    for _level in range(2):  # province → city → county
        below |= {pk for pk, parent in parents.items() if parent in below}
    return below


def scope_of(user, focus: Focus, schools=None) -> Scope:
    """What the user may count inside the focus (the focus of a form is inside the user's own)."""
    home = home_focus(user)
    if home is None:
        return Scope(schools=())
    if schools is not None:
        visible = set(schools_visible_to(user).filter(in_focus("pk", focus), pk__in=schools).values_list("pk", flat=True))
        return Scope(schools=tuple(sorted(visible)))
    if home.school is not None:
        return Scope(schools=(home.school.pk,))
    if focus.school is not None:
        visible = schools_visible_to(user).filter(pk=focus.school.pk).exists()
        return Scope(schools=(focus.school.pk,) if visible else ())
    if home.region is None:  # sees everything
        return Scope(regions=tuple(sorted(_below(focus.region.pk)))) if focus.region else Scope()
    regions = _below(home.region.pk)
    if focus.region is not None:
        regions &= _below(focus.region.pk)
    return Scope(regions=tuple(sorted(regions)))
