"""Statistics, the dropout follow-up list (控辍保学) and the term report of status changes.

Everything is counted in grouped aggregate queries, whatever the size of the region: a province
has about a million students and 5,000 schools, so no query runs per school or per row. The
counts are grouped by the school (or the school's county) and the grade, and summed up the
region tree in Python over those few rows.

A status change is a completed request (flows.models.Request): the statistics are the one place
where the register reads the flows' tables, and only to count what they completed. A change
counts for the school it happened at (a transfer for both schools: a transfer out at the one,
a transfer in at the other), in the grade the student was in, on the day it was completed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flows.models import (
    Dropout,
    GradeChange,
    GraduationEntry,
    PromotionEntry,
    Registration,
    Request,
    RequestStudent,
    Resumption,
    Suspension,
    Transfer,
    TransferCancellation,
    TransferIn,
    TransferOut,
)

from ..class_codes import GRADE_NAMES
from ..models import (
    DropoutFollowUp,
    Placement,
    Region,
    Role,
    Rollover,
    RolloverClass,
    School,
    SchoolClass,
    Student,
    Term,
    TermReportSubmission,
)
from ..school_age import compulsory_birth_dates
from ..term_calendar import TermPeriod, term_periods
from .scope import bureaus_visible_to, membership_of, region_q, schools_visible_to, students_visible_to, user_sees_everything

DEATH_REASON = "4"  # dropout reason code 死亡: a death is counted apart from the dropouts


class Change(models.TextChoices):
    """The kinds of status change the statistics count (学籍异动类别)."""

    REGISTRATION = "registration", _("新生建档")
    TRANSFER_IN = "transfer_in", _("转入")
    TRANSFER_OUT = "transfer_out", _("转出")
    FROM_OUTSIDE = "from_outside", _("外地转入")
    LEFT_SYSTEM = "left_system", _("转至市外/省外/境外")
    SUSPENSION = "suspension", _("休学")
    EXTENSION = "extension", _("续休")
    RESUMPTION = "resumption", _("复学")
    DROPOUT = "dropout", _("流失/退学")
    DEATH = "death", _("死亡")
    REPEAT = "repeat", _("留级")
    SKIP = "skip", _("跳级")
    TRANSFER_CANCEL = "transfer_cancel", _("撤销转学")
    GRADUATION = "graduation", _("毕业")
    PROMOTION = "promotion", _("升学")


# 中小学生休(转、复)学登记表 (policy texts 篇10 五.五): every change of a student's status in the
# term; new students, graduation and promotion have their own rosters.
TERM_REPORT_CHANGES = tuple(
    c for c in Change if c not in (Change.REGISTRATION, Change.GRADUATION, Change.PROMOTION)
)

# The enrolment table's columns.
STATUSES = tuple(Student.Status)


# --- What the statistics are about -------------------------------------------------------------


@dataclass(frozen=True)
class Focus:
    """A region (and everything below it), or one school. Its rows are the level below."""

    region: Region | None = None
    school: School | None = None

    @property
    def unit(self) -> str:
        """What one row of the breakdown is: a city, a county, a school, or (for a school) a grade."""
        if self.school is not None:
            return "grade"
        if self.region is None:
            return "province"
        return {Region.Level.PROVINCE: "city", Region.Level.CITY: "county", Region.Level.COUNTY: "school"}[
            self.region.level
        ]

    @property
    def name(self) -> str:
        if self.school is not None:
            return self.school.name
        return self.region.name if self.region is not None else str(_("全部地区"))


def home_focus(user) -> Focus | None:
    """Where the statistics start for a user: the bureau's region, the school; None for a teacher."""
    membership = membership_of(user)
    if user_sees_everything(user):
        return Focus()
    if membership is None:
        return None
    if membership.role == Role.BUREAU_OFFICER:
        return Focus(region=membership.bureau.region)
    if membership.role in (Role.REGISTRAR, Role.ACADEMIC_OFFICE):
        return Focus(school=membership.school)
    return None


def statistics_visible_to(user) -> bool:
    return home_focus(user) is not None


