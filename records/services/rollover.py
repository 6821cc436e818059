"""升级: the school-year rollover. Every open class of a non-graduating grade moves up one grade
with its students; where the grade code changes the class gets a new code (the old one stays in
the class's history and on the rollover's rows). Graduating classes are listed as needing
graduation and left alone.

One batch per bureau (or per school) and school year: previewed, confirmed (applied by a Celery
task, in one transaction), and undoable until the first status change of the new year.

The writes are a fixed number of statements whatever the county's size: one UPDATE per grade
(highest grade first, so that each grade moves into codes and names the grade above has just
left, and PostgreSQL's row-by-row unique checks never see two classes with one code), and the
history rows bulk-created.
"""

from __future__ import annotations

import datetime
import functools
import logging
from dataclasses import dataclass, field

from celery import shared_task
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from ..class_codes import GRADUATING_GRADES, class_code, stored_grade_name
from ..models import Bureau, Placement, Role, Rollover, RolloverClass, School, SchoolClass, Student
from ..selectors import membership_of
from .table_statistics import tables_analyze_after_commit

logger = logging.getLogger(__name__)

PROGRESS_KEY = "rollover:{pk}:progress"
PROGRESS_TIMEOUT = 24 * 3600
# A confirmed rollover still queued this long after its confirmation was never carried to a worker
# (the broker was down) or its worker was lost: beat's sweep applies it.
QUEUED_RETRY_AFTER = datetime.timedelta(minutes=2)


@dataclass
class PlannedClass:
    school_class: SchoolClass
    old_grade: int
    new_grade: int
    old_code: str
    new_code: str
    old_name: str
    new_name: str

    @property
    def code_changes(self) -> bool:
        return self.old_code != self.new_code


@dataclass
class RolloverPlan:
    school_year: int
    moves: list[PlannedClass] = field(default_factory=list)
    needs_graduation: list[SchoolClass] = field(default_factory=list)


def _scope_schools(*, bureau: Bureau | None, school: School | None):
    if (bureau is None) == (school is None):
        raise ValueError("A rollover needs exactly one of bureau and school.")
    return School.objects.filter(bureau=bureau) if bureau is not None else School.objects.filter(pk=school.pk)


def _renamed(name: str, old_grade: int, new_grade: int) -> str:
    old_prefix = stored_grade_name(old_grade)
    return stored_grade_name(new_grade) + name[len(old_prefix):] if name.startswith(old_prefix) else name


def rollover_plan(*, school_year: int, bureau: Bureau | None = None, school: School | None = None) -> RolloverPlan:
    """What confirming would do: each moving class before and after, and the classes that need
    graduation first. Three queries, whatever the number of classes."""
    schools = _scope_schools(bureau=bureau, school=school)
    classes = list(
        SchoolClass.objects.filter(school__in=schools).select_related("school").order_by("school__identifier", "-grade", "sequence")
    )
    plan = RolloverPlan(school_year=school_year)
    moving = [c for c in classes if c.state == SchoolClass.State.OPEN and c.grade not in GRADUATING_GRADES]
    moving_ids = {c.pk for c in moving}
    plan.needs_graduation = [
        c for c in classes if c.state == SchoolClass.State.OPEN and c.grade in GRADUATING_GRADES
    ]
    # Codes are unique across every state; open names within a school. What stays put keeps its own.
    taken_codes = {c.code for c in classes if c.pk not in moving_ids}
    taken_names = {(c.school_id, c.name) for c in classes if c.state == SchoolClass.State.OPEN and c.pk not in moving_ids}
    for c in moving:  # highest grade first
        new_grade = c.grade + 1
        sequence = c.sequence
        code = class_code(grade=new_grade, school_identifier=c.school.identifier, sequence=sequence)
        if code in taken_codes:
            sequence = next(
                n for n in range(1, 1000)
                if class_code(grade=new_grade, school_identifier=c.school.identifier, sequence=n) not in taken_codes
            )
            code = class_code(grade=new_grade, school_identifier=c.school.identifier, sequence=sequence)
        name = _renamed(c.name, c.grade, new_grade)
        if (c.school_id, name) in taken_names:
            # e.g. 五年级(1)班 becomes 六年级(1)班 while last year's 六年级(1)班 still awaits graduation.
            name = f"{name}({c.entry_year}级)"[:32]
        taken_codes.add(code)
        taken_names.add((c.school_id, name))
        plan.moves.append(PlannedClass(c, c.grade, new_grade, c.code, code, c.name, name))
    return plan


def _require_rights(user, *, bureau: Bureau | None, school: School | None) -> None:
    membership = membership_of(user)
    if bureau is not None and membership and membership.role == Role.BUREAU_OFFICER and membership.bureau_id == bureau.pk:
        return
    if school is not None and membership and membership.role == Role.REGISTRAR and membership.school_id == school.pk:
        return
    raise PermissionDenied(_("学年升级由本教育局的审批人员（全县）或本校学籍管理员（本校）办理。"))


