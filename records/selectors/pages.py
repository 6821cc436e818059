"""Counts and list rows for the home, student and class pages.

Every list page shows one row per object with no query per row: counts are scalar subqueries
on indexed columns, the current class is one LEFT JOIN on the open placement.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, F, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Collate

from ..models import Placement, School, SchoolClass, Student
from ..names import COLLATION, by_name
from .scope import classes_visible_to, schools_visible_to, students_visible_to


def _count(queryset, group_by: str):
    """A correlated COUNT(*) of `queryset` grouped by `group_by`, 0 when there are no rows."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def schools_with_counts(user) -> QuerySet[School]:
    """The schools a user sees, each with enrolled_count, suspended_count and class_count."""

    def students(status):
        return _count(Student.objects.filter(school=OuterRef("pk"), status=status), "school")

    open_classes = SchoolClass.objects.filter(school=OuterRef("pk"), state=SchoolClass.State.OPEN)
    return schools_visible_to(user).annotate(
        enrolled_count=students(Student.Status.ENROLLED),
        suspended_count=students(Student.Status.SUSPENDED),
        class_count=_count(open_classes, "school"),
    )


def student_status_counts(user) -> dict[str, int]:
    """How many records a user sees in each status: {"enrolled": 812, "suspended": 3, …}."""
    # COUNT(*), not COUNT(id): the (school, status) index then answers alone (an index-only
    # scan), a third faster over a province than reading the table.
    rows = students_visible_to(user).order_by().values("status").annotate(n=Count("*"))
    return {row["status"]: row["n"] for row in rows}


def classes_with_size(user) -> QuerySet[SchoolClass]:
    """The classes a user sees, each with `size`: the students placed in it now."""
    open_placements = Placement.objects.filter(school_class=OuterRef("pk"), ended_on__isnull=True)
    return classes_visible_to(user).annotate(size=_count(open_placements, "school_class"))


def students_with_current_class(students: QuerySet[Student]) -> QuerySet[Student]:
    """Adds current_class_id, _name, _code and current_grade (None when not placed): the open
    placement joined once."""
    return students.annotate(
        open_placement_row=FilteredRelation("placements", condition=Q(placements__ended_on__isnull=True)),
        current_class_id=F("open_placement_row__school_class_id"),
        current_class_name=F("open_placement_row__school_class__name"),
        current_class_code=F("open_placement_row__school_class__code"),
        current_grade=F("open_placement_row__school_class__grade"),
    )


# --- The student list's pages --------------------------------------------------------------------
#
# The list is ordered by school identifier, name in pinyin order, id (scope.student_search). The
# first pages keep their numbers (?page=3: people bookmark them); from NUMBERED_PAGES on, and for
# any page of a long list reached by 下一页, a page starts after the last row of the one before
# (?after=…, a keyset page) and reads its 50 rows from the index in order (records migration
# 0015), however deep it is. Counting a province's million rows on every page is what made the
# list slow: up to EXACT_COUNT_UP_TO the count is exact, above it PostgreSQL's estimate is shown
# as one (约), and the exact figure is counted on demand (?exact=1).

NUMBERED_PAGES = 20
EXACT_COUNT_UP_TO = 10_000
# A search finding at most this many is sorted whole: walking the schools in order and matching
# each against the rows found (the plan PostgreSQL picks for a LIMIT) took 40 ms for 500 rows.
SORT_WHOLE_UP_TO = 5_000


class BadPage(ValueError):
    """A page or a cursor that is no page of this list (the view answers 404)."""


@dataclass(frozen=True)
class StudentTotal:
    count: int
    estimated: bool = False  # count is PostgreSQL's estimate, rounded: shown as 约 …
    at_least: bool = False  # the estimate fell short of the rows counted: "more than" count