def regions_in_focus(user) -> QuerySet[Region]:
    """The regions a user may narrow the statistics to: their own and every one below it."""
    focus = home_focus(user)
    if focus is None or focus.school is not None:
        return Region.objects.none()
    if focus.region is None:
        return Region.objects.all()
    region = focus.region.pk
    return Region.objects.filter(Q(pk=region) | Q(parent=region) | Q(parent__parent=region))


def _in_focus(path: str, focus: Focus) -> Q:
    """Schools at `path` (e.g. "to_school", or "pk" on schools) inside the focus."""
    if focus.school is not None:
        return Q(**{path: focus.school.pk})
    if focus.region is not None:
        return region_q("region" if path == "pk" else f"{path}__region", focus.region.pk)
    return Q()


@dataclass(frozen=True)
class Scope:
    """The schools counted: those of some regions (a region and those below it), or some schools.

    The counting queries filter on a short list of region ids (a province has about 110) or of
    school ids, which PostgreSQL estimates well; through the region tree it does not, and picks a
    nested loop over a million students.
    """

    regions: tuple[int, ...] | None = None
    schools: tuple[int, ...] | None = None

    def q(self, path: str) -> Q:
        if self.schools is not None:
            return Q(**{f"{path}__in": self.schools})
        if self.regions is not None:
            return Q(**{f"{path}__region__in": self.regions})
        return Q()


def _below(region_id: int) -> set[int]:
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    below = {region_id}
    for _level in range(2):  # province → city → county
        below |= {pk for pk, parent in parents.items() if parent in below}
    return below


def scope_of(user, focus: Focus, schools=None) -> Scope:
    """What the user may count inside the focus (the focus of a form is inside the user's own)."""
    home = home_focus(user)
    if home is None:
        return Scope(schools=())
    if schools is not None:
        visible = set(schools_visible_to(user).filter(_in_focus("pk", focus), pk__in=schools).values_list("pk", flat=True))
        return Scope(schools=tuple(sorted(visible)))
    if home.school is not None:
        return Scope(schools=(home.school.pk,))
    if focus.school is not None:
        visible = schools_visible_to(user).filter(pk=focus.school.pk).exists()
        return Scope(schools=(focus.school.pk,) if visible else ())
    if home.region is None:  # sees everything
        return Scope(regions=tuple(sorted(_below(focus.region.pk)))) if focus.region else Scope()
    regions = _below(home.region.pk)
    if focus.region is not None:
        regions &= _below(focus.region.pk)
    return Scope(regions=tuple(sorted(regions)))


# --- Grades then -------------------------------------------------------------------------------


def _grade_then(class_id, when):
    """The grade a class had at `when`: the old grade of the first rollover applied after it, or
    its grade now. A class moves up a grade at every rollover, and a change of last year counts
    in the grade the student was in then. Both are names on the outer query, or OuterRefs."""
    class_id = OuterRef(class_id) if isinstance(class_id, str) else class_id
    when = OuterRef(when) if isinstance(when, str) else when
    rolled = RolloverClass.objects.filter(
        school_class_id=class_id, rollover__state=Rollover.State.APPLIED, rollover__applied_at__gt=when
    ).order_by("rollover__applied_at").values("old_grade")[:1]
    now = SchoolClass.objects.filter(pk=class_id).values("grade")[:1]
    return Coalesce(Subquery(rolled, output_field=IntegerField()), Subquery(now, output_field=IntegerField()))


def left_with_grade(students: QuerySet[Student]) -> QuerySet[Student]:
    """Adds the alias `grade` to students in no class now (suspended, dropped out, graduated): the
    grade of the last class, as it was when they left it. A subquery per student, so only for the
    few who are not enrolled: with it in the plan of a million enrolled students, PostgreSQL's
    cost estimate alone made it compile the query (JIT) for a second."""
    last = (
        Placement.objects.filter(student=OuterRef("pk"))
        .order_by("-started_on", "-id")
        .annotate(grade_then=_grade_then("school_class_id", "ended_on"))
        .values("grade_then")[:1]
    )
    return students.alias(grade=Subquery(last, output_field=IntegerField()))


