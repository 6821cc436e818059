"""Year end: whole classes at once (graduation of a class, promotion of many graduates)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..class_codes import GRADUATING_GRADES
from ..models import GraduationCertificate, Placement, SchoolClass, Student
from .base import history_of_students, record_actor, today
from .checks import status_blockers
from .placements import class_batch_locked, placements_close_bulk, placements_open_bulk

# Graduating a class of hundreds or promoting a county's intake must not cost a round trip per
# student. These services check every student's state in one query against the sources the state
# machine allows (Student.graduate / Student.promote), refuse the whole batch with the list of
# blockers, then write with queryset updates and bulk-created history rows: the only place where a
# status is written without firing the transition on an instance (the protected field forbids it).

GRADUATE_SOURCES = Student.sources_of("graduate")
PROMOTE_SOURCES = Student.sources_of("promote")


@transaction.atomic
def class_graduate(
    *, school_class: SchoolClass, certificates: dict[int, str], year: int, by, remark: str = ""
) -> list[GraduationCertificate]:
    """毕业 of a class: every student in `certificates` (id → certificate number) graduates and
    gets the certificate; the class is closed. Students of the class left out stay enrolled (and
    placed in it) until the school places them. All or nothing, in a fixed number of queries."""

    school_class = SchoolClass.objects.select_for_update().select_related("school").get(pk=school_class.pk)
    if school_class.state != SchoolClass.State.OPEN:
        raise ValidationError(_("班级“%(name)s”已毕业或撤销。") % {"name": school_class.name}, code="class_closed")
    if school_class.grade not in GRADUATING_GRADES:
        raise ValidationError(_("%(grade)s不是毕业年级。") % {"grade": school_class.grade_name})
    ids = sorted(certificates)
    if not ids:
        raise ValidationError(_("没有要毕业的学生。"))
    _students, blockers = class_batch_locked(ids=ids, school_class=school_class, transition="graduate", action=_("毕业"))
    numbers = [certificates[pk].strip() for pk in ids]
    duplicates = sorted(n for n, times in Counter(numbers).items() if times > 1)
    if duplicates:
        blockers.append(_("毕业证书编号重复：%(numbers)s") % {"numbers": "、".join(duplicates)})
    if blockers:
        raise ValidationError(blockers, code="graduation_blocked")
    reason = remark or _("毕业")
    updated = Student.objects.filter(pk__in=ids, status__in=GRADUATE_SOURCES).update(status=Student.Status.GRADUATED)
    if updated != len(ids):  # cannot happen under the row locks; refuse rather than half-graduate
        raise ValidationError(_("学生状态在办理中发生变化，请重试。"))
    history_of_students(ids, by=by, reason=reason)
    placements_close_bulk(student_ids=ids, reason=_("毕业"), by=by)
    issued_on = today()
    try:
        with transaction.atomic():
            issued = GraduationCertificate.objects.bulk_create(
                [
                    GraduationCertificate(
                        number=certificates[pk].strip(), student_id=pk, school=school_class.school,
                        school_class=school_class, year=year, issued_on=issued_on,
                    )
                    for pk in ids
                ]
            )
    except IntegrityError:
        taken = sorted(
            GraduationCertificate.objects.filter(number__in=numbers).values_list("number", flat=True)
        )
        raise ValidationError(
            _("毕业证书编号已被使用：%(numbers)s") % {"numbers": "、".join(taken) or "?"}, code="certificate_taken"
        ) from None
    GraduationCertificate.history.bulk_history_create(issued, default_user=by, default_change_reason=reason)
    school_class.state = SchoolClass.State.GRADUATED
    record_actor(school_class, by, _("全班毕业"))
    school_class.save()
    return issued


@transaction.atomic
def students_promote(*, placements: dict[int, SchoolClass], by) -> int:
    """升学 of many graduates at once: each enrolls in its first-year class at the middle school,
    with the same student number. All or nothing; the number of queries does not grow with them."""
    ids = sorted(placements)
    if not ids:
        raise ValidationError(_("没有要升学的学生。"))
    class_ids = {c.pk for c in placements.values()}
    classes = {
        c.pk: c for c in SchoolClass.objects.select_for_update().select_related("school").filter(pk__in=class_ids)
    }
    blockers = [
        _("班级“%(name)s”已不在读（已毕业或撤销），不能编入学生。") % {"name": c.name}
        for c in classes.values()
        if c.state != SchoolClass.State.OPEN
    ]
    students = list(Student.objects.select_for_update().filter(pk__in=ids).order_by("name", "pk"))
    blockers += status_blockers(students, "promote", _("升学"))
    if Placement.objects.filter(student_id__in=ids, ended_on__isnull=True).exists():
        blockers.append(_("有学生仍有在读班级。"))
    if blockers:
        raise ValidationError(blockers, code="promotion_blocked")
    by_school = defaultdict(list)
    for pk in ids:
        by_school[classes[placements[pk].pk].school_id].append(pk)
    for school_id, student_ids in by_school.items():
        Student.objects.filter(pk__in=student_ids, status__in=PROMOTE_SOURCES).update(
            status=Student.Status.ENROLLED, school_id=school_id
        )
    history_of_students(ids, by=by, reason=_("升学"))
    placements_open_bulk(pairs=[(pk, classes[placements[pk].pk]) for pk in ids], reason=_("升学"), by=by)
    return len(ids)
