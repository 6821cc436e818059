"""Every read that depends on who asks. Views, the API and exports all go through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import CLASS_ROLES, Bureau, Membership, Role, School, SchoolClass, Student


def membership_of(user) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def user_sees_everything(user) -> bool:
    membership = membership_of(user)
    return bool(getattr(user, "is_superuser", False) or (membership and membership.role == Role.ADMIN))


def _region_q(prefix: str, region) -> Q:
    """The region and every region below it (a city bureau sees its counties' schools)."""
    return Q(**{prefix: region}) | Q(**{f"{prefix}__parent": region}) | Q(**{f"{prefix}__parent__parent": region})


def schools_visible_to(user) -> QuerySet[School]:
    schools = School.objects.select_related("region", "bureau")
    if user_sees_everything(user):
        return schools.all()
    membership = membership_of(user)
    if membership is None:
        return schools.none()
    if membership.role == Role.BUREAU_OFFICER:
        return schools.filter(_region_q("region", membership.bureau.region_id))
    return schools.filter(pk=membership.school_id)


def bureaus_visible_to(user) -> QuerySet[Bureau]:
    if user_sees_everything(user):
        return Bureau.objects.all()
    membership = membership_of(user)
    if membership and membership.role == Role.BUREAU_OFFICER:
        return Bureau.objects.filter(_region_q("region", membership.bureau.region_id))
    return Bureau.objects.none()


def classes_visible_to(user) -> QuerySet[SchoolClass]:
    classes = SchoolClass.objects.select_related("school")
    membership = membership_of(user)
    if membership and membership.role in CLASS_ROLES:
        return classes.filter(pk=membership.school_class_id)
    return classes.filter(school__in=schools_visible_to(user))


def students_visible_to(user) -> QuerySet[Student]:
    """A school sees the records it holds, a class teacher the class, a bureau its region and below."""
    students = Student.objects.select_related("school", "gender")
    if user_sees_everything(user):
        return students.all()
    membership = membership_of(user)
    if membership is None:
        return students.none()
    if membership.role in CLASS_ROLES:
        return students.filter(
            placements__school_class_id=membership.school_class_id, placements__ended_on__isnull=True
        )
    if membership.role == Role.BUREAU_OFFICER:
        return students.filter(_region_q("school__region", membership.bureau.region_id))
    return students.filter(school_id=membership.school_id)


def student_search(
    user,
    *,
    q: str = "",
    school: str = "",
    class_code: str = "",
    status: str = "",
    grade: int | None = None,
) -> QuerySet[Student]:
    """The student list: free text on name or student number, filters on school, class and status."""
    students = students_visible_to(user)
    if q:
        q = q.strip()
        students = students.filter(
            Q(name__contains=q)
            | Q(student_number__icontains=q)
            | Q(former_names__contains=q)
            | Q(former_student_numbers__icontains=q)
        )
    if school:
        students = students.filter(school__identifier=school)
    if class_code:
        students = students.filter(placements__school_class__code=class_code, placements__ended_on__isnull=True)
    if grade:
        students = students.filter(placements__school_class__grade=grade, placements__ended_on__isnull=True)
    if status:
        students = students.filter(status=status)
    return students.order_by("school__identifier", "name", "pk")


def student_find_for_transfer_in(*, student_number: str, name: str) -> Student | None:
    """Another school finds a student only by the exact pair of student number and name."""
    return (
        Student.objects.select_related("school")
        .filter(student_number=student_number.strip().upper(), name=name.strip())
        .first()
    )


# --- Tasks: the inbox of a school and the queue of a bureau ------------------------------------


def user_may_act_on(user, work_item) -> bool:
    """The people of the step's school in the step's role, or the officers of the step's bureau."""
    membership = membership_of(user)
    if membership is None or membership.role != work_item.role:
        return False
    if work_item.assignee_id and work_item.assignee_id != user.pk:
        return False
    if work_item.school_id:
        return membership.school_id == work_item.school_id
    return membership.bureau_id == work_item.bureau_id


def users_in_role(role: str, *, school=None, bureau=None):
    """The active accounts of one role at one school, or the officers of one bureau."""
    from django.contrib.auth import get_user_model

    if (school is None) == (bureau is None):
        raise ValueError("users_in_role needs exactly one of school and bureau.")
    users = get_user_model().objects.filter(is_active=True, membership__role=role)
    if bureau is not None:
        users = users.filter(membership__bureau=bureau)
    else:
        users = users.filter(membership__school=school)
    return users.order_by("pk")


def users_who_may_act_on(work_item):
    """Everyone `user_may_act_on` lets act on the step, as one query: reminders go to exactly them."""
    users = users_in_role(
        work_item.role,
        school=work_item.school_id if work_item.school_id else None,
        bureau=work_item.bureau_id if not work_item.school_id else None,
    )
    if work_item.assignee_id:
        users = users.filter(pk=work_item.assignee_id)
    return users


def tasks_in_inbox(user):
    """Open steps the user can act on now: one indexed query on the org-scoped work items."""
    from flows.models import WorkItem

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
    return items.order_by("created", "pk")


def tasks_page(user, *, offset: int = 0, limit: int = 50):
    """A page of the inbox: pick the ids on the index first, then join what the page shows."""
    from flows.models import WorkItem

    ids = list(tasks_in_inbox(user).values_list("pk", flat=True)[offset : offset + limit])
    rows = WorkItem.objects.filter(pk__in=ids).select_related(
        "request", "student", "school", "bureau", "request__school"
    )
    return sorted(rows, key=lambda item: (item.created, item.pk))


def requests_visible_to(user):
    """Requests a user may open: those of their school (either party) or of their bureau's region."""
    from flows.models import Request

    requests = Request.objects.select_related("student", "school", "other_school")
    if user_sees_everything(user):
        return requests.all()
    membership = membership_of(user)
    if membership is None:
        return requests.none()
    if membership.role == Role.BUREAU_OFFICER:
        region = membership.bureau.region_id
        return requests.filter(_region_q("school__region", region) | _region_q("other_school__region", region))
    if membership.role in CLASS_ROLES:
        # The class's students' requests, and what the teacher entered (a registration has no student yet).
        return requests.filter(Q(student__in=students_visible_to(user)) | Q(started_by=user))
    return requests.filter(Q(school_id=membership.school_id) | Q(other_school_id=membership.school_id))


# --- Pages: counts and list rows for the home, student and class pages ------------------------
# Every list page shows one row per object with no query per row: counts are scalar subqueries
# on indexed columns, the current class is one LEFT JOIN on the open placement.

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Subquery,
)
from django.db.models.functions import Coalesce

