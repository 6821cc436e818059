"""批量导入新生: an intake spreadsheet a registrar uploads, the job that validates it, and its rows.

The job's state and progress live here, in PostgreSQL, so that its page answers while Redis (the
broker and the cache) is down. Its rows are what the validation found: the cleaned record of each
valid row, or the messages of a row with errors. A valid row becomes a student only when the
bulk registration request that carries it is approved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .organisation import School, SchoolClass
from .students import Student


def intake_path(instance: IntakeImport, filename: str) -> str:
    return f"intake/{instance.school_id}/{filename}"


class IntakeImport(models.Model):
    """One uploaded intake file and its validation job (学籍导入)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("校验中")
        VALIDATED = "validated", _("校验通过")
        HAS_ERRORS = "has_errors", _("有错误")
        FAILED = "failed", _("无法读取")
        SUBMITTED = "submitted", _("已提交审核")

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="intake_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("导入文件"), upload_to=intake_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    done_rows = models.PositiveIntegerField(_("已校验行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("无误行数"), default=0)
    error_rows = models.PositiveIntegerField(_("有错误行数"), default=0)
    flagged_rows = models.PositiveIntegerField(_("疑似重复行数"), default=0)
    error_file = models.FileField(_("错误报告"), upload_to=intake_path, blank=True)
    error = models.TextField(_("无法读取的原因"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # Written with every progress update: a running job whose worker died stops moving.
    progress_at = models.DateTimeField(_("最近进度"), null=True, blank=True)
    finished_at = models.DateTimeField(_("校验完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学籍导入")
        verbose_name_plural = _("学籍导入")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "progress_at"], condition=Q(state__in=["queued", "running"]), name="intake_import_waiting"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(done_rows__lte=models.F("total_rows")), name="intake_import_done_within_total"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.school}"

    @property
    def finished(self) -> bool:
        return self.state not in (self.State.QUEUED, self.State.RUNNING)


class IntakeRow(models.Model):
    """One row of an intake file as the validation found it: a cleaned record, or its errors."""

    intake_import = models.ForeignKey(IntakeImport, verbose_name=_("学籍导入"), on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("行号"), help_text=_("在上传文件中的行号（含表头行）。"))
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("编入班级"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_number = models.CharField(_("身份证件号"), max_length=32, blank=True)
    # Coded items as their national codes, dates as ISO text (records.record_json).
    record = models.JSONField(_("学籍信息"), default=dict)
    family = models.JSONField(_("家庭成员"), default=list)
    errors = models.JSONField(_("错误"), default=dict, blank=True, help_text=_("列名 → 错误说明；为空即无误。"))
    possible_duplicate = models.ForeignKey(
        Student, verbose_name=_("疑似重复学籍"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_row = models.PositiveIntegerField(
        _("疑似重复的行"), null=True, blank=True, help_text=_("同一文件中姓名、性别、出生日期相同的另一行。")
    )
    student = models.ForeignKey(
        Student, verbose_name=_("建立的学籍"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        ordering = ["intake_import", "row"]
        indexes = [
            # One person, one record: the ID numbers that open intakes hold are looked up by number.
            models.Index(fields=["id_number"], condition=~Q(id_number=""), name="intake_row_id_number"),
        ]
        constraints = [models.UniqueConstraint(fields=["intake_import", "row"], name="intake_row_once")]

    def __str__(self) -> str:
        return f"{self.intake_import_id}:{self.row} {self.name}"

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def flagged(self) -> bool:
        return self.possible_duplicate_id is not None or self.duplicate_row is not None