@dataclass
class StudentPage:
    """One page of the student list: its rows, where it is, and the links on either side (as
    the URL parameters that open them)."""

    rows: list
    total: StudentTotal
    number: int | None  # None on a page after a row (?after=, ?before=)
    previous: dict[str, str] | None
    next: dict[str, str] | None
    page_size: int = 50
    rows_before: int | None = None  # on a page after a row, counted only when the total is exact

    @property
    def start_index(self) -> int | None:
        if not self.rows:
            return None
        if self.number is None:
            return None if self.rows_before is None else self.rows_before + 1
        return (self.number - 1) * self.page_size + 1

    @property
    def end_index(self) -> int | None:
        return None if self.start_index is None else self.start_index + len(self.rows) - 1

    @property
    def num_pages(self) -> int | None:
        if self.total.estimated:
            return None
        return max(1, -(-self.total.count // self.page_size))


def student_list_cursor(student) -> str:
    """The value of ?after= that opens the page starting right after `student` in the list's
    order: its place in that order (school identifier, name, id), not a reference to look up."""
    key = json.dumps([student.school.identifier, student.name, student.pk], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _cursor_key(cursor: str) -> tuple[str, str, int]:
    try:
        identifier, name, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError) as error:
        raise BadPage(cursor) from error
    if not (isinstance(identifier, str) and isinstance(name, str) and isinstance(pk, int)):
        raise BadPage(cursor)
    return identifier, name, pk


def _beyond(students: QuerySet, cursor: str, *, backwards: bool) -> QuerySet:
    """The rows after the cursor's place in the list's order (before it, nearest first, when
    `backwards`)."""
    identifier, name, pk = _cursor_key(cursor)
    op = "lt" if backwards else "gt"
    students = students.alias(pinyin_name=Collate(F("name"), COLLATION)).filter(
        Q(**{f"school__identifier__{op}": identifier})
        | Q(school__identifier=identifier, **{f"pinyin_name__{op}": name})
        | Q(school__identifier=identifier, pinyin_name=name, **{f"pk__{op}": pk}),
        # Redundant, but it lets PostgreSQL start the schools' index at the cursor's school.
        **{f"school__identifier__{op}e": identifier},
    )
    if backwards:
        students = students.reverse()
    return students


def sorted_whole(students: QuerySet) -> QuerySet:
    """The same rows in the same order, in a form PostgreSQL sorts after finding them: the
    school identifiers (ten digits) compared in "C", where no index presents them in order."""
    if connections[students.db].vendor != "postgresql":
        return students
    return students.order_by(Collate(F("school__identifier"), "C").asc(), by_name(), "pk")


def student_total(students: QuerySet, *, exact: bool = False) -> StudentTotal:
    """How many rows `students` has: exact up to EXACT_COUNT_UP_TO (or when asked for), above it
    PostgreSQL's estimate of the same query, rounded to three figures, or "more than
    EXACT_COUNT_UP_TO" when the estimate says fewer than were counted."""
    students = students.order_by()
    if exact or connections[students.db].vendor != "postgresql":
        return StudentTotal(students.count(), estimated=False)
    counted = students[: EXACT_COUNT_UP_TO + 1].count()
    if counted <= EXACT_COUNT_UP_TO:
        return StudentTotal(counted, estimated=False)
    plan = json.loads(students.values("pk").explain(format="json"))
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    if estimate <= EXACT_COUNT_UP_TO:  # a search's estimate can be far too low: say what is known
        return StudentTotal(EXACT_COUNT_UP_TO, estimated=True, at_least=True)
    figures = 10 ** max(0, len(str(estimate)) - 3)
    return StudentTotal(round(estimate / figures) * figures, estimated=True)


def student_list_page(
    students: QuerySet,
    rows_of,
    *,
    page: str | None = None,
    after: str | None = None,
    before: str | None = None,
    exact: bool = False,
    searching: bool = False,
    page_size: int = 50,
) -> StudentPage:
    """The page the URL asks for: ?after= or ?before= a cursor, or ?page=N (any N; page=last).

    `students` is student_search's queryset (its order is the list's); `rows_of` turns a slice
    of it into the rows shown (students_with_current_class). The rows are read first: on the
    last numbered page they give the count, with no query of its own. A search (`searching`)
    is counted first, and sorted whole when it finds few."""

    counted = None
    if searching:
        counted = student_total(students, exact=exact)
        if not counted.estimated and counted.count <= SORT_WHOLE_UP_TO:
            students = sorted_whole(students)

    def total() -> StudentTotal:
        return counted or student_total(students, exact=exact)

    if after or before:
        window = list(rows_of(_beyond(students, after or before, backwards=bool(before)))[: page_size + 1])
        more = len(window) > page_size
        rows = window[:page_size]
        if before:
            rows.reverse()
            if not more:  # what is left before the cursor is the list's beginning: page 1
                return _numbered(rows_of(students), total, 1, page_size)
        if not rows:
            raise BadPage(after or before)
        counted = total()
        # Where the page is, when the list is short enough to count: the rows before its first.
        before_first = None if counted.estimated else _beyond(students, student_list_cursor(rows[0]), backwards=True).count()
        return StudentPage(
            rows, counted, None,
            previous={"before": student_list_cursor(rows[0])},
            next={"after": student_list_cursor(rows[-1])} if (more or before) else None,
            page_size=page_size, rows_before=before_first,
        )
    if page == "last":
        counted = total()
        if counted.estimated:
            rows = list(rows_of(students.reverse())[:page_size])[::-1]
            return StudentPage(rows, counted, None, previous={"before": student_list_cursor(rows[0])}, next=None,
                               page_size=page_size)
        page = str(max(1, -(-counted.count // page_size)))
    try:
        number = int(page or 1)
    except ValueError as error:
        raise BadPage(page) from error
    if number < 1:
        raise BadPage(page)
    return _numbered(rows_of(students), total, number, page_size)


def _numbered(students: QuerySet, total, number: int, page_size: int) -> StudentPage:
    start = (number - 1) * page_size
    window = list(students[start : start + page_size + 1])
    rows = window[:page_size]
    if not rows and number > 1:
        raise BadPage(str(number))
    more = len(window) > page_size
    if not more:
        following = None
    elif number < NUMBERED_PAGES:
        following = {"page": str(number + 1)}
    else:
        following = {"after": student_list_cursor(rows[-1])}
    return StudentPage(
        rows, total() if more else StudentTotal(start + len(rows), estimated=False), number,
        previous={"page": str(number - 1)} if number > 1 else None,
        next=following,
        page_size=page_size,
    )
