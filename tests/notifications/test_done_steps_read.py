"""新的待办 and reminders of a step stop counting as unread once the step is done or cancelled:
whoever was told sees nothing left waiting in the header."""

from __future__ import annotations

import datetime

from django.urls import reverse

from flows.engine import request_withdraw
from flows.models import WorkItem
from notifications import services
from notifications.selectors import unread_count
from notifications.models import Notification
from notifications.sweeps import remind_pending_tasks
from tests.factories import StudentFactory
from tests.flows.acting import decide, open_step, start_transfer

from .conftest import arrived_on

D = datetime.date


def unread_about(step) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(work_item=step, read_at__isnull=True).select_related("recipient")
    return sorted((row.recipient.username, row.kind) for row in rows)


def test_the_waiting_step_and_its_reminder_are_read_for_everyone_once_one_registrar_confirms(
    transfer_windows_open, everyone, student, class_b, client_for
):
    registrar, second = everyone["registrar_a"], everyone["registrar_a2"]
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    decide(everyone["officer_longyou"], transfer)
    release = arrived_on(open_step(registrar, transfer), D(2025, 10, 27))
    services.task_waiting_record(release)
    remind_pending_tasks(today=D(2025, 10, 29))
    assert unread_about(release) == [
        ("registrar_a", "task_reminder"), ("registrar_a", "task_waiting"),
        ("registrar_a2", "task_reminder"), ("registrar_a2", "task_waiting"),
    ]
    assert unread_count(second) == 2

    response = client_for(registrar).post(
        reverse("task", args=[release.pk]), {"decision": WorkItem.Decision.APPROVE, "comment": "同意转出"}
    )

    assert response.status_code == 302
    assert unread_about(release) == []
    assert unread_count(second) == 0
    # Still listed in the centre, as read: what arrived stays on record.
    assert Notification.objects.filter(recipient=second, work_item=release).count() == 2


def test_a_withdrawn_request_leaves_no_unread_step_behind(transfer_windows_open, everyone, student, class_b):
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    approval = open_step(everyone["officer_longyou"], transfer)
    services.task_waiting_record(approval)
    assert unread_about(approval) == [("officer_longyou", "task_waiting"), ("officer_longyou_2", "task_waiting")]

    request_withdraw(request=transfer, by=everyone["registrar_b"])

    assert unread_about(approval) == []


def test_other_notifications_stay_unread(transfer_windows_open, everyone, student, class_a, class_b):
    """Only the step's own: a notification about another step of the same people is untouched."""
    first = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    second_student = StudentFactory(school_class=class_a, by=everyone["registrar_a"])
    other = start_transfer(second_student, everyone["registrar_b"], to_class=class_b)
    first_step, other_step = open_step(everyone["officer_longyou"], first), open_step(everyone["officer_longyou"], other)
    services.task_waiting_record(first_step)
    services.task_waiting_record(other_step)

    decide(everyone["officer_longyou"], first)

    assert unread_about(first_step) == []
    assert unread_about(other_step) == [("officer_longyou", "task_waiting"), ("officer_longyou_2", "task_waiting")]
    assert unread_count(everyone["officer_longyou_2"]) == 1
