"""The request log: an expected refusal (403) is one line saying who was refused where, not a
traceback; server errors (5xx) keep theirs. Named by LOGGING in config/settings.py."""

from __future__ import annotations

import logging


class ForbiddenOnOneLine(logging.Filter):
    """On django.request: a 403 (PermissionDenied on a page, a refusal of the API) loses its
    traceback and names the user and the path."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        if getattr(record, "xueji_one_line", False):
            # Already made one line: logging configured again (a test, a worker) attaches the filter
            # twice, and a second pass would lose the reason with the traceback.
            return True
        record.xueji_one_line = True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        who = user.get_username() if getattr(user, "is_authenticated", False) else "anonymous"
        path = request.get_full_path() if request is not None else "?"
        reason = record.exc_info[1] if record.exc_info and record.exc_info[1] else None
        record.msg = "Forbidden %s %s user=%s%s"
        record.args = (getattr(request, "method", "?"), path, who, f": {reason}" if reason and str(reason) else "")
        record.exc_info = None
        record.exc_text = None
        return True
