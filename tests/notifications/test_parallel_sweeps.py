"""Two workers running the same sweep at the same moment, on PostgreSQL: each person is told once.

Each sweep runs in its own thread with its own database connection; a barrier starts them
together. The unique (recipient, key) and INSERT … ON CONFLICT DO NOTHING keep one notification
per person, and SELECT … FOR UPDATE SKIP LOCKED one e-mail.
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from notifications.models import Notification
from notifications.services import emails_send
from notifications.sweeps import escalate_overdue_tasks, remind_pending_tasks
from tests.factories import StudentFactory
from tests.flows.acting import decide, open_step, start_transfer

from .conftest import arrived_on, mailed

D = datetime.date
STEPS = 6


def side_by_side(sweep, workers: int = 2) -> list:
    """Run `sweep` (then send e-mail) in `workers` threads at once; each thread's outcome or error."""
    barrier = threading.Barrier(workers)
    outcomes = [None] * workers

    def work(index):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = (sweep(), emails_send())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a sweep hung"
    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_and_escalate_each_person_once(
    transfer_windows_open, everyone, class_a, class_b, mailoutbox
):
    registrar = everyone["registrar_a"]
    steps = []
    for _n in range(STEPS):
        transfer = start_transfer(
            StudentFactory(school_class=class_a, by=registrar), everyone["registrar_b"], to_class=class_b
        )
        decide(everyone["officer_longyou"], transfer)
        steps.append(arrived_on(open_step(registrar, transfer), D(2025, 9, 26)))

    reminders = side_by_side(lambda: remind_pending_tasks(today=D(2025, 10, 20)))
    escalations = side_by_side(lambda: escalate_overdue_tasks(today=D(2025, 10, 20)))

    for step in steps:
        reminded = Notification.objects.filter(kind=Notification.Kind.TASK_REMINDER, work_item=step)
        assert sorted(reminded.values_list("recipient__username", flat=True)) == ["registrar_a", "registrar_a2"]
        escalated = Notification.objects.filter(kind=Notification.Kind.TASK_ESCALATED, work_item=step)
        assert sorted(escalated.values_list("recipient__username", flat=True)) == [
            "officer_longyou",
            "officer_longyou_2",
        ]
    # Every e-mail once, whichever worker sent it.
    assert mailed(mailoutbox, "待办提醒") == sorted(
        ["registrar_a@example.edu.cn", "registrar_a2@example.edu.cn"] * STEPS
    )
    assert mailed(mailoutbox, "超期督办") == sorted(
        ["officer_longyou@example.edu.cn", "officer_longyou_2@example.edu.cn"] * STEPS
    )
    assert sum(sent for _recorded, sent in reminders) == 2 * STEPS
    assert sum(sent for _recorded, sent in escalations) == 2 * STEPS
