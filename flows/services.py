"""Writes to requests: start, decide a step, withdraw, lapse, add evidence.

The register itself changes only in records.services, called by the flows' last step.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from viewflow.workflow.status import PROCESS, STATUS

from notifications.services import notify_request_closed
from records.errors import Conflict
from records.models import Role, Student
from records.selectors import membership_of

from .selectors import user_may_act_on

from .models import Evidence, Request, RequestStudent, WorkItem

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
LAPSE_AFTER_MONTHS = 3


def _require_role(user, *roles: str):
    membership = membership_of(user)
    if membership is None or membership.role not in roles:
        raise PermissionDenied(_("您的角色不能办理此业务。"))
    return membership


def _refuse_open_requests(students: Iterable[Student]) -> None:
    busy = (
        RequestStudent.objects.filter(student__in=list(students), open=True)
        .select_related("student", "request")
        .first()
    )
    if busy:
        raise Conflict(
            _("%(name)s已有办理中的申请（%(kind)s #%(pk)d），办结或撤回后才能发起新的申请。")
            % {"name": busy.student.name, "kind": busy.request.get_kind_display(), "pk": busy.request_id},
            code="open_request",
        )


def _claim(request: Request, students: Iterable[Student]) -> None:
    students = list(students)
    _refuse_open_requests(students)
    try:
        with transaction.atomic():
            RequestStudent.objects.bulk_create(
                [RequestStudent(request=request, student=student) for student in students]
            )
    except IntegrityError:
        # Another request for one of these students committed between the check and the insert.
        _refuse_open_requests(students)
        raise


@transaction.atomic
def request_start(flow_class, *, by, students: Iterable[Student] = (), evidence=(), **fields) -> Request:
    """Start `flow_class` for `students` with the request's `fields`; evidence is (kind, file) pairs.

    Nothing is created when any student already has an open request.
    """
    students = list(students)
    _refuse_open_requests(students)
    request = flow_class.start.run(by=by, fields=fields)
    _claim(request, students)
    for kind, file in evidence:
        Evidence.objects.create(request=request, kind=kind, file=file, uploaded_by=by)
    return request


def refuse_open_record_requests(id_number: str, *, exclude: Request | None = None) -> None:
    """A new record (registration or transfer-in) for an ID number that an open request already
    carries is refused: one person, one record, also before the record exists."""
    from .models import Registration, TransferIn

    if not id_number:
        return
    pending = [
        *Registration.objects.filter(state=Request.State.OPEN, record__id_number=id_number).values_list("pk", flat=True),
        *TransferIn.objects.filter(state=Request.State.OPEN, record__id_number=id_number).values_list("pk", flat=True),
    ]
    if exclude is not None and exclude.pk in pending:
        pending.remove(exclude.pk)
    if pending:
        raise Conflict({"id_number": _("该证件号已有办理中的建档或转入申请。")}, code="open_request")


def request_parties(request: Request) -> set[int]:
    return {pk for pk in (request.school_id, request.other_school_id) if pk}


@transaction.atomic
def evidence_add(*, request: Request, by, kind: str, file) -> Evidence:
    membership = _require_role(by, Role.REGISTRAR)
    if membership.school_id not in request_parties(request):
        raise PermissionDenied(_("只有申请涉及学校的学籍管理员可以上传材料。"))
    request = Request.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise Conflict(_("申请%(state)s，不能再上传材料。") % {"state": request.get_state_display()}, code="closed")
    return Evidence.objects.create(request=request, kind=kind, file=file, uploaded_by=by)


def request_close(request: Request, *, state: str, comment: str = "") -> Request:
    """End a request: its students are free for the next one. Call inside the flow's transaction."""
    request.state = state
    request.closed_at = timezone.now()
    request.close_comment = comment
    request.save(update_fields=["state", "closed_at", "close_comment"])
    RequestStudent.objects.filter(request=request, open=True).update(open=False)
    notify_request_closed(request)
    return request


