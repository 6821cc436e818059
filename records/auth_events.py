"""What the register does when django-axes or django.contrib.auth report an event about an account:
a locked-out account and a person who logs out of the pages lose their API tokens (issue 14).
Connected in RecordsConfig.ready()."""

from __future__ import annotations

from . import services


def revoke_tokens_on_lockout(sender, *, username=None, **kwargs) -> None:
    # A token must not outlive the lockout: whoever was guessing the password may hold one.
    if username:
        services.api_tokens_revoke_for_username(username=username)


def revoke_tokens_on_logout(sender, *, user=None, **kwargs) -> None:
    if user is not None and user.is_authenticated:
        services.api_tokens_revoke(user=user)
