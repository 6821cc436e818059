from django.shortcuts import redirect
from django.urls import reverse

from .selectors import membership_of


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
