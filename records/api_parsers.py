"""The API's JSON parser: REST framework's, with the limits Django puts on form bodies.

REST framework reads a JSON body straight from the request's stream, past Django's
DATA_UPLOAD_MAX_MEMORY_SIZE, and lets a RecursionError of the decoder through as a 500. This one
refuses a body over the size limit (RequestDataTooBig, which records.api_errors answers with 413)
and one nested deeper than any body of the API needs (400).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# The deepest real body (a registration: its family members' objects in a list) is three levels.
MAX_DEPTH = 32


def _depth_exceeds(value, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def body_too_big_message() -> str:
    return _("请求内容太大（超过%(size)s），请精简填写的内容或分批提交。") % {
        "size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    }


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is None:
            raw = b""
        elif limit is None:
            raw = stream.read()
        else:
            raw = stream.read(limit + 1)
            if len(raw) > limit:
                raise RequestDataTooBig(body_too_big_message())
        try:
            data = json.loads(raw.decode(encoding), parse_constant=json.strict_constant if self.strict else None)
        except RecursionError:
            raise ParseError(_("JSON嵌套层数过多。")) from None
        except ValueError as error:
            raise ParseError(_("JSON格式错误：%(error)s") % {"error": error}) from None
        if _depth_exceeds(data, MAX_DEPTH):
            raise ParseError(_("JSON嵌套层数过多。"))
        return data
