"""The header's bell counts at most 100 unread notifications: 99+ beyond that, at the same cost
however many pile up, while the notification centre still says exactly how many."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification

from .test_notification_centre import bell


def _unread(user, count: int) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=Notification.Kind.TASK_ESCALATED, key=f"bench:{n}", title=f"超期督办 {n}", message="…")
        for n in range(count)
    )


def test_a_bureau_officer_with_150_unread_sees_99_plus_and_the_centre_says_150(client_for, bureau_officer):
    _unread(bureau_officer, 150)
    client = client_for(bureau_officer)

    with CaptureQueriesContext(connection) as queries:
        home = client.get(reverse("home")).content.decode()
    assert bell(home) == "消息中心，99+ 条未读"
    assert '<span class="xj-bell__count">99+</span>' in home
    counts = [q["sql"] for q in queries if "notifications_notification" in q["sql"] and "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 100" in sql for sql in counts)

    assert "150 条未读消息" in client.get(reverse("notification_list")).content.decode()


def test_ninety_nine_unread_are_counted_exactly(client_for, bureau_officer):
    _unread(bureau_officer, 99)
    home = client_for(bureau_officer).get(reverse("home")).content.decode()
    assert bell(home) == "消息中心，99 条未读"
    assert '<span class="xj-bell__count">99</span>' in home
