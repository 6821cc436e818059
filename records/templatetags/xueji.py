"""Template filters of the register's pages."""

import datetime

from django import template
from django.utils.translation import ngettext

from records.selectors import IdentityShown, identity_shown_to

register = template.Library()


@register.filter
def duration_zh(value: datetime.timedelta) -> str:
    """A lockout time as people say it: "1 小时", "30 分钟", "1 小时 30 分钟" (or in English)."""
    if not isinstance(value, datetime.timedelta):
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(count)d 小时", "%(count)d 小时", hours) % {"count": hours})
    if minutes:
        parts.append(ngettext("%(count)d 分钟", "%(count)d 分钟", minutes) % {"count": minutes})
    return " ".join(parts)


# ID numbers, student numbers and phone numbers as the viewer may read them (records.selectors.privacy):
# {{ student.id_number|id_number_for:request.user }}. The argument is the viewer (a user) or what
# selectors.identity_shown_to(viewer) gave, for documents rendered without a request.


def _shown(viewer) -> IdentityShown:
    return viewer if isinstance(viewer, IdentityShown) else identity_shown_to(viewer)


@register.filter
def id_number_for(value, viewer) -> str:
    return _shown(viewer).id_number(value or "")


@register.filter
def student_number_for(value, viewer) -> str:
    return _shown(viewer).student_number(value or "")


@register.filter
def phone_for(value, viewer) -> str:
    return _shown(viewer).phone(value or "")
