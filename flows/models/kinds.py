"""The request of each kind: a viewflow Process subclass with what that kind asks for.

The fields only; what a kind does with them is in its module (flows/<kind>.py)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from records.models import IntakeImport, IntakeRow, School, SchoolClass, Student
from records.text_lengths import NOTE_MAX_LENGTH

from .requests import Request


class Transfer(Request):
    """转学 within the system."""

    class Order(models.TextChoices):
        RECEIVING = "receiving", _("转入学校发起")
        SENDING = "sending", _("转出学校发起")

    order = models.CharField(_("发起方"), max_length=16, choices=Order.choices)
    from_school = models.ForeignKey(School, verbose_name=_("转出学校"), on_delete=models.PROTECT, related_name="+")
    from_class = models.ForeignKey(SchoolClass, verbose_name=_("原班级"), on_delete=models.PROTECT, related_name="+")
    to_school = models.ForeignKey(School, verbose_name=_("转入学校"), on_delete=models.PROTECT, related_name="+")
    to_class = models.ForeignKey(
        SchoolClass, verbose_name=_("转入班级"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_on = models.DateField(_("转学完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("转学申请")
        verbose_name_plural = _("转学申请")


class TransferCancellation(Request):
    """撤销转学: reverses a completed transfer within 10 days; the other school approves."""

    original = models.ForeignKey(Transfer, verbose_name=_("原转学申请"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("撤销转学申请")
        verbose_name_plural = _("撤销转学申请")


class TransferOut(Request):
    """转至市外/省外/境外: the student leaves the system and is recorded as dropped out."""

    class Scope(models.TextChoices):
        OTHER_CITY = "city", _("市外")
        OTHER_PROVINCE = "province", _("省外")
        ABROAD = "abroad", _("境外")

    scope = models.CharField(_("转往范围"), max_length=16, choices=Scope.choices)
    destination = models.CharField(_("转往地（省市或国家）"), max_length=100)

    class Meta:
        verbose_name = _("转出申请")
        verbose_name_plural = _("转出申请")


class TransferIn(Request):
    """外地转入: a new record for a student from outside the system, created at the last approval."""

    to_class = models.ForeignKey(SchoolClass, verbose_name=_("编入班级"), on_delete=models.PROTECT, related_name="+")
    record = models.JSONField(_("学籍信息"), default=dict)
    family = models.JSONField(_("家庭成员"), default=list)
    previous_school = models.CharField(_("原就读学校"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("转入申请")
        verbose_name_plural = _("转入申请")


class WholeClassTransfer(Request):
    """整班转学: every student of a class moves to the receiving school together, or none does."""

    from_class = models.ForeignKey(SchoolClass, verbose_name=_("转出班级"), on_delete=models.PROTECT, related_name="+")
    to_school = models.ForeignKey(School, verbose_name=_("转入学校"), on_delete=models.PROTECT, related_name="+")
    to_class = models.ForeignKey(
        SchoolClass, verbose_name=_("转入班级"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_class_name = models.CharField(
        _("新建班级名称"), max_length=32, blank=True, help_text=_("不选已有班级时，终审通过后按此名称新建班级。")
    )

    class Meta:
        verbose_name = _("整班转学申请")
        verbose_name_plural = _("整班转学申请")

    @property
    def from_school(self) -> School:
        return self.from_class.school


class Registration(Request):
    """新生建档: a new record, verified by the academic office and approved by the bureau."""

    to_class = models.ForeignKey(SchoolClass, verbose_name=_("编入班级"), on_delete=models.PROTECT, related_name="+")
    record = models.JSONField(_("学籍信息"), default=dict)
    family = models.JSONField(_("家庭成员"), default=list)
    photo = models.ImageField(_("照片"), upload_to="registration_photos/%Y/", blank=True)
    possible_duplicate = models.ForeignKey(
        Student, verbose_name=_("疑似重复学籍"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_acknowledged = models.BooleanField(_("已核实疑似重复"), default=False)

    class Meta:
        verbose_name = _("新生建档申请")
        verbose_name_plural = _("新生建档申请")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("疾病")
    OTHER = "other", _("其他原因")


class Suspension(Request):
    """休学 (and 续休, an extension of a suspended student): until the end date."""

    cause = models.CharField(_("休学原因"), max_length=16, choices=Cause.choices)
    start_date = models.DateField(_("休学开始日期"))
    end_date = models.DateField(_("休学截止日期"))
    extension = models.BooleanField(_("续休"), default=False)
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("所在班级"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    graduating_grade = models.BooleanField(
        _("毕业年级"), default=False, help_text=_("毕业年级休学须校长、班主任签字（篇10 五.五）。")
    )
    suspended_at = models.DateTimeField(
        _("休学生效时间"), null=True, blank=True,
        help_text=_("开始日期在批准之后的，到开始日期才生效；在此之前学生照常在班。"),
    )

    class Meta:
        verbose_name = _("休学申请")
        verbose_name_plural = _("休学申请")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="suspension_ends_after_start")
        ]


class Resumption(Request):
    """复学 at the original school."""

    cause = models.CharField(_("休学/离校原因"), max_length=16, choices=Cause.choices, default=Cause.OTHER)
    to_class = models.ForeignKey(
        SchoolClass, verbose_name=_("复学班级"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("不选则回原班级。离校超过三个月的，可编入低一个年级的班级。"),
    )

    class Meta:
        verbose_name = _("复学申请")
        verbose_name_plural = _("复学申请")


class Dropout(Request):
    """流失 / 退学 / 死亡."""

    reason_code = models.ForeignKey(
        "records.Code", verbose_name=_("流失原因"), on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"table": "dropout_reason"},
    )
    remark = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("流失/退学/死亡申请")
        verbose_name_plural = _("流失/退学/死亡申请")


class GradeChange(Request):
    """留级 / 跳级: exactly one grade down or up, in the same school."""

    from_class = models.ForeignKey(SchoolClass, verbose_name=_("原班级"), on_delete=models.PROTECT, related_name="+")
    to_class = models.ForeignKey(SchoolClass, verbose_name=_("调入班级"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("留级/跳级申请")
        verbose_name_plural = _("留级/跳级申请")


class KeyInfoChange(Request):
    """关键信息变更: name, gender, birth date, ID type, ID number, with evidence."""

    changes = models.JSONField(_("变更内容"), default=dict)
    previous = models.JSONField(_("原信息"), default=dict)

    class Meta:
        verbose_name = _("关键信息变更申请")
        verbose_name_plural = _("关键信息变更申请")


class PovertyChange(Request):
    """贫困生认定 / 取消."""

    class Action(models.TextChoices):
        IDENTIFY = "identify", _("认定")
        CANCEL = "cancel", _("取消")

    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    note = models.TextField(_("说明"), blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        verbose_name = _("贫困生认定/取消申请")
        verbose_name_plural = _("贫困生认定/取消申请")


class Graduation(Request):
    """毕业: one graduating class; every student included gets a certificate number, or is
    excluded with a reason and stays enrolled."""

    school_class = models.ForeignKey(SchoolClass, verbose_name=_("毕业班级"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("毕业年份"))

    class Meta:
        verbose_name = _("毕业申请")
        verbose_name_plural = _("毕业申请")


class GraduationEntry(models.Model):
    """One student of a graduation request: the proposed certificate number, or the exclusion."""

    request = models.ForeignKey(Graduation, verbose_name=_("毕业申请"), on_delete=models.CASCADE, related_name="entries")
    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="+")
    certificate_number = models.CharField(_("毕业证书编号"), max_length=32, blank=True)
    excluded = models.BooleanField(_("不予毕业"), default=False)
    exclude_reason = models.CharField(_("不予毕业原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("毕业学生")
        verbose_name_plural = _("毕业学生")
        ordering = ["request", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "student"], name="graduation_entry_once"),
            models.CheckConstraint(
                condition=Q(excluded=True, certificate_number="") & ~Q(exclude_reason="")
                | Q(excluded=False) & ~Q(certificate_number=""),
                name="graduation_entry_number_or_reason",
            ),
        ]


class Promotion(Request):
    """升学: a middle school takes primary graduates of its bureau's region into its first-year classes."""

    class Meta:
        verbose_name = _("升学申请")
        verbose_name_plural = _("升学申请")