def _refuse_second_run(*, school_year: int, bureau: Bureau | None, school: School | None) -> None:
    live = Rollover.objects.filter(
        school_year=school_year, state__in=[Rollover.State.QUEUED, Rollover.State.RUNNING, Rollover.State.APPLIED]
    )
    if bureau is not None:
        clash = live.filter(Q(bureau=bureau) | Q(school__bureau=bureau)).first()
    else:
        clash = live.filter(Q(school=school) | Q(bureau_id=school.bureau_id)).first()
    if clash:
        raise ValidationError(
            _("%(year)d 学年的升级已由“%(scope)s”办理（%(state)s），不能重复办理。")
            % {"year": school_year, "scope": clash.scope, "state": clash.get_state_display()},
            code="rollover_exists",
        )


@transaction.atomic
def rollover_queue(*, school_year: int, by, bureau: Bureau | None = None, school: School | None = None) -> Rollover:
    """Confirm a rollover: recorded now, applied by the Celery task `apply_rollover` after commit."""
    _require_rights(by, bureau=bureau, school=school)
    # Serialise confirmations of one bureau's area: the check below must see the other's row.
    Bureau.objects.select_for_update().get(pk=bureau.pk if bureau else school.bureau_id)
    _refuse_second_run(school_year=school_year, bureau=bureau, school=school)
    if not rollover_plan(school_year=school_year, bureau=bureau, school=school).moves:
        raise ValidationError(_("没有需要升级的班级。"), code="nothing_to_do")
    try:
        with transaction.atomic():
            rollover = Rollover.objects.create(school_year=school_year, bureau=bureau, school=school, started_by=by)
    except IntegrityError:
        _refuse_second_run(school_year=school_year, bureau=bureau, school=school)
        raise
    transaction.on_commit(functools.partial(_publish, rollover.pk), robust=True)
    return rollover


def _publish(rollover_pk: int) -> None:
    try:
        apply_rollover.delay(rollover_pk)
    except OperationalError:
        # The confirmation is committed; rollovers_run_waiting applies it on beat's next sweep.
        logger.warning("Broker unreachable: rollover %s left for the sweep.", rollover_pk, exc_info=True)


def _progress(rollover_pk: int, done: int, total: int) -> None:
    cache.set(PROGRESS_KEY.format(pk=rollover_pk), {"done": done, "total": total}, PROGRESS_TIMEOUT)


def rollover_progress(rollover: Rollover) -> dict:
    """What the progress bar shows: state, classes done of total, and whether it has finished."""
    progress = cache.get(PROGRESS_KEY.format(pk=rollover.pk)) or {}
    total = progress.get("total") or rollover.class_count
    done = total if rollover.state == Rollover.State.APPLIED else progress.get("done", 0)
    return {
        "id": rollover.pk,
        "state": rollover.state,
        "state_display": rollover.get_state_display(),
        "done": done,
        "total": total,
        "finished": rollover.state in (Rollover.State.APPLIED, Rollover.State.FAILED, Rollover.State.UNDONE),
        "error": rollover.error,
    }


def rollover_apply(*, rollover_id: int) -> Rollover:
    """Apply a queued rollover in one transaction (the Celery task's body). A failure leaves every
    class as it was and the rollover marked failed with the reason."""
    try:
        with transaction.atomic():
            rollover = (
                Rollover.objects.select_for_update(of=("self",))
                .select_related("bureau", "school", "started_by")
                .get(pk=rollover_id)
            )
            if rollover.state != Rollover.State.QUEUED:
                return rollover  # delivered twice: the first delivery did the work
            plan = rollover_plan(school_year=rollover.school_year, bureau=rollover.bureau, school=rollover.school)
            # The grade each class moves from: the batches go by it, highest first.
            by_old_grade = []
            for move in plan.moves:
                c = move.school_class
                c.grade, c.code, c.name, c.sequence = move.old_grade, move.new_code, move.new_name, int(move.new_code[9:])
                by_old_grade.append(c)
            _progress(rollover.pk, 0, len(by_old_grade))
            grades = sorted({c.grade for c in by_old_grade}, reverse=True)
            done = 0
            for grade in grades:
                batch = [c for c in by_old_grade if c.grade == grade]
                for c in batch:
                    c.grade = grade + 1
                SchoolClass.objects.bulk_update(batch, ["grade", "code", "name", "sequence"], batch_size=1000)
                done += len(batch)
                _progress(rollover.pk, done, len(by_old_grade))
            reason = _("%(year)d 学年升级") % {"year": rollover.school_year}
            SchoolClass.history.bulk_history_create(
                by_old_grade, update=True, default_user=rollover.started_by, default_change_reason=reason
            )
            RolloverClass.objects.bulk_create(
                [
                    RolloverClass(
                        rollover=rollover, school_class=m.school_class, old_grade=m.old_grade, new_grade=m.new_grade,
                        old_code=m.old_code, new_code=m.new_code, old_name=m.old_name, new_name=m.new_name,
                    )
                    for m in plan.moves
                ]
            )
            rollover.state = Rollover.State.APPLIED
            rollover.class_count = len(plan.moves)
            rollover.applied_at = timezone.now()
            rollover.save()
            tables_analyze_after_commit(SchoolClass, SchoolClass.history.model, RolloverClass)
            return rollover
    except Exception as error:
        Rollover.objects.filter(pk=rollover_id, state=Rollover.State.QUEUED).update(
            state=Rollover.State.FAILED, error=str(error)[:2000]
        )
        raise


