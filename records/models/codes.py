"""National code tables (性别, 民族 GB/T 3304, 身份证件类型 …), loaded by migration."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords


class CodeTable(models.TextChoices):
    GENDER = "gender", _("性别")
    ETHNICITY = "ethnicity", _("民族")
    NATIONALITY = "nationality", _("国籍/地区")
    ID_TYPE = "id_type", _("身份证件类型")
    OVERSEAS = "overseas", _("港澳台侨外")
    HEALTH = "health", _("健康状况")
    HOUSEHOLD_TYPE = "household_type", _("户口性质")
    ENTRY_WAY = "entry_way", _("入学方式")
    STUDY_MODE = "study_mode", _("就读方式")
    STUDENT_TYPE = "student_type", _("学生类别")
    DISABILITY = "disability", _("残疾类型")
    LEFT_BEHIND = "left_behind", _("留守儿童")
    TRANSPORT = "transport", _("上下学方式")
    RELATIONSHIP = "relationship", _("关系")
    DROPOUT_REASON = "dropout_reason", _("流失原因")


class Code(models.Model):
    """One entry of a national code table (性别, 民族 GB/T 3304, 身份证件类型 …), loaded by migration."""

    table = models.CharField(_("代码表"), max_length=32, choices=CodeTable.choices)
    code = models.CharField(_("代码"), max_length=8)
    name = models.CharField(_("名称"), max_length=64)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("代码")
        verbose_name_plural = _("代码表")
        ordering = ["table", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="code_unique_in_table")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: the national tables are Chinese, and the small ones
        have English entries under the context "code" (the name itself is what is stored and
        exported)."""
        return pgettext("code", self.name)


def code_field(table: CodeTable, verbose_name, *, null: bool = False, related_name: str = "+"):
    return models.ForeignKey(
        Code,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        limit_choices_to={"table": table},
        null=null,
        blank=null,
        related_name=related_name,
    )
