"""The engine under every request kind: start a request, decide a step, withdraw, close, evidence.

Each kind's module (flows/transfer.py, flows/suspension.py …) checks its own rules and calls
`request_start`; its last step calls one service in records.services and `request_close`. The
register itself changes only there. Nothing here knows one kind from another.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from viewflow.workflow.status import PROCESS, STATUS

from notifications.tasks import notify_request_closed, notify_tasks_finished
from records.errors import Conflict
from records.models import Role, Student
from records.selectors import membership_of
from records.services import record_check
from records.text_lengths import COMMENT_MAX_LENGTH, model_text_lengths_check, text_lengths_check

from .evidence_files import evidence_file_check
from .models import Evidence, IntakeEntry, Registration, Request, RequestStudent, TransferIn, WorkItem
from .selectors import user_may_act_on

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


# --- Who may start, and what every start checks --------------------------------------------------


def require_role(user, *roles: str):
    membership = membership_of(user)
    if membership is None or membership.role not in roles:
        raise PermissionDenied(_("您的角色不能办理此业务。"))
    return membership


def require_own_student(by, student: Student, *roles: str):
    """A registrar (or `roles`) of the school that holds the student's record."""
    membership = require_role(by, *(roles or (Role.REGISTRAR,)))
    if membership.school_id != student.school_id:
        raise PermissionDenied(_("只能为本校学生办理。"))
    return membership


def applicant_fields(applicant: dict | None, reason: str) -> dict:
    """The parent's request as the registrar logs it: who asked, how to reach them, and why."""
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


def require_evidence(evidence, kinds: Iterable[str], message: str) -> None:
    """`evidence` is (kind, file) pairs; one of them must be of one of `kinds`."""
    kinds = tuple(kinds)
    if not any(kind in kinds for kind, _file in evidence):
        raise ValidationError({"evidence": message})


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


def open_requests_of(student_ids) -> dict[int, RequestStudent]:
    """The open request of each of these students that has one, by student id (a batch's blockers)."""
    return {
        rs.student_id: rs
        for rs in RequestStudent.objects.filter(student_id__in=list(student_ids), open=True).select_related(
            "request", "request__school"
        )
    }


# Rows per INSERT of claims: three parameters each, well under either database's limit.
CLAIM_BATCH = 5000