from .models import Placement


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
    """Adds current_class_id, current_class_name and current_grade (None when not placed)."""
    return students.annotate(
        open_placement_row=FilteredRelation("placements", condition=Q(placements__ended_on__isnull=True)),
        current_class_id=F("open_placement_row__school_class_id"),
        current_class_name=F("open_placement_row__school_class__name"),
        current_grade=F("open_placement_row__school_class__grade"),
    )


# --- API (issue 6): reads the REST API needs beside the pages' -----------------------------------


def calendar_editable_by(user, bureau: Bureau) -> bool:
    """A bureau's term calendar is changed by its own officers only."""
    membership = membership_of(user)
    return bool(membership and membership.role == Role.BUREAU_OFFICER and membership.bureau_id == bureau.pk)


def tasks_page_of(items, *, offset: int = 0, limit: int = 50):
    """A page of any selection of open steps (the inbox, filtered): ids first, then the joins."""
    from flows.models import WorkItem

    ids = list(items.values_list("pk", flat=True)[offset : offset + limit])
    rows = WorkItem.objects.filter(pk__in=ids).select_related(
        "request", "student", "school", "bureau", "request__school"
    )
    order = {pk: position for position, pk in enumerate(ids)}
    return sorted(rows, key=lambda item: order[item.pk])


# --- Year end (issue 7): graduates a middle school may take, certificates anyone may check ------


def graduates_for_promotion(user, *, q: str = "", school: str = "") -> QuerySet[Student]:
    """The primary graduates a middle-school registrar may pick: graduated from a primary school
    in the region of the registrar's bureau (and below). Another county's graduates are not here."""
    membership = membership_of(user)
    if (
        membership is None
        or membership.role != Role.REGISTRAR
        or 7 not in membership.school.grades
    ):
        return Student.objects.none()
    students = Student.objects.select_related("school").filter(
        _region_q("school__region", membership.school.bureau.region_id),
        status=Student.Status.GRADUATED,
        school__type=School.Type.PRIMARY,
    )
    if q:
        students = students.filter(Q(name__contains=q.strip()) | Q(student_number__icontains=q.strip()))
    if school:
        students = students.filter(school__identifier=school)
    return students.order_by("school__identifier", "name", "pk")


def promotion_region_students(user) -> QuerySet[Student]:
    """Every student whose school is in the middle-school registrar's bureau region: the graduates
    it may pick, and those already enrolled elsewhere (so a refusal can name their school)."""
    membership = membership_of(user)
    if membership is None or membership.role != Role.REGISTRAR or 7 not in membership.school.grades:
        return Student.objects.none()
    return Student.objects.select_related("school").filter(
        _region_q("school__region", membership.school.bureau.region_id)
    )


def certificate_verify(*, number: str, name: str):
    """The public check of a graduation certificate: the exact number and the holder's name."""
    from .models import GraduationCertificate

    number, name = (number or "").strip(), (name or "").strip()
    if not number or not name:
        return None
    return (
        GraduationCertificate.objects.select_related("student", "school")
        .filter(number=number, student__name=name)
        .first()
    )


def rollovers_visible_to(user):
    from .models import Rollover

    membership = membership_of(user)
    rollovers = Rollover.objects.select_related("bureau", "school", "started_by")
    if user_sees_everything(user):
        return rollovers.all()
    if membership is None:
        return rollovers.none()
    if membership.role == Role.BUREAU_OFFICER:
        return rollovers.filter(Q(bureau_id=membership.bureau_id) | Q(school__bureau_id=membership.bureau_id))
    if membership.role == Role.REGISTRAR:
        return rollovers.filter(Q(school_id=membership.school_id) | Q(bureau_id=membership.school.bureau_id))
    return rollovers.none()
