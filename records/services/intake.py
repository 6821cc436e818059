"""批量导入新生: an intake file a registrar uploads, the validation job's state and progress, and
what the validation found (records.services.intake_rows checks the rows).

The job's state and progress are written to the IntakeImport row as it goes, so that its page
follows it from PostgreSQL while Redis is down. The job itself runs in flows (flows/intake/),
which adds the open requests' refusals before the result is kept here.
"""

from __future__ import annotations

import datetime
import json
import os

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import IntakeImport, IntakeRow, Role
from ..record_json import items_to_json
from ..selectors import membership_of
from ..student_sheets import Codes, ErrorRow, IntakeSheet, error_workbook
from .table_statistics import tables_analyze_after_commit
from .intake_rows import CheckedRow, IntakeCheck, RowReader, possible_duplicates_flag, rows_check

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The page's progress bar moves every this many rows.
PROGRESS_EVERY = 500
# Rows per INSERT where COPY is not at hand (SQLite).
INSERT_BATCH = 1000
# A queued job the broker never carried is run by the sweep after this long; a running one whose
# progress has not moved for as long as Celery lets a task run has lost its worker.
QUEUED_RETRY_AFTER = datetime.timedelta(minutes=2)
RUNNING_LOST_AFTER = datetime.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 1800))


# --- The file and its job ---------------------------------------------------------------------------


@transaction.atomic
def intake_import_create(*, file, by) -> IntakeImport:
    """A registrar uploads an intake file of their school; its validation job waits, queued."""
    membership = membership_of(by)
    if not (membership and membership.role == Role.REGISTRAR and membership.school_id):
        raise PermissionDenied(_("只有学校的学籍管理员可以批量导入新生。"))
    if file is None:
        raise ValidationError({"file": _("请选择要导入的 Excel 文件。")})
    if not file.name.lower().endswith(".xlsx"):
        raise ValidationError({"file": _("请上传 .xlsx 格式的 Excel 文件（可先下载导入模板）；.xls 请先另存为 .xlsx。")})
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("文件不能超过20MB；人数很多时请按年级分成几个文件导入。")})
    return IntakeImport.objects.create(
        school=membership.school, uploaded_by=by, file=file, original_name=os.path.basename(file.name)[:200]
    )


def intake_import_claim(*, intake_import_id: int) -> IntakeImport | None:
    """Take a queued job (or one whose worker was lost) for this worker; None when another has it
    or it has finished: a message delivered twice does the work once."""
    now = timezone.now()
    claimed = (
        IntakeImport.objects.filter(pk=intake_import_id)
        .filter(Q(state=IntakeImport.State.QUEUED) | Q(state=IntakeImport.State.RUNNING, progress_at__lt=now - RUNNING_LOST_AFTER))
        .update(state=IntakeImport.State.RUNNING, progress_at=now, done_rows=0, total_rows=0)
    )
    return IntakeImport.objects.select_related("school", "uploaded_by").get(pk=intake_import_id) if claimed else None