# --- The status changes, source by source ------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One table the completed changes of some kinds are read from.

    `school`: the path to the school the change counts for; `grade_class`: the path to the class
    whose grade counts ("" for the class the student was in when the request was started);
    `request`: the path to the request ("" when the model is the request); `other`: the other
    school or the destination, for the term report.
    """

    model: type
    change: object
    school: str = "school"
    grade_class: str = ""
    request: str = ""
    filters: Q = field(default_factory=Q)
    other: object = Value("")
    reason: object = F("reason")

    def changes(self) -> set[str]:
        if isinstance(self.change, Change):
            return {self.change}
        return {str(case.result.value) for case in self.change.cases} | {str(self.change.default.value)}

    def queryset(self):
        prefix = self.request
        rows = self.model.objects.filter(self.filters, **{f"{prefix}state": Request.State.COMPLETED})
        if self.grade_class:
            grade = _grade_then(self.grade_class, f"{prefix}closed_at")
        else:
            # One subquery per change: the class of the student when the request was started.
            at_start = (
                Placement.objects.filter(student=OuterRef(f"{prefix}student"), started_on__lte=OuterRef("started_day"))
                .order_by("-started_on", "-id")
                .annotate(grade_then=_grade_then(OuterRef("school_class_id"), OuterRef(OuterRef(f"{prefix}closed_at"))))
                .values("grade_then")[:1]
            )
            rows = rows.alias(started_day=TruncDate(f"{prefix}created"))
            grade = Subquery(at_start, output_field=IntegerField())
        change = Value(self.change.value, output_field=CharField()) if isinstance(self.change, Change) else self.change
        return rows.alias(grade=grade, change=change, closed_day=TruncDate(f"{prefix}closed_at"))


def _case(condition: Q, then: Change, default: Change) -> Case:
    return Case(When(condition, then=Value(then.value)), default=Value(default.value), output_field=CharField())


SOURCES = (
    _Source(Registration, Change.REGISTRATION, grade_class="to_class_id"),
    _Source(TransferIn, Change.FROM_OUTSIDE, grade_class="to_class_id", other=F("previous_school")),
    _Source(TransferOut, Change.LEFT_SYSTEM, other=F("destination")),
    _Source(Transfer, Change.TRANSFER_IN, school="to_school", grade_class="from_class_id", other=F("from_school__name")),
    _Source(Transfer, Change.TRANSFER_OUT, school="from_school", grade_class="from_class_id", other=F("to_school__name")),
    # 整班转学: one row per student of the class.
    _Source(
        RequestStudent, Change.TRANSFER_IN, school="request__wholeclasstransfer__to_school",
        grade_class="request__wholeclasstransfer__from_class_id", request="request__",
        filters=Q(request__kind=Request.Kind.WHOLE_CLASS_TRANSFER),
        other=F("request__wholeclasstransfer__from_class__school__name"), reason=F("request__reason"),
    ),
    _Source(
        RequestStudent, Change.TRANSFER_OUT, school="request__wholeclasstransfer__from_class__school",
        grade_class="request__wholeclasstransfer__from_class_id", request="request__",
        filters=Q(request__kind=Request.Kind.WHOLE_CLASS_TRANSFER),
        other=F("request__wholeclasstransfer__to_school__name"), reason=F("request__reason"),
    ),
    _Source(Suspension, _case(Q(extension=True), Change.EXTENSION, Change.SUSPENSION)),
    _Source(Resumption, Change.RESUMPTION),
    _Source(Dropout, _case(Q(reason_code__code=DEATH_REASON), Change.DEATH, Change.DROPOUT)),
    _Source(
        GradeChange, _case(Q(to_class__grade__lt=F("from_class__grade")), Change.REPEAT, Change.SKIP),
        grade_class="from_class_id", other=F("to_class__name"),
    ),
    _Source(TransferCancellation, Change.TRANSFER_CANCEL),
    _Source(
        GraduationEntry, Change.GRADUATION, school="request__school", grade_class="request__school_class_id",
        request="request__", filters=Q(excluded=False), reason=Value(""),
    ),
    _Source(
        PromotionEntry, Change.PROMOTION, school="to_class__school", grade_class="to_class_id", request="request__",
        reason=Value(""),
    ),
)


@dataclass(frozen=True)
class Period:
    """When the counted changes were completed: a term of each school's bureau, or two dates."""

    term_name: str = ""
    terms: tuple[TermPeriod, ...] = ()
    start: datetime.date | None = None
    end: datetime.date | None = None

    def q(self, school: str, day: str = "closed_day") -> Q:
        if self.term_name:
            # Each school counts the days of its own bureau's term of that name; the bureaus whose
            # term has the same dates (most, in a province) share one condition.
            bureaus: dict[tuple, list[int]] = defaultdict(list)
            for term in self.terms:
                bureaus[(term.start, term.end)].append(term.bureau_id)
            q = Q(pk__in=[])
            for dates, ids in bureaus.items():
                q |= Q(**{f"{school}__bureau__in": ids, f"{day}__range": dates})
            return q
        q = Q()
        if self.start:
            q &= Q(**{f"{day}__gte": self.start})
        if self.end:
            q &= Q(**{f"{day}__lte": self.end})
        return q


