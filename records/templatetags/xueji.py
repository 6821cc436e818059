"""Template filters of the register's pages."""

import datetime

from django import template
from django.utils.translation import ngettext

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
