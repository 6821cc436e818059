"""How many statements a transfer sends, phase by phase (issue 15: 120 for one transfer end to end).

Each phase is measured as a web request runs it: the acting user as the middleware loads them
(with their membership), the work item as the task page reads it, then the one engine call. The
bounds are what the engine sends now; a change that reads the same school twice, saves a row
again or opens a savepoint that nothing needs shows up here first. A test transaction is open
around each phase, so task_decide's transaction block is a savepoint (two statements) here; in a
web request it is the transaction itself.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flows.engine import task_decide
from flows.models import Request, WorkItem
from flows.selectors import tasks_in_inbox
from records.models import SchoolClass, Student
from records.selectors import membership_of

from .acting import APPROVE, REJECT, receiving_class_form, start_transfer, where

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

# Statements of each phase, savepoints included, with the test's transaction open around it: in
# a web request the start and each decision send two fewer (their transaction block is the
# transaction, not a savepoint). Before issue 15's work a transfer took 32 + 23 + 56 in a web request.
START = 16  # the reads the start checks, the request, its first step and its work item, the claim, the evidence
DECISION = 13  # a step that is not the last: the step done, the gateway after it, the next step
LAST_APPROVAL = 29  # and the register changes: placement closed and opened, the student's school, history
SENDING_START = 15  # no evidence to store
CONFIRMATION = 12  # the receiving class picked: one column of the transfer saved
SENDING_LAST_APPROVAL = 31  # two gateways before the change (the release is not asked for, one bureau)
REJECTION = 15  # the request closed at once


def signed_in(user):
    """The user as the next request's middleware loads them, membership included."""
    fresh = get_user_model().objects.get(pk=user.pk)
    membership_of(fresh)
    return fresh


def task_page_item(user, request):
    """The work item as the task page reads it (flows.views.TaskView)."""
    pk = tasks_in_inbox(user).get(request_id=request.pk).pk
    return WorkItem.objects.select_related("request", "actor").get(pk=pk)


def statements(fn):
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return result, len(captured.captured_queries)


def decide_counted(user, request, decision=APPROVE, comment="", form=None):
    user = signed_in(user)
    item = task_page_item(user, request)
    _result, count = statements(
        lambda: task_decide(work_item=item, by=user, decision=decision, comment=comment, form=form)
    )
    return count


def test_a_transfer_started_by_the_receiving_school_takes_a_bounded_number_of_statements_in_each_phase(
    student, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    starter = signed_in(receiving_registrar)
    pupil = Student.objects.get(pk=student.pk)  # as the lookup finds them
    to_class = SchoolClass.objects.get(pk=class_b.pk)  # as the form's choice gives it

    transfer, count = statements(lambda: start_transfer(pupil, starter, to_class=to_class))
    assert count <= START

    assert decide_counted(bureau_officer, transfer) <= DECISION
    assert decide_counted(registrar, transfer) <= LAST_APPROVAL

    assert where(student) == (class_b.school, class_b, Student.Status.ENROLLED)
    transfer.refresh_from_db()
    assert transfer.state == Request.State.COMPLETED


def test_a_transfer_started_by_the_sending_school_takes_a_bounded_number_of_statements_in_each_phase(
    student, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    starter = signed_in(registrar)
    pupil = Student.objects.get(pk=student.pk)

    transfer, count = statements(lambda: start_transfer(pupil, starter, to_school=class_b.school))
    assert count <= SENDING_START

    confirmed = receiving_class_form(Request.objects.get(pk=transfer.pk), class_b)
    assert confirmed.is_valid(), confirmed.errors
    assert decide_counted(receiving_registrar, transfer, form=confirmed) <= CONFIRMATION
    assert decide_counted(bureau_officer, transfer, comment="同意") <= SENDING_LAST_APPROVAL

    assert where(student) == (class_b.school, class_b, Student.Status.ENROLLED)


def test_a_rejection_closes_the_transfer_in_a_bounded_number_of_statements(
    student, class_b, receiving_registrar, bureau_officer
):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)

    assert decide_counted(bureau_officer, transfer, decision=REJECT, comment="材料不全") <= REJECTION

    transfer.refresh_from_db()
    assert transfer.state == Request.State.REJECTED
    assert transfer.close_comment == "材料不全"
