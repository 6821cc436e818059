"""Regions, the bureaus that govern them, their schools and the schools' classes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..class_codes import GRADE_CHOICES, GRADE_NAMES


class Region(models.Model):
    """An administrative division by its GB/T 2260 code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县/区")

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True) | (~Q(level="province") & Q(parent__isnull=False)),
                name="region_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Bureau(models.Model):
    """The education bureau of one region (教育局); its code is the region's code."""

    code = models.CharField(_("机构代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    region = models.OneToOneField(Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="bureau")
    allow_repeat_or_skip = models.BooleanField(_("允许留级/跳级"), default=False)
    step_due_working_days = models.PositiveSmallIntegerField(_("审批时限（工作日）"), default=10)
    transfer_in_evidence_required = models.BooleanField(
        _("接收转学须户口簿和接收证明"),
        default=True,
        help_text=_("本局学校接收转学时，须上传学生户口簿和迁入地教育主管部门同意接收证明（篇10 三.一.1）。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("教育局")
        verbose_name_plural = _("教育局")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="bureau_code_six_digits")]

    def __str__(self) -> str:
        return self.name

    @property
    def parent(self) -> Bureau | None:
        parent_region = self.region.parent
        return getattr(parent_region, "bureau", None) if parent_region else None


class School(models.Model):
    class Type(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初级中学")
        NINE_YEAR = "nine_year", _("九年一贯制学校")
        SENIOR = "senior", _("高级中学")

    GRADES = {
        Type.PRIMARY: range(1, 7),
        Type.JUNIOR: range(7, 10),
        Type.NINE_YEAR: range(1, 10),
        Type.SENIOR: range(10, 13),
    }

    identifier = models.CharField(_("学校标识码"), max_length=10, unique=True)
    name = models.CharField(_("学校名称"), max_length=100)
    type = models.CharField(_("办学类型"), max_length=16, choices=Type.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在县区"), on_delete=models.PROTECT, related_name="schools")
    bureau = models.ForeignKey(Bureau, verbose_name=_("主管教育局"), on_delete=models.PROTECT, related_name="schools")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["identifier"]
        constraints = [
            models.CheckConstraint(condition=Q(identifier__regex=r"^[0-9]{10}$"), name="school_identifier_ten_digits")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def grades(self) -> range:
        return self.GRADES[self.type]


class SchoolClass(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("在读")
        GRADUATED = "graduated", _("已毕业")
        DISSOLVED = "dissolved", _("已撤销")

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="classes")
    code = models.CharField(_("班级编码"), max_length=12, unique=True, editable=False)
    name = models.CharField(_("班级名称"), max_length=32)
    grade = models.PositiveSmallIntegerField(_("年级"), choices=GRADE_CHOICES)
    sequence = models.PositiveSmallIntegerField(_("序号"), editable=False)
    entry_year = models.PositiveSmallIntegerField(_("入学年份"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["school", "grade", "sequence"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{12}$"), name="class_code_twelve_digits"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=12), name="class_grade_1_to_12"),
            models.CheckConstraint(condition=Q(sequence__gte=1, sequence__lte=999), name="class_sequence_1_to_999"),
            models.UniqueConstraint(
                fields=["school", "name"], condition=Q(state="open"), name="class_open_name_unique_in_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.name}"

    @property
    def grade_name(self) -> str:
        return str(GRADE_NAMES[self.grade])
