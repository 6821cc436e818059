"""A student's record for life, the family members on it, and the placements in classes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from .codes import CodeTable, code_field
from .organisation import School, SchoolClass


class Student(ConcurrentTransitionMixin, models.Model):
    """One record for life (一人一籍). Only records.services changes a student."""

    class Status(models.TextChoices):
        # Labels under their own context: the same words are the reasons the register stores, in Chinese.
        ENROLLED = "enrolled", pgettext_lazy("student status", "在籍")
        SUSPENDED = "suspended", pgettext_lazy("student status", "休学")
        DROPPED_OUT = "dropped_out", pgettext_lazy("student status", "流失")
        GRADUATED = "graduated", pgettext_lazy("student status", "毕业")
        DECEASED = "deceased", pgettext_lazy("student status", "死亡")

    # Key information (关键信息): changes only through an approved request.
    KEY_FIELDS = ("name", "gender", "birth_date", "id_type", "id_number")

    student_number = models.CharField(_("学籍号"), max_length=19, unique=True, editable=False)
    former_student_numbers = models.CharField(
        _("原学籍号"), max_length=100, blank=True, editable=False,
        help_text=_("临时学籍号（L/J）换发为正式学籍号（G）后，原号码保留在这里，仍可查询。"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    former_names = models.CharField(_("曾用名"), max_length=200, blank=True)
    gender = code_field(CodeTable.GENDER, _("性别"))
    birth_date = models.DateField(_("出生日期"))
    birthplace = models.CharField(_("出生地"), max_length=100, blank=True)
    native_place = models.CharField(_("籍贯"), max_length=100, blank=True)
    ethnicity = code_field(CodeTable.ETHNICITY, _("民族"))
    nationality = code_field(CodeTable.NATIONALITY, _("国籍/地区"))
    id_type = code_field(CodeTable.ID_TYPE, _("身份证件类型"))
    id_number = models.CharField(_("身份证件号"), max_length=32, blank=True)
    overseas_chinese = code_field(CodeTable.OVERSEAS, _("港澳台侨外"))
    health = code_field(CodeTable.HEALTH, _("健康状况"))
    household_place = models.CharField(_("户口所在地"), max_length=200, blank=True)
    household_type = code_field(CodeTable.HOUSEHOLD_TYPE, _("户口性质"))
    entry_date = models.DateField(_("入学年月"))
    entry_way = code_field(CodeTable.ENTRY_WAY, _("入学方式"))
    study_mode = code_field(CodeTable.STUDY_MODE, _("就读方式"))
    current_address = models.CharField(_("现住址"), max_length=200, blank=True)
    home_address = models.CharField(_("家庭地址"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    postal_code = models.CharField(_("邮政编码"), max_length=6, blank=True)
    student_type = code_field(CodeTable.STUDENT_TYPE, _("学生类别"))
    disability_type = code_field(CodeTable.DISABILITY, _("残疾类型"))
    only_child = models.BooleanField(_("是否独生子女"), default=False)
    preschool = models.BooleanField(_("是否受过学前教育"), default=True)
    left_behind = code_field(CodeTable.LEFT_BEHIND, _("是否留守儿童"))
    migrant_worker_child = models.BooleanField(_("是否进城务工人员随迁子女"), default=False)
    orphan = models.BooleanField(_("是否孤儿"), default=False)
    martyr_child = models.BooleanField(_("是否烈士或优抚子女"), default=False)
    needs_aid = models.BooleanField(_("是否需要申请资助"), default=False)
    enjoys_subsidy = models.BooleanField(_("是否享受一补"), default=False)
    poverty = models.BooleanField(_("是否贫困生"), default=False)
    distance_km = models.DecimalField(_("上下学距离（公里）"), max_digits=5, decimal_places=1, null=True, blank=True)
    transport = code_field(CodeTable.TRANSPORT, _("上下学方式"), null=True)
    school_bus = models.BooleanField(_("是否需要乘坐校车"), default=False)
    photo = models.ImageField(_("照片"), upload_to="photos/%Y/", blank=True)

    school = models.ForeignKey(
        School,
        verbose_name=_("学籍所在学校"),
        on_delete=models.PROTECT,
        related_name="students",
        help_text=_("保存该生学籍的学校；转学获批后随之变更。"),
    )
    status = FSMField(_("学籍状态"), default=Status.ENROLLED, choices=Status.choices, protected=True)
    dropout_reason = code_field(CodeTable.DROPOUT_REASON, _("流失原因"), null=True)
    dropout_destination = models.CharField(_("转往地"), max_length=100, blank=True)
    suspended_until = models.DateField(_("休学截止日期"), null=True, blank=True)
    possible_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("姓名、性别、出生日期相同的已有学籍，需学籍管理员核实。"),
    )
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["student_number"]
        indexes = [
            models.Index(fields=["school", "status"], name="student_school_status"),
            models.Index(fields=["name", "gender", "birth_date"], name="student_possible_duplicate"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(student_number__regex=r"^[GLJ][0-9]{17}[0-9X]$"), name="student_number_format"
            ),
            # One person, one record (一人一籍): an ID number belongs to one student only.
            models.UniqueConstraint(
                fields=["id_type", "id_number"], condition=~Q(id_number=""), name="student_id_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["enrolled", "suspended", "dropped_out", "graduated", "deceased"]),
                name="student_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="dropped_out") | Q(dropout_reason__isnull=False),
                name="student_dropout_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.student_number}）"

    # The status state machine. A transition changes the state only; records.services does the rest.
    @transition(field=status, source=Status.ENROLLED, target=Status.SUSPENDED)
    def suspend(self) -> None:
        pass

    @transition(field=status, source=[Status.SUSPENDED, Status.DROPPED_OUT], target=Status.ENROLLED)
    def resume(self) -> None:
        pass

    @transition(field=status, source=[Status.ENROLLED, Status.SUSPENDED], target=Status.DROPPED_OUT)
    def drop_out(self) -> None:
        pass

    @transition(field=status, source=Status.ENROLLED, target=Status.GRADUATED)
    def graduate(self) -> None:
        pass

    # 升学: a primary graduate enrolls at a middle school with the same student number.
    @transition(field=status, source=Status.GRADUATED, target=Status.ENROLLED)
    def promote(self) -> None:
        pass

    @transition(
        field=status,
        source=[Status.ENROLLED, Status.SUSPENDED, Status.DROPPED_OUT, Status.GRADUATED],
        target=Status.DECEASED,
    )
    def decease(self) -> None:
        pass

    # Changes that keep the status (target None) are transitions too, so that what each status
    # allows is read from this one machine: the start of a request, the page's buttons and the
    # last approval all ask it.

    # 转学, 整班转学, 留级/跳级, 重新分班: only an enrolled student changes class.
    @transition(field=status, source=Status.ENROLLED, target=None)
    def move(self) -> None:
        pass

    # 续休: a suspension's end moves later.
    @transition(field=status, source=Status.SUSPENDED, target=None)
    def extend_suspension(self) -> None:
        pass

    # 关键信息变更, 贫困生认定/取消: a record is corrected in any status but after death.
    @transition(
        field=status,
        source=[Status.ENROLLED, Status.SUSPENDED, Status.DROPPED_OUT, Status.GRADUATED],
        target=None,
    )
    def amend(self) -> None:
        pass

    @classmethod
    def sources_of(cls, transition_name: str) -> frozenset[str]:
        """The statuses from which a transition may be fired (for queries over many students)."""
        return frozenset(getattr(cls, transition_name)._django_fsm.transitions)

    def allows(self, transition_name: str) -> bool:
        """May `transition_name` be fired from this student's status?"""
        return self.status in self.sources_of(transition_name)

    @property
    def open_placement(self) -> Placement | None:
        return self.placements.filter(ended_on__isnull=True).select_related("school_class", "school").first()

    @property
    def guardians(self):
        return self.family_members.filter(is_guardian=True)


