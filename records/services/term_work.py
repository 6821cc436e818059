"""A class's term work: the class teacher's head-count checks and term comments, the subject
teachers' level grades. Each is written only by the teacher it belongs to, for their own class,
while its term allows it; the rest of the school and the bureaus only read it."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import COMMENT_MAX_LENGTH, HeadCount, Level, LevelGrade, SchoolClass, Student, Term, TermComment
from ..selectors.term_work import class_roster, is_class_teacher_of, subject_taught_by
from ..subjects import Subject
from ..term_deadlines import Schedule, entry_schedule, head_count_schedule
from .base import record_actor

MAX_EXTRAS = 50

# What a teacher may type for a level: its name, its first character, or its value.
LEVEL_WORDS = {
    **{str(level.label): level for level in Level},
    **{str(level.label)[0]: level for level in Level},
    **{level.value: level for level in Level},
}
# A number, a mark in 分, or a letter grade (A+, B-): a score, never to be recorded.
SCORE = re.compile(r"\d|分|^[A-Fa-f][+\-]?$")
LEVEL_NAMES = "、".join(str(level.label) for level in Level)


def level_parse(raw, *, student: Student) -> Level | None:
    """The level a teacher typed for `student`, None for nothing; anything else is refused with
    the student's name: a score is never recorded (篇1 五: 严禁录入考试分数)."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if text in LEVEL_WORDS:
        return LEVEL_WORDS[text]
    if SCORE.search(text):
        message = _("%(name)s：“%(value)s”是分数。成绩只录入等级（%(levels)s），严禁录入考试分数。")
        code = "score"
    else:
        message = _("%(name)s：“%(value)s”不是等级，请填写%(levels)s之一。")
        code = "invalid_level"
    raise ValidationError(message % {"name": student.name, "value": text, "levels": LEVEL_NAMES}, code=code)


def _today(now: datetime.datetime | None) -> datetime.date:
    return timezone.localdate(now) if now else timezone.localdate()


def _term_of_class(school_class: SchoolClass, term: Term) -> None:
    if term.bureau_id != school_class.school.bureau_id:
        raise ValidationError({"term": _("“%(term)s”不是%(bureau)s的学期。") % {"term": term.name, "bureau": school_class.school.bureau.name}})


def _entry_open(term: Term, day: datetime.date, what: str) -> None:
    schedule = entry_schedule(term)
    if not schedule.is_open(day):
        raise ValidationError(_closed_message(schedule, day, what, term), code="term_closed")


def _closed_message(schedule: Schedule, day: datetime.date, what: str, term: Term) -> str:
    if day < schedule.opens:
        return _("%(what)s自 %(opens)s 起才能填写。") % {"what": what, "opens": schedule.opens.isoformat()}
    return _("%(term)s已于 %(closes)s 结束，%(what)s不能再修改。") % {
        "term": term.name, "closes": schedule.closes.isoformat(), "what": what
    }


def _roster_of(school_class: SchoolClass, students) -> dict[int, Student]:
    """The roster students among `students` (ids or Students); a student not in the class is refused by name."""
    roster = {student.pk: student for student in class_roster(school_class)}
    ids = [getattr(student, "pk", student) for student in students]
    strangers = [pk for pk in ids if pk not in roster]
    if strangers:
        names = "、".join(Student.objects.filter(pk__in=strangers).values_list("name", flat=True)) or str(strangers[0])
        raise ValidationError(
            _("%(names)s不在%(class)s的名册上。") % {"names": names, "class": school_class.name}, code="not_on_roster"
        )
    return roster


# --- Head-count checks (人数核对) --------------------------------------------------------------------