def _cancel_open_tasks(request: Request, *, by=None, comment: str = "") -> None:
    now = timezone.now()
    for task in request.task_set.filter(status__in=OPEN_TASK_STATUSES).select_related("process"):
        activation = task.flow_task.activation_class(task)
        activation.cancel()
    WorkItem.objects.filter(request=request, finished__isnull=True).update(finished=now, actor=by, comment=comment)
    request.status = PROCESS.CANCELED
    request.finished = now
    request.save(update_fields=["status", "finished"])


def task_decide(
    *, work_item: WorkItem, by, decision: str, comment: str = "", form=None, data: dict | None = None
) -> Request:
    """Record the decision on a step and move the flow on, all under the flow's lock.

    The last approval runs the register change in the same transaction: on any error nothing of
    the step is kept. A step already decided by someone else is refused with their name.
    """
    task = work_item.task
    flow_task = task.flow_task
    with task.activation() as activation:
        # of=("self",): the actor is an outer join, and PostgreSQL cannot lock its nullable side.
        item = WorkItem.objects.select_for_update(of=("self",)).select_related("actor").get(pk=task.pk)
        if not user_may_act_on(by, item):
            raise PermissionDenied(_("您不能办理这个环节。"))
        if item.finished and not item.decision:  # closed undecided: the request was withdrawn or lapsed
            raise Conflict(
                _("申请%(state)s，该环节无需再办理。") % {"state": activation.process.get_state_display()},
                code="closed",
            )
        if item.finished or activation.task.status not in (STATUS.NEW, STATUS.ASSIGNED):
            who = item.actor.get_full_name() or item.actor.get_username() if item.actor else _("他人")
            raise Conflict(
                _("该环节已由%(who)s办理，无需重复办理。") % {"who": who}, code="already_decided"
            )
        if decision not in WorkItem.Decision.values or (
            decision == WorkItem.Decision.RETURN and not flow_task.can_return
        ):
            raise ValidationError({"decision": _("请选择同意或不同意。")})
        if decision == WorkItem.Decision.RETURN and not comment.strip():
            raise ValidationError({"comment": _("退回修改时请写明需要修改的地方。")})
        if decision == WorkItem.Decision.REJECT and not comment.strip():
            raise ValidationError({"comment": _("不同意时请填写理由。")})
        if decision == WorkItem.Decision.APPROVE:
            # Without its valid form a transfer's approval would carry no receiving class, and
            # the last step would fail far from here.
            if form is not None and not form.is_valid():
                raise ValidationError(form.errors.as_data())
            if form is None and data is None and getattr(flow_task, "needs_form", False):
                raise ValidationError(_("请在办理页面填写本环节的表单后再同意。"), code="form_required")
        if activation.task.status == STATUS.ASSIGNED and activation.task.owner_id != by.pk:
            activation.unassign()
        if activation.task.status == STATUS.NEW:
            activation.assign(by)
        activation.start(None)
        if decision == WorkItem.Decision.APPROVE:
            step_data = data if data is not None else (form.cleaned_data if form is not None else None)
        else:
            step_data = None
        if step_data is not None:
            flow_task.apply(activation.process, step_data)
            activation.process.save()
        item.actor = by
        item.decision = decision
        item.comment = comment.strip()
        item.finished = timezone.now()
        item.save()
        activation.execute()
        return activation.process


@transaction.atomic
def request_withdraw(*, request: Request, by, comment: str = "") -> Request:
    """The starter (or a registrar of the starting school) withdraws an open request before its
    last approval; nothing changes."""
    membership = membership_of(by)
    is_school_registrar = membership and membership.role == Role.REGISTRAR and membership.school_id == request.school_id
    if not (is_school_registrar or request.started_by_id == by.pk):
        raise PermissionDenied(_("只有发起人或发起学校的学籍管理员可以撤回申请。"))
    flow_class = request.flow_class
    with flow_class.lock(request.pk):
        request = Request.objects.get(pk=request.pk).coerced
        if not request.is_open:
            raise Conflict(_("申请%(state)s，不能撤回。") % {"state": request.get_state_display()}, code="closed")
        _cancel_open_tasks(request, by=by, comment=_("申请已撤回"))
        return request_close(request, state=Request.State.WITHDRAWN, comment=comment or _("发起学校撤回"))


