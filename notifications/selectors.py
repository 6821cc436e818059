"""What the notification centre and the page header show to the signed-in person."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification


def notifications_of(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """A person's own notifications, newest first; nobody sees anyone else's."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created", "-pk")


def unread_count(user, *, at_most: int | None = None) -> int:
    """How many are unread: one COUNT on the partial index of unread rows. The page header asks
    for `at_most` 100 (it shows 99+), so its cost stays the same however many pile up."""
    unread = notifications_of(user, unread_only=True)
    if at_most is not None:
        return unread.order_by()[:at_most].count()
    return unread.count()
