"""The REST API's tokens: a person sees only their own, and only those that still work."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from ..models import ApiToken


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The user's tokens that still work: not expired, and issued under the current password."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), password_fingerprint=user.get_session_auth_hash()
    )
