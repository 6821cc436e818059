"""The register's rules as pure checks: each raises the refusal a person reads and changes nothing.

The start of a request calls them with what the registrar asks for; the service of the request's
last approval calls them again with the state of that moment. One rule, one message, in both.
What a status allows is the state machine's (Student's transitions): `status_check` asks it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..errors import Conflict
from ..models import Placement, SchoolClass, Student

# After three months away a resuming student may be placed one grade lower (policy texts, 篇2 第十五条).
RESUME_SAME_CLASS_DAYS = 92
SUSPENSION_MAX_DAYS = 365  # at most one school year (篇10 三.二)


def status_check(student: Student, transition: str, action: str, *, refusal: str = "") -> None:
    """Refuse `action` when the student's status does not allow the state machine's `transition`."""
    if not student.allows(transition):
        raise Conflict(
            refusal
            or _("该生当前学籍状态为“%(status)s”，不能办理%(action)s。")
            % {"status": student.get_status_display(), "action": action},
            code="transition_not_allowed",
        )


def status_blockers(students, transition: str, action: str) -> list[str]:
    """Of many students, one line for each whose status does not allow `transition`: a batch
    (a class's graduation, a whole-class transfer) is refused with the whole list."""
    sources = Student.sources_of(transition)
    return [
        _("%(name)s（%(number)s）：学籍状态为“%(status)s”，不能办理%(action)s。")
        % {"name": s.name, "number": s.student_number, "status": s.get_status_display(), "action": action}
        for s in students
        if s.status not in sources
    ]


def class_open_check(school_class: SchoolClass, field: str = "to_class") -> None:
    if school_class.state != SchoolClass.State.OPEN:
        raise ValidationError(
            {field: _("班级“%(name)s”已不在读（已毕业或撤销），不能编入学生。") % {"name": school_class.name}}
        )


def transfer_class_check(*, from_class: SchoolClass | None, to_class: SchoolClass) -> None:
    """转学 keeps the grade (篇10 三.一.3: 转学不得变更就读年级)."""
    class_open_check(to_class)
    if from_class is not None and from_class.grade != to_class.grade:
        raise ValidationError(
            {"to_class": _("转学不改变年级：请选择%(grade)s的班级。") % {"grade": from_class.grade_name}}
        )


def reassign_class_check(*, student: Student, from_class: SchoolClass | None, to_class: SchoolClass) -> None:
    """重新分班 (篇2 第十九条): another class of the same grade in the student's own school."""
    if to_class.school_id != student.school_id:
        raise ValidationError({"to_class": _("重新分班只能调到本校的班级。")})
    if from_class is not None and to_class.pk == from_class.pk:
        raise ValidationError({"to_class": _("该生已在这个班级。")})
    if from_class is not None and to_class.grade != from_class.grade:
        raise ValidationError(
            {"to_class": _("重新分班不改变年级：请选择%(grade)s的班级；升降年级请办理留级/跳级。") % {"grade": from_class.grade_name}}
        )
    class_open_check(to_class)


def grade_change_check(*, student: Student, from_class: SchoolClass | None, to_class: SchoolClass) -> None:
    """留级 / 跳级: exactly one grade down or up, in the student's own school."""
    if to_class.school_id != student.school_id:
        raise ValidationError({"to_class": _("留级或跳级只能在本校内调整班级。")})
    if from_class is None or abs(to_class.grade - from_class.grade) != 1:
        raise ValidationError({"to_class": _("留级或跳级只能调整一个年级。")})
    class_open_check(to_class)


def resumption_class_check(
    *, student: Student, last: Placement | None, to_class: SchoolClass | None, today: datetime.date
) -> SchoolClass:
    """复学 at the original school: the former class when away three months or less; after longer,
    a class of the same grade or one lower. Returns the class the student resumes in."""
    former = last.school_class if last else None
    away_days = (today - last.ended_on).days if last and last.ended_on else 0
    if to_class is None:
        to_class = former
    if to_class is None or (to_class == former and former.state != SchoolClass.State.OPEN):
        raise ValidationError({"to_class": _("原班级已不在读，请选择复学编入的班级。")})
    if to_class.school_id != student.school_id:
        raise ValidationError({"to_class": _("复学须回原学校；到其他学校就读请复学后再办理转学。")})
    class_open_check(to_class)
    if former and to_class.pk != former.pk:
        if away_days <= RESUME_SAME_CLASS_DAYS and former.state == SchoolClass.State.OPEN:
            raise ValidationError({"to_class": _("离校不满三个月，复学须回原班级。")})
        if not (former.grade - 1 <= to_class.grade <= former.grade):
            raise ValidationError({"to_class": _("复学只能编入原年级或低一个年级的班级。")})
    return to_class


def suspension_end_check(*, student: Student, end: datetime.date, today: datetime.date) -> None:
    """A suspension ends after today; an extension (续休) after the current end."""
    if student.status == Student.Status.SUSPENDED and student.suspended_until:
        if end <= student.suspended_until:
            raise ValidationError(
                {"end": _("续休截止日期须晚于原休学截止日期（%(date)s）。") % {"date": student.suspended_until}}
            )
    elif end <= today:
        raise ValidationError({"end": _("休学截止日期须晚于今天。")})


def suspension_period_check(*, student: Student, start: datetime.date, end: datetime.date, today: datetime.date) -> None:
    """The period a registrar asks for: after its start, at most a school year, and as above."""
    if end <= start:
        raise ValidationError({"end": _("休学截止日期须晚于开始日期。")})
    if (end - start).days > SUSPENSION_MAX_DAYS:
        raise ValidationError({"end": _("休学期限一般为三个月，最长不超过一学年。")})
    suspension_end_check(student=student, end=end, today=today)


def poverty_change_check(*, student: Student, poverty: bool) -> None:
    """贫困生认定 of a student not yet identified, 取消 of one who is."""
    if student.poverty == poverty:
        raise Conflict(_("该生已是贫困生。") if poverty else _("该生不是贫困生，无需取消。"), code="no_change")
