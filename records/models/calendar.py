"""A bureau's term calendar: terms and the periods in which transfers may be started."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .organisation import Bureau


class Term(models.Model):
    """A term of a bureau's calendar (学期)."""

    bureau = models.ForeignKey(Bureau, verbose_name=_("教育局"), on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("学期名称"), max_length=50)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["bureau", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="term_ends_after_start"),
            models.UniqueConstraint(fields=["bureau", "name"], name="term_name_unique_in_bureau"),
        ]

    def __str__(self) -> str:
        return self.name


class TransferWindow(models.Model):
    """A period in which transfers may be started (转学办理时间). Without any, the first and
    last week of each term are the windows."""

    bureau = models.ForeignKey(
        Bureau, verbose_name=_("教育局"), on_delete=models.CASCADE, related_name="transfer_windows"
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("转学办理时间")
        verbose_name_plural = _("转学办理时间")
        ordering = ["bureau", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="transfer_window_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"
