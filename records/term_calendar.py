"""A bureau's term calendar: terms, transfer windows and the summer freeze for graduating grades."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .class_codes import GRADUATING_GRADES
from .models import Bureau

DEFAULT_WINDOW_DAYS = 7
# No transfers for graduating grades from 1 July to 14 August (graduation and promotion run then).
FREEZE_START = (7, 1)
FREEZE_END = (8, 14)


@dataclass(frozen=True)
class Window:
    start: datetime.date
    end: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def school_year_of(day: datetime.date) -> int:
    """The calendar year in which the school year holding `day` began (a school year starts in
    September; a term starting in August belongs to the year ahead)."""
    return day.year if day.month >= 8 else day.year - 1


def next_school_year(bureau: Bureau | None, day: datetime.date) -> int:
    """The school year a rollover on `day` moves classes into: the one after the bureau's
    current term (or, between terms, its last), e.g. 2027 while the term of 2026–2027 runs or
    during the summer after it. Without a calendar, the one after the school year of `day`."""
    term = None
    if bureau is not None:
        term = bureau.terms.filter(start__lte=day).order_by("-start").first()
    return school_year_of(term.start if term is not None else day) + 1


def transfer_windows(bureau: Bureau) -> list[Window]:
    """The bureau's explicit windows; without any, the first and last week of each term."""
    explicit = [Window(w.start, w.end) for w in bureau.transfer_windows.all()]
    if explicit:
        return explicit
    days = datetime.timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    windows = []
    for term in bureau.terms.all():
        windows.append(Window(term.start, min(term.start + days, term.end)))
        windows.append(Window(max(term.end - days, term.start), term.end))
    return windows


def in_summer_freeze(day: datetime.date) -> bool:
    return datetime.date(day.year, *FREEZE_START) <= day <= datetime.date(day.year, *FREEZE_END)


def transfer_start_check(*, bureau: Bureau, grade: int, day: datetime.date) -> None:
    """Refuse to start a transfer outside the bureau's windows or, for a graduating grade, in the freeze."""
    windows = transfer_windows(bureau)
    if not any(day in window for window in windows):
        upcoming = sorted((w for w in windows if w.start > day), key=lambda w: w.start)
        hint = (
            _("下一次办理时间：%(start)s 至 %(end)s。") % {"start": upcoming[0].start, "end": upcoming[0].end}
            if upcoming
            else _("%(bureau)s尚未公布下一次办理时间。") % {"bureau": bureau.name}
        )
        raise ValidationError(_("今天不在%(bureau)s规定的转学办理时间内。") % {"bureau": bureau.name} + hint, code="window")
    if grade in GRADUATING_GRADES and in_summer_freeze(day):
        raise ValidationError(_("毕业年级每年7月1日至8月14日暂停办理转学。"), code="freeze")


@dataclass(frozen=True)
class TermPeriod:
    """The days whose status changes a term's report covers (学期学籍异动): from the day after
    the bureau's previous term ended (or the term's start, for the first term of its calendar)
    to the term's last day. A holiday belongs to the term after it, so that a change approved
    in the holidays is in the next report instead of in none."""

    name: str
    bureau_id: int
    start: datetime.date
    end: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def term_periods(terms) -> dict[int, dict[str, TermPeriod]]:
    """{bureau id: {term name: period}} for `terms` (Term rows, any bureaus)."""
    by_bureau: dict[int, list] = {}
    for term in sorted(terms, key=lambda t: (t.bureau_id, t.start)):
        by_bureau.setdefault(term.bureau_id, []).append(term)
    periods: dict[int, dict[str, TermPeriod]] = {}
    for bureau_id, bureau_terms in by_bureau.items():
        previous_end = None
        for term in bureau_terms:
            start = previous_end + datetime.timedelta(days=1) if previous_end else term.start
            periods.setdefault(bureau_id, {})[term.name] = TermPeriod(term.name, bureau_id, min(start, term.start), term.end)
            previous_end = term.end
    return periods