def _changes_in(source: _Source, *, scope: Scope, period: Period, grade: int | None):
    rows = source.queryset().filter(period.q(source.school), scope.q(source.school))
    if grade:
        rows = rows.filter(grade=grade)
    return rows


# --- Counting ----------------------------------------------------------------------------------


@contextmanager
def without_jit():
    """Run the counting queries with PostgreSQL's JIT compiler off. Their cost estimates (a million
    rows, subqueries per row) are far above jit_above_cost, and compiling took three seconds of a
    province's 3.1 (bench/reports.py); without it the same query takes a tenth of that."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


@dataclass
class Row:
    """One row of a table: what it is and its counts by column."""

    key: object
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    link: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, column: str) -> int:
        return self.counts.get(column, 0)


@dataclass
class Statistics:
    focus: Focus
    period: Period
    grade: int | None
    units: list[Row]  # by region, school or grade, as the focus breaks down
    grades: list[Row]  # by grade
    change_units: list[Row]
    change_grades: list[Row]
    totals: dict[str, int]
    change_totals: dict[str, int]

    @property
    def unit(self) -> str:
        return self.focus.unit


def _unit_key(unit: str, school: str) -> str:
    """The column the rows are grouped by: the school, or the school's own region (summed up the
    tree afterwards, so a school directly under a city counts there too)."""
    return school if unit in ("school", "grade") else f"{school}__region"


def _roll_up(counts: dict[tuple, int], unit: str, focus: Focus) -> dict:
    """{(region or school id, grade, column): n} → {(unit id, grade, column): n}."""
    if unit in ("school", "grade"):
        return counts
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    wanted = set(_unit_regions(unit, focus).values_list("pk", flat=True))
    rolled: dict[tuple, int] = defaultdict(int)
    for (region_id, grade, column), n in counts.items():
        key = region_id
        while key is not None and key not in wanted:
            key = parents.get(key)
        # A school directly under the focus region (市直属) is a row of its own: the focus itself.
        rolled[(key if key is not None else focus.region.pk if focus.region else None, grade, column)] += n
    return rolled


def _unit_regions(unit: str, focus: Focus) -> QuerySet[Region]:
    if unit == "province":
        return Region.objects.filter(level=Region.Level.PROVINCE)
    return Region.objects.filter(parent=focus.region)


def _rows(counts: dict[tuple, int], unit: str, focus: Focus, grade_rows: bool) -> list[Row]:
    rows: dict[object, Row] = {}
    for (key, grade, column), n in counts.items():
        row_key = grade if grade_rows else key
        if row_key not in rows:
            rows[row_key] = Row(key=row_key, label="")
        rows[row_key].counts[column] = rows[row_key].counts.get(column, 0) + n
    if grade_rows:
        for row in rows.values():
            row.label = str(GRADE_NAMES[row.key]) if row.key in GRADE_NAMES else str(_("未编班"))
        return sorted(rows.values(), key=lambda r: (r.key is None, r.key or 0))
    if unit == "school":
        names = {s.pk: s for s in School.objects.select_related("region").filter(pk__in=[k for k in rows if k is not None])}
        for row in rows.values():
            school = names.get(row.key)
            row.label = school.name if school else ""
            row.link = {"region": school.region.code, "school": school.identifier} if school else {}
        return sorted(rows.values(), key=lambda r: names[r.key].identifier if r.key in names else "")
    regions = {r.pk: r for r in Region.objects.filter(pk__in=[k for k in rows if k is not None])}
    for row in rows.values():
        region = regions.get(row.key)
        if region is None:
            row.label = ""
        elif focus.region is not None and region.pk == focus.region.pk:
            row.label = str(_("%(name)s直属学校") % {"name": region.name})
        else:
            row.label = region.name
            row.link = {"region": region.code}
    return sorted(rows.values(), key=lambda r: regions[r.key].code if r.key in regions else "")


def enrolment_counts(user, *, focus: Focus, grade: int | None = None) -> dict[tuple, int]:
    """{(school or region id, grade, status): students}, in two grouped queries.

    The enrolled are counted by their open placements, in their class now: the register keeps
    exactly one open placement for an enrolled student and none for any other (DESIGN.md), and
    the placements are all a province's count needs, without reading a million students' rows.
    The others are counted by status, in the class they left.
    """
    scope = scope_of(user, focus)
    key = _unit_key(focus.unit, "school")
    placed = Placement.objects.filter(scope.q("school"), ended_on__isnull=True).alias(grade=F("school_class__grade"))
    left = left_with_grade(Student.objects.filter(scope.q("school")).exclude(status=Student.Status.ENROLLED))
    if grade:
        placed, left = placed.filter(grade=grade), left.filter(grade=grade)
    counts: dict[tuple, int] = {}
    for rows in (
        placed.order_by().values(unit_key=F(key), grade_key=F("grade"), column=Value(Student.Status.ENROLLED.value))
        .annotate(n=Count("pk")),
        left.order_by().values(unit_key=F(key), grade_key=F("grade"), column=F("status")).annotate(n=Count("pk")),
    ):
        counts.update({(row["unit_key"], row["grade_key"], row["column"]): row["n"] for row in rows})
    return counts


def change_counts(
    user, *, focus: Focus, period: Period, grade: int | None = None, changes=None, schools=None, unit: str = ""
) -> dict[tuple, int]:
    """{(school or region id, grade, change): students}: one grouped query per source table."""
    unit = unit or focus.unit
    scope = scope_of(user, focus, schools)
    counts: dict[tuple, int] = defaultdict(int)
    for source in SOURCES:
        if changes is not None and not source.changes() & set(changes):
            continue
        rows = _changes_in(source, scope=scope, period=period, grade=grade)
        key = _unit_key(unit, source.school)
        grouped = rows.order_by().values(unit_key=F(key), grade_key=F("grade"), column=F("change")).annotate(n=Count("pk"))
        for row in grouped:
            if changes is None or row["column"] in changes:
                counts[(row["unit_key"], row["grade_key"], row["column"])] += row["n"]
    return counts


def statistics(user, *, focus: Focus, period: Period, grade: int | None = None) -> Statistics:
    """Students by status and completed status changes by kind, by the focus's units and by grade."""
    unit = focus.unit
    with without_jit():
        enrolment = _roll_up(enrolment_counts(user, focus=focus, grade=grade), unit, focus)
        changes = _roll_up(change_counts(user, focus=focus, period=period, grade=grade), unit, focus)
    units = _rows(enrolment, unit, focus, grade_rows=unit == "grade")
    change_units = _rows(changes, unit, focus, grade_rows=unit == "grade")
    known = {row.key: row for row in units}
    for row in change_units:
        known.setdefault(row.key, Row(key=row.key, label=row.label, link=row.link))
    order = [row.key for row in units] + [row.key for row in change_units if row.key not in {r.key for r in units}]
    by_key = {row.key: row for row in change_units}
    change_units = [by_key.get(key) or Row(key=key, label=known[key].label, link=known[key].link) for key in order]
    totals: dict[str, int] = defaultdict(int)
    for (_key, _grade, column), n in enrolment.items():
        totals[column] += n
    change_totals: dict[str, int] = defaultdict(int)
    for (_key, _grade, column), n in changes.items():
        change_totals[column] += n
    return Statistics(
        focus=focus,
        period=period,
        grade=grade,
        units=units,
        grades=_rows(enrolment, unit, focus, grade_rows=True),
        change_units=change_units,
        change_grades=_rows(changes, unit, focus, grade_rows=True),
        totals=dict(totals),
        change_totals=dict(change_totals),
    )


