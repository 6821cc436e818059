"""The demo's school year: which grade entered when, and the two terms around the day it is loaded."""

from __future__ import annotations

import datetime

from ..models import School


def school_year_start(today: datetime.date) -> int:
    """The calendar year in which the current school year began (a school year starts 1 September)."""
    return today.year if today.month >= 9 else today.year - 1


def class_entry_year(*, school_type: School.Type, grade: int, school_year: int) -> int:
    """The year the class entered its school: first grade for a primary, seventh for a junior middle school."""
    first_grade = School.GRADES[school_type][0]
    return school_year - (grade - first_grade)


# The demo's term ends this many days after it is loaded: its end-of-term work (the end head
# count, grades, comments) is open and its reminders are due, whatever day the demo is tried on.
DEMO_TERM_ENDS_IN_DAYS = 5
DEMO_TERM_AT_LEAST = datetime.timedelta(weeks=6)


def demo_terms(today: datetime.date) -> list[dict]:
    """The school year's two terms (1 September – 20 January, 17 February – 3 July), except that
    the one the demo is loaded in, or the next one between terms, ends DEMO_TERM_ENDS_IN_DAYS
    later and runs at least six weeks, so its start and end checks are both in it."""
    year = school_year_start(today)
    first = {"name": f"{year}—{year + 1}学年第一学期", "start": datetime.date(year, 9, 1), "end": datetime.date(year + 1, 1, 20)}
    second = {"name": f"{year}—{year + 1}学年第二学期", "start": datetime.date(year + 1, 2, 17), "end": datetime.date(year + 1, 7, 3)}
    current = first if today < second["start"] else second
    current["end"] = today + datetime.timedelta(days=DEMO_TERM_ENDS_IN_DAYS)
    current["start"] = min(current["start"], current["end"] - DEMO_TERM_AT_LEAST)
    if current is first:
        second["start"] = max(second["start"], first["end"] + datetime.timedelta(days=1))
    else:
        first["end"] = min(first["end"], second["start"] - datetime.timedelta(days=1))
    return [first, second]