def lapse_due(request: Request, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    created = timezone.localtime(request.created)
    month = created.month - 1 + LAPSE_AFTER_MONTHS
    year, month = created.year + month // 12, month % 12 + 1
    try:
        deadline = created.replace(year=year, month=month)
    except ValueError:  # e.g. 30 November + 3 months: the deadline is the end of February
        deadline = (created.replace(year=year, month=month, day=1) + datetime.timedelta(days=32)).replace(day=1)
        deadline -= datetime.timedelta(days=1)
    return now >= deadline


@transaction.atomic
def request_lapse(*, request: Request, now: datetime.datetime | None = None) -> Request | None:
    """An open transfer lapses three months after it started: it ends, nothing changes on the student."""
    flow_class = request.flow_class
    with flow_class.lock(request.pk):
        request = Request.objects.get(pk=request.pk).coerced
        if not request.is_open or not lapse_due(request, now):
            return None
        _cancel_open_tasks(request, comment=_("申请逾期未办结，已自动失效"))
        return request_close(request, state=Request.State.LAPSED, comment=_("自发起之日起三个月未办结，自动失效"))


# --- Starting each kind of request ------------------------------------------------------------


def refuse_state(student: Student, allowed: tuple[str, ...], action: str) -> None:
    """Refuse to start `action` for a student whose status is not one of `allowed`, saying why."""
    if student.status not in allowed:
        raise Conflict(
            _("该生当前学籍状态为“%(status)s”，不能办理%(action)s。")
            % {"status": student.get_status_display(), "action": action},
            code="transition_not_allowed",
        )


def _current_class(student: Student):
    refuse_state(student, (Student.Status.ENROLLED,), pgettext("refused action", "转学"))
    return student.open_placement.school_class


def _applicant_fields(applicant: dict | None, reason: str) -> dict:
    applicant = applicant or {}
    errors = {}
    if not (applicant.get("name") or "").strip():
        errors["applicant_name"] = _("请填写申请人（家长）姓名。")
    if not (applicant.get("relationship") or "").strip():
        errors["applicant_relationship"] = _("请填写申请人与学生的关系。")
    if not (applicant.get("phone") or "").strip():
        errors["applicant_phone"] = _("请填写申请人联系电话。")
    if not (reason or "").strip():
        errors["reason"] = _("请填写申请理由。")
    if errors:
        raise ValidationError(errors)
    return {
        "applicant_name": applicant["name"].strip(),
        "applicant_relationship": applicant["relationship"].strip(),
        "applicant_phone": applicant["phone"].strip(),
        "reason": reason.strip(),
    }


def transfer_start(
    *,
    student: Student,
    by,
    to_class=None,
    to_school=None,
    applicant: dict | None = None,
    reason: str = "",
    evidence=(),
    today: datetime.date | None = None,
):
    """Start a transfer. The receiving school starts it with `to_class` (national order); the
    sending school with `to_school` (county order), and the receiving school picks the class."""
    from records.term_calendar import transfer_start_check

    from .transfer import TransferFlow

    membership = _require_role(by, Role.REGISTRAR)
    from_class = _current_class(student)
    fields = _applicant_fields(applicant, reason)
    if membership.school_id == student.school_id:
        if to_school is None:
            raise ValidationError({"to_school": _("请选择转入学校。")})
        if to_school.pk == student.school_id:
            raise ValidationError({"to_school": _("转入学校不能是本校。")})
        if from_class.grade not in to_school.grades:
            raise ValidationError({"to_school": _("%(school)s没有%(grade)s。") % {"school": to_school.name, "grade": from_class.grade_name}})
        order, to_class = "sending", None
    else:
        if to_class is None:
            raise ValidationError({"to_class": _("请选择转入班级。")})
        if to_class.school_id != membership.school_id:
            raise PermissionDenied(_("转入班级须是本校的班级。"))
        if to_class.state != to_class.State.OPEN:
            raise ValidationError({"to_class": _("该班级已不在读。")})
        if to_class.grade != from_class.grade:
            raise ValidationError(
                {"to_class": _("转学不改变年级：请选择%(grade)s的班级。") % {"grade": from_class.grade_name}}
            )
        order, to_school = "receiving", to_class.school
    transfer_start_check(bureau=student.school.bureau, grade=from_class.grade, day=today or timezone.localdate())
    return request_start(
        TransferFlow,
        by=by,
        students=[student],
        evidence=evidence,
        student=student,
        school=membership.school,
        other_school=to_school if order == "sending" else student.school,
        order=order,
        from_school=student.school,
        from_class=from_class,
        to_school=to_school,
        to_class=to_class,
        **fields,
    )


CANCEL_WITHIN_DAYS = 10
TRANSFER_IN_ENTRY_WAY = "5"  # entry way code: 转入


def transfer_cancel_start(*, transfer, by, reason: str = "", today: datetime.date | None = None):
    """Ask to reverse a completed transfer within 10 days of completion; the other school approves."""
    from .transfer_cancel import TransferCancelFlow

    membership = _require_role(by, Role.REGISTRAR)
    transfer = transfer.coerced if hasattr(transfer, "coerced") else transfer
    if membership.school_id not in (transfer.from_school_id, transfer.to_school_id):
        raise PermissionDenied(_("只有转出或转入学校的学籍管理员可以申请撤销转学。"))
    today = today or timezone.localdate()
    if transfer.state != Request.State.COMPLETED or transfer.completed_on is None:
        raise Conflict(_("只有已办结的转学可以撤销。"), code="not_completed")
    if (today - transfer.completed_on).days > CANCEL_WITHIN_DAYS:
        raise Conflict(
            _("转学已于%(date)s办结，超过%(days)d天，不能撤销。") % {"date": transfer.completed_on, "days": CANCEL_WITHIN_DAYS},
            code="too_late",
        )
    student = transfer.student
    placement = student.open_placement
    if student.status != Student.Status.ENROLLED or placement is None or placement.school_class_id != transfer.to_class_id:
        raise Conflict(_("该生已不在转入班级，不能撤销这次转学。"), code="moved_since")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写撤销理由。")})
    other = transfer.to_school if membership.school_id == transfer.from_school_id else transfer.from_school
    return request_start(
        TransferCancelFlow,
        by=by,
        students=[student],
        student=student,
        school=membership.school,
        other_school=other,
        original=transfer,
        reason=reason.strip(),
    )


def transfer_out_start(
    *, student: Student, by, scope: str, destination: str, applicant=None, reason="", evidence=(), today=None
):
    """转至市外/省外/境外: the student's school asks; its bureau approves."""
    from records.term_calendar import transfer_start_check

    from .models import TransferOut
    from .transfer_out import TransferOutFlow

    from records.services import student_last_placement

    membership = _require_role(by, Role.REGISTRAR)
    if membership.school_id != student.school_id:
        raise PermissionDenied(_("只能为本校学生办理转出。"))
    # A suspended student may leave the system too (dropped out from suspended).
    refuse_state(student, (Student.Status.ENROLLED, Student.Status.SUSPENDED), pgettext("refused action", "转出"))
    from_class = student_last_placement(student).school_class
    fields = _applicant_fields(applicant, reason)
    if scope not in TransferOut.Scope.values:
        raise ValidationError({"scope": _("请选择转往范围：市外、省外或境外。")})
    if not (destination or "").strip():
        raise ValidationError({"destination": _("请填写转往的省市或国家。")})
    transfer_start_check(bureau=student.school.bureau, grade=from_class.grade, day=today or timezone.localdate())
    return request_start(
        TransferOutFlow,
        by=by,
        students=[student],
        evidence=evidence,
        student=student,
        school=student.school,
        scope=scope,
        destination=destination.strip(),
        **fields,
    )


def transfer_in_start(
    *, to_class, by, record: dict, family: list, previous_school: str = "", applicant=None, reason="",
    evidence=(), today=None,
):
    """外地转入: the receiving registrar enters the record; it is created at the bureau's approval."""
    from records.models import Code, CodeTable
    from records.services import validate_family_members, student_check_identity
    from records.term_calendar import transfer_start_check

    from .record_json import family_to_json, record_to_json
    from .transfer_in import TransferInFlow

    membership = _require_role(by, Role.REGISTRAR)
    if to_class.school_id != membership.school_id:
        raise PermissionDenied(_("转入班级须是本校的班级。"))
    if to_class.state != to_class.State.OPEN:
        raise ValidationError({"to_class": _("该班级已不在读。")})
    fields = _applicant_fields(applicant, reason)
    # Stored as the record will be (upper case): the open-request check below compares it as text.
    record = dict(
        record,
        entry_way=Code.objects.get(table=CodeTable.ENTRY_WAY, code=TRANSFER_IN_ENTRY_WAY),
        id_number=(record.get("id_number") or "").strip().upper(),
    )
    candidate = Student(school=to_class.school, **record)
    candidate.full_clean(
        exclude=["student_number", "school", "status", "possible_duplicate_of", "photo"], validate_constraints=False
    )
    student_check_identity(
        name=candidate.name, gender=candidate.gender, birth_date=candidate.birth_date,
        id_type=candidate.id_type, id_number=candidate.id_number,
    )
    validate_family_members(family)
    refuse_open_record_requests((candidate.id_number or "").strip().upper())
    transfer_start_check(bureau=to_class.school.bureau, grade=to_class.grade, day=today or timezone.localdate())
    return request_start(
        TransferInFlow,
        by=by,
        evidence=evidence,
        school=to_class.school,
        to_class=to_class,
        record=record_to_json(record),
        family=family_to_json(family),
        previous_school=previous_school,
        **fields,
    )


def whole_class_transfer_start(*, school_class, by, to_school, reason: str = "", today=None):
    """整班转学: the sending registrar picks the class and the receiving school."""
    from records.term_calendar import transfer_start_check

    from .whole_class_transfer import WholeClassTransferFlow

    membership = _require_role(by, Role.REGISTRAR)
    if school_class.school_id != membership.school_id:
        raise PermissionDenied(_("只能为本校班级办理整班转学。"))
    if school_class.state != school_class.State.OPEN:
        raise ValidationError({"class_code": _("该班级已不在读。")})
    if to_school is None or to_school.pk == school_class.school_id:
        raise ValidationError({"to_school": _("请选择另一所学校作为转入学校。")})
    if school_class.grade not in to_school.grades:
        raise ValidationError({"to_school": _("%(school)s没有%(grade)s。") % {"school": to_school.name, "grade": school_class.grade_name}})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写申请理由。")})
    students = list(
        Student.objects.filter(placements__school_class=school_class, placements__ended_on__isnull=True).order_by("pk")
    )
    if not students:
        raise ValidationError({"class_code": _("该班级没有在读学生。")})
    transfer_start_check(bureau=school_class.school.bureau, grade=school_class.grade, day=today or timezone.localdate())
    return request_start(
        WholeClassTransferFlow,
        by=by,
        students=students,
        school=school_class.school,
        other_school=to_school,
        from_class=school_class,
        to_school=to_school,
        reason=reason.strip(),
    )
