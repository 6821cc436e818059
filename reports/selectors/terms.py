"""The terms the reports are by: the terms of the calendars a user sees, and a term's period."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from records.models import Role, School, Term
from records.selectors import bureaus_visible_to, membership_of, user_sees_everything
from records.term_calendar import TermPeriod, term_periods

from .changes import Period


def terms_visible_to(user) -> QuerySet[Term]:
    """The terms of the bureaus whose schools the user sees (a school: its own bureau's)."""
    membership = membership_of(user)
    if user_sees_everything(user):
        return Term.objects.all()
    if membership is None:
        return Term.objects.none()
    if membership.role == Role.BUREAU_OFFICER:
        return Term.objects.filter(bureau__in=bureaus_visible_to(user))
    return Term.objects.filter(bureau_id=membership.school.bureau_id)


def term_names(user) -> list[str]:
    """Term names, newest first; a city sees the terms of its counties once per name."""
    seen: dict[str, datetime.date] = {}
    for name, start in terms_visible_to(user).values_list("name", "start"):
        seen[name] = max(start, seen.get(name, start))
    return sorted(seen, key=lambda name: seen[name], reverse=True)


def current_term_name(user, day: datetime.date | None = None) -> str:
    """The term under way (or the last one begun) in the user's calendars."""
    day = day or timezone.localdate()
    term = terms_visible_to(user).filter(start__lte=day).order_by("-start", "pk").first()
    return term.name if term else ""


def period_of_term(user, name: str) -> Period:
    """The period of the term `name` in each calendar that has it."""
    terms = list(Term.objects.filter(bureau__in=terms_visible_to(user).values("bureau")))
    periods = term_periods(terms)
    return Period(term_name=name, terms=tuple(p[name] for p in periods.values() if name in p))


def term_names_of_school(school: School) -> list[str]:
    return list(Term.objects.filter(bureau_id=school.bureau_id).order_by("-start").values_list("name", flat=True))


def school_term_period(school: School, term_name: str) -> TermPeriod | None:
    periods = term_periods(Term.objects.filter(bureau_id=school.bureau_id))
    return periods.get(school.bureau_id, {}).get(term_name)
