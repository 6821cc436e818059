"""Statistics: students by status now, and completed status changes by kind, by region, school and grade.

Everything is counted in grouped aggregate queries, whatever the size of the region: a province
has about a million students and 5,000 schools, so no query runs per school or per row. The
counts are grouped by the school (or the school's county) and the grade, and summed up the
region tree in Python over those few rows.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from records.class_codes import GRADE_NAMES
from records.models import Placement, Region, School, Student
from records.selectors import Focus

from .changes import SOURCES, Period, changes_in
from .grades import left_with_grade
from .scope import scope_of

# The enrolment table's columns.
STATUSES = tuple(Student.Status)


@contextmanager
def without_jit():
    """Run the counting queries with PostgreSQL's JIT compiler off. Their cost estimates (a million
    rows, subqueries per row) are far above jit_above_cost, and compiling took three seconds of a
    province's 3.1 (bench/reports.py); without it the same query takes a tenth of that."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


@dataclass
class Row:
    """One row of a table: what it is and its counts by column."""

    key: object
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    link: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, column: str) -> int:
        return self.counts.get(column, 0)


@dataclass
class Statistics:
    focus: Focus
    period: Period
    grade: int | None
    units: list[Row]  # by region, school or grade, as the focus breaks down
    grades: list[Row]  # by grade
    change_units: list[Row]
    change_grades: list[Row]
    totals: dict[str, int]
    change_totals: dict[str, int]

    @property
    def unit(self) -> str:
        return self.focus.unit


def _unit_key(unit: str, school: str) -> str:
    """The column the rows are grouped by: the school, or the school's own region (summed up the
    tree afterwards, so a school directly under a city counts there too)."""
    return school if unit in ("school", "grade") else f"{school}__region"


def _roll_up(counts: dict[tuple, int], unit: str, focus: Focus) -> dict:
    """{(region or school id, grade, column): n} → {(unit id, grade, column): n}."""
    if unit in ("school", "grade"):
        return counts
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    wanted = set(_unit_regions(unit, focus).values_list("pk", flat=True))
    rolled: dict[tuple, int] = defaultdict(int)
    for (region_id, grade, column), n in counts.items():
        key = region_id
        while key is not None and key not in wanted:
            key = parents.get(key)
        # A school directly under the focus region (市直属) is a row of its own: the focus itself.
        rolled[(key if key is not None else focus.region.pk if focus.region else None, grade, column)] += n
    return rolled


def _unit_regions(unit: str, focus: Focus) -> QuerySet[Region]:
    if unit == "province":
        return Region.objects.filter(level=Region.Level.PROVINCE)
    return Region.objects.filter(parent=focus.region)


def _rows(counts: dict[tuple, int], unit: str, focus: Focus, grade_rows: bool) -> list[Row]:
    rows: dict[object, Row] = {}
    for (key, grade, column), n in counts.items():
        row_key = grade if grade_rows else key
        if row_key not in rows:
            rows[row_key] = Row(key=row_key, label="")
        rows[row_key].counts[column] = rows[row_key].counts.get(column, 0) + n
    if grade_rows:
        for row in rows.values():
            row.label = str(GRADE_NAMES[row.key]) if row.key in GRADE_NAMES else str(_("未编班"))
        return sorted(rows.values(), key=lambda r: (r.key is None, r.key or 0))
    if unit == "school":
        names = {s.pk: s for s in School.objects.select_related("region").filter(pk__in=[k for k in rows if k is not None])}
        for row in rows.values():
            school = names.get(row.key)
            row.label = school.name if school else ""
            row.link = {"region": school.region.code, "school": school.identifier} if school else {}
        return sorted(rows.values(), key=lambda r: names[r.key].identifier if r.key in names else "")
    regions = {r.pk: r for r in Region.objects.filter(pk__in=[k for k in rows if k is not None])}
    for row in rows.values():
        region = regions.get(row.key)
        if region is None:
            row.label = ""
        elif focus.region is not None and region.pk == focus.region.pk:
            row.label = str(_("%(name)s直属学校") % {"name": region.name})
        else:
            row.label = region.name
            row.link = {"region": region.code}
    return sorted(rows.values(), key=lambda r: regions[r.key].code if r.key in regions else "")


