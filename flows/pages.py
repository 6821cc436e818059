"""What every kind's start page builds on: valid form → the kind's start service → the request's page.

A kind's module defines its start page as a subclass of `StartRequestView` (with `OwnStudentMixin`
when the request is about a student of the registrar's own school) and lists it in its Flow's
`start_pages`; flows/urls.py mounts them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from records import selectors
from records.forms import FamilyMemberForm, form_errors_from
from records.models import Role
from records.views.access import SignedInMixin

from .forms import StudentRecordForm
from .models import Request


def member(user):
    membership = selectors.membership_of(user)
    if membership is None:
        raise PermissionDenied
    return membership


def registrar(user):
    """Status changes are started by a school's registrar (学籍管理员)."""
    membership = member(user)
    if membership.role != Role.REGISTRAR:
        raise PermissionDenied(_("只有学籍管理员可以发起学籍异动申请。"))
    return membership


class StartRequestView(SignedInMixin, FormView):
    """valid form → one start service → the new request's page. Errors land on the form."""

    template_name = "flows/start.html"
    title = ""
    # The services' field names (shared with the API) where the page's form names them differently.
    field_map: dict[str, str] = {}

    def start(self, form) -> Request:
        raise NotImplementedError

    def started_message(self, request_obj: Request) -> str:
        return _("申请已提交（%(kind)s #%(pk)d），等待下一环节办理。") % {
            "kind": request_obj.get_kind_display(), "pk": request_obj.pk,
        }

    def form_valid(self, form):
        try:
            with transaction.atomic():
                started = self.start(form)
        except ValidationError as error:
            form_errors_from(form, error, self.field_map)
            return self.form_invalid(form)
        messages.success(self.request, self.started_message(started))
        return redirect("request_detail", pk=started.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)


class OwnStudentMixin:
    """A request about a student of the registrar's own school (`self.student`)."""

    def check_access(self, request, *args, **kwargs):
        membership = registrar(request.user)
        self.student = get_object_or_404(selectors.students_visible_to(request.user), pk=kwargs["pk"])
        if self.student.school_id != membership.school_id:
            raise Http404

    def get_context_data(self, **kwargs):
        return super().get_context_data(student=self.student, **kwargs)


class StudentFormMixin:
    """The start form is built for the student (its choices depend on the student's class)."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "student": self.student}


class RecordEntryMixin:
    """The forms of a new student's record: the record itself and up to two family members, beside
    the page's own form (the class, a photo, where the student comes from …)."""

    record_form_kwargs: dict = {}

    def record_forms(self, initial: dict | None = None) -> dict:
        data = self.request.POST if self.request.method == "POST" else None
        initial = initial or {}
        family = initial.get("family", [])
        return {
            "record_form": StudentRecordForm(data, prefix="record", initial=initial.get("record"), **self.record_form_kwargs),
            "family1": FamilyMemberForm(data, prefix="family1", initial=family[0] if family else None),
            "family2": FamilyMemberForm(
                data, prefix="family2", optional=True, initial=family[1] if len(family) > 1 else None
            ),
        }

    def entered_record(self, forms: dict) -> dict | None:
        """{"record": …, "family": […]} when the page's form and the record's forms are valid."""
        members = [forms["family1"]] if forms["family2"].is_blank() else [forms["family1"], forms["family2"]]
        if not all([forms["form"].is_valid(), forms["record_form"].is_valid(), *[m.is_valid() for m in members]]):
            return None
        record_form = forms["record_form"]
        return {
            "record": {name: record_form.cleaned_data[name] for name in record_form.fields},
            "family": [m.cleaned_data for m in members],
        }

    def show_error(self, forms: dict, error: ValidationError) -> None:
        """A service's refusal on the form that has the field it names (family members on the first)."""
        fields = set(getattr(error, "message_dict", {}))
        for key in ("record_form", "form"):
            if fields & set(forms[key].fields):
                form_errors_from(forms[key], error)
                return
        form_errors_from(forms["family1"] if "family_members" in fields else forms["form"], error)

