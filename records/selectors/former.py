"""A student who has left the user's school (or a teacher's class): what the former school still sees.

The record goes with the student: the receiving school holds it, and the former school no longer
sees it (scope.students_visible_to). What the former school keeps is its own part of the history:
the placements in its classes, when the last one ended and why (转学, 整班转学, 毕业 …). Never
where the student went: the end reasons do not name the receiving school, and nothing else of the
record is read here. A class or subject teacher keeps the placements in their own class.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..models import CLASS_ROLES, Placement, Student
from .scope import membership_of, students_visible_to


@dataclass(frozen=True)
class FormerStudent:
    student_id: int
    name: str
    student_number: str
    left_on: datetime.date
    reason: str
    placements: tuple[Placement, ...]  # at the user's school (or in the teacher's class), oldest first
    left_class_only: bool  # a teacher's former pupil, who may still be at the school


def student_left_from(user, pk: int) -> FormerStudent | None:
    """The student `pk` as their former school (or class) sees them: only when the user may not see
    the student now and the student was placed at the user's school (a teacher: in their class)."""
    membership = membership_of(user)
    if membership is None or membership.school_id is None:
        return None
    if students_visible_to(user).filter(pk=pk).exists():
        return None
    placements = Placement.objects.filter(student_id=pk, school_id=membership.school_id, ended_on__isnull=False)
    in_class = membership.role in CLASS_ROLES
    if in_class:
        placements = placements.filter(school_class_id=membership.school_class_id)
    placements = tuple(placements.select_related("school_class").order_by("started_on", "id"))
    if not placements:
        return None
    last = max(placements, key=lambda placement: (placement.ended_on, placement.pk))
    name, number = Student.objects.filter(pk=pk).values_list("name", "student_number").get()
    return FormerStudent(
        student_id=pk, name=name, student_number=number, left_on=last.ended_on, reason=last.end_reason,
        placements=placements, left_class_only=in_class,
    )
