"""A class's term work as its teachers, its school and the bureaus above see it: who may write
what, how far each class has got this term, the grade and comment sheets, and a student's
grades and comments term by term."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from ..models import HeadCount, LevelGrade, Membership, Placement, Role, SchoolClass, Student, Term, TermComment
from ..names import by_name
from ..subjects import Subject
from ..term_deadlines import Schedule, entry_schedule, head_count_schedule
from .pages import _count
from .scope import classes_visible_to, membership_of

Point = HeadCount.Point


# --- Who may write ---------------------------------------------------------------------------------


def is_class_teacher_of(user, school_class: SchoolClass) -> bool:
    """Head counts and term comments are the class teacher's, for their own class only."""
    membership = membership_of(user)
    return bool(
        membership and membership.role == Role.CLASS_TEACHER and membership.school_class_id == school_class.pk
    )


def subject_taught_by(user, school_class: SchoolClass) -> str | None:
    """The subject whose grades `user` enters in `school_class`, or None."""
    membership = membership_of(user)
    if membership and membership.role == Role.SUBJECT_TEACHER and membership.school_class_id == school_class.pk:
        return membership.subject or None
    return None


# --- The roster and the people of a class ----------------------------------------------------------


def class_roster(school_class: SchoolClass) -> QuerySet[Student]:
    """The students placed in the class now, by name (what the system says the class is)."""
    return (
        Student.objects.filter(placements__school_class=school_class, placements__ended_on__isnull=True)
        .select_related("gender")
        .order_by(by_name(), "pk")
    )


def class_teachers(school_class_ids, *, role: str, subject: str | None = None):
    """The active accounts teaching the classes in `role` (a subject teacher: of `subject`)."""
    users = get_user_model().objects.filter(
        is_active=True, membership__role=role, membership__school_class_id__in=list(school_class_ids)
    )
    if subject is not None:
        users = users.filter(membership__subject=subject)
    return users.select_related("membership").order_by("pk")


def subjects_taught_in(school_class_ids, term: Term | None = None) -> dict[int, list[str]]:
    """{class id: [subject, …]}: the subjects with a teacher in the class, and any with grades this term."""
    taught = defaultdict(set)
    for class_id, subject in Membership.objects.filter(
        role=Role.SUBJECT_TEACHER, school_class_id__in=list(school_class_ids)
    ).values_list("school_class_id", "subject"):
        taught[class_id].add(subject)
    if term is not None:
        graded = LevelGrade.objects.filter(school_class_id__in=list(school_class_ids), term=term)
        for class_id, subject in graded.values_list("school_class_id", "subject").distinct():
            taught[class_id].add(subject)
    order = {subject: n for n, subject in enumerate(Subject.values)}
    return {class_id: sorted(subjects, key=order.__getitem__) for class_id, subjects in taught.items()}


def entries_by_class(entries: QuerySet, class_ids, *, also: tuple[str, ...] = ()) -> dict[tuple, int]:
    """How many of `entries` (level grades or term comments) are of students placed in each class
    now, by (class id, *also): a pupil who moved away is no longer the class's to grade."""
    rows = (
        entries.filter(student__placements__school_class__in=list(class_ids), student__placements__ended_on__isnull=True)
        .order_by()
        .values("student__placements__school_class", *also)
        .annotate(n=Count("pk"))
        .values_list("student__placements__school_class", *also, "n")
    )
    return {tuple(row[:-1]): row[-1] for row in rows}


# --- One class, one term ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckState:
    """Where one head-count check of a class stands on a day."""

    point: str
    schedule: Schedule
    head_count: HeadCount | None
    day: datetime.date

    @property
    def label(self) -> str:
        return Point(self.point).label

    @property
    def status(self) -> str:
        """done · mismatch (done, with a difference explained) · not_yet · open · overdue (late,
        still possible) · missed (closed without a check)."""
        if self.head_count is not None:
            return "done" if self.head_count.matches else "mismatch"
        if self.day < self.schedule.opens:
            return "not_yet"
        if self.day <= self.schedule.due:
            return "open"
        return "overdue" if self.day <= self.schedule.closes else "missed"

    @property
    def is_open(self) -> bool:
        return self.schedule.is_open(self.day)


@dataclass(frozen=True)
class SubjectProgress:
    subject: str
    entered: int
    size: int
    teachers: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Subject(self.subject).label

    @property
    def complete(self) -> bool:
        return self.entered >= self.size


@dataclass(frozen=True)
class ClassTermWork:
    school_class: SchoolClass
    term: Term
    day: datetime.date
    size: int
    checks: list[CheckState]
    subjects: list[SubjectProgress]
    comments: int

    @property
    def entry(self) -> Schedule:
        return entry_schedule(self.term)

    @property
    def entry_open(self) -> bool:
        return self.entry.is_open(self.day)

    def check(self, point: str) -> CheckState:
        return next(check for check in self.checks if check.point == point)


def check_states(school_class: SchoolClass, term: Term, day: datetime.date) -> list[CheckState]:
    done = {hc.point: hc for hc in HeadCount.objects.filter(school_class=school_class, term=term).select_related("confirmed_by")}
    return [CheckState(point, head_count_schedule(term, point), done.get(point), day) for point in Point.values]