@transaction.atomic
def head_count_confirm(
    *,
    school_class: SchoolClass,
    term: Term,
    point: str,
    actual_count: int | None,
    missing: list = (),
    extras: list[str] = (),
    explanation: str = "",
    by,
    now: datetime.datetime | None = None,
) -> HeadCount:
    """The class teacher confirms the roster against the students really in class.

    `missing` are roster students not in class, `extras` the names of those in class who are not
    on the roster; the real count must add up with them, and a difference must be explained.
    Confirming the same check again replaces it (the history keeps the earlier one).
    """
    if not is_class_teacher_of(by, school_class):
        raise PermissionDenied(_("只有本班班主任可以核对本班人数。"))
    if point not in HeadCount.Point.values:
        raise ValidationError({"point": _("核对时点只能是期初或期末。")})
    _term_of_class(school_class, term)
    now = now or timezone.now()
    day = _today(now)
    schedule = head_count_schedule(term, point)
    label = HeadCount.Point(point).label
    if not schedule.is_open(day):
        raise ValidationError(
            _("%(point)s人数核对在 %(opens)s 至 %(closes)s 进行，今天不能核对。")
            % {"point": label, "opens": schedule.opens.isoformat(), "closes": schedule.closes.isoformat()},
            code="check_closed",
        )
    # Serialise with placements into and out of the class: the roster must not move under the check.
    SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    roster = _roster_of(school_class, missing)
    missing_students = [roster[getattr(s, "pk", s)] for s in dict.fromkeys(missing)]
    extras = list(dict.fromkeys(name.strip() for name in extras if name and name.strip()))
    explanation = (explanation or "").strip()

    errors = {}
    if actual_count is None or actual_count == "":
        errors["actual_count"] = _("请填写实到人数。")
    elif not isinstance(actual_count, int) or actual_count < 0:
        errors["actual_count"] = _("实到人数须是不小于 0 的整数。")
    if len(extras) > MAX_EXTRAS or any(len(name) > 50 for name in extras):
        errors["extras"] = _("名册外人员每行填写一个姓名（每个不超过 50 字，最多 %(n)d 人）。") % {"n": MAX_EXTRAS}
    if len(explanation) > 1000:
        errors["explanation"] = _("说明最多 1000 字。")
    # PostgreSQL stores no NUL character; a pasted one would end the check in a server error.
    for field, texts in (("extras", extras), ("explanation", [explanation])):
        if any("\x00" in text for text in texts):
            errors[field] = _("含有无法保存的控制字符，请重新填写。")
    if "actual_count" not in errors:
        expected = len(roster) - len(missing_students) + len(extras)
        if actual_count != expected:
            errors["actual_count"] = _(
                "实到 %(actual)d 人，与名册 %(roster)d 人、未到 %(missing)d 人、名册外 %(extras)d 人对不上"
                "（应为 %(expected)d 人）。请勾选未到班的学生，填写在班但不在名册上的人员。"
            ) % {
                "actual": actual_count, "roster": len(roster), "missing": len(missing_students),
                "extras": len(extras), "expected": expected,
            }
    matches = not missing_students and not extras
    if not errors and not matches and not explanation:
        errors["explanation"] = _(
            "实到人数与名册不符，请说明原因后再确认（例如：病假、已离校未办转学、在读但未建学籍）。"
        )
    if errors:
        raise ValidationError(errors)

    head_count = HeadCount.objects.filter(school_class=school_class, term=term, point=point).first() or HeadCount(
        school_class=school_class, term=term, point=point
    )
    head_count.roster_count = len(roster)
    head_count.actual_count = actual_count
    head_count.missing = [{"id": s.pk, "name": s.name, "student_number": s.student_number} for s in missing_students]
    head_count.extras = extras
    head_count.matches = matches
    head_count.explanation = explanation
    head_count.confirmed_by = by
    head_count.confirmed_at = now
    record_actor(head_count, by, _("%(point)s人数核对") % {"point": label})
    head_count.save()
    return head_count


# --- Level grades (等级制成绩) and term comments (期末评语) -------------------------------------------


def comment_clean(raw, *, student: Student) -> str:
    text = (raw or "").strip()
    if "\x00" in text:
        raise ValidationError(_("%(name)s的评语含有无法保存的控制字符。") % {"name": student.name}, code="invalid")
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("%(name)s的评语有 %(length)d 字，最多 %(max)d 字。")
            % {"name": student.name, "length": len(text), "max": COMMENT_MAX_LENGTH},
            code="too_long",
        )
    return text


