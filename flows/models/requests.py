"""What every request has: the request itself, the students it is about, its evidence, and its
steps (the org-scoped work items that inboxes and queues read)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow.workflow.models import Process, Task

from records.models import Bureau, Role, School, Student
from records.text_lengths import COMMENT_MAX_LENGTH, REASON_MAX_LENGTH


class Request(Process):
    """What every request has: who asked, for whom, why, and where it stands."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", pgettext_lazy("request kind", "转学")
        TRANSFER_CANCEL = "transfer_cancel", pgettext_lazy("request kind", "撤销转学")
        TRANSFER_OUT = "transfer_out", pgettext_lazy("request kind", "转出（市外/省外/境外）")
        TRANSFER_IN = "transfer_in", pgettext_lazy("request kind", "外地转入")
        WHOLE_CLASS_TRANSFER = "whole_class_transfer", pgettext_lazy("request kind", "整班转学")
        REGISTRATION = "registration", pgettext_lazy("request kind", "新生建档")
        SUSPENSION = "suspension", pgettext_lazy("request kind", "休学")
        RESUMPTION = "resumption", pgettext_lazy("request kind", "复学")
        DROPOUT = "dropout", pgettext_lazy("request kind", "流失/退学/死亡")
        GRADE_CHANGE = "grade_change", pgettext_lazy("request kind", "留级/跳级")
        KEY_INFO_CHANGE = "key_info_change", pgettext_lazy("request kind", "关键信息变更")
        POVERTY = "poverty", pgettext_lazy("request kind", "贫困生认定/取消")
        GRADUATION = "graduation", pgettext_lazy("request kind", "毕业")
        PROMOTION = "promotion", pgettext_lazy("request kind", "升学")
        INTAKE = "intake", pgettext_lazy("request kind", "批量新生建档")

    class State(models.TextChoices):
        OPEN = "open", _("办理中")
        COMPLETED = "completed", _("已办结")
        REJECTED = "rejected", _("已驳回")
        WITHDRAWN = "withdrawn", _("已撤回")
        LAPSED = "lapsed", _("已过期")
        CANCELLED = "cancelled", _("已撤销")

    kind = models.CharField(_("业务类型"), max_length=32, choices=Kind.choices)
    state = models.CharField(_("办理状态"), max_length=16, choices=State.choices, default=State.OPEN)
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    school = models.ForeignKey(School, verbose_name=_("发起学校"), on_delete=models.PROTECT, related_name="+")
    other_school = models.ForeignKey(
        School,
        verbose_name=_("对方学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("转学等涉及两所学校的业务中的另一所学校；两校都能查看办理进度。"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField(_("申请人姓名"), max_length=50, blank=True)
    applicant_relationship = models.CharField(_("与学生关系"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("申请人电话"), max_length=20, blank=True)
    reason = models.TextField(_("申请理由"), blank=True, max_length=REASON_MAX_LENGTH)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_comment = models.TextField(_("办结说明"), blank=True, max_length=COMMENT_MAX_LENGTH)

    class Meta:
        verbose_name = _("学籍异动申请")
        verbose_name_plural = _("学籍异动申请")
        indexes = [
            models.Index(fields=["school", "state"], name="request_school_state"),
            models.Index(fields=["other_school", "state"], name="request_other_school_state"),
            models.Index(fields=["student", "state"], name="request_student_state"),
            models.Index(fields=["kind"], condition=Q(state="open"), name="request_open_by_kind"),
            # The statistics and term reports count completed requests by the day they closed.
            models.Index(fields=["state", "closed_at"], name="request_state_closed_at"),
        ]

    def __str__(self) -> str:
        who = self.student.name if self.student_id else ""
        return f"{self.get_kind_display()} {who} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class RequestStudent(models.Model):
    """The students a request is about. A student is in at most one open request at a time."""

    request = models.ForeignKey(Request, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="students")
    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="+")
    open = models.BooleanField(_("办理中"), default=True)

    class Meta:
        verbose_name = _("申请涉及学生")
        verbose_name_plural = _("申请涉及学生")
        constraints = [
            models.UniqueConstraint(fields=["request", "student"], name="request_student_once"),
            # One open request per student (a rule of every flow), kept by the database.
            models.UniqueConstraint(fields=["student"], condition=Q(open=True), name="one_open_request_per_student"),
        ]


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.request_id}/{filename}"


class Evidence(models.Model):
    """A scanned document the registrar logged with the parent's request (户口簿, 居住证明 …)."""

    class Kind(models.TextChoices):
        HOUSEHOLD_REGISTER = "household_register", _("户口簿")
        ACCEPTANCE = "acceptance", _("接收证明")
        RESIDENCE = "residence", _("居住证明")
        APPLICATION = "application", _("书面申请")
        DIAGNOSIS = "diagnosis", _("医院诊断证明")
        CERTIFICATE = "certificate", _("证明文件")
        OTHER = "other", _("其他材料")

    request = models.ForeignKey(Request, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("材料类型"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("文件"), upload_to=evidence_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file.name.rsplit('/', 1)[-1]}"

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class WorkItem(models.Model):
    """One human step: the org-scoped index that inboxes and queues read, and the step's decision.

    Written in the same transaction as viewflow's task. Inboxes select from the partial indexes
    over open items instead of viewflow's Task.objects.queue() (DESIGN.md, Scale).
    """

    class Decision(models.TextChoices):
        APPROVE = "approve", _("同意")
        REJECT = "reject", _("不同意")
        RETURN = "return", _("退回修改")

    task = models.OneToOneField(
        Task, verbose_name=_("任务"), primary_key=True, on_delete=models.CASCADE, related_name="work_item"
    )
    request = models.ForeignKey(Request, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="work_items")
    step = models.CharField(_("环节"), max_length=64)
    title = models.CharField(_("环节名称"), max_length=100)
    role = models.CharField(_("办理角色"), max_length=32, choices=Role.choices)
    school = models.ForeignKey(
        School, verbose_name=_("办理学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bureau = models.ForeignKey(
        Bureau, verbose_name=_("审批教育局"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school_class = models.ForeignKey(
        "records.SchoolClass",
        verbose_name=_("办理班级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("班主任签字等环节，只有该班的班主任可以办理。"),
    )
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("退回修改时，只有原录入人可以办理。"),
    )
    created = models.DateTimeField(_("到达时间"))
    due = models.DateField(_("办理时限"))
    finished = models.DateTimeField(_("办理时间"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("办理人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("意见"), max_length=16, choices=Decision.choices, blank=True)
    comment = models.TextField(_("说明"), blank=True, max_length=COMMENT_MAX_LENGTH)

    class Meta:
        verbose_name = _("待办环节")
        verbose_name_plural = _("待办环节")
        ordering = ["created", "pk"]
        indexes = [
            models.Index(
                fields=["school", "created"], condition=Q(finished__isnull=True), name="workitem_open_by_school"
            ),
            models.Index(
                fields=["bureau", "created"], condition=Q(finished__isnull=True), name="workitem_open_by_bureau"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, bureau__isnull=True) | Q(school__isnull=True, bureau__isnull=False),
                name="workitem_one_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.request}"

    @property
    def org(self):
        return self.school or self.bureau

    @property
    def step_title(self) -> str:
        """The step's title in the reader's language. `title` keeps the title of its day, in
        Chinese, as the record of what was asked; pages and the API name the step by its node's."""
        node = getattr(self.request.flow_class.instance, self.step, None) if self.request.flow_class else None
        title = getattr(node, "task_title", None)
        return str(title) if title else self.title
