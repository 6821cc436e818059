"""The pages every kind of request shares: the inbox and queue, the task page, the request page and
list, withdrawing, evidence. Each kind's start pages are in its module (flows/transfer.py …).

Views are thin: read the form, call one engine function, redirect. What a kind adds to a page
(its card's rows, its record, its buttons) comes from its Flow through the registry.
"""

from __future__ import annotations

import unicodedata

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import ListView, TemplateView
from viewflow.workflow import chart

from records import selectors
from records.errors import Conflict
from records.forms import form_errors_from
from records.models import Role, Student
from records.views.access import SignedInMixin

from . import engine
from . import selectors as flow_selectors
from .flows import flows
from .forms import EvidenceForm, RequestFilterForm
from .models import Evidence, Request, WorkItem

INBOX_PAGE_SIZE = 50


class InboxView(SignedInMixin, TemplateView):
    """A school's task inbox or a bureau's approval queue, from the org-scoped work items."""

    template_name = "flows/inbox.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        inbox = flow_selectors.tasks_in_inbox(user)
        total = inbox.count()
        page = Paginator(range(total), INBOX_PAGE_SIZE).get_page(self.request.GET.get("page"))
        offset = page.start_index() - 1 if total else 0
        membership = selectors.membership_of(user)
        return super().get_context_data(
            items=flow_selectors.tasks_page(inbox, offset=offset, limit=INBOX_PAGE_SIZE),
            page=page,
            total=total,
            today=timezone.localdate(),
            is_queue=bool(membership and membership.role == Role.BUREAU_OFFICER),
            is_registrar=bool(membership and membership.role == Role.REGISTRAR),
            **kwargs,
        )


# --- The flow chart of a request ----------------------------------------------------------------------

