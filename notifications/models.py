"""What was sent to whom, and which overdue steps went to the bureau above.

Every sweep and every event writes its notifications with INSERT … ON CONFLICT DO NOTHING on
(recipient, key): the key names what a notification is about — the step and its reminder
round, the request and how it ended, the student and the suspension's end date — so running
a sweep twice, or two workers at once, leaves one row per person and event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        TASK_WAITING = "task_waiting", _("新的待办")
        TASK_REMINDER = "task_reminder", _("待办提醒")
        TASK_ESCALATED = "task_escalated", _("超期督办")
        REQUEST_COMPLETED = "request_completed", _("申请已办结")
        REQUEST_REJECTED = "request_rejected", _("申请未获同意")
        REQUEST_LAPSED = "request_lapsed", _("申请已过期")
        REQUEST_CANCELLED = "request_cancelled", _("转学已撤销")
        SUSPENSION_ENDING = "suspension_ending", _("休学即将到期")
        # Term work (notifications/term_reminders.py).
        HEAD_COUNT_DUE = "head_count_due", _("人数核对提醒")
        HEAD_COUNT_OVERDUE = "head_count_overdue", _("人数核对逾期")
        HEAD_COUNT_MISMATCH = "head_count_mismatch", _("人数与名册不符")
        GRADES_MISSING = "grades_missing", _("成绩未录入")
        COMMENTS_MISSING = "comments_missing", _("期末评语未填写")
        # A school's registrar changed (records.RegistrarChange), told to its county bureau.
        REGISTRAR_CHANGED = "registrar_changed", _("学籍管理员变更")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    # The same for every recipient of one event: "task_reminder:w42:r2", "suspension_ending:s7:2025-10-31".
    key = models.CharField(_("去重键"), max_length=100, editable=False)
    round = models.PositiveSmallIntegerField(_("提醒轮次"), default=1)
    work_item = models.ForeignKey(
        "flows.WorkItem", verbose_name=_("环节"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    request = models.ForeignKey(
        "flows.Request", verbose_name=_("申请"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    student = models.ForeignKey(
        "records.Student", verbose_name=_("学生"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    school_class = models.ForeignKey(
        "records.SchoolClass", verbose_name=_("班级"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    message = models.TextField(_("内容"))
    created = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    email_to = models.EmailField(_("邮件地址"), blank=True, help_text=_("为空表示接收人未登记邮箱，只在站内提醒。"))
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("邮件发送失败次数"), default=0)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created"], name="notification_by_recipient"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["email_attempts", "id"],
                condition=Q(emailed_at__isnull=True) & ~Q(email_to=""),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def target_url(self) -> str:
        """The page the notification is about: the open step, the request, or the student."""
        if self.work_item_id and self.kind in (self.Kind.TASK_WAITING, self.Kind.TASK_REMINDER):
            return reverse("task", args=[self.work_item_id])
        if self.request_id:
            return reverse("request_detail", args=[self.request_id])
        if self.student_id:
            return reverse("student_detail", args=[self.student_id])
        if self.kind in TERM_WORK_PAGES:
            page = TERM_WORK_PAGES[self.kind]
            return reverse(page, args=[self.school_class_id]) if self.school_class_id else reverse(page)
        return reverse("notification_list")


# The page a term-work notification leads to: the class's page for its teachers, the school's
# overview for its registrars.
TERM_WORK_PAGES = {
    Notification.Kind.HEAD_COUNT_DUE: "class_term_work",
    Notification.Kind.HEAD_COUNT_MISMATCH: "class_term_work",
    Notification.Kind.GRADES_MISSING: "class_grades",
    Notification.Kind.COMMENTS_MISSING: "class_comments",
    Notification.Kind.HEAD_COUNT_OVERDUE: "term_work",
}


class Escalation(models.Model):
    """超期督办: an overdue step reported to the supervising bureau, once per step.

    Kept here rather than as a column of flows.WorkItem: the flows' tables stay written by the
    flows alone, and the row's primary key is the "only once" that the database enforces.
    """

    work_item = models.OneToOneField(
        "flows.WorkItem",
        verbose_name=_("环节"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="escalation",
    )
    bureau = models.ForeignKey(
        "records.Bureau",
        verbose_name=_("督办教育局"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示没有上级教育局（省级教育局自己的环节）。"),
    )
    escalated_at = models.DateTimeField(_("督办时间"))

    class Meta:
        verbose_name = _("超期督办")
        verbose_name_plural = _("超期督办")

    def __str__(self) -> str:
        return f"{self.work_item} → {self.bureau or '—'}"
