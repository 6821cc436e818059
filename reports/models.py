"""What a school files with its bureau: the term report of status changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from records.models import School


class TermReportSubmission(models.Model):
    """A school filed its term report of status changes with its bureau (学期学籍异动报表报送).

    The term is kept by name and dates, not by a key: a bureau's calendar is replaced as a whole
    when it changes, and what was filed must stay on record.
    """

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="term_reports")
    term_name = models.CharField(_("学期"), max_length=50)
    period_start = models.DateField(_("统计起始日期"))
    period_end = models.DateField(_("统计截止日期"))
    change_count = models.PositiveIntegerField(_("异动人次"))
    note = models.CharField(_("报送说明"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学期异动报表报送")
        verbose_name_plural = _("学期异动报表报送")
        ordering = ["school", "term_name", "-submitted_at", "-pk"]
        indexes = [models.Index(fields=["term_name", "school", "-submitted_at"], name="term_report_latest")]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="term_report_period"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.term_name}"
