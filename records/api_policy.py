"""Who may use the API and how its lists page; named by REST_FRAMEWORK in config/settings.py.

Kept apart from records/api.py: REST framework imports these while its own views module loads.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import pagination, permissions

from . import selectors

MAX_PAGE_SIZE = 200


class IsMember(permissions.BasePermission):
    """A person with a role, or a superuser. The first-login password change is the pages' rule:
    accounts provisioned for scripts use the API with the password they were given."""

    message = gettext_lazy("您的账号没有分配角色，请联系系统管理员。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        membership = selectors.membership_of(user)
        if membership is None:
            return bool(user.is_superuser)
        return True


class PageNumberPagination(pagination.PageNumberPagination):
    """{"count", "next", "previous", "results"}; ?page= and ?page_size= (at most 200)."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
