"""Who works where and in which role: one membership per account (no shared logins)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..subjects import COMPULSORY_GRADES, SUBJECT_GRADES, Subject
from .organisation import Bureau, School, SchoolClass


class Role(models.TextChoices):
    REGISTRAR = "registrar", _("学籍管理员")
    ACADEMIC_OFFICE = "academic_office", _("教导处")
    PRINCIPAL = "principal", _("校长")
    CLASS_TEACHER = "class_teacher", _("班主任")
    SUBJECT_TEACHER = "subject_teacher", _("任课教师")
    BUREAU_OFFICER = "bureau_officer", _("教育局审批员")
    ADMIN = "admin", _("系统管理员")


SCHOOL_ROLES = (Role.REGISTRAR, Role.ACADEMIC_OFFICE, Role.PRINCIPAL, Role.CLASS_TEACHER, Role.SUBJECT_TEACHER)
CLASS_ROLES = (Role.CLASS_TEACHER, Role.SUBJECT_TEACHER)


class Membership(models.Model):
    """Where a person works and in which role; one per user account (no shared logins)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="membership"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("班级"), null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    subject = models.CharField(_("任教学科"), max_length=32, blank=True, choices=Subject.choices)
    bureau = models.ForeignKey(
        Bureau, verbose_name=_("教育局"), null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=True)
    # Only an account made for a program may use the API before its initial password is changed,
    # and only with a token: its sessions on the pages and the API still have to change it first.
    is_script_account = models.BooleanField(
        _("脚本账号"), default=False, help_text=_("供程序调用 API 的账号：凭 API 令牌可不先修改初始密码。")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("用户身份")
        verbose_name_plural = _("用户身份")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=SCHOOL_ROLES, school__isnull=False, bureau__isnull=True)
                    | Q(role=Role.BUREAU_OFFICER, bureau__isnull=False, school__isnull=True, school_class__isnull=True)
                    | Q(role=Role.ADMIN, bureau__isnull=True, school__isnull=True, school_class__isnull=True)
                ),
                name="membership_place_matches_role",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=CLASS_ROLES) | Q(school_class__isnull=False),
                name="membership_teacher_has_class",
            ),
            # A subject teacher teaches one of the compulsory-education subjects; nobody else has one.
            models.CheckConstraint(
                condition=Q(role=Role.SUBJECT_TEACHER, subject__in=Subject.values)
                | (~Q(role=Role.SUBJECT_TEACHER) & Q(subject="")),
                name="membership_subject_matches_role",
            ),
        ]

    def clean(self) -> None:
        if self.role == Role.SUBJECT_TEACHER and not self.subject:
            raise ValidationError({"subject": _("任课教师须指定任教学科。")})
        if self.role != Role.SUBJECT_TEACHER and self.subject:
            raise ValidationError({"subject": _("只有任课教师有任教学科。")})
        grade = self.school_class.grade if self.school_class_id else None
        if self.subject in Subject.values and grade in COMPULSORY_GRADES and grade not in SUBJECT_GRADES[self.subject]:
            raise ValidationError(
                {"subject": _("%(grade)s不开设%(subject)s。") % {"grade": self.school_class.grade_name, "subject": self.get_subject_display()}}
            )

    def __str__(self) -> str:
        place = self.school or self.bureau or _("全部")
        return f"{self.user.get_username()} · {self.get_role_display()} · {place}"


class RegistrarChange(models.Model):
    """A change of a school's registrar (学籍管理员), reported to the county bureau (policy texts,
    篇10 五.一: 不得随意调整学籍管理员，确须调整的需上报教育局基教股). Written by the service that
    made the change; notifications reads it and tells the bureau's officers."""

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="registrar_changes")
    old_registrar = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("原学籍管理员"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    new_registrar = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("新学籍管理员"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("变更人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("变更时间"))

    class Meta:
        verbose_name = _("学籍管理员变更")
        verbose_name_plural = _("学籍管理员变更")
        indexes = [models.Index(fields=["changed_at"], name="registrar_change_by_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(old_registrar__isnull=False) | Q(new_registrar__isnull=False),
                name="registrar_change_names_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.old_registrar} → {self.new_registrar}"
