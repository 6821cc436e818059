"""Year end: graduation certificates and the school-year rollover."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..class_codes import GRADE_CHOICES
from .organisation import Bureau, School, SchoolClass
from .students import Student


class GraduationCertificate(models.Model):
    """毕业证书: one per graduate, its number unique system-wide, issued at the bureau's approval."""

    number = models.CharField(_("毕业证书编号"), max_length=32, unique=True)
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="graduation_certificates"
    )
    school = models.ForeignKey(School, verbose_name=_("毕业学校"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(SchoolClass, verbose_name=_("毕业班级"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("毕业年份"))
    issued_on = models.DateField(_("发证日期"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("毕业证书")
        verbose_name_plural = _("毕业证书")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=r"^[0-9A-Za-z-]{4,32}$"), name="certificate_number_format"),
        ]

    def __str__(self) -> str:
        return self.number


class Rollover(models.Model):
    """升级: every open class of a non-graduating grade moves up one grade, as one batch.

    Its scope is a bureau's schools, or one school. The rows of RolloverClass say what each class
    was and became, so the batch can be previewed, confirmed, and undone.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("执行中")
        APPLIED = "applied", _("已完成")
        FAILED = "failed", _("失败")
        UNDONE = "undone", _("已撤销")

    school_year = models.PositiveSmallIntegerField(_("新学年"), help_text=_("学年开始的年份，如 2025 即 2025—2026 学年。"))
    bureau = models.ForeignKey(
        Bureau, verbose_name=_("教育局"), null=True, blank=True, on_delete=models.PROTECT, related_name="rollovers"
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="rollovers"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    class_count = models.PositiveIntegerField(_("升级班级数"), default=0)
    error = models.TextField(_("失败原因"), blank=True)
    task_id = models.CharField(_("后台任务"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("学年升级")
        verbose_name_plural = _("学年升级")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bureau__isnull=False, school__isnull=True) | Q(bureau__isnull=True, school__isnull=False),
                name="rollover_one_scope",
            ),
            # Running it twice for the same year is refused; the database keeps that too.
            models.UniqueConstraint(
                fields=["bureau", "school_year"],
                condition=Q(state__in=["queued", "running", "applied"]),
                name="rollover_once_per_bureau_year",
            ),
            models.UniqueConstraint(
                fields=["school", "school_year"],
                condition=Q(state__in=["queued", "running", "applied"]),
                name="rollover_once_per_school_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} · {self.bureau or self.school}"

    @property
    def scope(self):
        return self.bureau or self.school


class RolloverClass(models.Model):
    """One class of a rollover: its grade, code and name before and after."""

    rollover = models.ForeignKey(Rollover, verbose_name=_("学年升级"), on_delete=models.CASCADE, related_name="classes")
    school_class = models.ForeignKey(SchoolClass, verbose_name=_("班级"), on_delete=models.PROTECT, related_name="+")
    old_grade = models.PositiveSmallIntegerField(_("原年级"), choices=GRADE_CHOICES)
    new_grade = models.PositiveSmallIntegerField(_("新年级"), choices=GRADE_CHOICES)
    old_code = models.CharField(_("原班级编码"), max_length=12)
    new_code = models.CharField(_("新班级编码"), max_length=12)
    old_name = models.CharField(_("原班级名称"), max_length=32)
    new_name = models.CharField(_("新班级名称"), max_length=32)

    class Meta:
        verbose_name = _("升级班级")
        verbose_name_plural = _("升级班级")
        constraints = [models.UniqueConstraint(fields=["rollover", "school_class"], name="rollover_class_once")]
