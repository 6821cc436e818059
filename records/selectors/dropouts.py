"""The dropout follow-up list (控辍保学): dropped-out children of compulsory-education age, their
follow-ups, and who may write one."""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import DropoutFollowUp, Placement, Role, Student
from ..names import by_name, name_search_text
from ..school_age import compulsory_birth_dates
from .focus import Focus, in_focus
from .scope import membership_of, students_visible_to

DEATH_REASON = "4"  # dropout reason code 死亡: a death is counted apart from the dropouts, and not followed up
NOT_FOLLOWED_UP = "none"  # the list's filter for students nobody has followed up yet


def dropouts_visible_to(user, *, day: datetime.date | None = None) -> QuerySet[Student]:
    """Dropped-out students of compulsory-education age the user may see, with when they left
    and their latest follow-up (left_on, follow_up_count, last_follow_up_on, last_result)."""
    earliest, latest = compulsory_birth_dates(day or timezone.localdate())
    follow_ups = DropoutFollowUp.objects.filter(student=OuterRef("pk")).order_by("-followed_up_on", "-pk")
    last_placement = Placement.objects.filter(student=OuterRef("pk")).order_by("-started_on", "-id")
    return (
        students_visible_to(user)
        .filter(status=Student.Status.DROPPED_OUT, birth_date__range=(earliest, latest))
        .select_related("school__region", "dropout_reason", "gender")
        .annotate(
            left_on=Subquery(last_placement.values("ended_on")[:1]),
            follow_up_count=Coalesce(
                Subquery(
                    DropoutFollowUp.objects.filter(student=OuterRef("pk")).order_by().values("student")
                    .annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            last_follow_up_on=Subquery(follow_ups.values("followed_up_on")[:1]),
            last_result=Subquery(follow_ups.values("result")[:1]),
            last_followed_up_by=Subquery(follow_ups.values("followed_up_by")[:1]),
        )
    )


def dropout_search(
    user, *, focus: Focus | None = None, school: str = "", reason: str = "", result: str = "", q: str = ""
) -> QuerySet[Student]:
    students = dropouts_visible_to(user)
    if focus is not None:
        students = students.filter(in_focus("school", focus))
    if school:
        students = students.filter(school__identifier=school)
    if reason:
        students = students.filter(dropout_reason__code=reason)
    if result == NOT_FOLLOWED_UP:
        students = students.filter(last_result__isnull=True)
    elif result:
        students = students.filter(last_result=result)
    if name_search_text(q):
        students = students.filter(
            Q(name__contains=name_search_text(q)) | Q(student_number__icontains="".join(q.split()))
        )
    return students.order_by("school__region__code", "school__identifier", by_name(), "pk")


def dropout_reason_counts(students: QuerySet[Student]) -> dict[str, int]:
    rows = students.order_by().values("dropout_reason__code").annotate(n=Count("pk"))
    return {row["dropout_reason__code"]: row["n"] for row in rows}


def follow_ups_of(user, student: Student) -> QuerySet[DropoutFollowUp]:
    """A student's follow-ups, for everyone who may see the student."""
    if not students_visible_to(user).filter(pk=student.pk).exists():
        return DropoutFollowUp.objects.none()
    return DropoutFollowUp.objects.filter(student=student).select_related("recorded_by").order_by("-followed_up_on", "-pk")


def may_follow_up(user, student: Student) -> bool:
    """The registrar of the student's school and the bureau officers of its region write follow-ups."""
    membership = membership_of(user)
    if membership is None or student.status != Student.Status.DROPPED_OUT:
        return False
    if membership.role == Role.REGISTRAR:
        return membership.school_id == student.school_id
    if membership.role == Role.BUREAU_OFFICER:
        return students_visible_to(user).filter(pk=student.pk).exists()
    return False