def _roster_ids(school_class: SchoolClass) -> QuerySet:
    return Placement.objects.filter(school_class=school_class, ended_on__isnull=True).values("student_id")


def class_term_work(school_class: SchoolClass, term: Term, *, day: datetime.date) -> ClassTermWork:
    roster = _roster_ids(school_class)
    size = roster.count()
    entered = dict(
        LevelGrade.objects.filter(term=term, student_id__in=roster)
        .values("subject")
        .annotate(n=Count("pk"))
        .values_list("subject", "n")
    )
    teachers = defaultdict(list)
    for user in class_teachers([school_class.pk], role=Role.SUBJECT_TEACHER):
        teachers[user.membership.subject].append(user.get_full_name() or user.get_username())
    subjects = subjects_taught_in([school_class.pk], term).get(school_class.pk, [])
    return ClassTermWork(
        school_class=school_class,
        term=term,
        day=day,
        size=size,
        checks=check_states(school_class, term, day),
        subjects=[SubjectProgress(s, entered.get(s, 0), size, teachers.get(s, [])) for s in subjects],
        comments=TermComment.objects.filter(term=term, student_id__in=roster).count(),
    )


def grade_sheet(school_class: SchoolClass, term: Term, subjects: list[str]) -> list[tuple[Student, dict]]:
    """The roster, each student with {subject: LevelGrade} of the term."""
    roster = list(class_roster(school_class))
    grades = defaultdict(dict)
    for grade in LevelGrade.objects.filter(term=term, subject__in=subjects, student__in=[s.pk for s in roster]):
        grades[grade.student_id][grade.subject] = grade
    return [(student, grades[student.pk]) for student in roster]


def comment_sheet(school_class: SchoolClass, term: Term) -> list[tuple[Student, TermComment | None]]:
    roster = list(class_roster(school_class))
    comments = {c.student_id: c for c in TermComment.objects.filter(term=term, student__in=[s.pk for s in roster])}
    return [(student, comments.get(student.pk)) for student in roster]


def terms_of_class(school_class: SchoolClass, *, day: datetime.date) -> QuerySet[Term]:
    """The terms of the class's bureau that have begun, latest first (a sheet's other terms)."""
    return Term.objects.filter(bureau_id=school_class.school.bureau_id, start__lte=day).order_by("-start")


# --- Every class a school or bureau sees -----------------------------------------------------------


def current_terms(day: datetime.date) -> dict[int, Term]:
    """{bureau id: the term `day` falls in}, for every bureau that is in a term (a few hundred rows
    nationwide): each class's term follows from its school's bureau without a query per class."""
    terms = {}
    for term in Term.objects.filter(start__lte=day, end__gte=day).order_by("bureau_id", "start", "pk"):
        terms.setdefault(term.bureau_id, term)
    return terms


# Annotated by term_work_classes: a class with students that has not done a check that is open
# or past due in its current term.
UNCHECKED = Q(in_term=True, has_students=True) & (
    Q(start_matches__isnull=True) | Q(end_open=True, end_matches__isnull=True)
)


def _with_checks(user, day: datetime.date, school: str) -> QuerySet[SchoolClass]:
    """The open classes `user` sees (of one school, if given), each with `in_term` (its bureau is
    in a term), `end_open` (its end check has opened), `has_students`, and `start_matches`,
    `end_matches` (NULL: not checked this term).

    A class's head counts are of its own bureau's terms only (the service sees to it), so "of
    its current term" is "of any bureau's current term": no term is looked up per class."""
    terms = current_terms(day)
    term_ids = [term.pk for term in terms.values()]
    end_open = [bureau for bureau, term in terms.items() if head_count_schedule(term, Point.END).opens <= day]

    def matches(point):
        checks = HeadCount.objects.filter(school_class=OuterRef("pk"), term_id__in=term_ids, point=point).order_by()
        return Subquery(checks.values("matches")[:1])

    classes = classes_visible_to(user).filter(state=SchoolClass.State.OPEN)
    if school:
        classes = classes.filter(school__identifier=school)
    return classes.annotate(
        in_term=Q(school__bureau_id__in=list(terms)),
        end_open=Q(school__bureau_id__in=end_open),
        has_students=Exists(Placement.objects.filter(school_class=OuterRef("pk"), ended_on__isnull=True)),
        start_matches=matches(Point.START),
        end_matches=matches(Point.END),
    )


def term_work_classes(user, *, day: datetime.date, unchecked_only: bool = False, school: str = "") -> QuerySet[SchoolClass]:
    """The open classes `user` sees, each with this term's state in one row: as _with_checks,
    and `size` and `comment_count` (of the students placed in it now). One query for any
    number of classes: a province's officer pages through them."""
    term_ids = [term.pk for term in current_terms(day).values()]
    open_placements = Placement.objects.filter(school_class=OuterRef("pk"), ended_on__isnull=True)
    comments = TermComment.objects.filter(
        term_id__in=term_ids,
        student__placements__school_class=OuterRef("pk"),
        student__placements__ended_on__isnull=True,
    )
    classes = _with_checks(user, day, school)
    if unchecked_only:
        classes = classes.filter(UNCHECKED)
    return (
        classes.select_related("school__region")
        .annotate(
            size=_count(open_placements, "school_class"),
            comment_count=_count(comments, "student__placements__school_class"),
        )
        .order_by("school__region__code", "school__identifier", "grade", "sequence", "pk")
    )


