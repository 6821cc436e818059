"""Year end: the graduates a middle school may take, certificates anyone may check, rollovers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ..models import GraduationCertificate, Role, Rollover, School, Student
from ..names import by_name, name_search_text
from .scope import membership_of, region_q, user_sees_everything


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
        region_q("school__region", membership.school.bureau.region_id),
        status=Student.Status.GRADUATED,
        school__type=School.Type.PRIMARY,
    )
    if name_search_text(q):
        students = students.filter(
            Q(name__contains=name_search_text(q)) | Q(student_number__icontains="".join(q.split()))
        )
    if school:
        students = students.filter(school__identifier=school)
    return students.order_by("school__identifier", by_name(), "pk")


def promotion_region_students(user) -> QuerySet[Student]:
    """Every student whose school is in the middle-school registrar's bureau region: the graduates
    it may pick, and those already enrolled elsewhere (so a refusal can name their school)."""
    membership = membership_of(user)
    if membership is None or membership.role != Role.REGISTRAR or 7 not in membership.school.grades:
        return Student.objects.none()
    return Student.objects.select_related("school").filter(
        region_q("school__region", membership.school.bureau.region_id)
    )


def certificate_verify(*, number: str, name: str):
    """The public check of a graduation certificate: the exact number and the holder's name."""
    number, name = (number or "").strip(), (name or "").strip()
    if not number or not name:
        return None
    return (
        GraduationCertificate.objects.select_related("student", "school")
        .filter(number=number, student__name=name)
        .first()
    )


def rollovers_visible_to(user):
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


def rollover_scope_of(user) -> dict:
    """What a user rolls over: a bureau officer the bureau's schools, a registrar the school."""
    membership = membership_of(user)
    if membership and membership.role == Role.BUREAU_OFFICER:
        return {"bureau": membership.bureau}
    if membership and membership.role == Role.REGISTRAR:
        return {"school": membership.school}
    raise PermissionDenied(_("学年升级由教育局审批人员或学校学籍管理员办理。"))
