"""The register: regions, bureaus, schools, classes, students, family members, placements, people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from .class_codes import GRADE_CHOICES, GRADE_NAMES


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
        return self.name


def _code_field(table: CodeTable, verbose_name, *, null: bool = False, related_name: str = "+"):
    return models.ForeignKey(
        Code,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        limit_choices_to={"table": table},
        null=null,
        blank=null,
        related_name=related_name,
    )


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


class Student(ConcurrentTransitionMixin, models.Model):
    """One record for life (一人一籍). Only records.services changes a student."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("在籍")
        SUSPENDED = "suspended", _("休学")
        DROPPED_OUT = "dropped_out", _("流失")
        GRADUATED = "graduated", _("毕业")
        DECEASED = "deceased", _("死亡")

    # Key information (关键信息): changes only through an approved request.
    KEY_FIELDS = ("name", "gender", "birth_date", "id_type", "id_number")

    student_number = models.CharField(_("学籍号"), max_length=19, unique=True, editable=False)
    former_student_numbers = models.CharField(
        _("原学籍号"), max_length=100, blank=True, editable=False,
        help_text=_("临时学籍号（L/J）换发为正式学籍号（G）后，原号码保留在这里，仍可查询。"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    former_names = models.CharField(_("曾用名"), max_length=200, blank=True)
    gender = _code_field(CodeTable.GENDER, _("性别"))
    birth_date = models.DateField(_("出生日期"))
    birthplace = models.CharField(_("出生地"), max_length=100, blank=True)
    native_place = models.CharField(_("籍贯"), max_length=100, blank=True)
    ethnicity = _code_field(CodeTable.ETHNICITY, _("民族"))
    nationality = _code_field(CodeTable.NATIONALITY, _("国籍/地区"))
    id_type = _code_field(CodeTable.ID_TYPE, _("身份证件类型"))
    id_number = models.CharField(_("身份证件号"), max_length=32, blank=True)
    overseas_chinese = _code_field(CodeTable.OVERSEAS, _("港澳台侨外"))
    health = _code_field(CodeTable.HEALTH, _("健康状况"))
    household_place = models.CharField(_("户口所在地"), max_length=200, blank=True)
    household_type = _code_field(CodeTable.HOUSEHOLD_TYPE, _("户口性质"))
    entry_date = models.DateField(_("入学年月"))
    entry_way = _code_field(CodeTable.ENTRY_WAY, _("入学方式"))
    study_mode = _code_field(CodeTable.STUDY_MODE, _("就读方式"))
    current_address = models.CharField(_("现住址"), max_length=200, blank=True)
    home_address = models.CharField(_("家庭地址"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    postal_code = models.CharField(_("邮政编码"), max_length=6, blank=True)
    student_type = _code_field(CodeTable.STUDENT_TYPE, _("学生类别"))
    disability_type = _code_field(CodeTable.DISABILITY, _("残疾类型"))
    only_child = models.BooleanField(_("是否独生子女"), default=False)
    preschool = models.BooleanField(_("是否受过学前教育"), default=True)
    left_behind = _code_field(CodeTable.LEFT_BEHIND, _("是否留守儿童"))
    migrant_worker_child = models.BooleanField(_("是否进城务工人员随迁子女"), default=False)
    orphan = models.BooleanField(_("是否孤儿"), default=False)
    martyr_child = models.BooleanField(_("是否烈士或优抚子女"), default=False)
    needs_aid = models.BooleanField(_("是否需要申请资助"), default=False)
    enjoys_subsidy = models.BooleanField(_("是否享受一补"), default=False)
    poverty = models.BooleanField(_("是否贫困生"), default=False)
    distance_km = models.DecimalField(_("上下学距离（公里）"), max_digits=5, decimal_places=1, null=True, blank=True)
    transport = _code_field(CodeTable.TRANSPORT, _("上下学方式"), null=True)
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
    dropout_reason = _code_field(CodeTable.DROPOUT_REASON, _("流失原因"), null=True)
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
    relationship = _code_field(CodeTable.RELATIONSHIP, _("关系"))
    is_guardian = models.BooleanField(_("是否监护人"), default=False)
    ethnicity = _code_field(CodeTable.ETHNICITY, _("民族"), null=True)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    job_title = models.CharField(_("职务"), max_length=50, blank=True)
    address = models.CharField(_("现住址"), max_length=200, blank=True)
    household_place = models.CharField(_("户口所在地"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    id_type = _code_field(CodeTable.ID_TYPE, _("身份证件类型"), null=True)
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


class Role(models.TextChoices):
    REGISTRAR = "registrar", _("学籍管理员")
    ACADEMIC_OFFICE = "academic_office", _("教导处")
    CLASS_TEACHER = "class_teacher", _("班主任")
    SUBJECT_TEACHER = "subject_teacher", _("任课教师")
    BUREAU_OFFICER = "bureau_officer", _("教育局审批员")
    ADMIN = "admin", _("系统管理员")


SCHOOL_ROLES = (Role.REGISTRAR, Role.ACADEMIC_OFFICE, Role.CLASS_TEACHER, Role.SUBJECT_TEACHER)
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
    subject = models.CharField(_("任教学科"), max_length=32, blank=True)
    bureau = models.ForeignKey(
        Bureau, verbose_name=_("教育局"), null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=True)
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
        ]

    def __str__(self) -> str:
        place = self.school or self.bureau or _("全部")
        return f"{self.user.get_username()} · {self.get_role_display()} · {place}"


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


# --- Year end: graduation certificates and the school-year rollover (issue 7) ------------------


class GraduationCertificate(models.Model):
    """毕业证书: one per graduate, its number unique system-wide, issued at the bureau's approval."""

    number = models.CharField(_("毕业证书编号"), max_length=32, unique=True)
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="graduation_certificates"
    )
    school = models.ForeignKey(School, verbose_name=_("毕业学校"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(SchoolClass, verbose_name=_("毕业班级"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("毕业年份"))
    issued_on = models.DateField(_("发证日期"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("毕业证书")
        verbose_name_plural = _("毕业证书")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=r"^[0-9A-Za-z-]{4,32}$"), name="certificate_number_format"),
        ]

    def __str__(self) -> str:
        return self.number


class Rollover(models.Model):
    """升级: every open class of a non-graduating grade moves up one grade, as one batch.

    Its scope is a bureau's schools, or one school. The rows of RolloverClass say what each class
    was and became, so the batch can be previewed, confirmed, and undone.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("执行中")
        APPLIED = "applied", _("已完成")
        FAILED = "failed", _("失败")
        UNDONE = "undone", _("已撤销")

    school_year = models.PositiveSmallIntegerField(_("新学年"), help_text=_("学年开始的年份，如 2025 即 2025—2026 学年。"))
    bureau = models.ForeignKey(
        Bureau, verbose_name=_("教育局"), null=True, blank=True, on_delete=models.PROTECT, related_name="rollovers"
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="rollovers"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    class_count = models.PositiveIntegerField(_("升级班级数"), default=0)
    error = models.TextField(_("失败原因"), blank=True)
    task_id = models.CharField(_("后台任务"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("学年升级")
        verbose_name_plural = _("学年升级")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bureau__isnull=False, school__isnull=True) | Q(bureau__isnull=True, school__isnull=False),
                name="rollover_one_scope",
            ),
            # Running it twice for the same year is refused; the database keeps that too.
            models.UniqueConstraint(
                fields=["bureau", "school_year"],
                condition=Q(state__in=["queued", "running", "applied"]),
                name="rollover_once_per_bureau_year",
            ),
            models.UniqueConstraint(
                fields=["school", "school_year"],
                condition=Q(state__in=["queued", "running", "applied"]),
                name="rollover_once_per_school_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} · {self.bureau or self.school}"

    @property
    def scope(self):
        return self.bureau or self.school


class RolloverClass(models.Model):
    """One class of a rollover: its grade, code and name before and after."""

    rollover = models.ForeignKey(Rollover, verbose_name=_("学年升级"), on_delete=models.CASCADE, related_name="classes")
    school_class = models.ForeignKey(SchoolClass, verbose_name=_("班级"), on_delete=models.PROTECT, related_name="+")
    old_grade = models.PositiveSmallIntegerField(_("原年级"), choices=GRADE_CHOICES)
    new_grade = models.PositiveSmallIntegerField(_("新年级"), choices=GRADE_CHOICES)
    old_code = models.CharField(_("原班级编码"), max_length=12)
    new_code = models.CharField(_("新班级编码"), max_length=12)
    old_name = models.CharField(_("原班级名称"), max_length=32)
    new_name = models.CharField(_("新班级名称"), max_length=32)

    class Meta:
        verbose_name = _("升级班级")
        verbose_name_plural = _("升级班级")
        constraints = [models.UniqueConstraint(fields=["rollover", "school_class"], name="rollover_class_once")]