def enrolment_counts(user, *, focus: Focus, grade: int | None = None) -> dict[tuple, int]:
    """{(school or region id, grade, status): students}, in two grouped queries.

    The enrolled are counted by their open placements, in their class now: the register keeps
    exactly one open placement for an enrolled student and none for any other (DESIGN.md), and
    the placements are all a province's count needs, without reading a million students' rows.
    The others are counted by status, in the class they left.
    """
    scope = scope_of(user, focus)
    key = _unit_key(focus.unit, "school")
    placed = Placement.objects.filter(scope.q("school"), ended_on__isnull=True).alias(grade=F("school_class__grade"))
    left = left_with_grade(Student.objects.filter(scope.q("school")).exclude(status=Student.Status.ENROLLED))
    if grade:
        placed, left = placed.filter(grade=grade), left.filter(grade=grade)
    counts: dict[tuple, int] = {}
    for rows in (
        placed.order_by().values(unit_key=F(key), grade_key=F("grade"), column=Value(Student.Status.ENROLLED.value))
        .annotate(n=Count("pk")),
        left.order_by().values(unit_key=F(key), grade_key=F("grade"), column=F("status")).annotate(n=Count("pk")),
    ):
        counts.update({(row["unit_key"], row["grade_key"], row["column"]): row["n"] for row in rows})
    return counts


def change_counts(
    user, *, focus: Focus, period: Period, grade: int | None = None, changes=None, schools=None, unit: str = ""
) -> dict[tuple, int]:
    """{(school or region id, grade, change): students}: one grouped query per source table."""
    unit = unit or focus.unit
    scope = scope_of(user, focus, schools)
    counts: dict[tuple, int] = defaultdict(int)
    for source in SOURCES:
        if changes is not None and not source.changes() & set(changes):
            continue
        rows = changes_in(source, scope=scope, period=period, grade=grade)
        key = _unit_key(unit, source.school)
        grouped = rows.order_by().values(unit_key=F(key), grade_key=F("grade"), column=F("change")).annotate(n=Count("pk"))
        for row in grouped:
            if changes is None or row["column"] in changes:
                counts[(row["unit_key"], row["grade_key"], row["column"])] += row["n"]
    return counts


def statistics(user, *, focus: Focus, period: Period, grade: int | None = None) -> Statistics:
    """Students by status and completed status changes by kind, by the focus's units and by grade."""
    unit = focus.unit
    with without_jit():
        enrolment = _roll_up(enrolment_counts(user, focus=focus, grade=grade), unit, focus)
        changes = _roll_up(change_counts(user, focus=focus, period=period, grade=grade), unit, focus)
    units = _rows(enrolment, unit, focus, grade_rows=unit == "grade")
    change_units = _rows(changes, unit, focus, grade_rows=unit == "grade")
    known = {row.key: row for row in units}
    for row in change_units:
        known.setdefault(row.key, Row(key=row.key, label=row.label, link=row.link))
    order = [row.key for row in units] + [row.key for row in change_units if row.key not in {r.key for r in units}]
    by_key = {row.key: row for row in change_units}
    change_units = [by_key.get(key) or Row(key=key, label=known[key].label, link=known[key].link) for key in order]
    totals: dict[str, int] = defaultdict(int)
    for (_key, _grade, column), n in enrolment.items():
        totals[column] += n
    change_totals: dict[str, int] = defaultdict(int)
    for (_key, _grade, column), n in changes.items():
        change_totals[column] += n
    return Statistics(
        focus=focus,
        period=period,
        grade=grade,
        units=units,
        grades=_rows(enrolment, unit, focus, grade_rows=True),
        change_units=change_units,
        change_grades=_rows(changes, unit, focus, grade_rows=True),
        totals=dict(totals),
        change_totals=dict(change_totals),
    )
