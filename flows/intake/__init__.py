"""批量新生建档: a registrar's intake file, once its rows are valid, is one request. The academic
office verifies it (acknowledging each possible duplicate), the bureau approves, and only then
are the records created, numbered and placed, all together (policy texts 篇1 第四条: every new
student's information is verified by the academic office before it goes into the system).

    start ─→ verify_by_academic_office ─→ approve_by_bureau ─→ create_records ─→ end
                        │ 不同意                   │ 不同意
                        └──────────→ rejected ←────┘ ─→ end_rejected

This module is the kind (its Flow, start service, verification form, pages and API body); the
upload's validation job is intake/tasks.py, the intake files' endpoints intake/api.py.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from rest_framework import serializers
from viewflow import this
from viewflow.forms import Layout
from viewflow.workflow import flow

from records import selectors
from records.errors import Conflict
from records.forms import form_errors_from
from records.models import IntakeImport, Role
from records.services import (
    intake_import_progress,
    intake_import_submitted,
    intake_rows_still_free,
    students_register_bulk,
    tables_analyze_after_commit,
)
from records.views.access import SignedInMixin
from records.views.intake import visible_import

from ..base import RequestFlow
from ..engine import OPEN_RECORD_REQUEST, new_records_lock, open_record_requests, request_start, require_role
from ..forms import DecisionForm
from ..models import Intake, IntakeEntry, Request, WorkItem
from ..nodes import End, Function, Start
from ..pages import registrar
from ..serializers import StartSerializer, id_field
from ..steps import Step
from .tasks import intake_import_start

# The rows an intake file's page lists; all of them are in the error report.
PREVIEW_ROWS = 50


class IntakeFlow(RequestFlow, flow.Flow):
    """批量新生建档"""

    process_class = Intake
    kind = Request.Kind.INTAKE

    start = Start(this.begin).Next(this.verify_by_academic_office)
    verify_by_academic_office = (
        Step(
            org=this.school,
            title=_lazy("教导处核准批量新生信息"),
            role=Role.ACADEMIC_OFFICE,
            form_class=this.verification_form,
            apply=this.acknowledge_duplicates,
            # The acknowledgements come with the step's data: an approval without them would skip the check.
            form_required=True,
        )
        .Next(this.approve_by_bureau)
        .OnReject(this.rejected)
    )
    approve_by_bureau = (
        Step(org=this.bureau, title=_lazy("教育局审批批量新生建档")).Next(this.create_records).OnReject(this.rejected)
    )
    create_records = Function(this.register).Annotation(title=_lazy("建立学籍、编班")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    @property
    def verification_form(self):
        return VerifyIntakeForm

    def acknowledge_duplicates(self, process, cleaned_data):
        flagged = set(process.coerced.flagged_entries().values_list("pk", flat=True))
        acknowledged = {int(pk) for pk in cleaned_data.get("acknowledged") or ()}
        if flagged - acknowledged:
            raise ValidationError(
                {"acknowledged": _("有疑似重复的新生尚未核实：请逐一核实不是同一人后勾选，或不同意。")}
            )
        IntakeEntry.objects.filter(request=process, pk__in=flagged).update(duplicate_acknowledged=True)

    def register(self, activation):
        request = activation.process
        students_register_bulk(
            rows=[entry.row for entry in request.entries.select_related("row")],
            by=self.last_actor(activation),
            reason=_("批量新生建档（申请 #%(pk)d）") % {"pk": request.pk},
        )
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return IntakeStart

    @property
    def start_pages(self):
        return (
            path("intake/", IntakeUploadView.as_view(), name="intake_upload"),
            path("intake/<int:pk>/", IntakeImportDetailView.as_view(), name="intake_import_detail"),
            path("intake/<int:pk>/submit/", IntakeStartView.as_view(), name="intake_start"),
        )

    def items(self, process):
        return [
            (_("导入文件"), process.source.original_name),
            (_("新生人数"), str(process.entries.count())),
            (_("疑似重复"), str(process.flagged_entries().count())),
        ]

    def details(self, process):
        return {
            "intake_import": process.source_id,
            "file": process.source.original_name,
            "students": process.entries.count(),
            "classes": [{"class_name": name, "count": n} for name, n in process.class_counts()],
            "possible_duplicates": [
                {
                    "entry": e.pk, "row": e.row.row, "name": e.row.name,
                    "duplicate_of_school": e.row.possible_duplicate.school.name if e.row.possible_duplicate else None,
                    "duplicate_row": e.row.duplicate_row, "acknowledged": e.duplicate_acknowledged,
                }
                for e in process.flagged_entries()
            ],
        }

    def start_from_api(self, user, data):
        return intake_start(
            intake_import=visible_import(user, data["intake_import"]), by=user, import_valid_rows=data["import_valid_rows"]
        )


@transaction.atomic
def intake_start(*, intake_import: IntakeImport, by, import_valid_rows: bool = False) -> Intake:
    """Submit an intake file's valid rows as one bulk registration request (批量新生建档).

    A file with errors is refused unless `import_valid_rows` (导入无误的行): then only its valid
    rows go. The valid rows are checked again against the register and the open requests, which
    may have changed since the validation.
    """
    membership = require_role(by, Role.REGISTRAR)
    if membership.school_id != intake_import.school_id:
        raise PermissionDenied(_("只能提交本校的导入文件。"))
    intake_import = IntakeImport.objects.select_for_update().get(pk=intake_import.pk)
    if intake_import.state not in (IntakeImport.State.VALIDATED, IntakeImport.State.HAS_ERRORS):
        raise Conflict(_("该文件%(state)s，不能提交审核。") % {"state": intake_import.get_state_display()}, code="closed")
    if intake_import.error_rows and not import_valid_rows:
        raise ValidationError(
            {"import_valid_rows": _("文件有%(n)d行错误：请按错误报告修改后重新上传，或选择“导入无误的行”。") % {"n": intake_import.error_rows}},
            code="has_errors",
        )
    # (pk, row, name, ID type, ID number): what the checks need, not the records themselves.
    rows = list(
        intake_import.rows.filter(errors={}).order_by("row").values_list("pk", "row", "name", "record__id_type", "id_number")
    )
    if not rows:
        raise ValidationError({"import_valid_rows": _("文件中没有无误的行可以导入。")}, code="nothing_valid")
    changed = intake_rows_still_free((row, id_type, number) for _pk, row, _name, id_type, number in rows)
    new_records_lock(number for *_rest, number in rows)
    held = open_record_requests([number for *_rest, number in rows])
    changed.update({row: str(OPEN_RECORD_REQUEST) for _pk, row, _name, _type, number in rows if number in held})
    if changed:
        raise Conflict(
            [_("第%(row)d行 %(name)s：%(message)s") % {"row": row, "name": name, "message": changed[row]}
             for _pk, row, name, _type, _number in rows if row in changed]
            + [_("校验之后情况已有变化：请修改文件后重新上传。")],
            code="open_request",
        )
    request = request_start(
        IntakeFlow, by=by, school=intake_import.school, source=intake_import,
        reason=_("批量导入新生：%(file)s，%(n)d人") % {"file": intake_import.original_name, "n": len(rows)},
    )
    IntakeEntry.objects.bulk_create([IntakeEntry(request=request, row_id=pk) for pk, *_rest in rows], batch_size=5000)
    tables_analyze_after_commit(IntakeEntry)
    intake_import_submitted(intake_import=intake_import)
    return request


# --- Forms -------------------------------------------------------------------------------------------


class VerifyIntakeForm(DecisionForm):
    """The academic office verifies a bulk registration; each possible duplicate is acknowledged
    on its own, as a single registration's is (flows/registration.py)."""

    acknowledged = forms.MultipleChoiceField(
        label=_lazy("已逐一核实：以下新生与疑似重复的学籍（或表中另一行）不是同一人"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # viewflow's frontend has no element for a list of checkboxes: the task page renders
    # `acknowledged` itself (flows/includes/intake_acknowledge.html), viewflow the rest.
    layout = Layout("decision", "comment")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        request = request.coerced if hasattr(request, "coerced") else request
        self.flagged = list(request.flagged_entries())
        if not self.flagged:
            del self.fields["acknowledged"]
        else:
            self.fields["acknowledged"].choices = [(str(entry.pk), duplicate_label(entry)) for entry in self.flagged]

    def clean(self):
        cleaned = super().clean()
        if self.flagged and cleaned.get("decision") == WorkItem.Decision.APPROVE:
            acknowledged = set(cleaned.get("acknowledged") or ())
            missing = [entry for entry in self.flagged if str(entry.pk) not in acknowledged]
            if missing:
                rows = "、".join(str(entry.row.row) for entry in missing)
                self.add_error(
                    "acknowledged",
                    _("第%(rows)s行有疑似重复学籍尚未核实：请逐一核实不是同一人后勾选，或不同意。") % {"rows": rows},
                )
        return cleaned


def duplicate_label(entry: IntakeEntry) -> str:
    row = entry.row
    if row.possible_duplicate_id:
        twin = row.possible_duplicate
        return _("第%(row)d行 %(name)s：与已有学籍“%(twin)s”（%(school)s）的姓名、性别、出生日期相同") % {
            "row": row.row, "name": row.name, "twin": twin.name, "school": twin.school.name,
        }
    return _("第%(row)d行 %(name)s：与表中第%(other)d行的姓名、性别、出生日期相同") % {
        "row": row.row, "name": row.name, "other": row.duplicate_row,
    }


class IntakeUploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("新生信息文件（.xlsx）"),
        help_text=_lazy("按导入模板填写，一行一名新生；不超过20MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


# --- Pages -------------------------------------------------------------------------------------------


class IntakeUploadView(SignedInMixin, FormView):
    """The registrar's intake page: the template, the upload, and the school's earlier files.
    An upload is checked by a background job; the file's page follows it."""

    template_name = "flows/intake_upload.html"
    form_class = IntakeUploadForm

    def check_access(self, request, *args, **kwargs):
        registrar(request.user)

    def get_context_data(self, **kwargs):
        imports = selectors.intake_imports_visible_to(self.request.user).select_related("intake_request")[:20]
        return super().get_context_data(title=_("批量导入新生"), imports=imports, **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                intake_import = intake_import_start(file=form.cleaned_data["file"], by=self.request.user)
        except ValidationError as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("文件已上传，正在校验。"))
        return redirect("intake_import_detail", pk=intake_import.pk)


class IntakeImportDetailView(SignedInMixin, TemplateView):
    """Where an intake file stands: the progress bar while it is checked, then what was found and
    what the registrar may do with it (提交审核, 导入无误的行), then its request."""

    template_name = "flows/intake_detail.html"

    def check_access(self, request, *args, **kwargs):
        self.intake_import = visible_import(request.user, kwargs["pk"])

    def get_context_data(self, **kwargs):
        intake_import = self.intake_import
        membership = selectors.membership_of(self.request.user)
        is_registrar = bool(
            membership and membership.role == Role.REGISTRAR and membership.school_id == intake_import.school_id
        )
        rows = intake_import.rows.order_by("row")
        return super().get_context_data(
            intake_import=intake_import,
            progress=intake_import_progress(intake_import),
            error_rows=rows.exclude(errors={})[:PREVIEW_ROWS],
            flagged=rows.filter(errors={}).exclude(possible_duplicate=None, duplicate_row=None)
            .select_related("possible_duplicate__school")[:PREVIEW_ROWS],
            preview_rows=PREVIEW_ROWS,
            can_submit=is_registrar and intake_import.state in (IntakeImport.State.VALIDATED, IntakeImport.State.HAS_ERRORS)
            and intake_import.valid_rows > 0,
            is_registrar=is_registrar,
            **kwargs,
        )


class IntakeStartView(SignedInMixin, View):
    """提交审核 (a file without errors) or 导入无误的行 (only its valid rows): one request."""

    def post(self, request, pk):
        intake_import = visible_import(request.user, pk)
        try:
            req = intake_start(
                intake_import=intake_import, by=request.user, import_valid_rows=bool(request.POST.get("import_valid_rows"))
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("intake_import_detail", pk=pk)
        messages.success(
            request, _("已提交审核（%(kind)s #%(pk)d），等待教导处核准。") % {"kind": req.get_kind_display(), "pk": req.pk}
        )
        return redirect("request_detail", pk=req.pk)


# --- API ---------------------------------------------------------------------------------------------


class IntakeStart(StartSerializer):
    """批量新生建档: submit the valid rows of an intake file (upload it to /intake-imports/ first and
    wait until it has `finished`). A file with errors is refused unless `import_valid_rows`."""

    kind_value = Request.Kind.INTAKE
    intake_import = id_field(help_text="id of the validated intake file")
    import_valid_rows = serializers.BooleanField(default=False, help_text="导入无误的行: only the valid rows")
