"""Dropout follow-ups (控辍保学跟踪): what the schools and bureaus did to bring a dropped-out child back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..text_lengths import FOLLOW_UP_NOTE_MAX_LENGTH
from .students import Student


class DropoutFollowUp(models.Model):
    """One follow-up of a dropped-out student (控辍保学跟踪): who followed up, when, how, the result."""

    class Method(models.TextChoices):
        HOME_VISIT = "home_visit", _("上门家访")
        PHONE = "phone", _("电话联系")
        VILLAGE = "village", _("联系村（居）委会")
        OTHER_SCHOOL = "other_school", _("联系就读学校")
        OTHER = "other", _("其他方式")

    class Result(models.TextChoices):
        PERSUADING = "persuading", _("劝返中")
        RETURNED = "returned", _("已返校")
        STUDYING_ELSEWHERE = "studying_elsewhere", _("已在外地就读")
        UNREACHABLE = "unreachable", _("无法联系")
        OTHER = "other", _("其他")

    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="follow_ups")
    followed_up_on = models.DateField(_("跟踪日期"))
    followed_up_by = models.CharField(_("跟踪人"), max_length=100)
    method = models.CharField(_("跟踪方式"), max_length=16, choices=Method.choices)
    result = models.CharField(_("跟踪结果"), max_length=24, choices=Result.choices)
    note = models.TextField(_("情况说明"), blank=True, max_length=FOLLOW_UP_NOTE_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("控辍保学跟踪记录")
        verbose_name_plural = _("控辍保学跟踪记录")
        ordering = ["student", "-followed_up_on", "-pk"]
        indexes = [models.Index(fields=["student", "-followed_up_on", "-id"], name="follow_up_latest")]
        constraints = [
            models.CheckConstraint(condition=~Q(followed_up_by=""), name="follow_up_has_person"),
        ]

    def __str__(self) -> str:
        return f"{self.student.name} {self.followed_up_on} {self.get_result_display()}"
