"""The unread count in the page header of every page."""

from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """Up to 100: the header shows 99+ beyond 99, and counts no further on any page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return unread_count(user, at_most=100) if user is not None else 0
