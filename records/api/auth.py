"""The token endpoint and who am I."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, throttling
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .. import selectors
from ..models import Role
from ..serializers import (
    MeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)


class TokenThrottle(throttling.SimpleRateThrottle):
    """Per client address. The rate is read per request (XUEJI_API_TOKEN_RATE), not at import."""

    scope = "api_token"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenView(APIView):
    """Exchange a username and password for a token; failed attempts count toward the lockout of
    the pages (django-axes), and the endpoint is rate limited."""

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
        # Accounts provisioned for scripts (xueji_user) use the API with the password they were
        # given; only the pages ask for a new one at the first login.
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# --- Who am I ------------------------------------------------------------------------------------


class MeView(APIView):
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
