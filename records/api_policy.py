"""Who may use the API and how its lists page; named by REST_FRAMEWORK in config/settings.py.

Kept apart from records/api.py: REST framework imports these while its own views module loads.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import authentication, exceptions, pagination, permissions

from . import selectors, services
from .models import ApiToken

MAX_PAGE_SIZE = 200

PASSWORD_CHANGE_FIRST = gettext_lazy(
    "请先修改初始密码：登录网页，在账户菜单中选择“修改密码”设置新密码，然后再使用 API。"
)


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` with an ApiToken: refused once it has expired or its owner's
    password has changed since it was issued (however it was changed: page, admin, command)."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user", "user__membership")
            .filter(digest=services.api_token_digest(key))
            .first()
        )
        if token is None:
            # REST framework's own message (and its translations), as for any unknown key.
            raise exceptions.AuthenticationFailed(gettext_lazy("Invalid token."))
        user = token.user
        if token.expires_at <= timezone.now():
            services.api_token_revoke(token=token)
            raise exceptions.AuthenticationFailed(
                gettext_lazy("API 令牌已过期，请用用户名和密码重新获取（POST /api/v1/auth/token/）。")
            )
        if token.password_fingerprint != user.get_session_auth_hash():
            services.api_token_revoke(token=token)
            raise exceptions.AuthenticationFailed(gettext_lazy("密码已修改，此前签发的 API 令牌已失效，请重新获取。"))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(gettext_lazy("User inactive or deleted."))
        services.api_token_used(token=token)
        return user, token


class IsMember(permissions.BasePermission):
    """A person with a role, or a superuser, who has changed the initial password. Only a script
    account (Membership.is_script_account) may skip the change, and only with a token: a session
    is a person at the pages, who changes it there first. A view may let a person in before the
    change with `before_password_change = True` (who am I, their own tokens)."""

    message = gettext_lazy("您的账号没有分配角色，请联系系统管理员。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        membership = selectors.membership_of(user)
        if membership is None:
            return bool(user.is_superuser)
        if membership.must_change_password and not getattr(view, "before_password_change", False):
            if not password_change_may_wait(membership, request.auth):
                raise exceptions.PermissionDenied(PASSWORD_CHANGE_FIRST)
        return True


def password_change_may_wait(membership, auth) -> bool:
    """A script account's token may use the API before the initial password is changed."""
    return bool(membership.is_script_account and isinstance(auth, ApiToken))


class PageNumberPagination(pagination.PageNumberPagination):
    """{"count", "next", "previous", "results"}; ?page= and ?page_size= (at most 200)."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
