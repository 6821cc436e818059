"""Working days (工作日) by the Chinese public-holiday calendar, with its adjusted working weekends."""

from __future__ import annotations

import datetime
import functools
import logging

import chinese_calendar

logger = logging.getLogger(__name__)


def is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # The package knows the State Council's calendar only for the years it was released for.
        _warn_unknown_year(day.year)
        return day.weekday() < 5


@functools.cache
def _warn_unknown_year(year: int) -> None:
    logger.warning("No public-holiday calendar for %s; counting Monday to Friday as working days.", year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