# --- Terms ---------------------------------------------------------------------------------------


def terms_visible_to(user) -> QuerySet[Term]:
    """The terms of the bureaus whose schools the user sees (a school: its own bureau's)."""
    membership = membership_of(user)
    if user_sees_everything(user):
        return Term.objects.all()
    if membership is None:
        return Term.objects.none()
    if membership.role == Role.BUREAU_OFFICER:
        return Term.objects.filter(bureau__in=bureaus_visible_to(user))
    return Term.objects.filter(bureau_id=membership.school.bureau_id)


def term_names(user) -> list[str]:
    """Term names, newest first; a city sees the terms of its counties once per name."""
    seen: dict[str, datetime.date] = {}
    for name, start in terms_visible_to(user).values_list("name", "start"):
        seen[name] = max(start, seen.get(name, start))
    return sorted(seen, key=lambda name: seen[name], reverse=True)


def current_term_name(user, day: datetime.date | None = None) -> str:
    """The term under way (or the last one begun) in the user's calendars."""
    day = day or timezone.localdate()
    term = terms_visible_to(user).filter(start__lte=day).order_by("-start", "pk").first()
    return term.name if term else ""


def period_of_term(user, name: str) -> Period:
    """The period of the term `name` in each calendar that has it."""
    terms = list(Term.objects.filter(bureau__in=terms_visible_to(user).values("bureau")))
    periods = term_periods(terms)
    return Period(term_name=name, terms=tuple(p[name] for p in periods.values() if name in p))


