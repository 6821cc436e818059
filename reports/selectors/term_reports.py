"""The term report of status changes (中小学生休(转、复)学登记表, 篇10 五.五): one school's changes
completed in the term, and which schools of a region have filed theirs."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, OuterRef, QuerySet, Subquery

from records.models import School, Student
from records.selectors import Focus, in_focus, report_schools
from records.term_calendar import TermPeriod

from ..models import TermReportSubmission
from .changes import SOURCES, TERM_REPORT_CHANGES, Change, closed_between
from .statistics import change_counts, without_jit
from .terms import period_of_term


@dataclass
class ReportRow:
    request_id: int
    student_id: int | None
    change: str
    grade: int | None
    closed_on: datetime.date
    other: str
    reason: str
    student: Student | None = None

    @property
    def change_label(self) -> str:
        return str(Change(self.change).label)


def term_report_rows(school: School, period: TermPeriod) -> list[ReportRow]:
    """Every status change completed at `school` in `period`, by the day it was completed."""
    rows: list[ReportRow] = []
    for source in SOURCES:
        if not source.changes() & set(TERM_REPORT_CHANGES):
            continue
        found = (
            source.queryset()
            .filter(closed_between(source.closed_at, period.start, period.end), **{source.school: school.pk})
            .values(
                request_key=F(f"{source.request}pk"),
                student_key=F("student"),
                change_key=F("change"),
                grade_key=F("grade"),
                closed_key=F("closed_day"),
                other_key=source.other,
                reason_key=source.reason,
            )
        )
        rows.extend(
            ReportRow(
                request_id=row["request_key"], student_id=row["student_key"], change=row["change_key"],
                grade=row["grade_key"], closed_on=row["closed_key"], other=row["other_key"] or "",
                reason=row["reason_key"] or "",
            )
            for row in found
            if row["change_key"] in TERM_REPORT_CHANGES
        )
    students = Student.objects.select_related("gender").in_bulk([row.student_id for row in rows if row.student_id])
    for row in rows:
        row.student = students.get(row.student_id)
    return sorted(rows, key=lambda r: (r.closed_on, r.request_id, r.student.name if r.student else ""))


def term_report_submissions(school: School, term_name: str) -> QuerySet[TermReportSubmission]:
    return TermReportSubmission.objects.filter(school=school, term_name=term_name).select_related("submitted_by")


def term_report_overview(user, *, focus: Focus, term_name: str) -> QuerySet[School]:
    """The schools of the focus with their latest submission of the term (submitted_at,
    submitted_by_name, submitted_count): which have filed, which not."""
    latest = TermReportSubmission.objects.filter(school=OuterRef("pk"), term_name=term_name).order_by("-submitted_at", "-pk")
    return (
        report_schools(user)
        .filter(in_focus("pk", focus))
        .annotate(
            submitted_at=Subquery(latest.values("submitted_at")[:1]),
            submitted_by_name=Subquery(latest.values("submitted_by__first_name")[:1]),
            submitted_by_username=Subquery(latest.values("submitted_by__username")[:1]),
            submitted_count=Subquery(latest.values("change_count")[:1]),
        )
        .order_by("region__code", "identifier")
    )


def term_report_change_counts(user, schools: list[School], term_name: str) -> dict[int, int]:
    """{school id: status changes of the term so far}, for a page of schools, grouped."""
    period = period_of_term(user, term_name)
    with without_jit():
        counts = change_counts(
            user, focus=Focus(), period=period, changes=TERM_REPORT_CHANGES, schools=[s.pk for s in schools], unit="school"
        )
    by_school: dict[int, int] = defaultdict(int)
    for (school_id, _grade, _change), n in counts.items():
        by_school[school_id] += n
    return dict(by_school)
