"""The e-mail drain sends what was recorded a batch at a time over one connection, so a day of
100,000 keeps flowing: every row once, the statements growing with the batches."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from notifications.services import emails_send


def _recorded(user, count: int) -> None:
    Notification.objects.bulk_create(
        Notification(
            recipient=user, kind=Notification.Kind.TASK_ESCALATED, key=f"drain:{n}", title=f"超期督办 {n}",
            message="请督促办理。", email_to=f"{user.username}@example.edu.cn",
        )
        for n in range(count)
    )


def test_120_e_mails_go_in_three_batches_each_once(bureau_officer, mailoutbox):
    _recorded(bureau_officer, 120)

    with CaptureQueriesContext(connection) as queries:
        assert emails_send(batch=50) == 120
    assert emails_send(batch=50) == 0

    assert len(mailoutbox) == 120
    assert sorted(email.subject for email in mailoutbox) == sorted(f"[学籍管理] 超期督办 {n}" for n in range(120))
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    # exists, then per batch of 50: savepoint, lock and read, mark sent, release; and the empty last read.
    assert len(queries) <= 1 + 4 * 4


def test_the_limit_leaves_the_rest_for_the_next_run(bureau_officer, mailoutbox):
    _recorded(bureau_officer, 30)
    assert emails_send(limit=20, batch=8) == 20
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 10
    assert emails_send() == 10
    assert len(mailoutbox) == 30
