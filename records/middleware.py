import logging

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from psycopg.errors import QueryCanceled

from .selectors import membership_of

logger = logging.getLogger(__name__)


class PasswordChangeRequiredMiddleware:
    """Sends a person to the password page until the initial password is changed (policy texts, 篇5).
    The API refuses such a person with a 403 of its own (records.api_policy.IsMember)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = membership_of(request.user)
        if membership and membership.must_change_password:
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/api/", "/i18n/")):
                return redirect("password_change")
        return self.get_response(request)


class StatementTimeoutMiddleware:
    """On PostgreSQL, a web request's statements are cancelled after XUEJI_STATEMENT_TIMEOUT
    seconds (0: never), so that a query stuck on a lock or a bad plan gives the user a clear
    answer instead of a request that hangs. The web server's process opens its connections with
    the limit (config/web_process.py, called by config/wsgi.py and config/asgi.py): no statement
    per request. Celery workers and management commands never load those modules and run without
    it. Here, a cancelled statement becomes the page (the API's JSON) that says so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, OperationalError) and isinstance(exception.__cause__, QueryCanceled)):
            return None
        logger.warning("Statement timeout on %s %s: %s", request.method, request.path, exception)
        seconds = settings.XUEJI_STATEMENT_TIMEOUT
        if request.path.startswith("/api/"):
            detail = _("查询超时：这次请求用时超过 %(seconds)s 秒，已被中止，未完成的修改不会保存。请缩小查询范围后重试；如果反复出现，请联系系统管理员。") % {
                "seconds": f"{seconds:g}"
            }
            return JsonResponse({"detail": detail, "errors": {}}, status=503, headers={"Retry-After": "60"})
        page = render_to_string("query_timeout.html", {"seconds": f"{seconds:g}"})
        return HttpResponse(page, status=503, headers={"Retry-After": "60"})