class PromotionEntry(models.Model):
    request = models.ForeignKey(Promotion, verbose_name=_("升学申请"), on_delete=models.CASCADE, related_name="entries")
    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="+")
    to_class = models.ForeignKey(SchoolClass, verbose_name=_("编入班级"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("升学学生")
        verbose_name_plural = _("升学学生")
        ordering = ["request", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "student"], name="promotion_entry_once")]


class Intake(Request):
    """批量新生建档: the valid rows of one intake file, verified by the academic office and
    approved by the bureau as one request; the records are created at the last approval."""

    source = models.OneToOneField(
        IntakeImport, verbose_name=_("导入文件"), on_delete=models.PROTECT, related_name="intake_request"
    )

    class Meta:
        verbose_name = _("批量新生建档申请")
        verbose_name_plural = _("批量新生建档申请")

    def class_counts(self) -> list[tuple[str, int]]:
        """(class name, new students) for each class the intake places students in."""
        rows = (
            self.entries.values("row__school_class__name", "row__school_class__grade", "row__school_class__sequence")
            .annotate(n=models.Count("pk"))
            .order_by("row__school_class__grade", "row__school_class__sequence")
        )
        return [(row["row__school_class__name"], row["n"]) for row in rows]

    def flagged_entries(self):
        """The entries that look like an existing record or like another row: each is acknowledged."""
        return (
            self.entries.filter(Q(row__possible_duplicate__isnull=False) | Q(row__duplicate_row__isnull=False))
            .select_related("row__possible_duplicate__school", "row__school_class")
            .order_by("row__row")
        )


class IntakeEntry(models.Model):
    """One new student of a bulk registration: a validated row of the file."""

    request = models.ForeignKey(Intake, verbose_name=_("批量新生建档申请"), on_delete=models.CASCADE, related_name="entries")
    row = models.OneToOneField(IntakeRow, verbose_name=_("导入行"), on_delete=models.PROTECT, related_name="entry")
    duplicate_acknowledged = models.BooleanField(_("已核实疑似重复"), default=False)

    class Meta:
        verbose_name = _("批量建档学生")
        verbose_name_plural = _("批量建档学生")
        ordering = ["request", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.row.row} {self.row.name}"
