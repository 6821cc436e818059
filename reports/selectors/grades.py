"""The grade a student was in when a change happened, or when they left their class.

A class moves up a grade at every rollover; a change of last year counts in the grade the
student was in then.
"""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from records.models import Placement, Rollover, RolloverClass, SchoolClass, Student


def grade_then(class_id, when):
    """The grade a class had at `when`: the old grade of the first rollover applied after it, or
    its grade now. A class moves up a grade at every rollover, and a change of last year counts
    in the grade the student was in then. Both are names on the outer query, or OuterRefs."""
    class_id = OuterRef(class_id) if isinstance(class_id, str) else class_id
    when = OuterRef(when) if isinstance(when, str) else when
    rolled = RolloverClass.objects.filter(
        school_class_id=class_id, rollover__state=Rollover.State.APPLIED, rollover__applied_at__gt=when
    ).order_by("rollover__applied_at").values("old_grade")[:1]
    now = SchoolClass.objects.filter(pk=class_id).values("grade")[:1]
    return Coalesce(Subquery(rolled, output_field=IntegerField()), Subquery(now, output_field=IntegerField()))


def left_with_grade(students: QuerySet[Student]) -> QuerySet[Student]:
    """Adds the alias `grade` to students in no class now (suspended, dropped out, graduated): the
    grade of the last class, as it was when they left it. A subquery per student, so only for the
    few who are not enrolled: with it in the plan of a million enrolled students, PostgreSQL's
    cost estimate alone made it compile the query (JIT) for a second."""
    last = (
        Placement.objects.filter(student=OuterRef("pk"))
        .order_by("-started_on", "-id")
        .annotate(grade_then=grade_then("school_class_id", "ended_on"))
        .values("grade_then")[:1]
    )
    return students.alias(grade=Subquery(last, output_field=IntegerField()))