# viewflow captions an If gateway's two edges "yes" and "no", in English and not translatable;
# a Step's reject and return edges are captioned once, in the language the flow was built in.
EDGE_LABELS = {"yes": _lazy("是"), "no": _lazy("否"), "不同意": _lazy("不同意"), "退回修改": _lazy("退回修改")}
# A chart box is 150 px wide: about ten characters of Chinese at the chart's 12 px.
CHART_LINE_WIDTH = 20


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _wrap_wide(text: str) -> list[str]:
    """viewflow wraps a step's title at spaces, so a Chinese title runs out of its box: split it
    into lines of even length that fit."""
    lines = max(1, -(-_display_width(text) // CHART_LINE_WIDTH))
    per_line = -(-len(text) // lines)
    return [text[start : start + per_line] for start in range(0, len(text), per_line)]


def flow_chart_svg(flow_class, process_pk: int) -> str:
    """viewflow's chart of the flow with the request's steps marked, captions in Chinese."""
    grid = chart.calc_layout_data(flow_class)
    chart.calc_cell_status(flow_class, grid, process_pk)
    for edge in grid.edges:
        edge.label = str(EDGE_LABELS.get(edge.label, edge.label))
    for cell in grid.cells:
        if not cell.shape.text:
            continue
        title = "".join(segment[0] for segment in cell.shape.text)
        _line, css_class, font_size, x, y = cell.shape.text[0]
        if _display_width(title) != len(title):  # wide characters: viewflow's wrap at spaces does not fit
            lines = _wrap_wide(title)
            top = (cell.shape.height - (len(lines) - 1) * font_size * 1.2) / 2
            cell.shape.text = [(line, css_class, font_size, x, top + n * font_size * 1.2) for n, line in enumerate(lines)]
        # viewflow's chart template title-cases a caption's first line ("Move To The New class"):
        # an empty first line takes that, and the caption reads as written.
        cell.shape.text.insert(0, ("", css_class, font_size, x, y))
    return chart.grid_to_svg(grid)


def request_context(request_obj: Request, viewer) -> dict:
    """What the task page and the request page show of a request, its ID and phone numbers as
    `viewer` may read them."""
    process = selectors.identity_shown_to(viewer).request(request_obj.coerced)
    kind = process.flow_class.instance
    steps = list(
        WorkItem.objects.filter(request=process).select_related("actor", "school", "bureau", "request").order_by("created", "pk")
    )
    return {
        "req": process,
        "record_items": kind.record_items(process),
        "request_items": kind.items(process),
        "student": process.student,
        "evidence": list(process.evidence.select_related("uploaded_by")),
        "steps": steps,
        "chart_svg": flow_chart_svg(process.flow_class, process.pk),
        "today": timezone.localdate(),
    }


# --- A step, a request ------------------------------------------------------------------------------


class TaskView(SignedInMixin, TemplateView):
    """The task page: the student, the request, evidence, earlier steps, the chart, the decision."""

    template_name = "flows/task.html"

    def check_access(self, request, *args, **kwargs):
        self.work_item = get_object_or_404(WorkItem.objects.select_related("request", "actor"), pk=kwargs["pk"])
        may_act = flow_selectors.user_may_act_on(request.user, self.work_item)
        if not may_act and not flow_selectors.requests_visible_to(request.user).filter(pk=self.work_item.request_id).exists():
            raise Http404
        self.can_act = self.work_item.finished is None and may_act

    def get_form(self, data=None):
        step = self.work_item.task.flow_task
        if not self.can_act or step.page:
            return None
        return step.form_class(data, request=self.work_item.request.coerced, user=self.request.user, step=step)

    def get_context_data(self, form=None, **kwargs):
        step = self.work_item.task.flow_task
        return super().get_context_data(
            **request_context(self.work_item.request, self.request.user),
            work_item=self.work_item,
            form=form or self.get_form(),
            can_act=self.can_act,
            step_page_url=reverse(step.page, args=[self.work_item.pk]) if step.page and self.can_act else None,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form is None:
            item = self.work_item
            messages.error(request, engine.decided_message(item) if item.finished else _("您不能办理这个环节。"))
            return redirect("inbox")
        if form.is_valid():
            try:
                engine.task_decide(
                    work_item=self.work_item,
                    by=request.user,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data.get("comment") or "",
                    form=form,
                )
            except Conflict as error:
                messages.error(request, " ".join(error.messages))
                return redirect("inbox")
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                if form.approving:
                    messages.success(request, _("已同意：%(step)s。") % {"step": self.work_item.step_title})
                else:
                    messages.success(request, _("已退回申请：%(step)s。") % {"step": self.work_item.step_title})
                return redirect("inbox")
        return self.render_to_response(self.get_context_data(form=form))


class RequestDetailView(SignedInMixin, TemplateView):
    """Where a request stands, for every party: steps, chart, evidence; withdraw and upload here."""

    template_name = "flows/request_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        found = get_object_or_404(flow_selectors.requests_visible_to(user), pk=self.kwargs["pk"])
        context = request_context(found, user)
        process = context["req"]
        membership = selectors.membership_of(user)
        is_party_registrar = bool(
            membership and membership.role == Role.REGISTRAR and membership.school_id in engine.request_parties(process)
        )
        context.update(
            can_withdraw=process.is_open and is_party_registrar and membership.school_id == process.school_id,
            can_upload=process.is_open and is_party_registrar,
            request_actions=[a for kind in flows() if (a := kind.request_action(process, user))],
            evidence_form=kwargs.pop("evidence_form", None) or EvidenceForm(),
            my_open_items=[s for s in context["steps"] if s.finished is None and flow_selectors.user_may_act_on(user, s)],
        )
        return super().get_context_data(**context, **kwargs)


class RequestListView(SignedInMixin, ListView):
    template_name = "flows/request_list.html"
    context_object_name = "requests"
    paginate_by = INBOX_PAGE_SIZE

    def get_queryset(self):
        self.filter_form = RequestFilterForm(self.request.GET)
        student = self.request.GET.get("student", "")
        return flow_selectors.request_search(
            self.request.user,
            **self.filter_form.search_arguments(),
            # One student's requests (the page of a student who has left links here).
            student=int(student) if student.isdigit() and len(student) < 18 else None,
        )

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter_form=self.filter_form, query=query.urlencode(), **kwargs)


class WithdrawView(SignedInMixin, View):
    def post(self, request, pk):
        found = get_object_or_404(flow_selectors.requests_visible_to(request.user), pk=pk)
        try:
            engine.request_withdraw(request=found, by=request.user, comment=request.POST.get("comment", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("申请已撤回，学籍未作任何变更。"))
        return redirect("request_detail", pk=pk)


class EvidenceUploadView(SignedInMixin, View):
    def post(self, request, pk):
        found = get_object_or_404(flow_selectors.requests_visible_to(request.user), pk=pk)
        form = EvidenceForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return redirect("request_detail", pk=pk)
        try:
            engine.evidence_add(request=found, by=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("材料已上传。"))
        return redirect("request_detail", pk=pk)


class EvidenceDownloadView(SignedInMixin, View):
    def get(self, request, pk):
        evidence = get_object_or_404(Evidence, pk=pk)
        if not flow_selectors.requests_visible_to(request.user).filter(pk=evidence.request_id).exists():
            raise Http404
        return FileResponse(evidence.file.open("rb"), as_attachment=False, filename=evidence.filename)


# --- What the register's pages show of the requests -------------------------------------------------


def request_actions_for(user, student: Student) -> list[dict]:
    """The requests this user may start for this student now: the student page's buttons.

    Only what the user's role and the state machine allow (each kind's Flow asks the student);
    while a request holds the student (open, or approved and not yet in effect), a link to it.
    """
    membership = selectors.membership_of(user)
    if not membership or membership.role != Role.REGISTRAR or membership.school_id != student.school_id:
        return []
    held_by = flow_selectors.claiming_request(student)
    if held_by:
        label = _("查看办理中的申请") if held_by.is_open else _("%(kind)s已批准，尚未生效（查看申请）") % {
            "kind": held_by.get_kind_display()
        }
        return [{"label": label, "url": reverse("request_detail", args=[held_by.pk]), "primary": True}]
    return [action for kind in flows() if (action := kind.student_action(student))]
