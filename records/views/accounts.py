"""Signing in, the first-login password change, and a person's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .. import selectors, services
from ..forms import LoginForm, PasswordChangeForm
from .access import SignedInMixin

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(SignedInMixin, auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=self.request.user)
        messages.success(self.request, _("密码已修改。"))
        return response

    def get_context_data(self, **kwargs):
        membership = selectors.membership_of(self.request.user)
        return super().get_context_data(
            first_login=bool(membership and membership.must_change_password), **kwargs
        )


class ApiTokenListView(SignedInMixin, TemplateView):
    """A person's own API tokens (issue 14): when each was issued and ends, and revoking one or all."""

    template_name = "registration/api_tokens.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tokens=selectors.api_tokens_of(self.request.user),
            lifetime_hours=services.api_token_lifetime().total_seconds() / 3600,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if "revoke_all" in request.POST:
            revoked = services.api_tokens_revoke(user=request.user)
            messages.success(request, _("已撤销全部 %(count)d 个令牌。") % {"count": revoked})
        else:
            token = selectors.api_tokens_of(request.user).filter(prefix=request.POST.get("revoke", "")).first()
            if token is None:
                # Someone else's, expired, or revoked already: the same answer, naming nothing.
                messages.error(request, _("没有这个令牌，它可能已过期或已被撤销。"))
            else:
                services.api_token_revoke(token=token)
                messages.success(request, _("令牌 %(prefix)s… 已撤销。") % {"prefix": token.prefix})
        return redirect("api_tokens")
