"""The status changes the statistics and the term reports count, read from the flows' tables.

A status change is a completed request (flows.models): this is where the reports read them. A
change counts for the school it happened at (a transfer for both schools: a transfer out at the
one, a transfer in at the other), in the grade the student was in, on the day it was completed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Case, CharField, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncDate
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
from records.models import Placement
from records.selectors import DEATH_REASON
from records.term_calendar import TermPeriod

from .grades import grade_then
from .scope import Scope


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

    @property
    def closed_at(self) -> str:
        """The path to when the request was completed."""
        return f"{self.request}closed_at"

    def changes(self) -> set[str]:
        if isinstance(self.change, Change):
            return {self.change}
        return {str(case.result.value) for case in self.change.cases} | {str(self.change.default.value)}

    def queryset(self):
        prefix = self.request
        rows = self.model.objects.filter(self.filters, **{f"{prefix}state": Request.State.COMPLETED})
        if self.grade_class:
            grade = grade_then(self.grade_class, f"{prefix}closed_at")
        else:
            # One subquery per change: the class of the student when the request was started.
            at_start = (
                Placement.objects.filter(student=OuterRef(f"{prefix}student"), started_on__lte=OuterRef("started_day"))
                .order_by("-started_on", "-id")
                .annotate(grade_then=grade_then(OuterRef("school_class_id"), OuterRef(OuterRef(f"{prefix}closed_at"))))
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

    def q(self, school: str, closed_at: str) -> Q:
        """Changes at the schools at `school` completed (`closed_at`) in the period."""
        if self.term_name:
            # Each school counts the days of its own bureau's term of that name; the bureaus whose
            # term has the same dates (most, in a province) share one condition.
            bureaus: dict[tuple, list[int]] = defaultdict(list)
            for term in self.terms:
                bureaus[(term.start, term.end)].append(term.bureau_id)
            q = Q(pk__in=[])
            for (start, end), ids in bureaus.items():
                q |= Q(**{f"{school}__bureau__in": ids}) & closed_between(closed_at, start, end)
            return q
        return closed_between(closed_at, self.start, self.end)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def closed_between(closed_at: str, start: datetime.date | None, end: datetime.date | None) -> Q:
    """Completed on a day from `start` to `end` (both included, in the site's time zone).

    Bounds on the timestamp itself, so that the index on the requests' (state, closed_at)
    serves them; on the day (TruncDate) it cannot, and every completed request is read."""
    q = Q()
    if start:
        q &= Q(**{f"{closed_at}__gte": _midnight(start)})
    if end:
        q &= Q(**{f"{closed_at}__lt": _midnight(end + datetime.timedelta(days=1))})
    return q


def changes_in(source: _Source, *, scope: Scope, period: Period, grade: int | None):
    rows = source.queryset().filter(period.q(source.school, source.closed_at), scope.q(source.school))
    if grade:
        rows = rows.filter(grade=grade)
    return rows
