"""The REST API's tokens (issue 14): issued for a working day, ended by a new password, a lockout,
a logout from the pages, or their owner."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..models import ApiToken
from ..models.tokens import PREFIX_LENGTH

# Writing the time of use on every call would make each API call a write; once a few minutes is enough
# to tell a token in use from a forgotten one.
LAST_USED_EVERY = datetime.timedelta(minutes=5)


def api_token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.XUEJI_API_TOKEN_HOURS)


@transaction.atomic
def api_token_issue(*, user: AbstractBaseUser, client: str = "") -> tuple[ApiToken, str]:
    """A new token for `user` and its key, which is shown once and stored only as a digest. The
    user's tokens that have ended are cleared away on the way."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    taken = set(ApiToken.objects.filter(user=user).values_list("prefix", flat=True))
    key = secrets.token_hex(20)
    while key[:PREFIX_LENGTH] in taken:
        key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        digest=api_token_digest(key),
        prefix=key[:PREFIX_LENGTH],
        password_fingerprint=user.get_session_auth_hash(),
        client=client[:200],
        created=now,
        expires_at=now + api_token_lifetime(),
    )
    return token, key


def api_token_used(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def api_tokens_revoke(*, user: AbstractBaseUser) -> int:
    """End every token of the user; how many there were."""
    revoked, _by_model = ApiToken.objects.filter(user=user).delete()
    return revoked


@transaction.atomic
def api_tokens_revoke_for_username(*, username: str) -> int:
    """A lockout names the account by the username typed; an unknown name has no tokens."""
    field = get_user_model().USERNAME_FIELD
    revoked, _by_model = ApiToken.objects.filter(**{f"user__{field}": username}).delete()
    return revoked
