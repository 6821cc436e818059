"""Fixtures and helpers of the status-change flow tests (registration, suspension, resumption,
dropout/death, grade change, key information, poverty).

On top of tests/conftest.py's world: a second registrar of school_a, its academic office, a
second-grade and a fourth-grade class of school_a, and the start services called with what the
pages send (the parent as applicant, a reason, scanned evidence).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from flows import dropout, grade_change, key_info_change, poverty, resumption, suspension
from flows.registration import VerifyRegistrationForm
from flows.models import Cause, Evidence, PovertyChange
from flows.engine import task_decide
from records.models import CodeTable, Role
from flows.selectors import tasks_in_inbox
from records.services import code_get
from tests.factories import SchoolClassFactory, StudentFactory, UserFactory

from ..acting import APPLICANT, APPROVE, open_step

# --- Evidence ---------------------------------------------------------------------------------


def pdf(name: str = "x.pdf") -> ContentFile:
    return ContentFile(b"%PDF-1.4 test", name=name)


def evidence(*kinds: str) -> list:
    """(kind, file) pairs as the start forms hand them over."""
    return [(kind, pdf(f"{kind}.pdf")) for kind in kinds]


# --- Starting requests as the pages do ----------------------------------------------------------


def start_suspension(student, by, *, cause=Cause.OTHER, kinds=(Evidence.Kind.APPLICATION,), **kwargs):
    return suspension.suspension_start(
        student=student, by=by, cause=cause, applicant=APPLICANT, reason=kwargs.pop("reason", "身体原因需在家休养"),
        evidence=evidence(*kinds), **kwargs,
    )


def start_resumption(student, by, *, cause=Cause.OTHER, to_class=None, kinds=(Evidence.Kind.APPLICATION,)):
    return resumption.resumption_start(
        student=student, by=by, cause=cause, to_class=to_class, applicant=APPLICANT, reason="申请复学",
        evidence=evidence(*kinds),
    )


def start_dropout(student, by, reason: str = "1", *, remark: str = "", kinds=()):
    return dropout.dropout_start(
        student=student, by=by, reason_code=code_get(CodeTable.DROPOUT_REASON, reason), remark=remark,
        evidence=evidence(*kinds),
    )


def start_grade_change(student, by, to_class, justification: str = "学业跟不上，家长申请留级"):
    return grade_change.grade_change_start(student=student, by=by, to_class=to_class, justification=justification)


def start_key_info_change(student, by, changes: dict, *, kinds=(Evidence.Kind.HOUSEHOLD_REGISTER,), reason="户口簿已变更"):
    return key_info_change.key_info_change_start(
        student=student, by=by, changes=changes, reason=reason, evidence=evidence(*kinds)
    )


def start_poverty(student, by, action=PovertyChange.Action.IDENTIFY, note="低保家庭，经村委会证明"):
    return poverty.poverty_start(student=student, by=by, action=action, note=note)


# --- Deciding the academic office's verification on its page -------------------------------------


def verify_form(user, registration, *, decision=APPROVE, comment="", acknowledge=False) -> VerifyRegistrationForm:
    """The verification page's form, built as the task page builds it."""
    step = open_step(user, registration).task.flow_task
    data = {"decision": decision, "comment": comment}
    if acknowledge:
        data["acknowledge_duplicate"] = "on"
    return VerifyRegistrationForm(data=data, request=registration, user=user, step=step)


def verify(user, registration, *, decision=APPROVE, comment="", acknowledge=False):
    """The academic office decides on the verification page: an invalid form is shown back with
    its errors, a valid one is handed to task_decide."""
    form = verify_form(user, registration, decision=decision, comment=comment, acknowledge=acknowledge)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return task_decide(
        work_item=open_step(user, registration), by=user, decision=decision, comment=comment, form=form
    )


# --- Reading back what a registrar checks ---------------------------------------------------------


def last_change(student) -> tuple:
    """The latest history entry and the one before it: (new, old)."""
    new, old = student.history.order_by("-history_date", "-history_id")[:2]
    return new, old


def is_in_inbox(user, request) -> bool:
    return tasks_in_inbox(user).filter(request_id=request.pk).exists()


# --- More people and classes -------------------------------------------------------------------


@pytest.fixture
def second_registrar(school_a):
    return UserFactory(username="registrar_a_2", role=Role.REGISTRAR, school=school_a, full_name="钱学籍")


@pytest.fixture
def other_academic_office(school_b):
    return UserFactory(username="office_b", role=Role.ACADEMIC_OFFICE, school=school_b, full_name="孙教导")


@pytest.fixture
def class_a_grade2(school_a, class_a):
    return SchoolClassFactory(school=school_a, grade=2)


@pytest.fixture
def class_a_grade4(school_a, class_a):
    return SchoolClassFactory(school=school_a, grade=4)


@pytest.fixture
def class_a_grade5(school_a, class_a):
    return SchoolClassFactory(school=school_a, grade=5)


@pytest.fixture
def repeat_or_skip_allowed(longyou_bureau):
    """龙游县教育局 has opened repeating and skipping a grade (an administrator's setting)."""
    longyou_bureau.allow_repeat_or_skip = True
    longyou_bureau.save(update_fields=["allow_repeat_or_skip"])
    return longyou_bureau


@pytest.fixture
def long_ago():
    """A date more than three months back: a student away since then may go one grade lower."""
    return timezone.localdate() - datetime.timedelta(days=120)


# --- Every bureau-approved kind, ready to start ---------------------------------------------------

# The kinds started for one existing student; registration has its own tests.
KINDS = ("suspension", "resumption", "dropout", "grade_change", "key_info_change", "poverty")


@pytest.fixture
def starter(class_a, class_a_grade2, registrar, repeat_or_skip_allowed):
    """starter(kind) → (student, start): a student of school_a in a state the kind allows, and
    start(by) asking for that kind as `by` would on the student's page."""

    def make(kind: str, **traits):
        if kind == "resumption" and not traits:
            traits = {"suspended": True}
        student = StudentFactory(school_class=class_a, by=registrar, **traits)
        return student, starting(kind, student, class_a_grade2)

    return make


def starting(kind: str, student, grade_below):
    """The start call of `kind` for `student`, with valid data."""
    return {
        "suspension": lambda by: start_suspension(student, by),
        "resumption": lambda by: start_resumption(student, by),
        "dropout": lambda by: start_dropout(student, by, "1"),
        "grade_change": lambda by: start_grade_change(student, by, grade_below),
        "key_info_change": lambda by: start_key_info_change(student, by, {"name": "王一鸣"}),
        "poverty": lambda by: start_poverty(student, by),
    }[kind]


def sign_if_needed(request, academic_office) -> None:
    """A suspension is signed by the academic office before it reaches the bureau."""
    if request.kind == "suspension":
        task_decide(work_item=open_step(academic_office, request), by=academic_office, decision=APPROVE)


def record_state(student) -> tuple:
    """Everything a registrar reads on the student's page that a status change could alter."""
    student.refresh_from_db()
    placement = student.open_placement
    return (
        student.status,
        student.school_id,
        placement.school_class_id if placement else None,
        student.suspended_until,
        student.dropout_reason_id,
        student.poverty,
        student.name,
        student.former_names,
        student.student_number,
        student.history.count(),
    )
