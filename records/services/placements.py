"""Where a student is placed, and the status operations the flows' last approvals call."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import Code, CodeTable, Placement, SchoolClass, Student
from .base import fire, locked, record_actor, today
from .checks import (
    class_open_check,
    grade_change_check,
    reassign_class_check,
    resumption_class_check,
    status_blockers,
    suspension_end_check,
    transfer_class_check,
)


def require_open_class(school_class: SchoolClass, field: str = "school_class", *, with_school: bool = False) -> SchoolClass:
    """The class, locked, if it is open; `with_school` reads its school and the school's region
    along with it (not locked)."""
    # Read the state under the class's row lock, which class_dissolve also takes: the caller's
    # copy may be stale, and a class must not be dissolved while a student is being placed in it.
    if with_school:
        rows = SchoolClass.objects.select_for_update(of=("self",)).select_related("school__region")
    else:
        rows = SchoolClass.objects.select_for_update().only("name", "state")
    locked_class = rows.get(pk=school_class.pk)
    class_open_check(locked_class, field)
    return locked_class


def placement_open(
    *,
    student: Student,
    school_class: SchoolClass,
    reason: str,
    by,
    started_on: datetime.date | None = None,
    closed_first: bool = False,
) -> Placement:
    """Open a placement; refused when the student has an open one already.

    `closed_first`: the caller holds the student's row lock and has just closed their open
    placement (move), so no other open placement can be met: no savepoint to catch one."""
    placement = Placement(
        student=student, school=school_class.school, school_class=school_class, started_on=started_on or today(),
        reason=reason,
    )
    record_actor(placement, by, reason)
    if closed_first:
        placement.save()
        return placement
    try:
        with transaction.atomic():
            placement.save()
    except IntegrityError:
        raise ValidationError(_("该生已有在读班级，不能重复编班。"), code="placement_open") from None
    return placement


def open_placement_locked(student: Student) -> Placement | None:
    """The student's open placement with its class, its row locked for the rest of the transaction."""
    return (
        Placement.objects.select_for_update(of=("self",))
        .select_related("school_class")
        .filter(student=student, ended_on__isnull=True)
        .first()
    )


def placement_close(*, student: Student, reason: str, by, placement: Placement | None = None) -> Placement | None:
    """Close the student's open placement: `placement` when the caller has read it locked
    (open_placement_locked), else the one read here."""
    if placement is None:
        placement = open_placement_locked(student)
    if placement:
        placement.ended_on = today()
        placement.end_reason = reason
        record_actor(placement, by, reason)
        placement.save()
    return placement



def class_batch_locked(*, ids, school_class: SchoolClass, transition: str, action: str) -> tuple[list[Student], list[str]]:
    """Lock a batch of a class's students (a graduation, a whole-class transfer) and say what keeps
    any of them from `transition`: their status, or not being placed in the class (any more)."""
    students = list(Student.objects.select_for_update().filter(pk__in=ids).order_by("name", "pk"))
    placed = set(
        Placement.objects.filter(student_id__in=ids, school_class=school_class, ended_on__isnull=True).values_list(
            "student_id", flat=True
        )
    )
    blockers = status_blockers(students, transition, action)
    blockers += [
        _("%(name)s（%(number)s）：不在本班。") % {"name": s.name, "number": s.student_number}
        for s in students
        if s.pk not in placed and s.allows(transition)
    ]
    if len(students) != len(set(ids)):
        blockers.append(_("有学生记录不存在。"))
    return students, blockers


def placements_close_bulk(*, student_ids, reason: str, by) -> None:
    open_placements = Placement.objects.filter(student_id__in=student_ids, ended_on__isnull=True)
    ids = list(open_placements.values_list("pk", flat=True))
    Placement.objects.filter(pk__in=ids).update(ended_on=today(), end_reason=reason)
    Placement.history.bulk_history_create(
        list(Placement.objects.filter(pk__in=ids)), update=True, default_user=by, default_change_reason=reason
    )


def placements_open_bulk(*, pairs: list[tuple[int, SchoolClass]], reason: str, by) -> None:
    """pairs: (student id, class) for students who have no open placement now."""
    created = Placement.objects.bulk_create(
        [
            Placement(student_id=student_id, school_id=school_class.school_id, school_class=school_class,
                      started_on=today(), reason=reason)
            for student_id, school_class in pairs
        ]
    )
    Placement.history.bulk_history_create(created, default_user=by, default_change_reason=reason)



def move(*, student: Student, current: Placement | None, to_class: SchoolClass, reason: str, by) -> Placement:
    """Close `current` (the open placement, read with open_placement_locked) and open one in `to_class`."""
    require_open_class(to_class, "to_class")
    if current and current.school_class_id == to_class.pk:
        raise ValidationError({"to_class": _("该生已在这个班级。")})
    if current:
        placement_close(student=student, reason=reason, by=by, placement=current)
    if student.school_id != to_class.school_id:
        student.school = to_class.school
        record_actor(student, by, reason)
        student.save()
    return placement_open(student=student, school_class=to_class, reason=reason, by=by, closed_first=current is not None)


