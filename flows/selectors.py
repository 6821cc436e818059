"""Who sees which requests and which steps they may act on: the inbox of a school, the queue of a bureau."""

from __future__ import annotations

from django.db.models import Q

from records.models import CLASS_ROLES, Role, School, Student
from records.selectors import (
    bureau_school_regions,
    membership_of,
    students_visible_to,
    user_sees_everything,
    users_in_role,
)

from .models import Request, RequestStudent, WorkItem


def user_may_act_on(user, work_item) -> bool:
    """The people of the step's school in the step's role, or the officers of the step's bureau."""
    membership = membership_of(user)
    if membership is None or membership.role != work_item.role:
        return False
    if work_item.assignee_id and work_item.assignee_id != user.pk:
        return False
    if work_item.school_class_id and membership.school_class_id != work_item.school_class_id:
        return False
    if work_item.school_id:
        return membership.school_id == work_item.school_id
    return membership.bureau_id == work_item.bureau_id


def users_who_may_act_on(work_item):
    """Everyone `user_may_act_on` lets act on the step, as one query: reminders go to exactly them."""
    users = users_in_role(
        work_item.role,
        school=work_item.school_id if work_item.school_id else None,
        bureau=work_item.bureau_id if not work_item.school_id else None,
    )
    if work_item.assignee_id:
        users = users.filter(pk=work_item.assignee_id)
    if work_item.school_class_id:
        users = users.filter(membership__school_class=work_item.school_class_id)
    return users


def tasks_in_inbox(user):
    """Open steps the user can act on now: one indexed query on the org-scoped work items."""
    membership = membership_of(user)
    if membership is None or membership.role == Role.ADMIN:
        return WorkItem.objects.none()
    items = WorkItem.objects.filter(finished__isnull=True, role=membership.role).filter(
        Q(assignee__isnull=True) | Q(assignee=user)
    )
    if membership.role == Role.BUREAU_OFFICER:
        items = items.filter(bureau_id=membership.bureau_id)
    else:
        items = items.filter(school_id=membership.school_id)
        items = items.filter(Q(school_class__isnull=True) | Q(school_class=membership.school_class_id))
    return items.order_by("created", "pk")


def requests_visible_to(user):
    """Requests a user may open: those of their school (either party) or of their bureau's region."""
    return _requests_visible_to(user)


# Past this many schools, a bureau's request list names them through a subquery: planning a
# longer list costs more than the estimate it buys (a province of 5,000 schools: 20 ms).
LISTED_SCHOOLS_MAX = 2000


def _bureau_requests(membership, *, listed: bool = False) -> Q:
    """The requests of a bureau: either party's school is in its region or below it (the regions
    with schools, records.selectors.bureau_school_regions, instead of the region tree ORed over
    six joins). Regions that hold every school need no condition at all (a request always has a
    school).

    `listed` (the request list) names the schools: PostgreSQL then estimates a county's share from
    the statistics of the requests' school indexes, and finds and counts its requests on them."""
    regions, every_school = bureau_school_regions(membership)
    if every_school:
        return Q()
    schools = School.objects.filter(region__in=regions).order_by()
    if listed:
        ids = list(schools.values_list("pk", flat=True))
        if len(ids) <= LISTED_SCHOOLS_MAX:
            return Q(school__in=ids) | Q(other_school__in=ids)
    return Q(school__in=schools.values("pk")) | Q(other_school__in=schools.values("pk"))


def _requests_visible_to(user, *, listed: bool = False):
    requests = Request.objects.select_related("student", "school", "other_school")
    if user_sees_everything(user):
        return requests.all()
    membership = membership_of(user)
    if membership is None:
        return requests.none()
    if membership.role == Role.BUREAU_OFFICER:
        return requests.filter(_bureau_requests(membership, listed=listed))
    if membership.role in CLASS_ROLES:
        # The class's students' requests, and what the teacher entered (a registration has no student yet).
        return requests.filter(Q(student__in=students_visible_to(user)) | Q(started_by=user))
    return requests.filter(Q(school_id=membership.school_id) | Q(other_school_id=membership.school_id))


def tasks_page(items, *, offset: int = 0, limit: int = 50) -> list[WorkItem]:
    """A page of a selection of open steps (the inbox, maybe filtered): pick the ids on the index
    first, then join what the page shows."""
    ids = list(items.values_list("pk", flat=True)[offset : offset + limit])
    rows = WorkItem.objects.filter(pk__in=ids).select_related(
        "request", "student", "school", "bureau", "request__school"
    )
    order = {pk: position for position, pk in enumerate(ids)}
    return sorted(rows, key=lambda item: order[item.pk])


def claiming_request(student) -> Request | None:
    """The request a student is held by: an open one, or an approved one not yet in effect (a
    suspension before its start date). No other request may be started for them meanwhile."""
    claim = RequestStudent.objects.filter(student=student, open=True).select_related("request").first()
    return claim.request if claim else None


def request_search(user, *, state: str = "", kind: str = "", student: int | None = None):
    """The request list (page and API): the requests the user may see, newest first, filtered.
    The order is served by an index on the processes' (created, id) (flows migration 0010)."""
    requests = _requests_visible_to(user, listed=True).order_by("-created", "-pk")
    if state:
        requests = requests.filter(state=state)
    if kind:
        requests = requests.filter(kind=kind)
    if student:
        requests = requests.filter(student_id=student)
    return requests


def student_timeline(student: Student) -> list[dict]:
    """Every request about the student (any state) and every change of status or student type."""
    events = []
    requests = (
        Request.objects.filter(students__student=student).select_related("school", "started_by").order_by("created")
    )
    for req in requests:
        events.append({"at": req.created, "kind": "request", "request": req})
    previous = None
    for record in student.history.select_related("history_user").order_by("history_date", "history_id"):
        if previous is not None:
            if record.status != previous.status:
                events.append({"at": record.history_date, "kind": "status", "record": record,
                               "old": Student.Status(previous.status).label, "new": Student.Status(record.status).label})
            if record.student_type_id != previous.student_type_id:
                events.append({"at": record.history_date, "kind": "student_type", "record": record,
                               "old": previous.student_type.name, "new": record.student_type.name})
        previous = record
    return sorted(events, key=lambda event: event["at"], reverse=True)
