"""The sweeps read and tell overdue steps a batch at a time: the statements grow with the batches,
not with the steps, and every step is still told to exactly its own people."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Escalation, Notification
from notifications.sweeps import escalate_overdue_tasks, remind_pending_tasks
from tests.factories import StudentFactory
from tests.flows.acting import decide, open_step, start_transfer

from .conftest import arrived_on, told

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

D = datetime.date
REMINDER = Notification.Kind.TASK_REMINDER
ESCALATED = Notification.Kind.TASK_ESCALATED


def _waiting_transfers(count, everyone, class_a, class_b, day):
    """`count` transfers out of school_a, each waiting at school_a's release since `day`."""
    steps = []
    for _i in range(count):
        student = StudentFactory(school_class=class_a)
        transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
        decide(everyone["officer_longyou"], transfer)
        steps.append(arrived_on(open_step(everyone["registrar_a"], transfer), day))
    return steps


def _statements(sweep, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        sweep(**kwargs)
    return len(queries)


def test_reminders_and_escalations_cost_the_same_for_four_steps_as_for_twelve(
    everyone, class_a, class_b, settings
):
    settings.XUEJI_SWEEP_BATCH = 100
    few = _waiting_transfers(4, everyone, class_a, class_b, D(2025, 9, 26))
    few_reminders = _statements(remind_pending_tasks, today=D(2025, 10, 17))
    few_escalations = _statements(escalate_overdue_tasks, today=D(2025, 10, 17))
    assert Notification.objects.filter(kind=REMINDER).count() == 4 * 2  # school_a's two registrars
    assert Escalation.objects.count() == 4

    many = _waiting_transfers(12, everyone, class_a, class_b, D(2025, 9, 29))
    many_reminders = _statements(remind_pending_tasks, today=D(2025, 10, 20))
    many_escalations = _statements(escalate_overdue_tasks, today=D(2025, 10, 21))

    for step in many:
        assert told(REMINDER, work_item=step) == ["registrar_a", "registrar_a2"]
        assert told(ESCALATED, work_item=step) == ["officer_longyou", "officer_longyou_2"]
    assert Escalation.objects.count() == 16
    # One more arrival day to read; otherwise the same statements for three times the steps.
    assert many_reminders <= few_reminders + 8
    assert many_escalations == few_escalations


def test_a_sweep_over_several_batches_tells_every_step_once(everyone, class_a, class_b, settings):
    settings.XUEJI_SWEEP_BATCH = 3
    steps = _waiting_transfers(7, everyone, class_a, class_b, D(2025, 9, 26))

    remind_pending_tasks(today=D(2025, 10, 17))
    remind_pending_tasks(today=D(2025, 10, 17))
    escalate_overdue_tasks(today=D(2025, 10, 17))
    escalate_overdue_tasks(today=D(2025, 10, 17))

    for step in steps:
        assert told(REMINDER, work_item=step) == ["registrar_a", "registrar_a2"]
        assert told(ESCALATED, work_item=step) == ["officer_longyou", "officer_longyou_2"]
    assert Notification.objects.filter(kind=ESCALATED).count() == 7 * 2
