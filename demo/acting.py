"""How the demo's people act in the flows: pick a pupil, log a parent's papers, decide a step, and
date a request back to the day it was started."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from viewflow.workflow.models import Task

from flows.engine import task_decide
from flows.models import Evidence, Request, RequestStudent, WorkItem
from flows.selectors import tasks_in_inbox
from records.models import School, SchoolClass, Student
from records.working_days import add_working_days


def demo_users(usernames) -> dict | None:
    """The demo's people by username; None when a name was taken by someone else (no flows in
    their name then)."""
    users = {user.username: user for user in get_user_model().objects.filter(username__in=usernames)}
    return users if set(usernames) <= set(users) else None


def decide(user, request, decision: str = WorkItem.Decision.APPROVE, comment: str = "", data=None) -> None:
    """`user` decides the request's step waiting in their inbox or queue, as on its page."""
    item = tasks_in_inbox(user).get(request_id=request.pk)
    task_decide(work_item=item, by=user, decision=decision, comment=comment, data=data)


def approve(user, request, comment: str = "", data=None) -> None:
    decide(user, request, WorkItem.Decision.APPROVE, comment, data)


def largest_class(school: School, grade: int) -> SchoolClass:
    """The grade's largest open class, which stays a class of twenty or more without a pupil or two."""
    return (
        SchoolClass.objects.filter(school=school, grade=grade, state=SchoolClass.State.OPEN)
        .annotate(size=Count("placements", filter=Q(placements__ended_on__isnull=True)))
        .order_by("-size", "sequence")
        .first()
    )


def pupil(school: School, grade: int, index: int) -> Student:
    """The `index`th enrolled student (by student number) of the grade's largest class."""
    return Student.objects.filter(
        placements__school_class=largest_class(school, grade), placements__ended_on__isnull=True,
        status=Student.Status.ENROLLED,
    ).order_by("student_number")[index]


def free_pupil(school_class: SchoolClass) -> Student:
    """The first enrolled student of the class (by student number) whom no request is about yet."""
    asked = RequestStudent.objects.filter(student=OuterRef("pk"))
    return (
        Student.objects.filter(
            placements__school_class=school_class, placements__ended_on__isnull=True, status=Student.Status.ENROLLED
        )
        .exclude(Exists(asked))
        .order_by("student_number")
        .first()
    )


def guardian_of(student: Student) -> dict:
    member = student.family_members.filter(is_guardian=True).first()
    return {"name": member.name, "relationship": member.relationship.name, "phone": member.phone}


def document(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4 demo", name=name)


def evidence(*kinds_and_names: tuple[str, str]) -> list[tuple[str, ContentFile]]:
    return [(kind, document(name)) for kind, name in kinds_and_names]


HOUSEHOLD_REGISTER = (Evidence.Kind.HOUSEHOLD_REGISTER, "户口簿.pdf")
ACCEPTANCE = (Evidence.Kind.ACCEPTANCE, "接收证明.pdf")
DIAGNOSIS = (Evidence.Kind.DIAGNOSIS, "诊断证明.pdf")
APPLICATION = (Evidence.Kind.APPLICATION, "书面申请.pdf")


def backdate(request: Request, *, days: int) -> None:
    """Date the request, its steps and its papers `days` earlier, as if started then: the sweeps
    then find its waiting step as old as that, and its due date follows from its new arrival day.
    Only the flows' own rows move; the register is not touched."""
    delta = datetime.timedelta(days=days)
    requests = Request.objects.filter(pk=request.pk)
    requests.update(created=F("created") - delta)
    for name in ("finished", "closed_at"):
        requests.filter(**{f"{name}__isnull": False}).update(**{name: F(name) - delta})
    tasks = Task.objects.filter(process_id=request.pk)
    for name in ("created", "assigned", "started", "finished"):
        tasks.filter(**{f"{name}__isnull": False}).update(**{name: F(name) - delta})
    Evidence.objects.filter(request=request).update(uploaded_at=F("uploaded_at") - delta)
    for item in WorkItem.objects.filter(request=request).select_related("school__bureau", "bureau"):
        item.created -= delta
        if item.finished:
            item.finished -= delta
        bureau = item.bureau or item.school.bureau
        item.due = add_working_days(timezone.localdate(item.created), bureau.step_due_working_days)
        item.save(update_fields=["created", "finished", "due"])
