"""A bureau's term calendar and transfer windows: read by its schools, edited by its officers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .. import selectors, services
from ..forms import calendar_formsets, kept_rows
from ..models import Role
from ..term_calendar import transfer_windows
from .access import SignedInMixin


class CalendarView(SignedInMixin, TemplateView):
    template_name = "records/calendar.html"

    def check_access(self, request, *args, **kwargs):
        membership = selectors.membership_of(request.user)
        if membership is not None and membership.role == Role.BUREAU_OFFICER:
            self.bureau = membership.bureau
        elif membership is not None and membership.school_id:
            self.bureau = membership.school.bureau
        else:
            raise PermissionDenied
        self.can_edit = selectors.calendar_editable_by(request.user, self.bureau)

    def get_context_data(self, **kwargs):
        terms, windows = kwargs.pop("formsets", None) or calendar_formsets(self.bureau)
        return super().get_context_data(
            bureau=self.bureau, can_edit=self.can_edit, terms=terms, windows=windows,
            effective_windows=transfer_windows(self.bureau), today=timezone.localdate(), **kwargs
        )

    def post(self, request, *args, **kwargs):
        if not self.can_edit:
            raise PermissionDenied
        terms, windows = calendar_formsets(self.bureau, request.POST)
        if terms.is_valid() and windows.is_valid():
            try:
                services.calendar_replace(
                    bureau=self.bureau, terms=kept_rows(terms), windows=kept_rows(windows), by=request.user
                )
            except ValidationError as error:
                terms._non_form_errors = terms.error_class(error.messages)
            else:
                messages.success(request, _("校历已保存。"))
                return redirect("calendar")
        return self.render_to_response(self.get_context_data(formsets=(terms, windows)))