@transaction.atomic
def student_transfer(*, student: Student, to_class: SchoolClass, by, reason: str = "") -> Placement:
    """Close the open placement and open one in `to_class`; the grade must not change (转学)."""
    student = locked(student)
    fire(student, "move", _("转学"))
    current = open_placement_locked(student)
    transfer_class_check(from_class=current.school_class if current else None, to_class=to_class)
    return move(student=student, current=current, to_class=to_class, reason=reason or _("转学"), by=by)


@transaction.atomic
def student_change_grade(*, student: Student, to_class: SchoolClass, by, reason: str = "") -> Placement:
    """Repeat (留级) or skip (跳级) a grade: exactly one grade down or up, in the same school."""
    student = locked(student)
    fire(student, "move", _("留级/跳级"))
    current = open_placement_locked(student)
    from_class = current.school_class if current else None
    grade_change_check(student=student, from_class=from_class, to_class=to_class)
    label = _("留级") if to_class.grade < from_class.grade else _("跳级")
    return move(student=student, current=current, to_class=to_class, reason=reason or label, by=by)


@transaction.atomic
def student_reassign_class(*, student: Student, to_class: SchoolClass, by, reason: str = "") -> Placement:
    """重新分班: the school moves a student to another class of the same grade (篇2 第十九条: the
    school corrects it directly, no approval); the old and new class stay in the history."""
    student = locked(student)
    fire(student, "move", _("重新分班"))
    current = open_placement_locked(student)
    reassign_class_check(student=student, from_class=current.school_class if current else None, to_class=to_class)
    text = _("重新分班") + (f"：{reason.strip()}" if (reason or "").strip() else "")
    return move(student=student, current=current, to_class=to_class, reason=text[:100], by=by)


@transaction.atomic
def student_suspend(*, student: Student, until: datetime.date, by, reason: str = "") -> Student:
    """Suspend (休学) until `until`; the placement closes and resumption reopens it."""
    student = locked(student)
    fire(student, "suspend", _("休学"))
    suspension_end_check(student=student, end=until, today=today())
    student.suspended_until = until
    text = reason or _("休学")
    record_actor(student, by, text)
    student.save()
    placement_close(student=student, reason=text, by=by)
    return student


@transaction.atomic
def student_extend_suspension(*, student: Student, until: datetime.date, by, reason: str = "") -> Student:
    """续休: a suspended student's end date moves later."""
    student = locked(student)
    fire(student, "extend_suspension", _("续休"), refusal=_("只有休学中的学生才能续休。"))
    suspension_end_check(student=student, end=until, today=today())
    student.suspended_until = until
    record_actor(student, by, reason or _("续休"))
    student.save()
    return student


def student_last_placement(student: Student) -> Placement | None:
    return student.placements.select_related("school_class").order_by("-started_on", "-id").first()


@transaction.atomic
def student_resume(*, student: Student, by, to_class: SchoolClass | None = None, reason: str = "") -> Student:
    """Resume (复学) at the original school: back in the former class when away three months or
    less; when longer the school may pick a class of the same grade or one grade lower, never higher."""
    student = locked(student)
    fire(student, "resume", _("复学"))
    to_class = resumption_class_check(
        student=student, last=student_last_placement(student), to_class=to_class, today=today()
    )
    student.suspended_until = None
    student.dropout_reason = None
    student.dropout_destination = ""
    text = reason or _("复学")
    record_actor(student, by, text)
    student.save()
    require_open_class(to_class, "to_class")
    placement_open(student=student, school_class=to_class, reason=text, by=by)
    return student


@transaction.atomic
def student_drop_out(*, student: Student, reason: Code, by, destination: str = "", remark: str = "") -> Student:
    """流失 / 退学 / 转至市外: the student leaves; the placement closes."""
    student = locked(student)
    if reason.table != CodeTable.DROPOUT_REASON:
        raise ValidationError({"reason": _("流失原因无效。")})
    fire(student, "drop_out", _("流失"))
    student.dropout_reason = reason
    student.dropout_destination = destination
    student.suspended_until = None
    text = remark or reason.name
    record_actor(student, by, text)
    student.save()
    placement_close(student=student, reason=text, by=by)
    return student


@transaction.atomic
def student_decease(*, student: Student, by, remark: str = "") -> Student:
    """死亡: final; the placement closes."""
    student = locked(student)
    fire(student, "decease", _("死亡登记"))
    student.suspended_until = None
    record_actor(student, by, remark or _("死亡"))
    student.save()
    placement_close(student=student, reason=_("死亡"), by=by)
    return student


@transaction.atomic
def student_graduate(*, student: Student, by, remark: str = "") -> Student:
    student = locked(student)
    fire(student, "graduate", _("毕业"))
    record_actor(student, by, remark or _("毕业"))
    student.save()
    placement_close(student=student, reason=_("毕业"), by=by)
    return student


@transaction.atomic
def student_promote(*, student: Student, to_class: SchoolClass, by) -> Student:
    """升学: a graduate enrolls at a middle school with the same student number."""
    student = locked(student)
    require_open_class(to_class, "to_class")
    fire(student, "promote", _("升学"))
    student.school = to_class.school
    record_actor(student, by, _("升学"))
    student.save()
    placement_open(student=student, school_class=to_class, reason=_("升学"), by=by)
    return student

