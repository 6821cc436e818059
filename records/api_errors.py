"""The API's error responses: one JSON shape, in the request's language, with the status the
contract gives (400 invalid input, 403 not allowed, 404 not visible to you, 409 conflict).

    {"detail": "…", "errors": {"field": ["…"], "non_field_errors": ["…"]}}

Services raise Django's ValidationError (400), records.errors.Conflict (409) and
PermissionDenied (403); selectors make anything a user may not see a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from .api_parsers import body_too_big_message
from .errors import Conflict

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY

# Codes of a records.services ValidationError that mean "the state does not allow it" (409),
# not "the input is wrong" (400).
CONFLICT_CODES = {"transition_not_allowed", "open_request", "already_decided", "closed", "placement_open"}
# The year end's (issue 7): a batch refused by the state of its students or of the school year.
CONFLICT_CODES |= {"graduation_blocked", "promotion_blocked", "certificate_taken", "rollover_exists", "undo_blocked", "not_applied"}
# Term work (issue 11): the term or the check is not open for entry, or the term has entries.
CONFLICT_CODES |= {"term_closed", "check_closed", "term_in_use"}


def _codes(error: DjangoValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors if e.code}
    return {e.code for e in error.error_list if e.code}


def is_conflict(error: DjangoValidationError) -> bool:
    return isinstance(error, Conflict) or bool(_codes(error) & CONFLICT_CODES)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"family_members.0.name": ["…"]}."""
    if isinstance(detail, dict):
        errors = {}
        for key, value in detail.items():
            name = NON_FIELD if key in (NON_FIELD, "__all__") and not prefix else f"{prefix}{key}"
            errors.update(_flatten(value, f"{name}."))
        return errors
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix.rstrip(".") or NON_FIELD: [str(item) for item in detail]}
        errors = {}
        for index, item in enumerate(detail):
            if item:
                errors.update(_flatten(item, f"{prefix}{index}."))
        return errors
    return {prefix.rstrip(".") or NON_FIELD: [str(detail)]}


def _django_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {NON_FIELD: [str(m) for m in error.messages]}


def _summary(errors: dict[str, list[str]]) -> str:
    """Every message once, in order: what a script's log line or a person reads first."""
    seen = []
    for messages in errors.values():
        for message in messages:
            if message not in seen:
                seen.append(message)
    return " ".join(seen)


def error_response(status_code: int, errors: dict[str, list[str]] | None = None, detail: str = "", headers=None):
    errors = errors or {}
    return Response(
        {"detail": detail or _summary(errors), "errors": errors}, status=status_code, headers=headers
    )


def body_refusal(exc) -> tuple[int, str] | None:
    """The status and message for a body Django refuses to read (too big, too many fields or
    files), or None for any other exception."""
    if isinstance(exc, RequestDataTooBig):
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, body_too_big_message()
    if isinstance(exc, TooManyFieldsSent):
        return status.HTTP_400_BAD_REQUEST, _("提交的字段太多（超过%(count)d个）。") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    if isinstance(exc, TooManyFilesSent):
        return status.HTTP_400_BAD_REQUEST, _("上传的文件太多（超过%(count)d个）。") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
    return None


def exception_handler(exc, context):
    """REST framework's EXCEPTION_HANDLER."""
    refusal = body_refusal(exc)
    if refusal:
        set_rollback()
        return error_response(refusal[0], detail=refusal[1])
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        code = status.HTTP_409_CONFLICT if is_conflict(exc) else status.HTTP_400_BAD_REQUEST
        return error_response(code, _django_errors(exc))
    if isinstance(exc, TransitionNotAllowed):
        set_rollback()
        return error_response(status.HTTP_409_CONFLICT, detail=_("学籍状态不允许这项操作。"))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args) if exc.args and exc.args[0] else exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{exc.wait:.0f}"
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        return error_response(exc.status_code, errors, headers=headers)
    return error_response(exc.status_code, detail=str(exc.detail), headers=headers)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: JSON for the API, the lockout page for the pages."""
    from axes.helpers import get_client_username, get_cool_off, get_cool_off_iso8601, get_failure_limit

    if request.path.startswith("/api/"):
        detail = _("登录失败次数过多，账号已暂时锁定，请稍后再试或联系系统管理员。")
        return JsonResponse({"detail": detail, "errors": {}}, status=status.HTTP_403_FORBIDDEN)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
    }
    cool_off = get_cool_off(request)
    if cool_off:
        context.update(cooloff_time=get_cool_off_iso8601(cool_off), cooloff_timedelta=cool_off)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)


def bad_request(request, exception=None):
    """handler400: a body Django refused to read (too big, too many fields) or another bad request,
    as the API's JSON error under /api/ and as a page in the site's language elsewhere."""
    code, message = body_refusal(exception) or (status.HTTP_400_BAD_REQUEST, _("请求无法处理，请检查填写的内容后重试。"))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {}}, status=code)
    return render(request, "400.html", {"message": message, "status": code}, status=code)


ERROR_RESPONSES = {
    "400": "invalid input",
    "401": "not logged in (no or a wrong token)",
    "403": "not allowed",
    "404": "not found, or not visible to you",
    "409": "conflict: an open request exists, the step was already decided, or the student's status forbids it",
    "413": "the body is over the size limit (files aside)",
    "429": "too many attempts",
}


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error shape on every operation that can give it."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "messages by field (nested fields dotted: `applicant.name`, `family_members.0.name`)",
            },
        },
        "required": ["detail", "errors"],
    }
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            codes = ["400", "403", "404"]
            if operation.get("security") != []:
                codes.append("401")
            if method in ("post", "put"):
                codes.extend(["409", "413"])
            if operation.get("operationId") == "auth_token_create":
                codes = ["400", "403", "413", "429"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": ERROR_RESPONSES[code],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result


def multipart_bodies_any_of(result, generator, request, public):
    """drf-spectacular postprocessing hook: a multipart body that is one of several kinds (the
    start of a request) says `anyOf`. The `kind` discriminator still tells them apart; schemathesis
    cannot check files against the other branches of a `oneOf`, so it could not test the body."""
    schemas = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            reference = content.get("multipart/form-data", {}).get("schema", {}).get("$ref", "")
            component = schemas.get(reference.rsplit("/", 1)[-1], {})
            if "oneOf" in component:
                component["anyOf"] = component.pop("oneOf")
    return result
