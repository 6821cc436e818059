"""Pages of the requests: inbox and queue, the task page, the request page, and the start pages.

Views are thin: read the form, call one service in flows.services, redirect. Reads go through
records.selectors, so a user sees only the requests of their school or region.
"""

from __future__ import annotations

import unicodedata

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from viewflow.workflow import chart

from records import selectors

from . import selectors as flow_selectors
from records.models import FamilyMember, Role, SchoolClass, Student
from records.term_calendar import transfer_windows

from . import services
from . import status_changes
from .forms import (
    DropoutForm,
    EvidenceForm,
    GradeChangeForm,
    KeyInfoChangeForm,
    PovertyForm,
    RegistrationForm,
    ResumptionForm,
    SuspensionForm,
    FamilyMemberForm,
    StudentLookupForm,
    StudentRecordForm,
    TransferCancelForm,
    TransferInForm,
    TransferOutForm,
    TransferReceiveForm,
    TransferSendForm,
    WholeClassTransferForm,
)
from .models import (
    Dropout,
    Evidence,
    GradeChange,
    KeyInfoChange,
    PovertyChange,
    Request,
    Resumption,
    Suspension,
    Transfer,
    WorkItem,
)

INBOX_PAGE_SIZE = 50


def form_errors_from(form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on the named field when the form has it
    (`field_map` names the form's field for a service's field name where they differ)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            field = (field_map or {}).get(field, field)
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _membership(user):
    membership = selectors.membership_of(user)
    if membership is None:
        raise PermissionDenied
    return membership


def _registrar(user):
    membership = _membership(user)
    if membership.role != Role.REGISTRAR:
        raise PermissionDenied(_("只有学籍管理员可以发起学籍异动申请。"))
    return membership


# --- Inbox, task, request --------------------------------------------------------------------


class InboxView(LoginRequiredMixin, TemplateView):
    """A school's task inbox or a bureau's approval queue, from the org-scoped work items."""

    template_name = "flows/inbox.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        total = flow_selectors.tasks_in_inbox(user).count()
        paginator = Paginator(range(total), INBOX_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        items = flow_selectors.tasks_page(flow_selectors.tasks_in_inbox(user), offset=page.start_index() - 1 if total else 0, limit=INBOX_PAGE_SIZE)
        membership = selectors.membership_of(user)
        return super().get_context_data(
            items=items,
            page=page,
            total=total,
            today=timezone.localdate(),
            is_queue=bool(membership and membership.role == Role.BUREAU_OFFICER),
            is_registrar=bool(membership and membership.role == Role.REGISTRAR),
            **kwargs,
        )


# viewflow captions an If gateway's two edges "yes" and "no", in English and not translatable.
GATEWAY_EDGE_LABELS = {"yes": _lazy("是"), "no": _lazy("否")}
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
        edge.label = GATEWAY_EDGE_LABELS.get(edge.label, edge.label)
    for cell in grid.cells:
        if not cell.shape.text:
            continue
        title = "".join(segment[0] for segment in cell.shape.text)
        if _display_width(title) == len(title):  # no wide characters: viewflow's wrap at spaces fits
            continue
        _line, css_class, font_size, x, _y = cell.shape.text[0]
        lines = _wrap_wide(title)
        top = (cell.shape.height - (len(lines) - 1) * font_size * 1.2) / 2
        cell.shape.text = [(line, css_class, font_size, x, top + n * font_size * 1.2) for n, line in enumerate(lines)]
    return chart.grid_to_svg(grid)


def _request_context(request_obj: Request, user) -> dict:
    process = request_obj.coerced
    flow_class = process.flow_class
    steps = list(
        WorkItem.objects.filter(request=process)
        .select_related("actor", "school", "bureau")
        .order_by("created", "pk")
    )
    return {
        "req": process,
        "record_items": record_items(process),
        "request_items": request_items(process),
        "student": process.student,
        "evidence": list(process.evidence.select_related("uploaded_by")),
        "steps": steps,
        "chart_svg": flow_chart_svg(flow_class, process.pk),
        "today": timezone.localdate(),
    }


def request_items(process) -> list[tuple[str, str]]:
    """What a status-change request asks for, as label and readable value: the request card's
    rows beyond those every request has (applicant, reason)."""
    from .record_json import record_from_json

    if isinstance(process, Suspension):
        cause = process.get_cause_display() + (f"（{_('续休')}）" if process.extension else "")
        return [
            (_("休学原因"), cause),
            (_("休学开始日期"), f"{process.start_date:%Y-%m-%d}"),
            (_("休学截止日期"), f"{process.end_date:%Y-%m-%d}"),
        ]
    if isinstance(process, Resumption):
        to_class = process.to_class.name if process.to_class_id else _("原班级")
        return [(_("原休学/离校原因"), process.get_cause_display()), (_("复学班级"), to_class)]
    if isinstance(process, Dropout):
        return [(_("原因"), process.reason_code.name), (_("备注"), process.remark or "—")]
    if isinstance(process, GradeChange):
        kind = _("留级") if process.is_repeat else _("跳级")
        return [(kind, f"{process.from_class.name} → {process.to_class.name}")]
    if isinstance(process, KeyInfoChange):
        new, old = record_from_json(process.changes), record_from_json(process.previous)
        return [
            (str(Student._meta.get_field(name).verbose_name), f"{old.get(name, '—')} → {new.get(name, '—')}")
            for name in process.changes
        ]
    if isinstance(process, PovertyChange):
        return [(_("操作"), process.get_action_display())]
    return []


def record_items(process) -> list[tuple[str, str]]:
    """A record held on a registration or transfer-in request, as label and readable value."""
    from .record_json import family_from_json, record_from_json

    if not getattr(process, "record", None):
        return []

    def readable(model, data):
        rows = []
        for name, value in data.items():
            field = model._meta.get_field(name)
            if isinstance(value, bool):
                value = _("是") if value else _("否")
            rows.append((str(field.verbose_name), str(value)))
        return rows

    items = readable(Student, record_from_json(process.record))
    for number, member in enumerate(family_from_json(process.family), start=1):
        items += [(f"{_('家庭成员')}{number} · {label}", value) for label, value in readable(FamilyMember, member)]
    return items


class TaskView(LoginRequiredMixin, TemplateView):
    """The task page: the student, the request, evidence, earlier steps, the chart, the decision."""

    template_name = "flows/task.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.work_item = get_object_or_404(WorkItem.objects.select_related("request"), pk=kwargs["pk"])
        visible = flow_selectors.requests_visible_to(request.user).filter(pk=self.work_item.request_id).exists()
        if not visible and not flow_selectors.user_may_act_on(request.user, self.work_item):
            raise Http404
        self.can_act = self.work_item.finished is None and flow_selectors.user_may_act_on(request.user, self.work_item)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None):
        step = self.work_item.task.flow_task
        if not self.can_act or step.page:
            return None
        return step.form_class(data, request=self.work_item.request.coerced, user=self.request.user, step=step)

    def get_context_data(self, form=None, **kwargs):
        context = _request_context(self.work_item.request, self.request.user)
        step = self.work_item.task.flow_task
        context.update(
            work_item=self.work_item,
            form=form or self.get_form(),
            can_act=self.can_act,
            step_page_url=reverse(step.page, args=[self.work_item.pk]) if step.page and self.can_act else None,
        )
        return super().get_context_data(**context, **kwargs)

    def cannot_decide_message(self) -> str:
        """Why a decision posted here is not taken: the same words as the service's refusals."""
        item = self.work_item
        if item.finished and item.decision:
            who = item.actor.get_full_name() or item.actor.get_username() if item.actor else _("他人")
            return _("该环节已由%(who)s办理，无需重复办理。") % {"who": who}
        if item.finished:
            return _("申请%(state)s，该环节无需再办理。") % {"state": item.request.get_state_display()}
        return _("您不能办理这个环节。")

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form is None:
            messages.error(request, self.cannot_decide_message())
            return redirect("inbox")
        if form.is_valid():
            try:
                services.task_decide(
                    work_item=self.work_item,
                    by=request.user,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data.get("comment") or "",
                    form=form,
                )
            except services.Conflict as error:
                messages.error(request, " ".join(error.messages))
                return redirect("inbox")
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                if form.approving:
                    messages.success(request, _("已同意：%(step)s。") % {"step": self.work_item.title})
                else:
                    messages.success(request, _("已退回申请：%(step)s。") % {"step": self.work_item.title})
                return redirect("inbox")
        return self.render_to_response(self.get_context_data(form=form))


class RequestDetailView(LoginRequiredMixin, TemplateView):
    """Where a request stands, for every party: steps, chart, evidence; withdraw and upload here."""

    template_name = "flows/request_detail.html"

    def get_object(self) -> Request:
        return get_object_or_404(flow_selectors.requests_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        req = self.get_object()
        context = _request_context(req, self.request.user)
        membership = selectors.membership_of(self.request.user)
        process = context["req"]
        is_party_registrar = bool(
            membership and membership.role == Role.REGISTRAR and membership.school_id in services.request_parties(process)
        )
        context.update(
            can_withdraw=process.is_open and is_party_registrar and membership.school_id == process.school_id,
            can_upload=process.is_open and is_party_registrar,
            can_cancel_transfer=(
                isinstance(process, Transfer)
                and process.state == Request.State.COMPLETED
                and is_party_registrar
                and process.completed_on is not None
                and (timezone.localdate() - process.completed_on).days <= services.CANCEL_WITHIN_DAYS
            ),
            evidence_form=kwargs.pop("evidence_form", None) or EvidenceForm(),
            my_open_items=[s for s in context["steps"] if s.finished is None and flow_selectors.user_may_act_on(self.request.user, s)],
        )
        return super().get_context_data(**context, **kwargs)


class RequestListView(LoginRequiredMixin, ListView):
    template_name = "flows/request_list.html"
    context_object_name = "requests"
    paginate_by = INBOX_PAGE_SIZE

    def get_queryset(self):
        requests = flow_selectors.requests_visible_to(self.request.user).order_by("-created", "-pk")
        state = self.request.GET.get("state")
        if state in Request.State.values:
            requests = requests.filter(state=state)
        kind = self.request.GET.get("kind")
        if kind in Request.Kind.values:
            requests = requests.filter(kind=kind)
        return requests

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            states=Request.State.choices, kinds=Request.Kind.choices, query=query.urlencode(),
            state=self.request.GET.get("state", ""), kind=self.request.GET.get("kind", ""), **kwargs
        )


class WithdrawView(LoginRequiredMixin, View):
    def post(self, request, pk):
        req = get_object_or_404(flow_selectors.requests_visible_to(request.user), pk=pk)
        try:
            services.request_withdraw(request=req, by=request.user, comment=request.POST.get("comment", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("申请已撤回，学籍未作任何变更。"))
        return redirect("request_detail", pk=pk)


class EvidenceUploadView(LoginRequiredMixin, View):
    def post(self, request, pk):
        req = get_object_or_404(flow_selectors.requests_visible_to(request.user), pk=pk)
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.evidence_add(request=req, by=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("材料已上传。"))
                return redirect("request_detail", pk=pk)
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("request_detail", pk=pk)


class EvidenceDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        evidence = get_object_or_404(Evidence, pk=pk)
        if not flow_selectors.requests_visible_to(request.user).filter(pk=evidence.request_id).exists():
            raise Http404
        return FileResponse(evidence.file.open("rb"), as_attachment=False, filename=evidence.filename)


# --- Starting requests -------------------------------------------------------------------------


class StartRequestView(LoginRequiredMixin, FormView):
    """valid form → one start service → the new request's page. Errors land on the form."""

    template_name = "flows/start.html"
    title = ""
    # The services' field names (shared with the API) where the page's form names them differently.
    field_map: dict[str, str] = {}

    def start(self, form) -> Request:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with transaction.atomic():
                req = self.start(form)
        except ValidationError as error:
            form_errors_from(form, error, self.field_map)
            return self.form_invalid(form)
        messages.success(self.request, _("申请已提交（%(kind)s #%(pk)d），等待下一环节办理。") % {"kind": req.get_kind_display(), "pk": req.pk})
        return redirect("request_detail", pk=req.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)


class OwnStudentMixin:
    """A request about a student of the registrar's own school."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = _registrar(request.user)
        self.student = get_object_or_404(selectors.students_visible_to(request.user), pk=kwargs["pk"])
        if self.student.school_id != membership.school_id:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(student=self.student, **kwargs)


class TransferSendView(OwnStudentMixin, StartRequestView):
    """The sending school starts a transfer (county order)."""

    form_class = TransferSendForm

    @property
    def title(self):
        return _("办理转学（本校转出）")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "student": self.student}

    def start(self, form):
        return services.transfer_start(
            student=self.student, by=self.request.user, to_school=form.cleaned_data["to_school"],
            applicant=form.applicant(), reason=form.cleaned_data["reason"], evidence=form.evidence(),
        )


class TransferReceiveView(StartRequestView):
    """The receiving school finds the student by student number and name, then starts (national order)."""

    form_class = TransferReceiveForm

    @property
    def title(self):
        return _("转入学生（本校接收）")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = _registrar(request.user)
        source = request.POST if request.method == "POST" else request.GET
        self.lookup = StudentLookupForm(source if "student_number" in source else None)
        self.student = None
        if self.lookup.is_bound and self.lookup.is_valid():
            self.student = selectors.student_find_for_transfer_in(
                student_number=self.lookup.cleaned_data["student_number"], name=self.lookup.cleaned_data["name"]
            )
            if self.student is None:
                self.lookup.add_error(None, _("没有找到学籍号与姓名都相符的学生，请核对家长提供的信息。"))
            elif self.student.school_id == self.membership.school_id:
                self.lookup.add_error(None, _("该生已在本校，无需转入。"))
                self.student = None
        if self.student is None and request.method == "POST":
            return self.render_to_response(self.get_context_data(form=None))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form() if self.student else None))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "student": self.student, "school": self.membership.school}

    def get_context_data(self, **kwargs):
        placement = self.student.open_placement if self.student else None
        return super().get_context_data(lookup=self.lookup, found=self.student, found_placement=placement, **kwargs)

    def start(self, form):
        return services.transfer_start(
            student=self.student, by=self.request.user, to_class=form.cleaned_data["to_class"],
            applicant=form.applicant(), reason=form.cleaned_data["reason"], evidence=form.evidence(),
        )


class TransferOutView(OwnStudentMixin, StartRequestView):
    form_class = TransferOutForm

    @property
    def title(self):
        return _("转出（市外/省外/境外）")

    def start(self, form):
        data = form.cleaned_data
        return services.transfer_out_start(
            student=self.student, by=self.request.user, scope=data["scope"], destination=data["destination"],
            applicant=form.applicant(), reason=data["reason"], evidence=form.evidence(),
        )


class TransferInView(StartRequestView):
    """外地转入: the record, up to two family members, the class, and the parent's request."""

    form_class = TransferInForm
    template_name = "flows/transfer_in.html"

    @property
    def title(self):
        return _("外地转入（新建学籍）")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = _registrar(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school": self.membership.school}

    def _subforms(self):
        data = self.request.POST if self.request.method == "POST" else None
        return (
            StudentRecordForm(data, prefix="record", transfer_in=True),
            FamilyMemberForm(data, prefix="family1"),
            FamilyMemberForm(data, prefix="family2", optional=True),
        )

    def get_context_data(self, **kwargs):
        if "record_form" not in kwargs:
            kwargs["record_form"], kwargs["family1"], kwargs["family2"] = self._subforms()
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        record_form, family1, family2 = self._subforms()
        members = [family1] if family2.is_blank() else [family1, family2]
        valid = all([form.is_valid(), record_form.is_valid(), *[m.is_valid() for m in members]])
        if valid:
            try:
                with transaction.atomic():
                    req = services.transfer_in_start(
                        to_class=form.cleaned_data["to_class"], by=request.user,
                        record={name: record_form.cleaned_data[name] for name in record_form.fields},
                        family=[m.cleaned_data for m in members],
                        previous_school=form.cleaned_data["previous_school"],
                        applicant=form.applicant(), reason=form.cleaned_data["reason"], evidence=form.evidence(),
                    )
            except ValidationError as error:
                for target in (record_form, form):
                    if hasattr(error, "error_dict") and any(f in target.fields for f in error.message_dict):
                        form_errors_from(target, error)
                        break
                else:
                    form_errors_from(form, error)
            else:
                messages.success(request, _("转入申请已提交（#%(pk)d），等待教育局审批。") % {"pk": req.pk})
                return redirect("request_detail", pk=req.pk)
        return self.render_to_response(
            self.get_context_data(form=form, record_form=record_form, family1=family1, family2=family2)
        )


class WholeClassTransferView(StartRequestView):
    form_class = WholeClassTransferForm

    @property
    def title(self):
        return pgettext("action", "整班转学")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = _registrar(request.user)
        self.school_class = get_object_or_404(selectors.classes_visible_to(request.user), pk=kwargs["pk"])
        if self.school_class.school_id != membership.school_id or self.school_class.state != SchoolClass.State.OPEN:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school_class": self.school_class}

    def get_context_data(self, **kwargs):
        return super().get_context_data(school_class=self.school_class, **kwargs)

    def start(self, form):
        return services.whole_class_transfer_start(
            school_class=self.school_class, by=self.request.user, to_school=form.cleaned_data["to_school"],
            reason=form.cleaned_data["reason"],
        )


class TransferCancelView(StartRequestView):
    form_class = TransferCancelForm

    @property
    def title(self):
        return _("申请撤销转学")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        _registrar(request.user)
        req = get_object_or_404(flow_selectors.requests_visible_to(request.user), pk=kwargs["pk"], kind=Request.Kind.TRANSFER)
        self.transfer = req.coerced
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(original=self.transfer, student=self.transfer.student, **kwargs)

    def start(self, form):
        return services.transfer_cancel_start(transfer=self.transfer, by=self.request.user, reason=form.cleaned_data["reason"])


class CalendarView(LoginRequiredMixin, TemplateView):
    """A bureau's term calendar and transfer windows, edited by its officers."""

    template_name = "flows/calendar.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = _membership(request.user)
        if membership.role == Role.BUREAU_OFFICER:
            self.bureau = membership.bureau
        elif membership.school_id:
            self.bureau = membership.school.bureau
        else:
            raise PermissionDenied
        self.can_edit = membership.role == Role.BUREAU_OFFICER
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from .calendar_forms import calendar_formsets

        terms, windows = kwargs.pop("formsets", None) or calendar_formsets(self.bureau)
        return super().get_context_data(
            bureau=self.bureau, can_edit=self.can_edit, terms=terms, windows=windows,
            effective_windows=transfer_windows(self.bureau), today=timezone.localdate(), **kwargs
        )

    def post(self, request, *args, **kwargs):
        from records.services import calendar_replace

        from .calendar_forms import calendar_formsets

        if not self.can_edit:
            raise PermissionDenied
        terms, windows = calendar_formsets(self.bureau, request.POST)
        if terms.is_valid() and windows.is_valid():
            try:
                calendar_replace(
                    bureau=self.bureau,
                    terms=[f.cleaned_data for f in terms.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")],
                    windows=[f.cleaned_data for f in windows.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")],
                    by=request.user,
                )
            except ValidationError as error:
                terms._non_form_errors = terms.error_class(error.messages)
            else:
                messages.success(request, _("校历已保存。"))
                return redirect("calendar")
        return self.render_to_response(self.get_context_data(formsets=(terms, windows)))


# --- Status-change requests (issue: every other status change) -------------------------------


class SuspensionStartView(OwnStudentMixin, StartRequestView):
    form_class = SuspensionForm
    field_map = {"start": "start_date", "end": "end_date"}

    @property
    def title(self):
        if self.student.status == Student.Status.SUSPENDED:
            return pgettext("action", "续休")
        return pgettext("action", "休学")

    def start(self, form):
        data = form.cleaned_data
        return status_changes.suspension_start(
            student=self.student, by=self.request.user, cause=data["cause"], start_date=data.get("start_date"),
            end_date=data.get("end_date"), applicant=form.applicant(), reason=data["reason"], evidence=form.evidence(),
        )


class ResumptionStartView(OwnStudentMixin, StartRequestView):
    form_class = ResumptionForm

    @property
    def title(self):
        return pgettext("action", "复学")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "student": self.student}

    def start(self, form):
        data = form.cleaned_data
        return status_changes.resumption_start(
            student=self.student, by=self.request.user, cause=data["cause"], to_class=data.get("to_class"),
            applicant=form.applicant(), reason=data["reason"], evidence=form.evidence(),
        )


class DropoutStartView(OwnStudentMixin, StartRequestView):
    form_class = DropoutForm

    @property
    def title(self):
        return _("流失/退学/死亡登记")

    def start(self, form):
        data = form.cleaned_data
        return status_changes.dropout_start(
            student=self.student, by=self.request.user, reason_code=data["reason_code"], remark=data.get("remark", ""),
            evidence=form.evidence(),
        )


class GradeChangeStartView(OwnStudentMixin, StartRequestView):
    form_class = GradeChangeForm

    @property
    def title(self):
        return pgettext("action", "留级/跳级")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "student": self.student}

    def start(self, form):
        return status_changes.grade_change_start(
            student=self.student, by=self.request.user, to_class=form.cleaned_data["to_class"],
            justification=form.cleaned_data["justification"],
        )


class KeyInfoChangeStartView(OwnStudentMixin, StartRequestView):
    form_class = KeyInfoChangeForm

    @property
    def title(self):
        return pgettext("action", "关键信息变更")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "student": self.student}

    def start(self, form):
        return status_changes.key_info_change_start(
            student=self.student, by=self.request.user, changes=form.changes(), reason=form.cleaned_data["reason"],
            evidence=form.evidence(),
        )


class PovertyStartView(OwnStudentMixin, StartRequestView):
    form_class = PovertyForm

    @property
    def title(self):
        return _("贫困生认定/取消")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "student": self.student}

    def start(self, form):
        return status_changes.poverty_start(
            student=self.student, by=self.request.user, action=form.cleaned_data["action"], note=form.cleaned_data["note"]
        )


class RecordEntryMixin:
    """The record, up to two family members, the class and a photo: the new-student entry page."""

    template_name = "flows/registration.html"

    def classes(self):
        membership = self.membership
        if membership.role == Role.CLASS_TEACHER:
            return SchoolClass.objects.filter(pk=membership.school_class_id)
        return SchoolClass.objects.filter(school=membership.school, state=SchoolClass.State.OPEN).order_by("grade", "sequence")

    def forms(self, initial=None):
        data = self.request.POST if self.request.method == "POST" else None
        files = self.request.FILES if self.request.method == "POST" else None
        initial = initial or {}
        family = initial.get("family", [])
        return {
            "form": RegistrationForm(data, files, classes=self.classes(), initial={"to_class": initial.get("to_class")}),
            "record_form": StudentRecordForm(data, prefix="record", initial=initial.get("record")),
            "family1": FamilyMemberForm(data, prefix="family1", initial=family[0] if family else None),
            "family2": FamilyMemberForm(
                data, prefix="family2", optional=True, initial=family[1] if len(family) > 1 else None
            ),
        }

    def submitted(self, forms):
        members = [forms["family1"]] if forms["family2"].is_blank() else [forms["family1"], forms["family2"]]
        valid = all([forms["form"].is_valid(), forms["record_form"].is_valid(), *[m.is_valid() for m in members]])
        if not valid:
            return None
        return {
            "to_class": forms["form"].cleaned_data["to_class"],
            "photo": forms["form"].cleaned_data.get("photo"),
            "record": {name: forms["record_form"].cleaned_data[name] for name in forms["record_form"].fields},
            "family": [m.cleaned_data for m in members],
        }

    def show_error(self, forms, error: ValidationError):
        if hasattr(error, "error_dict"):
            fields = set(error.message_dict)
            for key in ("record_form", "form"):
                if fields & set(forms[key].fields):
                    form_errors_from(forms[key], error)
                    return
            if "family_members" in fields:
                form_errors_from(forms["family1"], error)
                return
        form_errors_from(forms["form"], error)


class RegistrationStartView(LoginRequiredMixin, RecordEntryMixin, TemplateView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = _membership(request.user)
        if self.membership.role not in (Role.REGISTRAR, Role.CLASS_TEACHER):
            raise PermissionDenied(_("新生信息由学籍管理员或班主任录入。"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        preselected = {"to_class": self.request.GET.get("to_class")} if self.request.method == "GET" else None
        return super().get_context_data(title=_("新生建档"), **{**self.forms(preselected), **kwargs})

    def post(self, request, *args, **kwargs):
        forms = self.forms()
        data = self.submitted(forms)
        if data is not None:
            try:
                with transaction.atomic():
                    req = status_changes.registration_start(by=request.user, **data)
            except ValidationError as error:
                self.show_error(forms, error)
            else:
                if req.possible_duplicate_id:
                    messages.warning(request, _("已提交。注意：已有姓名、性别、出生日期相同的学籍，教导处核准时须核实。"))
                else:
                    messages.success(request, _("新生信息已提交，等待教导处核准。"))
                return redirect("request_detail", pk=req.pk)
        return self.render_to_response(self.get_context_data(**forms))


class RegistrationCorrectView(LoginRequiredMixin, RecordEntryMixin, TemplateView):
    """The one who entered a sent-back registration corrects it: their earlier entries are kept."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = _membership(request.user)
        self.work_item = get_object_or_404(WorkItem, pk=kwargs["pk"], step="correct_by_enterer", finished__isnull=True)
        if not flow_selectors.user_may_act_on(request.user, self.work_item):
            raise Http404
        self.registration = self.work_item.request.coerced
        return super().dispatch(request, *args, **kwargs)

    def initial(self):
        from .record_json import family_from_json, record_from_json

        return {
            "to_class": self.registration.to_class_id,
            "record": {
                name: (value.pk if hasattr(value, "pk") else value)
                for name, value in record_from_json(self.registration.record).items()
            },
            "family": [
                {name: (value.pk if hasattr(value, "pk") else value) for name, value in member.items()}
                for member in family_from_json(self.registration.family)
            ],
        }

    def get_context_data(self, **kwargs):
        returned = WorkItem.objects.filter(request=self.registration, decision=WorkItem.Decision.RETURN).order_by("-finished").first()
        forms = {key: kwargs.pop(key) for key in ("form", "record_form", "family1", "family2") if key in kwargs} or self.forms(self.initial())
        return super().get_context_data(title=_("修改后重新提交"), returned=returned, req=self.registration, **forms, **kwargs)

    def post(self, request, *args, **kwargs):
        forms = self.forms()
        data = self.submitted(forms)
        if data is not None:
            try:
                status_changes.registration_resubmit(work_item=self.work_item, by=request.user, **data)
            except ValidationError as error:
                self.show_error(forms, error)
            else:
                messages.success(request, _("已重新提交，等待教导处核准。"))
                return redirect("request_detail", pk=self.registration.pk)
        return self.render_to_response(self.get_context_data(**forms))


def request_actions_for(user, student: Student) -> list[dict]:
    """The requests this user may start for this student now: the student page's buttons.

    Only what the user's role and the state machine allow; while a request is open, a link to it.
    """
    membership = selectors.membership_of(user)
    if not membership or membership.role != Role.REGISTRAR or membership.school_id != student.school_id:
        return []
    open_request = student.requests.filter(state=Request.State.OPEN).first()
    if open_request:
        return [{"label": _("查看办理中的申请"), "url": reverse("request_detail", args=[open_request.pk]), "primary": True}]
    status = student.status
    actions = []

    def add(label, name):
        actions.append({"label": label, "url": reverse(name, args=[student.pk])})

    if status == Student.Status.ENROLLED:
        add(_("转学（本校转出）"), "transfer_send")
        add(pgettext("action", "转出（市外/省外/境外）"), "transfer_out")
        add(pgettext("action", "休学"), "suspension_start")
        if student.school.bureau.allow_repeat_or_skip:
            add(pgettext("action", "留级/跳级"), "grade_change_start")
    if status == Student.Status.SUSPENDED:
        add(pgettext("action", "续休"), "suspension_start")
    if status in (Student.Status.SUSPENDED, Student.Status.DROPPED_OUT):
        add(pgettext("action", "复学"), "resumption_start")
    if status in (Student.Status.ENROLLED, Student.Status.SUSPENDED):
        add(pgettext("action", "流失/退学/死亡"), "dropout_start")
    elif status in (Student.Status.DROPPED_OUT, Student.Status.GRADUATED):
        add(_("死亡登记"), "dropout_start")
    if status != Student.Status.DECEASED:
        add(pgettext("action", "关键信息变更"), "key_info_change_start")
        add(pgettext("action", "贫困生认定/取消"), "poverty_start")
    return actions