def _entries_parse(school_class: SchoolClass, values: dict, parse) -> dict[int, object]:
    """{student id: parse(value)} for roster students; every refusal names its student, and any
    refuses the whole entry, keyed by student id."""
    roster = _roster_of(school_class, values)
    parsed, errors = {}, {}
    for key, raw in values.items():
        student = roster[getattr(key, "pk", key)]
        try:
            parsed[student.pk] = parse(raw, student=student)
        except ValidationError as error:
            errors[str(student.pk)] = error.error_list
    if errors:
        raise ValidationError(errors)
    return parsed


def _entries_write(existing: dict, values: dict, *, field: str, new, stamp: dict, by, reason: str) -> int:
    """One entry per student: a blank value removes it, an unchanged one is left as it was (its
    author and time stay), any other is saved with `stamp` (class, who, when). Returns how many changed."""
    changed = 0
    for student_id, value in values.items():
        entry = existing.get(student_id)
        if not value:
            if entry is not None:
                record_actor(entry, by, reason)
                entry.delete()
                changed += 1
            continue
        if entry is not None and getattr(entry, field) == value:
            continue
        entry = entry or new(student_id)
        setattr(entry, field, value)
        for name, stamped in stamp.items():
            setattr(entry, name, stamped)
        record_actor(entry, by, reason)
        entry.save()
        changed += 1
    return changed


@transaction.atomic
def grades_record(
    *,
    school_class: SchoolClass,
    term: Term,
    subject: str,
    levels: dict,
    by,
    now: datetime.datetime | None = None,
) -> int:
    """The subject teacher's levels for students of the class: {student or id: "优秀" | "" …}.

    A blank clears the student's level. Any value that is not a level refuses the whole entry,
    each refusal naming its student, and nothing is saved. Returns how many levels changed.
    """
    if subject not in Subject.values or subject_taught_by(by, school_class) != subject:
        raise PermissionDenied(_("只有本班该学科的任课教师可以录入该学科的成绩。"))
    _term_of_class(school_class, term)
    now = now or timezone.now()
    _entry_open(term, _today(now), _("成绩"))
    SchoolClass.objects.select_for_update().get(pk=school_class.pk)  # one entry of the class at a time
    parsed = _entries_parse(school_class, levels, level_parse)
    existing = LevelGrade.objects.select_for_update().filter(term=term, subject=subject, student_id__in=list(parsed))
    return _entries_write(
        {grade.student_id: grade for grade in existing},
        parsed,
        field="level",
        new=lambda student_id: LevelGrade(student_id=student_id, term=term, subject=subject),
        stamp={"school_class": school_class, "entered_by": by, "entered_at": now},
        by=by,
        reason=_("录入%(subject)s成绩") % {"subject": Subject(subject).label},
    )


@transaction.atomic
def comments_record(
    *,
    school_class: SchoolClass,
    term: Term,
    texts: dict,
    by,
    now: datetime.datetime | None = None,
) -> int:
    """The class teacher's comments: {student or id: text}; a blank text removes the comment.
    Editable until the term ends. Returns how many comments changed."""
    if not is_class_teacher_of(by, school_class):
        raise PermissionDenied(_("只有本班班主任可以填写期末评语。"))
    _term_of_class(school_class, term)
    now = now or timezone.now()
    _entry_open(term, _today(now), _("期末评语"))
    SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    cleaned = _entries_parse(school_class, texts, comment_clean)
    existing = TermComment.objects.select_for_update().filter(term=term, student_id__in=list(cleaned))
    return _entries_write(
        {comment.student_id: comment for comment in existing},
        cleaned,
        field="text",
        new=lambda student_id: TermComment(student_id=student_id, term=term),
        stamp={"school_class": school_class, "written_by": by, "written_at": now},
        by=by,
        reason=_("填写期末评语"),
    )
