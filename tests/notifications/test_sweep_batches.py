"""The sweeps tell overdue steps with INSERT … SELECT: the statements grow with the arrival days,
not with the steps, and every step is still told to exactly its own people, once."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Escalation, Notification
from notifications.sweeps import escalate_overdue_tasks, remind_pending_tasks
from tests.factories import StudentFactory
from flows.models import WorkItem
from flows.registration import registration_start
from tests.flows.acting import decide, open_step, start_transfer
from tests.flows.status.test_registration import family, record

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


def test_reminders_and_escalations_cost_the_same_for_four_steps_as_for_twelve(everyone, class_a, class_b):
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
    # One more arrival day to tell; otherwise the same statements for three times the steps.
    assert many_reminders <= few_reminders + 4
    assert many_escalations == few_escalations


def test_steps_of_several_days_are_each_told_once_however_often_the_sweeps_run(everyone, class_a, class_b):
    steps = _waiting_transfers(4, everyone, class_a, class_b, D(2025, 9, 25))
    steps += _waiting_transfers(3, everyone, class_a, class_b, D(2025, 9, 26))

    remind_pending_tasks(today=D(2025, 10, 17))
    remind_pending_tasks(today=D(2025, 10, 17))
    escalate_overdue_tasks(today=D(2025, 10, 17))
    escalate_overdue_tasks(today=D(2025, 10, 17))

    for step in steps:
        assert told(REMINDER, work_item=step) == ["registrar_a", "registrar_a2"]
        assert told(ESCALATED, work_item=step) == ["officer_longyou", "officer_longyou_2"]
    assert Notification.objects.filter(kind=ESCALATED).count() == 7 * 2


def test_a_new_record_waiting_is_reminded_by_the_name_it_will_have(everyone, class_a, transfer_windows_open):
    # A registration has no student yet: the reminder names the record the registrar entered.
    registration = registration_start(
        to_class=class_a, by=everyone["registrar_a"], record=record(name="钟晓雨"), family=family()
    )
    step = arrived_on(WorkItem.objects.get(request=registration, finished__isnull=True), D(2025, 9, 26))

    remind_pending_tasks(today=D(2025, 10, 17))

    reminders = Notification.objects.filter(kind=REMINDER, work_item=step)
    assert reminders.count() >= 1
    assert {row.message for row in reminders} == {
        f"新生建档 #{registration.pk}（钟晓雨）的“{step.title}”已等待 11 个工作日，请在 {step.due.isoformat()} 前办理。"
    }
    assert {row.title for row in reminders} == {f"待办提醒：{step.title}"}
    assert all(row.email_to == f"{row.recipient.username}@example.edu.cn" for row in reminders)
