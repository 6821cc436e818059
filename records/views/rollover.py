"""升级: the school-year rollover's pages — the preview of every class before and after, the
confirmation, the progress bar while the Celery task applies it, and the undo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from .. import selectors
from ..forms import RolloverYearForm
from ..models import Rollover
from ..services.rollover import rollover_plan, rollover_progress, rollover_queue, rollover_undo, rollover_undo_blockers
from ..term_calendar import next_school_year
from .access import SignedInMixin


class RolloverView(SignedInMixin, TemplateView):
    """The preview of every class before and after; confirming queues the batch."""

    template_name = "records/rollover.html"

    def check_access(self, request, *args, **kwargs):
        self.scope = selectors.rollover_scope_of(request.user)

    def default_school_year(self) -> int:
        bureau = self.scope.get("bureau") or self.scope["school"].bureau
        return next_school_year(bureau, timezone.localdate())

    def school_year(self) -> int:
        """The year asked for (previewed in GET, confirmed in POST), or the default when it is not one."""
        form = RolloverYearForm(self.request.POST if self.request.method == "POST" else self.request.GET)
        return form.cleaned_data["school_year"] if form.is_valid() else self.default_school_year()

    def get_context_data(self, **kwargs):
        year = self.school_year()
        return super().get_context_data(
            plan=rollover_plan(school_year=year, **self.scope), school_year=year,
            year_form=RolloverYearForm(initial={"school_year": year}),
            scope=self.scope.get("bureau") or self.scope.get("school"),
            rollovers=selectors.rollovers_visible_to(self.request.user)[:10], **kwargs
        )

    def post(self, request, *args, **kwargs):
        try:
            rollover = rollover_queue(school_year=self.school_year(), by=request.user, **self.scope)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(errors=error.messages))
        return redirect("rollover_detail", pk=rollover.pk)


class RolloverDetailView(SignedInMixin, TemplateView):
    template_name = "records/rollover_detail.html"

    def get_context_data(self, **kwargs):
        rollover = get_object_or_404(selectors.rollovers_visible_to(self.request.user), pk=self.kwargs["pk"])
        rows = rollover.classes.select_related("school_class__school").order_by("school_class__school__identifier", "new_grade")
        undo_blockers = rollover_undo_blockers(rollover) if rollover.state == Rollover.State.APPLIED else []
        return super().get_context_data(
            rollover=rollover, rows=rows, progress=rollover_progress(rollover), undo_blockers=undo_blockers, **kwargs
        )


class RolloverProgressView(SignedInMixin, View):
    """The progress bar's JSON: state, classes done of total, finished."""

    def get(self, request, pk):
        rollover = get_object_or_404(selectors.rollovers_visible_to(request.user), pk=pk)
        return JsonResponse(rollover_progress(rollover))


class RolloverUndoView(SignedInMixin, View):
    def post(self, request, pk):
        rollover = get_object_or_404(selectors.rollovers_visible_to(request.user), pk=pk)
        try:
            rollover_undo(rollover=rollover, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("学年升级已撤销，各班级已恢复原年级和编码。"))
        return redirect("rollover_detail", pk=pk)
