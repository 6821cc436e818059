"""Counts and list rows for the home, student and class pages.

Every list page shows one row per object with no query per row: counts are scalar subqueries
on indexed columns, the current class is one LEFT JOIN on the open placement.
"""

from __future__ import annotations

from django.db.models import Count, F, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import Placement, School, SchoolClass, Student
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
    rows = students_visible_to(user).order_by().values("status").annotate(n=Count("pk"))
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