# --- The dropout follow-up list (控辍保学) ------------------------------------------------------


def dropouts_visible_to(user, *, day: datetime.date | None = None) -> QuerySet[Student]:
    """Dropped-out students of compulsory-education age the user may see, with when they left
    and their latest follow-up (left_on, follow_up_count, last_follow_up_on, last_result)."""
    earliest, latest = compulsory_birth_dates(day or timezone.localdate())
    follow_ups = DropoutFollowUp.objects.filter(student=OuterRef("pk")).order_by("-followed_up_on", "-pk")
    last_placement = Placement.objects.filter(student=OuterRef("pk")).order_by("-started_on", "-id")
    return (
        students_visible_to(user)
        .filter(status=Student.Status.DROPPED_OUT, birth_date__range=(earliest, latest))
        .select_related("school__region", "dropout_reason", "gender")
        .annotate(
            left_on=Subquery(last_placement.values("ended_on")[:1]),
            follow_up_count=Coalesce(
                Subquery(
                    DropoutFollowUp.objects.filter(student=OuterRef("pk")).order_by().values("student")
                    .annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            last_follow_up_on=Subquery(follow_ups.values("followed_up_on")[:1]),
            last_result=Subquery(follow_ups.values("result")[:1]),
            last_followed_up_by=Subquery(follow_ups.values("followed_up_by")[:1]),
        )
    )


NOT_FOLLOWED_UP = "none"


def dropout_search(
    user, *, focus: Focus | None = None, school: str = "", reason: str = "", result: str = "", q: str = ""
) -> QuerySet[Student]:
    students = dropouts_visible_to(user)
    if focus is not None:
        students = students.filter(_in_focus("school", focus))
    if school:
        students = students.filter(school__identifier=school)
    if reason:
        students = students.filter(dropout_reason__code=reason)
    if result == NOT_FOLLOWED_UP:
        students = students.filter(last_result__isnull=True)
    elif result:
        students = students.filter(last_result=result)
    if q:
        q = q.strip()
        students = students.filter(Q(name__contains=q) | Q(student_number__icontains=q))
    return students.order_by("school__region__code", "school__identifier", "name", "pk")


def dropout_reason_counts(students: QuerySet[Student]) -> dict[str, int]:
    rows = students.order_by().values("dropout_reason__code").annotate(n=Count("pk"))
    return {row["dropout_reason__code"]: row["n"] for row in rows}


def follow_ups_of(user, student: Student) -> QuerySet[DropoutFollowUp]:
    """A student's follow-ups, for everyone who may see the student."""
    if not students_visible_to(user).filter(pk=student.pk).exists():
        return DropoutFollowUp.objects.none()
    return DropoutFollowUp.objects.filter(student=student).select_related("recorded_by").order_by("-followed_up_on", "-pk")


def may_follow_up(user, student: Student) -> bool:
    """The registrar of the student's school and the bureau officers of its region write follow-ups."""
    membership = membership_of(user)
    if membership is None or student.status != Student.Status.DROPPED_OUT:
        return False
    if membership.role == Role.REGISTRAR:
        return membership.school_id == student.school_id
    if membership.role == Role.BUREAU_OFFICER:
        return students_visible_to(user).filter(pk=student.pk).exists()
    return False


# --- The term report of status changes (中小学生休(转、复)学登记表) -------------------------------


@dataclass
class ReportRow:
    request_id: int
    student_id: int | None
    change: str
    grade: int | None
    closed_on: datetime.date
    other: str
    reason: str
    student: Student | None = None

    @property
    def change_label(self) -> str:
        return str(Change(self.change).label)


def term_report_schools(user) -> QuerySet[School]:
    """The schools whose term report a user may read: their own school's registrar and academic
    office, the bureau officers of its region."""
    membership = membership_of(user)
    if membership is not None and membership.role in (Role.CLASS_TEACHER, Role.SUBJECT_TEACHER):
        return School.objects.none()
    return schools_visible_to(user)


def term_names_of_school(school: School) -> list[str]:
    return list(Term.objects.filter(bureau_id=school.bureau_id).order_by("-start").values_list("name", flat=True))


def school_term_period(school: School, term_name: str) -> TermPeriod | None:
    periods = term_periods(Term.objects.filter(bureau_id=school.bureau_id))
    return periods.get(school.bureau_id, {}).get(term_name)


def term_report_rows(school: School, period: TermPeriod) -> list[ReportRow]:
    """Every status change completed at `school` in `period`, by the day it was completed."""
    rows: list[ReportRow] = []
    for source in SOURCES:
        if not source.changes() & set(TERM_REPORT_CHANGES):
            continue
        found = (
            source.queryset()
            .filter(**{source.school: school.pk, "closed_day__range": (period.start, period.end)})
            .values(
                request_key=F(f"{source.request}pk"),
                student_key=F("student"),
                change_key=F("change"),
                grade_key=F("grade"),
                closed_key=F("closed_day"),
                other_key=source.other,
                reason_key=source.reason,
            )
        )
        rows.extend(
            ReportRow(
                request_id=row["request_key"], student_id=row["student_key"], change=row["change_key"],
                grade=row["grade_key"], closed_on=row["closed_key"], other=row["other_key"] or "",
                reason=row["reason_key"] or "",
            )
            for row in found
            if row["change_key"] in TERM_REPORT_CHANGES
        )
    students = Student.objects.select_related("gender").in_bulk([row.student_id for row in rows if row.student_id])
    for row in rows:
        row.student = students.get(row.student_id)
    return sorted(rows, key=lambda r: (r.closed_on, r.request_id, r.student.name if r.student else ""))


def term_report_submissions(school: School, term_name: str) -> QuerySet[TermReportSubmission]:
    return TermReportSubmission.objects.filter(school=school, term_name=term_name).select_related("submitted_by")


def term_report_overview(user, *, focus: Focus, term_name: str) -> QuerySet[School]:
    """The schools of the focus with their latest submission of the term (submitted_at,
    submitted_by_name, submitted_count): which have filed, which not."""
    latest = TermReportSubmission.objects.filter(school=OuterRef("pk"), term_name=term_name).order_by("-submitted_at", "-pk")
    return (
        term_report_schools(user)
        .filter(_in_focus("pk", focus))
        .annotate(
            submitted_at=Subquery(latest.values("submitted_at")[:1]),
            submitted_by_name=Subquery(latest.values("submitted_by__first_name")[:1]),
            submitted_by_username=Subquery(latest.values("submitted_by__username")[:1]),
            submitted_count=Subquery(latest.values("change_count")[:1]),
        )
        .order_by("region__code", "identifier")
    )


def term_report_change_counts(user, schools: list[School], term_name: str) -> dict[int, int]:
    """{school id: status changes of the term so far}, for a page of schools, grouped."""
    period = period_of_term(user, term_name)
    with without_jit():
        counts = change_counts(
            user, focus=Focus(), period=period, changes=TERM_REPORT_CHANGES, schools=[s.pk for s in schools], unit="school"
        )
    by_school: dict[int, int] = defaultdict(int)
    for (school_id, _grade, _change), n in counts.items():
        by_school[school_id] += n
    return dict(by_school)