class FamilyMember(models.Model):
    """Up to two family members (家庭成员), at least one of them a guardian."""

    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.CASCADE, related_name="family_members")
    position = models.PositiveSmallIntegerField(_("序号"), choices=[(1, "1"), (2, "2")])
    name = models.CharField(_("姓名"), max_length=50)
    relationship = code_field(CodeTable.RELATIONSHIP, _("关系"))
    is_guardian = models.BooleanField(_("是否监护人"), default=False)
    ethnicity = code_field(CodeTable.ETHNICITY, _("民族"), null=True)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    job_title = models.CharField(_("职务"), max_length=50, blank=True)
    address = models.CharField(_("现住址"), max_length=200, blank=True)
    household_place = models.CharField(_("户口所在地"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    id_type = code_field(CodeTable.ID_TYPE, _("身份证件类型"), null=True)
    id_number = models.CharField(_("身份证件号"), max_length=32, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["student", "position"]
        constraints = [
            # The national form has room for two family members; the position makes it a database rule.
            models.UniqueConstraint(fields=["student", "position"], name="family_member_position_unique"),
            models.CheckConstraint(condition=Q(position__in=[1, 2]), name="family_member_at_most_two"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.relationship}）"


class Placement(models.Model):
    """Which school and class a student attends, from when to when. History is never deleted."""

    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="placements")
    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="placements")
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("班级"), on_delete=models.PROTECT, related_name="placements"
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    reason = models.CharField(_("编入原因"), max_length=100, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("在班记录")
        verbose_name_plural = _("在班记录")
        ordering = ["student", "started_on", "id"]
        indexes = [
            models.Index(
                fields=["school_class"], condition=Q(ended_on__isnull=True), name="placement_open_by_class"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=Q(ended_on__isnull=True), name="placement_one_open_per_student"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="placement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.name} @ {self.school_class}"