def rollover_undo_blockers(rollover: Rollover) -> list[str]:
    """Why the rollover can no longer be undone: a status or placement change in the new year, a
    class changed since, or an old code or name taken by a class opened since."""
    rows = list(rollover.classes.select_related("school_class"))
    class_ids = [row.school_class_id for row in rows]
    since = rollover.applied_at
    blockers = []
    students = Placement.objects.filter(school_class_id__in=class_ids).values("student_id")
    if Student.history.filter(history_date__gt=since, id__in=students).exists() or Placement.history.filter(
        history_date__gt=since, school_class_id__in=class_ids
    ).exists():
        blockers.append(_("新学年已有学生学籍或在班记录发生变化，不能再撤销升级。"))
    if SchoolClass.history.filter(history_date__gt=since, id__in=class_ids).exists():
        blockers.append(_("升级后已有班级被修改（改名、合并或撤销），不能再撤销升级。"))
    for other in SchoolClass.objects.filter(code__in=[r.old_code for r in rows]).exclude(pk__in=class_ids):
        blockers.append(_("原班级编码 %(code)s 已被新建的“%(name)s”使用。") % {"code": other.code, "name": other.name})
    return blockers


@transaction.atomic
def rollover_undo(*, rollover: Rollover, by) -> Rollover:
    """Put every class back to its grade, code and name before the rollover."""
    rollover = Rollover.objects.select_for_update().get(pk=rollover.pk)
    _require_rights(by, bureau=rollover.bureau, school=rollover.school)
    if rollover.state != Rollover.State.APPLIED:
        raise ValidationError(_("该次升级%(state)s，不能撤销。") % {"state": rollover.get_state_display()}, code="not_applied")
    blockers = rollover_undo_blockers(rollover)
    if blockers:
        raise ValidationError(blockers, code="undo_blocked")
    rows = list(rollover.classes.select_related("school_class"))
    classes = []
    for row in rows:
        c = row.school_class
        c.code, c.name, c.sequence = row.old_code, row.old_name, int(row.old_code[9:])
        c.grade = row.new_grade  # the batches go by the grade each class has now, lowest first
        classes.append((row, c))
    for grade in sorted({row.new_grade for row, _c in classes}):
        batch = []
        for row, c in classes:
            if row.new_grade == grade:
                c.grade = row.old_grade
                batch.append(c)
        SchoolClass.objects.bulk_update(batch, ["grade", "code", "name", "sequence"], batch_size=1000)
    SchoolClass.history.bulk_history_create(
        [c for _row, c in classes], update=True, default_user=by,
        default_change_reason=_("撤销 %(year)d 学年升级") % {"year": rollover.school_year},
    )
    rollover.state = Rollover.State.UNDONE
    rollover.undone_at = timezone.now()
    rollover.undone_by = by
    rollover.save()
    tables_analyze_after_commit(SchoolClass, SchoolClass.history.model)
    return rollover


def rollovers_run_waiting() -> int:
    """Apply the rollovers confirmed more than QUEUED_RETRY_AFTER ago and still queued (the broker
    never carried them, or their worker was lost); how many were tried. One that fails is marked
    failed with its reason, and the others go on."""
    waiting = list(
        Rollover.objects.filter(state=Rollover.State.QUEUED, created_at__lt=timezone.now() - QUEUED_RETRY_AFTER)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    for rollover_id in waiting:
        try:
            rollover_apply(rollover_id=rollover_id)
        except Exception:
            logger.exception("Rollover %s failed in the sweep.", rollover_id)
    return len(waiting)


# The task sits beside the service it runs, so that queueing it needs no import of records.tasks
# (which imports this module for Celery's autodiscovery): no import circle.
@shared_task(name="records.tasks.apply_rollover", acks_late=True, ignore_result=True)
def apply_rollover(rollover_id: int) -> None:
    """Apply a confirmed school-year rollover; idempotent (a second delivery finds it applied)."""
    rollover_apply(rollover_id=rollover_id)


@shared_task(name="records.tasks.run_waiting_rollovers", acks_late=True, ignore_result=True)
def run_waiting_rollovers() -> int:
    """Beat's sweep: the rollovers the broker never carried to a worker."""
    return rollovers_run_waiting()