def intake_imports_waiting() -> list[int]:
    """Jobs nobody is working on: queued longer than a broker takes, or running with a lost worker."""
    now = timezone.now()
    return list(
        IntakeImport.objects.filter(
            Q(state=IntakeImport.State.QUEUED, created_at__lt=now - QUEUED_RETRY_AFTER)
            | Q(state=IntakeImport.State.RUNNING, progress_at__lt=now - RUNNING_LOST_AFTER)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )


def intake_import_progress(intake_import: IntakeImport) -> dict:
    """What the progress bar shows, read from the database."""
    return {
        "id": intake_import.pk,
        "state": intake_import.state,
        "state_display": intake_import.get_state_display(),
        "done": intake_import.done_rows,
        "total": intake_import.total_rows,
        "valid_rows": intake_import.valid_rows,
        "error_rows": intake_import.error_rows,
        "flagged_rows": intake_import.flagged_rows,
        "finished": intake_import.finished,
        "error": intake_import.error,
    }


def _progress(intake_import: IntakeImport, done: int, total: int) -> None:
    IntakeImport.objects.filter(pk=intake_import.pk).update(
        done_rows=done, total_rows=max(total, done), progress_at=timezone.now()
    )


def intake_import_fail(*, intake_import_id: int, error: str) -> None:
    """The file cannot be read (or the job broke): the page says why; nothing is kept."""
    IntakeImport.objects.filter(pk=intake_import_id).update(
        state=IntakeImport.State.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def intake_rows_check(*, intake_import: IntakeImport) -> IntakeCheck:
    """Read the file once, as a stream, and check every row (records.services.intake_rows),
    writing the progress as it goes; raises ValidationError when the file cannot be read as an
    intake file."""
    intake_import.file.open("rb")
    try:
        sheet = IntakeSheet(intake_import.file)
        try:
            reader = RowReader(sheet, intake_import.school, Codes())
            total = sheet.estimated_rows
            _progress(intake_import, 0, total)
            rows = []
            for number, values in sheet.rows():
                rows.append(reader.read(number, values))
                if len(rows) % PROGRESS_EVERY == 0:
                    _progress(intake_import, len(rows), total)
            headers = sheet.headers
        finally:
            sheet.close()
    finally:
        intake_import.file.close()
    if not rows:
        raise ValidationError({"file": _("文件中没有学生数据：请在表头下面逐行填写新生信息。")}, code="empty")
    rows_check(rows)
    _progress(intake_import, len(rows), len(rows))
    return IntakeCheck(headers=headers, rows=rows)


# --- Keeping what was found -------------------------------------------------------------------------


def _stored(checked: CheckedRow, intake_import: IntakeImport) -> IntakeRow:
    if checked.errors:
        return IntakeRow(
            intake_import=intake_import, row=checked.row, name=str(checked.data.get("name", ""))[:50],
            id_number=checked.id_number[:32], errors=checked.errors,
        )
    return IntakeRow(
        intake_import=intake_import,
        row=checked.row,
        school_class=checked.school_class,
        name=checked.data["name"],
        id_number=checked.id_number,
        record=items_to_json(checked.data),
        family=[items_to_json(member) for member in checked.family],
        possible_duplicate_id=checked.possible_duplicate_id,
        duplicate_row=checked.duplicate_row,
    )


_KEPT_FIELDS = (
    "intake_import", "row", "school_class", "name", "id_number", "record", "family", "errors", "possible_duplicate",
    "duplicate_row", "student",
)


def _rows_keep(rows: list[IntakeRow]) -> None:
    """Insert the rows. On PostgreSQL with COPY: bulk_create's arrays of JSON are quoted by psycopg
    in Python, character by character, which took longer than reading the file."""
    if connection.vendor != "postgresql":
        IntakeRow.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        return
    fields = [IntakeRow._meta.get_field(name) for name in _KEPT_FIELDS]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(IntakeRow._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([
                json.dumps(value, ensure_ascii=False) if isinstance(f, models.JSONField) else value
                for f in fields
                for value in (getattr(row, f.attname),)
            ])


@transaction.atomic
def intake_import_finish(*, intake_import: IntakeImport, check: IntakeCheck) -> IntakeImport:
    """Keep the rows the validation found, write the error report, and say how it went."""
    intake_import = IntakeImport.objects.select_for_update().get(pk=intake_import.pk)
    possible_duplicates_flag(check.rows)
    intake_import.rows.all().delete()
    _rows_keep([_stored(r, intake_import) for r in check.rows])
    tables_analyze_after_commit(IntakeRow)
    bad = [r for r in check.rows if r.errors]
    if bad:
        report = error_workbook(check.headers, (ErrorRow(r.row, r.values, r.errors) for r in bad))
        stem = os.path.splitext(intake_import.original_name)[0]
        intake_import.error_file.save(f"{stem}_错误报告.xlsx", ContentFile(report), save=False)
    intake_import.total_rows = intake_import.done_rows = len(check.rows)
    intake_import.error_rows = len(bad)
    intake_import.valid_rows = len(check.rows) - len(bad)
    intake_import.flagged_rows = sum(
        1 for r in check.rows if not r.errors and (r.possible_duplicate_id or r.duplicate_row)
    )
    intake_import.state = IntakeImport.State.HAS_ERRORS if bad else IntakeImport.State.VALIDATED
    intake_import.finished_at = intake_import.progress_at = timezone.now()
    intake_import.save()
    return intake_import


@transaction.atomic
def intake_import_submitted(*, intake_import: IntakeImport) -> IntakeImport:
    """Its valid rows are now a bulk registration request (flows started it in this transaction)."""
    intake_import = IntakeImport.objects.select_for_update().get(pk=intake_import.pk)
    if intake_import.state not in (IntakeImport.State.VALIDATED, IntakeImport.State.HAS_ERRORS):
        raise ValidationError(
            _("该文件%(state)s，不能提交审核。") % {"state": intake_import.get_state_display()}, code="closed"
        )
    intake_import.state = IntakeImport.State.SUBMITTED
    intake_import.save(update_fields=["state"])
    return intake_import
