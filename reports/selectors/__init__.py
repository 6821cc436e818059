"""The reports' reads, all scoped by who asks (through records.selectors' scope and focus).

    scope         which schools the statistics count: region ids or school ids
    grades        the grade a student was in then
    changes       the status changes, read from the flows' completed requests, kind by kind
    statistics    students by status and changes by kind, by region, school and grade
    terms         the terms of the calendars a user sees, and their periods
    term_reports  a school's term report of status changes, and who has filed theirs
"""

from .changes import SOURCES, TERM_REPORT_CHANGES, Change, Period
from .statistics import STATUSES, Row, Statistics, change_counts, enrolment_counts, statistics, without_jit
from .term_reports import (
    ReportRow,
    term_report_change_counts,
    term_report_overview,
    term_report_rows,
    term_report_submissions,
)
from .terms import current_term_name, period_of_term, school_term_period, term_names, term_names_of_school, terms_visible_to

__all__ = [
    "SOURCES", "TERM_REPORT_CHANGES", "Change", "Period", "STATUSES", "Row", "Statistics", "change_counts",
    "enrolment_counts", "statistics", "without_jit", "ReportRow", "term_report_change_counts", "term_report_overview",
    "term_report_rows", "term_report_submissions", "current_term_name", "period_of_term", "school_term_period",
    "term_names", "term_names_of_school", "terms_visible_to",
]
