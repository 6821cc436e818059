"""The term-work sweeps (学期工作提醒): each reads from PostgreSQL what is due or overdue in the
terms running now, records it under a key that names the class (or school), the term and the
check, and can run any number of times without telling anyone twice, as notifications.sweeps.

- Before a head count is due, the class teachers of each class that has not checked.
- Before a term ends, the subject teachers whose class has students without a level in their
  subject, and the class teachers whose class has students without a comment.
- The day after a head count was due, the school's registrars: which classes have not checked.
- A head count that does not match the roster, to the school's registrars, who follow it up.

When each of these falls is records.term_deadlines'. Each sweep returns how many
notifications it recorded.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from records.models import HeadCount, LevelGrade, Placement, Role, SchoolClass, Term, TermComment
from records.selectors.term_work import class_teachers, entries_by_class
from records.subjects import Subject
from records.term_deadlines import (
    REMIND_GRADES_AND_COMMENTS_DAYS_BEFORE,
    REMIND_HEAD_COUNT_DAYS_BEFORE,
    REPORT_OVERDUE_FOR_DAYS,
    entry_schedule,
    head_count_schedule,
)

from .models import Notification
from .services import Note, notes_record

Kind = Notification.Kind
Point = HeadCount.Point
# A registrar's list of overdue classes names this many, then says how many more.
LISTED_CLASSES = 10


def _date(day: datetime.date) -> str:
    return _("%(month)d月%(day)d日") % {"month": day.month, "day": day.day}


def _running_terms(today: datetime.date, *, ended_within: int = 0):
    since = today - datetime.timedelta(days=ended_within)
    return Term.objects.filter(start__lte=today, end__gte=since).select_related("bureau").order_by("start", "pk")


def _classes_of(term: Term):
    """The bureau's open classes that have students, each with its `size`."""
    placed = Placement.objects.filter(school_class=OuterRef("pk"), ended_on__isnull=True)
    return (
        SchoolClass.objects.filter(school__bureau=term.bureau_id, state=SchoolClass.State.OPEN)
        .filter(Exists(placed))
        .annotate(size=Count("placements", filter=Q(placements__ended_on__isnull=True)))
        .select_related("school")
        .order_by("school_id", "grade", "sequence", "pk")
    )


def _unchecked(term: Term, point: str):
    checked = HeadCount.objects.filter(school_class=OuterRef("pk"), term=term, point=point)
    return _classes_of(term).exclude(Exists(checked))


def _teachers_by_class(classes, *, role: str) -> dict[int, list]:
    teachers = defaultdict(list)
    for user in class_teachers([c.pk for c in classes], role=role):
        teachers[user.membership.school_class_id].append(user)
    return teachers


# --- Before the due date: the teachers ---------------------------------------------------------------


def remind_head_counts_due(*, today: datetime.date | None = None) -> int:
    """人数核对提醒: a few days before a check is due, the class teachers of the classes without it."""
    today = today or timezone.localdate()
    notes = []
    for term in _running_terms(today):
        for point in Point.values:
            schedule = head_count_schedule(term, point)
            if not schedule.reminds_on(today, REMIND_HEAD_COUNT_DAYS_BEFORE):
                continue
            classes = list(_unchecked(term, point))
            teachers = _teachers_by_class(classes, role=Role.CLASS_TEACHER)
            label = Point(point).label
            for school_class in classes:
                for teacher in teachers.get(school_class.pk, []):
                    notes.append(Note(
                        teacher,
                        f"{Kind.HEAD_COUNT_DUE}:c{school_class.pk}:t{term.pk}:{point}",
                        _("%(point)s人数核对：%(class)s") % {"point": label, "class": school_class.name},
                        _("请在 %(due)s 前核对%(class)s的%(point)s人数：系统名册现有 %(size)d 人，请与实际在班人数逐一核对，人数不符须说明原因。")
                        % {"due": _date(schedule.due), "class": school_class.name, "point": label, "size": school_class.size},
                        {"school_class": school_class},
                    ))
    return notes_record(Kind.HEAD_COUNT_DUE, notes)


def _entries_due(today: datetime.date):
    """(term, schedule) of the running terms whose grades and comments are due within the reminder days."""
    for term in _running_terms(today):
        schedule = entry_schedule(term)
        if schedule.reminds_on(today, REMIND_GRADES_AND_COMMENTS_DAYS_BEFORE):
            yield term, schedule


def remind_grades_missing(*, today: datetime.date | None = None) -> int:
    """成绩未录入: before the term ends, each subject teacher whose class still has students
    without a level in their subject."""
    notes = []
    for term, schedule in _entries_due(today or timezone.localdate()):
        classes = {c.pk: c for c in _classes_of(term)}
        entered = entries_by_class(LevelGrade.objects.filter(term=term), classes, also=("subject",))
        for teacher in class_teachers(list(classes), role=Role.SUBJECT_TEACHER):
            school_class = classes[teacher.membership.school_class_id]
            subject = teacher.membership.subject
            missing = school_class.size - entered.get((school_class.pk, subject), 0)
            if missing <= 0:
                continue
            notes.append(Note(
                teacher,
                f"{Kind.GRADES_MISSING}:c{school_class.pk}:{subject}:t{term.pk}",
                _("成绩未录入：%(class)s %(subject)s") % {"class": school_class.name, "subject": Subject(subject).label},
                _("%(class)s还有 %(missing)d 名学生没有%(subject)s等级成绩，请在 %(due)s 学期结束前录入（优秀、良好、合格、待合格）。")
                % {"class": school_class.name, "missing": missing, "subject": Subject(subject).label, "due": _date(schedule.due)},
                {"school_class": school_class},
            ))
    return notes_record(Kind.GRADES_MISSING, notes)