def term_work_totals(user, *, day: datetime.date, school: str = "") -> dict[str, int]:
    """Of the classes term_work_classes gives: how many there are (`all`), how many are in a term
    with students (`classes`), how many have not done a check due (`unchecked`), each check
    (`start_missing`, `end_missing`), and how many did not match (`mismatches`).

    One query grouped by the classes' states (a handful of groups), summed here: each class's
    subqueries run once, not once per total."""
    flags = ("in_term", "end_open", "has_students", "start_matches", "end_matches")
    totals = dict.fromkeys(("all", "classes", "unchecked", "start_missing", "end_missing", "mismatches"), 0)
    for row in _with_checks(user, day, school).order_by().values(*flags).annotate(n=Count("pk")):
        n = row["n"]
        totals["all"] += n
        if not (row["in_term"] and row["has_students"]):
            continue
        start_missing = row["start_matches"] is None
        end_missing = row["end_open"] and row["end_matches"] is None
        totals["classes"] += n
        totals["unchecked"] += n if start_missing or end_missing else 0
        totals["start_missing"] += n if start_missing else 0
        totals["end_missing"] += n if end_missing else 0
        totals["mismatches"] += n if False in (row["start_matches"], row["end_matches"]) else 0
    return totals


@dataclass(frozen=True)
class TermWorkRow:
    school_class: SchoolClass
    term: Term | None
    checks: list[CheckState]
    subjects: list[SubjectProgress]

    @property
    def unchecked(self) -> bool:
        return any(check.status in ("open", "overdue", "missed") for check in self.checks)


def term_work_rows(classes, *, day: datetime.date) -> list[TermWorkRow]:
    """The rows of one page of term_work_classes: each check's state, and each subject's grades
    entered of the class's size. A few queries for the page, whatever its length."""
    classes = list(classes)
    ids = [c.pk for c in classes]
    by_bureau = current_terms(day)
    terms = {term.pk: term for term in by_bureau.values()}
    checks = {
        (hc.school_class_id, hc.term_id, hc.point): hc
        for hc in HeadCount.objects.filter(school_class__in=ids, term__in=list(terms)).select_related("confirmed_by")
    }
    entered = entries_by_class(LevelGrade.objects.filter(term__in=list(terms)), ids, also=("term", "subject"))
    taught = subjects_taught_in(ids)
    rows = []
    for school_class in classes:
        term = by_bureau.get(school_class.school.bureau_id)
        if term is None:
            rows.append(TermWorkRow(school_class, None, [], []))
            continue
        states = [
            CheckState(point, head_count_schedule(term, point), checks.get((school_class.pk, term.pk, point)), day)
            for point in Point.values
        ]
        names = set(taught.get(school_class.pk, []))
        names |= {subject for (c, t, subject) in entered if c == school_class.pk and t == term.pk}
        subjects = [
            SubjectProgress(s, entered.get((school_class.pk, term.pk, s), 0), school_class.size)
            for s in sorted(names, key=Subject.values.index)
        ]
        rows.append(TermWorkRow(school_class, term, states, subjects))
    return rows


# --- A student's term records ----------------------------------------------------------------------


@dataclass(frozen=True)
class TermRecord:
    """One term of a student's record: the level of each subject and the class teacher's comment."""

    term: Term
    class_name: str
    school_name: str
    grades: list[LevelGrade]
    comment: TermComment | None


def student_term_records(student: Student) -> list[TermRecord]:
    """A student's grades and comments, term by term, oldest first: what the record card (学籍卡)
    prints and the student page shows. The caller has found the student through
    students_visible_to; whoever may see the record sees its terms."""
    grades = defaultdict(list)
    places = {}
    order = {subject: n for n, subject in enumerate(Subject.values)}
    for grade in LevelGrade.objects.filter(student=student).select_related("term", "school_class__school"):
        grades[grade.term_id].append(grade)
        places.setdefault(grade.term_id, grade.school_class)
    comments = {}
    for comment in TermComment.objects.filter(student=student).select_related("term", "school_class__school"):
        comments[comment.term_id] = comment
        places[comment.term_id] = comment.school_class
    terms = {g.term_id: g.term for rows in grades.values() for g in rows} | {c.term_id: c.term for c in comments.values()}
    return [
        TermRecord(
            term=term,
            class_name=places[term.pk].name,
            school_name=places[term.pk].school.name,
            grades=sorted(grades.get(term.pk, []), key=lambda g: order[g.subject]),
            comment=comments.get(term.pk),
        )
        for term in sorted(terms.values(), key=lambda t: (t.start, t.pk))
    ]
