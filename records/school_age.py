"""Compulsory-education age (义务教育适龄): the one definition the dropout follow-up list uses.

A child is of compulsory-education age from the sixth birthday until the sixteenth, that is
aged 6 to 15 in full years (义务教育法: 年满六周岁入学, nine years of schooling).
"""

from __future__ import annotations

import datetime

COMPULSORY_AGES = range(6, 16)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years of age on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def compulsory_birth_dates(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The earliest and latest birth date (both inclusive) of a child of compulsory-education
    age on `day`, for a range filter on an indexed column."""
    earliest = _years_before(day, COMPULSORY_AGES.stop) + datetime.timedelta(days=1)
    latest = _years_before(day, COMPULSORY_AGES.start)
    return earliest, latest