def remind_comments_missing(*, today: datetime.date | None = None) -> int:
    """期末评语未填写: before the term ends, each class teacher whose class has students without a comment."""
    notes = []
    for term, schedule in _entries_due(today or timezone.localdate()):
        classes = list(_classes_of(term))
        written = entries_by_class(TermComment.objects.filter(term=term), [c.pk for c in classes])
        teachers = _teachers_by_class(classes, role=Role.CLASS_TEACHER)
        for school_class in classes:
            missing = school_class.size - written.get((school_class.pk,), 0)
            if missing <= 0:
                continue
            for teacher in teachers.get(school_class.pk, []):
                notes.append(Note(
                    teacher,
                    f"{Kind.COMMENTS_MISSING}:c{school_class.pk}:t{term.pk}",
                    _("期末评语未填写：%(class)s") % {"class": school_class.name},
                    _("%(class)s还有 %(missing)d 名学生没有期末评语，请在 %(due)s 学期结束前填写。")
                    % {"class": school_class.name, "missing": missing, "due": _date(schedule.due)},
                    {"school_class": school_class},
                ))
    return notes_record(Kind.COMMENTS_MISSING, notes)


def remind_term_work_due(*, today: datetime.date | None = None) -> int:
    """The teachers' reminders, in one sweep."""
    return sum(sweep(today=today) for sweep in (remind_head_counts_due, remind_grades_missing, remind_comments_missing))


# --- After the due date, and what does not match: the school's registrars ---------------------------


def report_head_counts_overdue(*, today: datetime.date | None = None) -> int:
    """人数核对逾期: the day after a check was due, each school's registrars hear which of its
    classes have not checked, once per school, term and check."""
    today = today or timezone.localdate()
    notes = []
    for term in _running_terms(today, ended_within=REPORT_OVERDUE_FOR_DAYS):
        for point in Point.values:
            schedule = head_count_schedule(term, point)
            if not schedule.reports_overdue_on(today):
                continue
            by_school = defaultdict(list)
            for school_class in _unchecked(term, point):
                by_school[school_class.school].append(school_class)
            if not by_school:
                continue
            label = Point(point).label
            registrars = _registrars_by_school(by_school)
            for school, classes in by_school.items():
                names = "、".join(c.name for c in classes[:LISTED_CLASSES])
                if len(classes) > LISTED_CLASSES:
                    names += _("等 %(n)d 个班级") % {"n": len(classes)}
                for registrar in registrars.get(school.pk, []):
                    notes.append(Note(
                        registrar,
                        f"{Kind.HEAD_COUNT_OVERDUE}:s{school.pk}:t{term.pk}:{point}",
                        _("%(point)s人数核对逾期：%(n)d 个班级") % {"point": label, "n": len(classes)},
                        _("%(school)s以下班级未在 %(due)s 前完成%(point)s人数核对：%(names)s。请督促班主任尽快核对。")
                        % {"school": school.name, "due": _date(schedule.due), "point": label, "names": names},
                    ))
    return notes_record(Kind.HEAD_COUNT_OVERDUE, notes)


def report_head_count_mismatches(*, today: datetime.date | None = None) -> int:
    """人数与名册不符: a check confirmed with students missing from class or present without a
    record goes to the school's registrars, who follow it up (转学, 流失, 建档). A new
    confirmation of the same check is told again."""
    today = today or timezone.localdate()
    mismatches = (
        HeadCount.objects.filter(
            matches=False, term__in=_running_terms(today, ended_within=REPORT_OVERDUE_FOR_DAYS).values("pk")
        )
        .select_related("school_class__school", "term")
        .order_by("confirmed_at", "pk")
    )
    mismatches = list(mismatches)
    registrars = _registrars_by_school({hc.school_class.school for hc in mismatches})
    notes = []
    for head_count in mismatches:
        school_class = head_count.school_class
        details = []
        if head_count.missing:
            details.append(_("未到班：%(names)s") % {"names": "、".join(row["name"] for row in head_count.missing)})
        if head_count.extras:
            details.append(_("在班但不在名册上：%(names)s") % {"names": "、".join(head_count.extras)})
        for registrar in registrars.get(school_class.school_id, []):
            notes.append(Note(
                registrar,
                f"{Kind.HEAD_COUNT_MISMATCH}:h{head_count.pk}:{head_count.confirmed_at:%Y%m%d%H%M%S%f}",
                _("人数与名册不符：%(class)s") % {"class": school_class.name},
                _("%(class)s%(point)s人数核对：名册 %(roster)d 人，实到 %(actual)d 人。%(details)s。班主任说明：%(explanation)s")
                % {
                    "class": school_class.name, "point": head_count.get_point_display(),
                    "roster": head_count.roster_count, "actual": head_count.actual_count,
                    "details": "；".join(details), "explanation": head_count.explanation,
                },
                {"school_class": school_class},
            ))
    return notes_record(Kind.HEAD_COUNT_MISMATCH, notes)


def report_term_work(*, today: datetime.date | None = None) -> int:
    """The registrars' reports, in one sweep."""
    return report_head_counts_overdue(today=today) + report_head_count_mismatches(today=today)


def _registrars_by_school(schools) -> dict[int, list]:
    registrars = defaultdict(list)
    users = get_user_model().objects.filter(
        is_active=True, membership__role=Role.REGISTRAR, membership__school__in=list(schools)
    )
    for user in users.select_related("membership").order_by("pk"):
        registrars[user.membership.school_id].append(user)
    return registrars
