"""API tokens: a key for the REST API that ends (issue 14).

Only the key's SHA-256 is stored, so neither the database nor the owner's list of tokens shows a
key that still works. A token ends at `expires_at`, when its owner's password changes (the
fingerprint taken at issue no longer matches, however the password was changed), at a lockout,
at the owner's logout from the pages, or when its owner revokes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    # The key's first characters: what the owner sees to tell their tokens apart, and names one to revoke.
    prefix = models.CharField(_("令牌开头"), max_length=PREFIX_LENGTH)
    # The account's session hash at issue (an HMAC of the password hash): a new password ends the token.
    password_fingerprint = models.CharField(max_length=128)
    client = models.CharField(_("客户端"), max_length=200, blank=True)
    created = models.DateTimeField(_("签发时间"))
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "prefix"], name="api_token_prefix_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user.get_username()} · {self.prefix}…"