def _claim(request: Request, students: list[Student]) -> None:
    """Hold the students for the request, or refuse when another open request holds one of them.

    One INSERT … ON CONFLICT DO NOTHING: a student whose open claim another request has (the
    database's one-open-request-per-student constraint) is skipped instead of failing the
    statement, so no savepoint is needed to report them. A claim committed by another request
    between the caller's check and this insert is met here: the insert waits for it, skips it,
    and the check names that request.
    """
    ids = sorted({student.pk for student in students})
    if not ids:
        return
    quote = connection.ops.quote_name
    table = quote(RequestStudent._meta.db_table)
    columns = ", ".join(quote(RequestStudent._meta.get_field(name).column) for name in ("request", "student", "open"))
    claimed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CLAIM_BATCH):
            batch = ids[start : start + CLAIM_BATCH]
            rows = ", ".join(["(%s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {rows} ON CONFLICT DO NOTHING RETURNING 1",
                [value for pk in batch for value in (request.pk, pk, True)],
            )
            claimed += len(cursor.fetchall())
    if claimed != len(ids):
        _refuse_open_requests(students)
        # The other request's claim was released again before it could be named.
        raise IntegrityError("a student's open claim changed while the request was being started")


OPEN_RECORD_REQUEST = _lazy("该证件号已有办理中的建档或转入申请。")
# ID numbers per query: an intake file checks thousands of them at once.
ID_NUMBER_BATCH = 5000


def open_record_requests(id_numbers: Iterable[str], *, exclude: Request | None = None) -> dict[str, int]:
    """The ID numbers among `id_numbers` that an open registration, transfer-in or bulk
    registration (批量新生建档) already carries, each with that request's id: three queries per
    batch of numbers, however many there are."""
    numbers = sorted({n for n in id_numbers if n})
    held: dict[str, set[int]] = {}
    for start in range(0, len(numbers), ID_NUMBER_BATCH):
        batch = numbers[start : start + ID_NUMBER_BATCH]
        found = [
            *(
                (number, pk)
                for model in (Registration, TransferIn)
                for pk, number in model.objects.filter(
                    state=Request.State.OPEN, record__id_number__in=batch
                ).values_list("pk", "record__id_number")
            ),
            *IntakeEntry.objects.filter(request__state=Request.State.OPEN, row__id_number__in=batch).values_list(
                "row__id_number", "request_id"
            ),
        ]
        for number, pk in found:
            if exclude is None or pk != exclude.pk:
                held.setdefault(number, set()).add(pk)
    return {number: min(pks) for number, pks in held.items()}


# The first key of pg_advisory_xact_lock(int, int): the space of these locks (the only advisory locks taken).
NEW_RECORD_LOCK_SPACE = 1


def new_records_lock(id_numbers: Iterable[str]) -> None:
    """Hold the ID numbers a new record is about to be carried for, until the transaction ends.

    Checking that no open request carries a number and starting the one that will are two
    statements: two schools registering one child at the same moment would both pass the check.
    A transaction-scoped advisory lock per area code (the number's first six characters; a file of
    thousands of pupils takes a few) makes the second wait and then see the first. Taken in order,
    so two starts never wait on each other. SQLite, which has one writer at a time, needs none.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for area in sorted({number[:6] for number in id_numbers if number}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [NEW_RECORD_LOCK_SPACE, area])


def refuse_open_record_requests(id_number: str, *, exclude: Request | None = None) -> None:
    """A new record (registration, transfer-in or bulk registration) for an ID number that an open
    request already carries is refused: one person, one record, also before the record exists.
    Called inside the transaction that starts (or approves) the request carrying it."""
    new_records_lock([id_number])
    if open_record_requests([id_number], exclude=exclude):
        raise Conflict({"id_number": str(OPEN_RECORD_REQUEST)}, code="open_request")


@transaction.atomic
def request_start(flow_class, *, by, students: Iterable[Student] = (), evidence=(), **fields) -> Request:
    """Start `flow_class` for `students` with the request's `fields`; evidence is (kind, file) pairs.

    Nothing is created when any student already has an open request.
    """
    students = list(students)
    evidence = list(evidence)
    model_text_lengths_check(flow_class.process_class, fields)
    _evidence_check((f"evidence_{kind}", file) for kind, file in evidence)
    request = flow_class.start.run(by=by, fields=fields)
    # Refused there when a student has an open request: all of the above is rolled back with it.
    _claim(request, students)
    if evidence:
        Evidence.objects.bulk_create(
            [Evidence(request=request, kind=kind, file=file, uploaded_by=by) for kind, file in evidence]
        )
    return request


# --- Evidence added later, and who is a party ------------------------------------------------------


def _evidence_check(files) -> None:
    """Each (field, file) a scan whose content is what its name says (flows.evidence_files)."""
    errors = {}
    for field, file in files:
        try:
            evidence_file_check(file)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)


def request_parties(request: Request) -> set[int]:
    """The schools of a request: the one that started it and, for a transfer, the other."""
    return {pk for pk in (request.school_id, request.other_school_id) if pk}


@transaction.atomic
def evidence_add(*, request: Request, by, kind: str, file) -> Evidence:
    membership = require_role(by, Role.REGISTRAR)
    if membership.school_id not in request_parties(request):
        raise PermissionDenied(_("只有申请涉及学校的学籍管理员可以上传材料。"))
    request = Request.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise Conflict(_("申请%(state)s，不能再上传材料。") % {"state": request.get_state_display()}, code="closed")
    _evidence_check([("file", file)])
    return Evidence.objects.create(request=request, kind=kind, file=file, uploaded_by=by)


# --- Ending a request ------------------------------------------------------------------------------


def request_close(request: Request, *, state: str, comment: str = "", keep_claim: bool = False) -> Request:
    """End a request: its students are free for the next one. Call inside the flow's transaction.

    `keep_claim`: the approved change takes effect later (a suspension from its start date), and
    until then no other request may be started for its students; claims_release frees them."""
    request.state = state
    request.closed_at = timezone.now()
    request.close_comment = comment
    request.save(update_fields=["state", "closed_at", "close_comment"])
    if not keep_claim:
        claims_release(request)
    notify_request_closed(request)
    return request


def claims_release(request: Request) -> None:
    RequestStudent.objects.filter(request=request, open=True).update(open=False)


def cancel_open_tasks(request: Request, *, by=None, comment: str = "") -> None:
    """End the open steps of a request that is withdrawn or lapses: nobody is to act on them."""
    now = timezone.now()
    for task in request.task_set.filter(status__in=OPEN_TASK_STATUSES).select_related("process"):
        task.flow_task.activation_class(task).cancel()
    open_items = WorkItem.objects.filter(request=request, finished__isnull=True)
    notify_tasks_finished(list(open_items.values_list("pk", flat=True)))
    open_items.update(finished=now, actor=by, comment=comment)
    request.status = PROCESS.CANCELED
    request.finished = now
    request.save(update_fields=["status", "finished"])


@transaction.atomic
def request_withdraw(*, request: Request, by, comment: str = "") -> Request:
    """The starter (or a registrar of the starting school) withdraws an open request before its
    last approval; nothing changes."""
    membership = membership_of(by)
    is_school_registrar = membership and membership.role == Role.REGISTRAR and membership.school_id == request.school_id
    if not (is_school_registrar or request.started_by_id == by.pk):
        raise PermissionDenied(_("只有发起人或发起学校的学籍管理员可以撤回申请。"))
    comment_length_check(comment)
    with request.flow_class.lock(request.pk):
        request = Request.objects.get(pk=request.pk).coerced
        if not request.is_open:
            raise Conflict(_("申请%(state)s，不能撤回。") % {"state": request.get_state_display()}, code="closed")
        cancel_open_tasks(request, by=by, comment=_("申请已撤回"))
        return request_close(request, state=Request.State.WITHDRAWN, comment=comment or _("发起学校撤回"))


# --- Deciding a step -----------------------------------------------------------------------------------


def decided_message(item: WorkItem) -> str:
    """Why a step cannot be decided (again): who did it, or how the request ended without it."""
    if item.finished and not item.decision:  # closed undecided: the request was withdrawn or lapsed
        return _("申请%(state)s，该环节无需再办理。") % {"state": item.request.get_state_display()}
    who = (item.actor.get_full_name() or item.actor.get_username()) if item.actor else _("他人")
    return _("该环节已由%(who)s办理，无需重复办理。") % {"who": who}


def comment_length_check(comment: str) -> None:
    """A step's or a withdrawal's 说明 within its cap, whichever way it came (the withdraw page posts it raw)."""
    text_lengths_check({"comment": ((comment or "").strip(), _("说明"), COMMENT_MAX_LENGTH)})


def _decision_check(flow_task, *, decision: str, comment: str, form, data) -> None:
    comment_length_check(comment)
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
        if form is None and data is None and flow_task.needs_form:
            raise ValidationError(_("请在办理页面填写本环节的表单后再同意。"), code="form_required")


def task_decide(
    *, work_item: WorkItem, by, decision: str, comment: str = "", form=None, data: dict | None = None
) -> Request:
    """Record the decision on a step and move the flow on, all under the flow's lock.

    The last approval runs the register change in the same transaction: on any error nothing of
    the step is kept. A step already decided by someone else is refused with their name.
    """
    flow_class = work_item.request.flow_class
    # The transaction (a savepoint when the caller has one open) that the flow's lock joins.
    with transaction.atomic(), flow_class.lock(work_item.request_id):
        # Read under the lock, once: the step with its task, and the request with what the
        # flow's next nodes read of it (Flow.step_reads).
        # of=("self",): the actor is an outer join, and PostgreSQL cannot lock its nullable side.
        item = (
            WorkItem.objects.select_for_update(of=("self",)).select_related("actor", "task").get(pk=work_item.pk)
        )
        process = flow_class.instance.process_for_step(item.request_id)
        item.request = process
        task = item.task
        task.process = process
        flow_task = task.flow_task
        activation = flow_task.activation_class(task)
        if not user_may_act_on(by, item):
            raise PermissionDenied(_("您不能办理这个环节。"))
        if item.finished or task.status not in (STATUS.NEW, STATUS.ASSIGNED):
            closed = item.finished and not item.decision
            raise Conflict(decided_message(item), code="closed" if closed else "already_decided")
        _decision_check(flow_task, decision=decision, comment=comment, form=form, data=data)
        # The task is saved once, when the step completes (StepActivation.assign does not save).
        if task.status == STATUS.ASSIGNED and task.owner_id != by.pk:
            activation.unassign()
        if task.status == STATUS.NEW:
            activation.assign(by)
        activation.start(None)
        if decision == WorkItem.Decision.APPROVE:
            step_data = data if data is not None else (form.cleaned_data if form is not None else None)
            if step_data is not None:
                _apply_step(flow_task, process, step_data)
        item.actor = by
        item.decision = decision
        item.comment = comment.strip()
        item.finished = timezone.now()
        item.save(update_fields=["actor", "decision", "comment", "finished"])
        notify_tasks_finished([item.pk])
        # The next nodes (the last step's change, a rejection's close) read who decided here.
        process.decided_step = item
        activation.execute()
        return process


def _apply_step(flow_task, process: Request, step_data: dict) -> None:
    """Copy what the step decided onto the request, saving only the fields it set (each field
    whose value is no longer the very object it was: a step's apply assigns, it never mutates)."""
    fields = [f for f in process._meta.concrete_fields if not f.primary_key]
    before = {f.attname: getattr(process, f.attname) for f in fields}
    flow_task.apply(process, step_data)
    changed = [f.name for f in fields if getattr(process, f.attname) is not before[f.attname]]
    if changed:
        process.save(update_fields=changed)


def new_record_check(*, school, record: dict, family: list, exclude: Request | None = None):
    """A new record that a request carries until its last approval (新生建档, 外地转入): checked as
    it would be created, and not already carried by another open request. Returns a possible
    duplicate (same name, gender, birth date) for the academic office to resolve."""
    # First: a record being created for the number at this moment is then seen by both checks.
    new_records_lock([record.get("id_number") or ""])
    _candidate, duplicate = record_check(school=school, data=record, family=family)
    refuse_open_record_requests(record.get("id_number") or "", exclude=exclude)
    return duplicate


def normalized_record(record: dict) -> dict:
    """Stored as the record will be (upper case): the open-request check compares the JSON as text."""
    return dict(record, id_number=(record.get("id_number") or "").strip().upper())
