"""The token endpoints and who am I."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status, throttling
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .. import selectors, services
from ..api_policy import PASSWORD_CHANGE_FIRST
from ..models import ApiToken, Role
from ..serializers import (
    ApiTokenSerializer,
    MeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    TokensRevokedSerializer,
)


class TokenThrottle(throttling.SimpleRateThrottle):
    """Per client address. The rate is read per request (XUEJI_API_TOKEN_RATE), not at import."""

    scope = "api_token"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenView(APIView):
    """Exchange a username and password for a token that lasts XUEJI_API_TOKEN_HOURS (8 by
    default); failed attempts count toward the lockout of the pages (django-axes), and the
    endpoint is rate limited. An account that has not changed its initial password gets no token
    (403), unless it is a script account."""

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = (TokenThrottle,)

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, auth=[], tags=["auth"])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The request lets django-axes count the failure and lock the account, as on the login page.
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None:
            raise exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("用户名或密码不正确。")]}
            )
        membership = selectors.membership_of(user)
        # Only a script account's tokens may be used before the initial password is changed.
        if membership and membership.must_change_password and not membership.is_script_account:
            raise exceptions.PermissionDenied(PASSWORD_CHANGE_FIRST)
        token, key = services.api_token_issue(user=user, client=request.headers.get("User-Agent", ""))
        return Response({"token": key, "prefix": token.prefix, "expires_at": token.expires_at})


def _token_row(token: ApiToken, current) -> dict:
    return {
        "prefix": token.prefix,
        "client": token.client,
        "created": token.created,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "current": isinstance(current, ApiToken) and current.pk == token.pk,
    }


class ApiTokenList(APIView):
    """The caller's own tokens that still work, without their keys; DELETE revokes them all."""

    before_password_change = True

    @extend_schema(responses=ApiTokenSerializer(many=True), tags=["auth"])
    def get(self, request):
        tokens = selectors.api_tokens_of(request.user)
        return Response(ApiTokenSerializer([_token_row(t, request.auth) for t in tokens], many=True).data)

    @extend_schema(responses=TokensRevokedSerializer, tags=["auth"], operation_id="auth_tokens_revoke_all")
    def delete(self, request):
        return Response({"revoked": services.api_tokens_revoke(user=request.user)})


class ApiTokenDetail(APIView):
    """Revoke one of the caller's own tokens, named by its first characters."""

    before_password_change = True

    @extend_schema(responses={204: OpenApiResponse(description="revoked")}, tags=["auth"], operation_id="auth_token_revoke")
    def delete(self, request, prefix: str):
        token = selectors.api_tokens_of(request.user).filter(prefix=prefix).first()
        if token is None:
            raise Http404(_("没有这个令牌。"))
        services.api_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Who am I ------------------------------------------------------------------------------------


class MeView(APIView):
    before_password_change = True

    @extend_schema(responses=MeSerializer, tags=["auth"])
    def get(self, request):
        user = request.user
        membership = selectors.membership_of(user)
        data = {
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "role": membership.role if membership else (Role.ADMIN if user.is_superuser else None),
            "school": membership.school.identifier if membership and membership.school_id else None,
            "bureau": membership.bureau.code if membership and membership.bureau_id else None,
            "class_code": membership.school_class.code if membership and membership.school_class_id else None,
            "must_change_password": bool(membership and membership.must_change_password),
        }
        return Response(MeSerializer(data).data)
