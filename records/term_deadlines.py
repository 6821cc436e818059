"""When a term's work is due (学期工作时间), in one place for the pages, the API, the services and
the reminders.

- Head-count check at the start (期初人数核对): due within the term's first two weeks; a late
  check is still taken until the end check opens, since the students are still in class.
- Head-count check at the end (期末人数核对): in the last two weeks of the term, due on its last
  day; not after it, when the students have gone home.
- Level grades and term comments: written during the term, due on its last day, and closed
  then (篇1 五: 任课教师在每学期结束前必须完成本科成绩的录入).

A reminder goes to whoever has not done their part a few days before the due date; a head-count
check not done by its due date is reported to the school's registrars the day after.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .models import Bureau, HeadCount, Term

HEAD_COUNT_WINDOW_DAYS = 14
REMIND_HEAD_COUNT_DAYS_BEFORE = 5
REMIND_GRADES_AND_COMMENTS_DAYS_BEFORE = 7
# An overdue check is reported while it can still be done late, and at least this many days
# after it was due (an end check cannot be done after the term, but the school should know).
REPORT_OVERDUE_FOR_DAYS = 14

Point = HeadCount.Point
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Schedule:
    """When one piece of a term's work opens, is due, and closes (all days inclusive)."""

    opens: datetime.date
    due: datetime.date
    closes: datetime.date

    def is_open(self, day: datetime.date) -> bool:
        return self.opens <= day <= self.closes

    def reminds_on(self, day: datetime.date, days_before: int) -> bool:
        return self.opens <= day <= self.due and day >= self.due - datetime.timedelta(days=days_before)

    def reports_overdue_on(self, day: datetime.date) -> bool:
        return self.due < day <= max(self.closes, self.due + datetime.timedelta(days=REPORT_OVERDUE_FOR_DAYS))


def head_count_schedule(term: Term, point: str) -> Schedule:
    window = datetime.timedelta(days=HEAD_COUNT_WINDOW_DAYS - 1)
    end_opens = max(term.end - window, term.start)
    if point == Point.START:
        due = min(term.start + window, term.end)
        return Schedule(opens=term.start, due=due, closes=max(due, end_opens - DAY))
    return Schedule(opens=end_opens, due=term.end, closes=term.end)


def entry_schedule(term: Term) -> Schedule:
    """Level grades and term comments: the whole term, due on its last day."""
    return Schedule(opens=term.start, due=term.end, closes=term.end)


def term_current(bureau: Bureau | int, day: datetime.date) -> Term | None:
    """The bureau's term that `day` falls in, if any."""
    bureau_id = getattr(bureau, "pk", bureau)
    return Term.objects.filter(bureau_id=bureau_id, start__lte=day, end__gte=day).order_by("start").first()


def term_current_or_last(bureau: Bureau | int, day: datetime.date) -> Term | None:
    """The term `day` falls in or, between terms, the one that ended last."""
    bureau_id = getattr(bureau, "pk", bureau)
    return Term.objects.filter(bureau_id=bureau_id, start__lte=day).order_by("-start").first()
