"""A school's accounts (账号管理): its academic office lists, opens, disables and enables them,
and gives one a new initial password.

A system administrator does the same for any school, named by `?school=<identifier>`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from .. import selectors, services
from ..forms import SchoolAccountForm, form_errors_from
from ..models import Membership, School
from .access import SignedInMixin

def accounts_url(school: School, user) -> str:
    """The school's account list; an administrator's link names the school."""
    url = reverse("school_accounts")
    if selectors.account_school_of(user) != school:
        url += "?" + urlencode({"school": school.identifier})
    return url


class SchoolAccountsMixin(SignedInMixin):
    def check_access(self, request, *args, **kwargs):
        identifier = request.GET.get("school") or request.POST.get("school")
        if identifier:
            self.school = get_object_or_404(selectors.schools_visible_to(request.user), identifier=identifier)
        else:
            self.school = selectors.account_school_of(request.user)
        if self.school is None or not selectors.accounts_manageable_by(request.user, self.school):
            raise PermissionDenied(_("只有本校教导处（或系统管理员）可以管理本校账号。"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            school=self.school, accounts_url=accounts_url(self.school, self.request.user), **kwargs
        )


class SchoolAccountListView(SchoolAccountsMixin, TemplateView):
    template_name = "records/school_accounts.html"

    def check_access(self, request, *args, **kwargs):
        if not request.GET.get("school") and selectors.user_sees_everything(request.user):
            # An administrator belongs to no school: the page first asks which.
            self.school = None
            return
        super().check_access(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        if self.school is None:
            return TemplateView.get_context_data(
                self, schools=selectors.schools_visible_to(self.request.user).order_by("region__code", "identifier"),
                **kwargs
            )
        return super().get_context_data(accounts=selectors.school_accounts(self.school), **kwargs)


class SchoolAccountCreateView(SchoolAccountsMixin, FormView):
    """开通账号. The answer to a valid form is the page with the initial password, shown this once."""

    template_name = "records/school_account_new.html"
    form_class = SchoolAccountForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school": self.school}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user, password = services.school_account_create(
                school=self.school,
                by=self.request.user,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                school_class=data["school_class"],
                subject=data["subject"],
            )
        except ValidationError as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        account = Membership.objects.select_related("user", "school_class").get(user=user)
        response = self.response_class(
            request=self.request,
            template=["records/school_account_created.html"],
            context=self.get_context_data(account=account, password=password),
        )
        # The one-time password must not stay in a cache or the browser's history.
        response["Cache-Control"] = "no-store"
        return response


class SchoolAccountActiveView(SchoolAccountsMixin, View):
    """停用 / 启用 an account of the school (POST active=0|1)."""

    def post(self, request, *args, **kwargs):
        membership = get_object_or_404(selectors.school_accounts(self.school), user_id=kwargs["pk"])
        active = request.POST.get("active") == "1"
        try:
            services.school_account_set_active(account=membership.user, active=active, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            name = membership.user.get_full_name() or membership.user.get_username()
            messages.success(
                request, (_("已启用%(name)s的账号。") if active else _("已停用%(name)s的账号。")) % {"name": name}
            )
        return HttpResponseRedirect(accounts_url(self.school, request.user))


class SchoolAccountPasswordView(SchoolAccountsMixin, View):
    """重置密码: a new one-time initial password, shown once on the answer to the POST."""

    def post(self, request, *args, **kwargs):
        membership = get_object_or_404(selectors.school_accounts(self.school), user_id=kwargs["pk"])
        try:
            password = services.school_account_reset_password(account=membership.user, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(accounts_url(self.school, request.user))
        response = TemplateResponse(
            request,
            "records/school_account_created.html",
            {
                "school": self.school,
                "accounts_url": accounts_url(self.school, request.user),
                "account": membership,
                "password": password,
                "reset": True,
            },
        )
        response["Cache-Control"] = "no-store"
        return response
