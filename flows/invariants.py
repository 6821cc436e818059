"""What must hold over every request, beside the register's own rules (records/invariants.py):
each rule a query for the rows that break it; `manage.py xueji_check` lists them all."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from records.invariants import RULES as REGISTER_RULES
from records.invariants import Violation

from .models import Request, RequestStudent, Suspension, WorkItem


def _requests(rule: str, requests) -> list[Violation]:
    return [Violation(rule, f"request {pk}") for pk in requests.order_by("pk").values_list("pk", flat=True)]


def closing_time_out_of_state() -> list[Violation]:
    """A closed request has the time it closed; an open one has none."""
    return _requests(
        "closing_time_out_of_state",
        Request.objects.filter(
            (~Q(state=Request.State.OPEN) & Q(closed_at__isnull=True)) | Q(state=Request.State.OPEN, closed_at__isnull=False)
        ),
    )


def claim_held_by_a_closed_request() -> list[Violation]:
    """A closed request lets its students go, but for a suspension approved ahead of its start
    date: it holds the student until the suspension begins (flows/suspension.py)."""
    waiting = Suspension.objects.filter(state=Request.State.COMPLETED, extension=False, suspended_at__isnull=True)
    claims = (
        RequestStudent.objects.filter(open=True)
        .exclude(request__state=Request.State.OPEN)
        .exclude(request__in=waiting.values("pk"))
        .order_by("request_id", "student_id")
    )
    return [Violation("claim_held_by_a_closed_request", f"request {r} student {s}") for r, s in claims.values_list("request_id", "student_id")]


def claim_released_by_an_open_request() -> list[Violation]:
    """While a request is open its students are held: no other request may be started for them."""
    claims = RequestStudent.objects.filter(open=False, request__state=Request.State.OPEN).order_by("request_id", "student_id")
    return [Violation("claim_released_by_an_open_request", f"request {r} student {s}") for r, s in claims.values_list("request_id", "student_id")]


def open_request_without_step() -> list[Violation]:
    """An open request waits for someone: without an open step nobody can move it on."""
    waiting = WorkItem.objects.filter(request=OuterRef("pk"), finished__isnull=True)
    return _requests("open_request_without_step", Request.objects.filter(state=Request.State.OPEN).filter(~Exists(waiting)))


def open_step_of_a_closed_request() -> list[Violation]:
    steps = WorkItem.objects.filter(finished__isnull=True).exclude(request__state=Request.State.OPEN).order_by("pk")
    return [Violation("open_step_of_a_closed_request", f"request {r} step {pk}") for pk, r in steps.values_list("pk", "request_id")]


REQUEST_RULES = {
    "closing_time_out_of_state": ("a request's closing time does not match its state 申请的办结时间与办理状态不符", closing_time_out_of_state),
    "claim_held_by_a_closed_request": ("a closed request still holds a student 已办结的申请仍占用学生", claim_held_by_a_closed_request),
    "claim_released_by_an_open_request": ("an open request no longer holds its student 办理中的申请未占用学生", claim_released_by_an_open_request),
    "open_request_without_step": ("an open request has no step waiting 办理中的申请没有待办环节", open_request_without_step),
    "open_step_of_a_closed_request": ("a closed request has a step still open 已办结的申请仍有待办环节", open_step_of_a_closed_request),
}

RULES = {**REGISTER_RULES, **REQUEST_RULES}


def violations(rules: list[str] | None = None) -> list[Violation]:
    """Every row that breaks a rule of the register or of the requests, rule by rule."""
    return [violation for name, (_description, check) in RULES.items() if rules is None or name in rules for violation in check()]
