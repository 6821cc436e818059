"""Every write to the register. Each service is keyword-only, atomic and validated."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from .class_codes import GRADE_NAMES, class_code
from .id_numbers import StudentNumberPrefix, id_layout_number, parse_citizen_id
from .models import (
    CLASS_ROLES,
    Bureau,
    Code,
    CodeTable,
    FamilyMember,
    GraduationCertificate,
    Membership,
    Placement,
    Role,
    School,
    SchoolClass,
    Student,
)

User = get_user_model()

CITIZEN_ID_TYPE = "1"  # 居民身份证
NO_ID_TYPE = "Z"  # 其他: no usable ID
# After three months away a resuming student may be placed one grade lower (policy texts, 篇2 第十五条).
RESUME_SAME_CLASS_DAYS = 92

# Fields the school may edit directly; key information and status change only through requests.
EDITABLE_STUDENT_FIELDS = (
    "birthplace", "native_place", "ethnicity", "nationality", "overseas_chinese", "health",
    "household_place", "household_type", "entry_date", "entry_way", "study_mode", "current_address",
    "home_address", "contact_phone", "postal_code", "student_type", "disability_type", "only_child",
    "preschool", "left_behind", "migrant_worker_child", "orphan", "martyr_child", "needs_aid",
    "enjoys_subsidy", "distance_km", "transport", "school_bus", "photo",
)
FAMILY_MEMBER_FIELDS = (
    "name", "relationship", "is_guardian", "ethnicity", "work_unit", "job_title", "address",
    "household_place", "phone", "id_type", "id_number",
)


def _by(instance, by: AbstractBaseUser | None, reason: str = "") -> None:
    """Record who made the change (and why) in the instance's history."""
    instance._history_user = by
    if reason:
        instance._change_reason = reason


def _today() -> datetime.date:
    return timezone.localdate()


def code_get(table: CodeTable | str, code: str) -> Code:
    return Code.objects.get(table=table, code=code)


# --- Student numbers and the duplicate check -------------------------------------------------


def student_number_issue(*, id_type: Code, id_number: str, birth_date: datetime.date, area_code: str) -> str:
    """Issue a 19-character student number (学籍号); it never changes afterwards.

    G + citizen ID for a valid citizen ID; L + a temporary number in ID layout for another ID
    document; J + a number in ID layout for a student with no usable ID.
    """
    if id_type.code == CITIZEN_ID_TYPE:
        number = StudentNumberPrefix.CITIZEN + parse_citizen_id(id_number).number
        holder = Student.objects.filter(student_number=number).select_related("school").first()
        if holder:
            # The number was issued for this ID before the holder's ID was corrected; numbers never change.
            raise ValidationError(
                {"id_number": _("该证件号曾用于“%(school)s”一名学生的学籍号（其证件号已更正），请核实证件号。") % {"school": holder.school.name}},
                code="duplicate_id",
            )
        return number
    prefix = StudentNumberPrefix.NO_ID if id_type.code == NO_ID_TYPE or not id_number else StudentNumberPrefix.TEMPORARY
    stem = f"{prefix}{area_code}{birth_date:%Y%m%d}"
    taken = set(
        Student.objects.filter(student_number__startswith=stem).values_list("student_number", flat=True)
    )
    for sequence in range(1, 1000):
        number = prefix + id_layout_number(area_code=area_code, birth_date=birth_date, sequence=sequence)
        if number not in taken:
            return number
    raise ValidationError({"birth_date": _("该地区该出生日期的临时学籍号已用完，请联系系统管理员。")})


def student_check_identity(
    *,
    name: str,
    gender: Code,
    birth_date: datetime.date,
    id_type: Code,
    id_number: str,
    exclude: Student | None = None,
) -> Student | None:
    """Validate the key information and run the one-person-one-record check.

    Refuses an invalid citizen ID, a birth date or gender that differs from it, and an ID number
    that already has a record (naming only that record's school). Returns a possible duplicate
    (same name, gender and birth date) for the registrar to resolve, or None.
    """
    id_number = (id_number or "").strip().upper()
    if id_type.code == CITIZEN_ID_TYPE:
        citizen = parse_citizen_id(id_number)
        errors = {}
        if citizen.birth_date != birth_date:
            errors["birth_date"] = _("出生日期与居民身份证号不一致（证件为 %(date)s）。") % {
                "date": citizen.birth_date.isoformat()
            }
        if citizen.gender_code != gender.code:
            errors["gender"] = _("性别与居民身份证号不一致。")
        if errors:
            raise ValidationError(errors)
    elif id_type.code != NO_ID_TYPE and not id_number:
        raise ValidationError({"id_number": _("请填写身份证件号；没有证件时，证件类型请选择“其他”。")})

    others = Student.objects.exclude(pk=exclude.pk) if exclude else Student.objects.all()
    if id_number:
        existing = others.filter(id_type=id_type, id_number=id_number).select_related("school").first()
        if existing:
            raise ValidationError(
                {
                    "id_number": _(
                        "该证件号已有学籍，学籍在“%(school)s”。一人只能有一个学籍：请通过转学或复学办理。"
                    )
                    % {"school": existing.school.name}
                },
                code="duplicate_id",
            )
    return others.filter(name=name, gender=gender, birth_date=birth_date).order_by("pk").first()


# --- Students ---------------------------------------------------------------------------------


def _require_open_class(school_class: SchoolClass, field: str = "school_class") -> None:
    # Read the state under the class's row lock, which class_dissolve also takes: the caller's
    # copy may be stale, and a class must not be dissolved while a student is being placed in it.
    state = SchoolClass.objects.select_for_update().values_list("state", flat=True).get(pk=school_class.pk)
    if state != SchoolClass.State.OPEN:
        raise ValidationError({field: _("班级“%(name)s”已毕业或撤销，不能编入学生。") % {"name": school_class.name}})


def _validate_family_members(members: list[dict[str, Any]]) -> None:
    if not members:
        raise ValidationError({"family_members": _("请至少填写一名家庭成员，且其中至少一人为监护人。")})
    if len(members) > 2:
        raise ValidationError({"family_members": _("家庭成员最多填写两名。")})
    if not any(member.get("is_guardian") for member in members):
        raise ValidationError({"family_members": _("家庭成员中至少一人须为监护人。")})


def _family_members_write(*, student: Student, members: list[dict[str, Any]], by) -> None:
    _validate_family_members(members)
    student.family_members.exclude(position__in=range(1, len(members) + 1)).delete()
    for position, data in enumerate(members, start=1):
        member = student.family_members.filter(position=position).first() or FamilyMember(
            student=student, position=position
        )
        for field in FAMILY_MEMBER_FIELDS:
            if field in data:
                setattr(member, field, data[field])
        if member.id_type and member.id_type.code == CITIZEN_ID_TYPE and member.id_number:
            try:
                member.id_number = parse_citizen_id(member.id_number).number
            except ValidationError as error:
                raise ValidationError(
                    {"family_members": _("家庭成员%(n)d：%(error)s") % {"n": position, "error": error.messages[0]}}
                ) from None
        member.full_clean(exclude=["student"])
        _by(member, by)
        member.save()


def _placement_open(*, student: Student, school_class: SchoolClass, reason: str, by) -> Placement:
    placement = Placement(
        student=student, school=school_class.school, school_class=school_class, started_on=_today(), reason=reason
    )
    _by(placement, by, reason)
    try:
        with transaction.atomic():
            placement.save()
    except IntegrityError:
        raise ValidationError(_("该生已有在读班级，不能重复编班。"), code="placement_open") from None
    return placement


def _placement_close(*, student: Student, reason: str, by) -> Placement | None:
    placement = Placement.objects.select_for_update().filter(student=student, ended_on__isnull=True).first()
    if placement:
        placement.ended_on = _today()
        placement.end_reason = reason
        _by(placement, by, reason)
        placement.save()
    return placement


def _locked(student: Student) -> Student:
    """Lock the student's row for the rest of the transaction and return a fresh copy."""
    return Student.objects.select_for_update().get(pk=student.pk)


def _not_allowed(student: Student, action: str) -> ValidationError:
    return ValidationError(
        _("该生当前学籍状态为“%(status)s”，不能办理%(action)s。")
        % {"status": student.get_status_display(), "action": action},
        code="transition_not_allowed",
    )


def _fire(student: Student, transition: str, action: str) -> None:
    try:
        getattr(student, transition)()
    except TransitionNotAllowed:
        raise _not_allowed(student, action) from None


@transaction.atomic
def student_register(
    *,
    school_class: SchoolClass,
    data: dict[str, Any],
    family_members: list[dict[str, Any]],
    by,
    placement_reason: str = "",
) -> Student:
    """Create a record, issue its student number and place the student in `school_class`.

    `data` holds the record's fields by name (codes as Code instances). A possible duplicate
    (same name, gender and birth date) does not stop the registration: it is flagged on the
    new record for the registrar to resolve.
    """
    _require_open_class(school_class)
    school = school_class.school
    data = dict(data)
    data["id_number"] = (data.get("id_number") or "").strip().upper()
    student = Student(school=school, **data)
    # The database constraints hold anyway; the identity check below explains a duplicate better.
    student.full_clean(
        exclude=["student_number", "school", "status", "possible_duplicate_of"], validate_constraints=False
    )
    student.possible_duplicate_of = student_check_identity(
        name=student.name,
        gender=student.gender,
        birth_date=student.birth_date,
        id_type=student.id_type,
        id_number=student.id_number,
    )
    student.student_number = student_number_issue(
        id_type=student.id_type,
        id_number=student.id_number,
        birth_date=student.birth_date,
        area_code=school.region.code,
    )
    reason = placement_reason or _("新生建档")
    _by(student, by, reason)
    try:
        with transaction.atomic():
            student.save()
    except IntegrityError:
        # Another registration with this ID number committed first.
        raise ValidationError({"id_number": _("该证件号已有学籍，一人只能有一个学籍。")}, code="duplicate_id") from None
    _family_members_write(student=student, members=family_members, by=by)
    _placement_open(student=student, school_class=school_class, reason=reason, by=by)
    return student


@transaction.atomic
def student_update(*, student: Student, data: dict[str, Any], by) -> Student:
    """Edit the fields a school may change directly; key information goes through a request."""
    refused = sorted(set(data) - set(EDITABLE_STUDENT_FIELDS))
    if refused:
        raise ValidationError(
            {field: _("该项为关键信息或由审批流程维护，不能直接修改。") for field in refused}, code="not_editable"
        )
    student = _locked(student)
    for field, value in data.items():
        setattr(student, field, value)
    student.full_clean(exclude=["student_number", "school", "status", "possible_duplicate_of"])
    _by(student, by, _("修改学生信息"))
    student.save()
    return student


@transaction.atomic
def family_members_replace(*, student: Student, members: list[dict[str, Any]], by) -> None:
    _family_members_write(student=_locked(student), members=members, by=by)


@transaction.atomic
def student_resolve_duplicate(*, student: Student, by) -> Student:
    """The registrar has checked the possible duplicate and found two different people."""
    student = _locked(student)
    student.possible_duplicate_of = None
    _by(student, by, _("疑似重复已核实为不同学生"))
    student.save()
    return student


# --- Classes ----------------------------------------------------------------------------------


@transaction.atomic
def class_create(*, school: School, grade: int, entry_year: int, by, name: str = "") -> SchoolClass:
    """Open a class; its 12-digit code is generated from grade, school and the next free sequence."""
    if grade not in school.grades:
        raise ValidationError({"grade": _("%(school)s没有%(grade)s。") % {"school": school.name, "grade": GRADE_NAMES[grade]}})
    School.objects.select_for_update().get(pk=school.pk)  # serialise sequence numbers per school
    prefix = class_code(grade=grade, school_identifier=school.identifier, sequence=0)[:9]
    used = {int(code[9:]) for code in SchoolClass.objects.filter(code__startswith=prefix).values_list("code", flat=True)}
    sequence = next((n for n in range(1, 1000) if n not in used), None)
    if sequence is None:
        raise ValidationError({"grade": _("该年级班级编码已用完。")})
    if not name:
        open_in_grade = SchoolClass.objects.filter(school=school, grade=grade, state=SchoolClass.State.OPEN).count()
        taken = set(SchoolClass.objects.filter(school=school, state=SchoolClass.State.OPEN).values_list("name", flat=True))
        # After a class is dissolved the count no longer says which number is free.
        n = open_in_grade + 1
        while (name := _("%(grade)s(%(n)d)班") % {"grade": GRADE_NAMES[grade], "n": n}) in taken:
            n += 1
    if SchoolClass.objects.filter(school=school, name=name, state=SchoolClass.State.OPEN).exists():
        raise ValidationError({"name": _("本校已有名为“%(name)s”的班级。") % {"name": name}})
    school_class = SchoolClass(
        school=school,
        grade=grade,
        sequence=sequence,
        entry_year=entry_year,
        name=name,
        code=class_code(grade=grade, school_identifier=school.identifier, sequence=sequence),
    )
    school_class.full_clean()
    _by(school_class, by, _("新建班级"))
    school_class.save()
    return school_class


@transaction.atomic
def class_dissolve(*, school_class: SchoolClass, by) -> SchoolClass:
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    if school_class.placements.filter(ended_on__isnull=True).exists():
        raise ValidationError(_("班级中还有在读学生，不能撤销。请先调出所有学生。"))
    school_class.state = SchoolClass.State.DISSOLVED
    _by(school_class, by, _("撤销班级"))
    school_class.save()
    return school_class


# --- Placement and status operations (called by the flows' last approval) --------------------


def _move(*, student: Student, to_class: SchoolClass, reason: str, by) -> Placement:
    _require_open_class(to_class, "to_class")
    current = Placement.objects.filter(student=student, ended_on__isnull=True).first()
    if current and current.school_class_id == to_class.pk:
        raise ValidationError({"to_class": _("该生已在这个班级。")})
    _placement_close(student=student, reason=reason, by=by)
    if student.school_id != to_class.school_id:
        student.school = to_class.school
        _by(student, by, reason)
        student.save()
    return _placement_open(student=student, school_class=to_class, reason=reason, by=by)


def _require_enrolled(student: Student, action: str) -> None:
    if student.status != Student.Status.ENROLLED:
        raise _not_allowed(student, action)


@transaction.atomic
def student_transfer(*, student: Student, to_class: SchoolClass, by, reason: str = "") -> Placement:
    """Close the open placement and open one in `to_class`; the grade must not change (转学)."""
    student = _locked(student)
    _require_enrolled(student, _("转学"))
    current = student.open_placement
    if current and current.school_class.grade != to_class.grade:
        raise ValidationError({"to_class": _("转学不改变年级：请选择%(grade)s的班级。") % {"grade": current.school_class.grade_name}})
    return _move(student=student, to_class=to_class, reason=reason or _("转学"), by=by)


@transaction.atomic
def student_change_grade(*, student: Student, to_class: SchoolClass, by, reason: str = "") -> Placement:
    """Repeat (留级) or skip (跳级) a grade: exactly one grade down or up, in the same school."""
    student = _locked(student)
    _require_enrolled(student, _("留级/跳级"))
    current = student.open_placement
    if to_class.school_id != student.school_id:
        raise ValidationError({"to_class": _("留级或跳级只能在本校内调整班级。")})
    if current is None or abs(to_class.grade - current.school_class.grade) != 1:
        raise ValidationError({"to_class": _("留级或跳级只能调整一个年级。")})
    label = _("留级") if to_class.grade < current.school_class.grade else _("跳级")
    return _move(student=student, to_class=to_class, reason=reason or label, by=by)


@transaction.atomic
def student_suspend(*, student: Student, until: datetime.date, by, reason: str = "") -> Student:
    """Suspend (休学) until `until`; the placement closes and resumption reopens it."""
    student = _locked(student)
    if until <= _today():
        raise ValidationError({"end": _("休学截止日期须晚于今天。")})
    _fire(student, "suspend", _("休学"))
    student.suspended_until = until
    text = reason or _("休学")
    _by(student, by, text)
    student.save()
    _placement_close(student=student, reason=text, by=by)
    return student


@transaction.atomic
def student_extend_suspension(*, student: Student, until: datetime.date, by, reason: str = "") -> Student:
    """续休: a suspended student's end date moves later."""
    student = _locked(student)
    if student.status != Student.Status.SUSPENDED:
        raise ValidationError(_("只有休学中的学生才能续休。"))
    if student.suspended_until and until <= student.suspended_until:
        raise ValidationError({"end": _("续休截止日期须晚于原休学截止日期。")})
    student.suspended_until = until
    _by(student, by, reason or _("续休"))
    student.save()
    return student


def student_last_placement(student: Student) -> Placement | None:
    return student.placements.select_related("school_class").order_by("-started_on", "-id").first()


@transaction.atomic
def student_resume(*, student: Student, by, to_class: SchoolClass | None = None, reason: str = "") -> Student:
    """Resume (复学) at the original school: back in the former class when away three months or
    less; when longer the school may pick a class of the same grade or one grade lower, never higher."""
    student = _locked(student)
    _fire(student, "resume", _("复学"))
    last = student_last_placement(student)
    former = last.school_class if last else None
    away_days = (_today() - last.ended_on).days if last and last.ended_on else 0
    if to_class is None:
        to_class = former
    if to_class is None or (to_class == former and former.state != SchoolClass.State.OPEN):
        raise ValidationError({"to_class": _("原班级已不在读，请选择复学编入的班级。")})
    if to_class.school_id != student.school_id:
        raise ValidationError({"to_class": _("复学须回原学校；到其他学校就读请复学后再办理转学。")})
    if former and to_class.pk != former.pk:
        if away_days <= RESUME_SAME_CLASS_DAYS and former.state == SchoolClass.State.OPEN:
            raise ValidationError({"to_class": _("离校不满三个月，复学须回原班级。")})
        if not (former.grade - 1 <= to_class.grade <= former.grade):
            raise ValidationError({"to_class": _("复学只能编入原年级或低一个年级的班级。")})
    student.suspended_until = None
    student.dropout_reason = None
    student.dropout_destination = ""
    text = reason or _("复学")
    _by(student, by, text)
    student.save()
    _require_open_class(to_class, "to_class")
    _placement_open(student=student, school_class=to_class, reason=text, by=by)
    return student


@transaction.atomic
def student_drop_out(*, student: Student, reason: Code, by, destination: str = "", remark: str = "") -> Student:
    """流失 / 退学 / 转至市外: the student leaves; the placement closes."""
    student = _locked(student)
    if reason.table != CodeTable.DROPOUT_REASON:
        raise ValidationError({"reason": _("流失原因无效。")})
    _fire(student, "drop_out", _("流失"))
    student.dropout_reason = reason
    student.dropout_destination = destination
    student.suspended_until = None
    text = remark or reason.name
    _by(student, by, text)
    student.save()
    _placement_close(student=student, reason=text, by=by)
    return student


@transaction.atomic
def student_decease(*, student: Student, by, remark: str = "") -> Student:
    """死亡: final; the placement closes."""
    student = _locked(student)
    _fire(student, "decease", _("死亡登记"))
    student.suspended_until = None
    _by(student, by, remark or _("死亡"))
    student.save()
    _placement_close(student=student, reason=_("死亡"), by=by)
    return student


@transaction.atomic
def student_graduate(*, student: Student, by, remark: str = "") -> Student:
    student = _locked(student)
    _fire(student, "graduate", _("毕业"))
    _by(student, by, remark or _("毕业"))
    student.save()
    _placement_close(student=student, reason=_("毕业"), by=by)
    return student


@transaction.atomic
def student_promote(*, student: Student, to_class: SchoolClass, by) -> Student:
    """升学: a graduate enrolls at a middle school with the same student number."""
    student = _locked(student)
    _require_open_class(to_class, "to_class")
    _fire(student, "promote", _("升学"))
    student.school = to_class.school
    _by(student, by, _("升学"))
    student.save()
    _placement_open(student=student, school_class=to_class, reason=_("升学"), by=by)
    return student


# --- People -----------------------------------------------------------------------------------


@transaction.atomic
def user_provision(
    *,
    username: str,
    role: str,
    password: str,
    school: School | None = None,
    bureau: Bureau | None = None,
    school_class: SchoolClass | None = None,
    subject: str = "",
    full_name: str = "",
    by=None,
    must_change_password: bool = True,
) -> AbstractBaseUser:
    """Create or update a person's account and membership; the pages ask for a new password at
    the first login."""
    if role not in Role.values:
        raise ValidationError({"role": _("角色无效，可选：%(roles)s") % {"roles": ", ".join(Role.values)}})
    if role in CLASS_ROLES and not school_class:
        # Without this the membership constraint's name would be all the administrator sees.
        raise ValidationError({"school_class": _("班主任和任课教师须指定任教班级。")})
    if school_class and school and school_class.school_id != school.pk:
        raise ValidationError({"school_class": _("班级不属于该学校。")})
    if school_class and not school:
        school = school_class.school
    user, _created = User.objects.get_or_create(username=username)
    if full_name:
        user.first_name = full_name
    user.set_password(password)
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.save()
    membership = Membership.objects.filter(user=user).first() or Membership(user=user)
    membership.role = role
    membership.school = school if role != Role.BUREAU_OFFICER and role != Role.ADMIN else None
    membership.bureau = bureau if role == Role.BUREAU_OFFICER else None
    membership.school_class = school_class
    membership.subject = subject
    membership.must_change_password = must_change_password
    membership.full_clean(exclude=["user"])
    _by(membership, by, _("开通账号"))
    membership.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


@transaction.atomic
def user_password_changed(*, user) -> None:
    membership = Membership.objects.filter(user=user).first()
    if membership and membership.must_change_password:
        membership.must_change_password = False
        _by(membership, user, _("修改初始密码"))
        membership.save()


# --- Administration: memberships edited on the admin site ------------------------------------


@transaction.atomic
def membership_save(*, membership: Membership, by) -> Membership:
    """Save a membership edited by an administrator and bring the account in line with its role:
    the role's permission group, and admin rights only for the admin role (a demoted
    administrator must not keep seeing everything)."""
    membership.full_clean(exclude=["user"])
    _by(membership, by, _("修改用户身份"))
    membership.save()
    user = membership.user
    user.is_staff = user.is_superuser = membership.role == Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.set([Group.objects.get(name=membership.role)])
    return membership


# --- Term calendar ----------------------------------------------------------------------------


@transaction.atomic
def calendar_replace(*, bureau: Bureau, terms: list[dict], windows: list[dict], by) -> None:
    """Replace a bureau's terms and transfer windows; without windows the first and last week
    of each term are the windows."""
    from .models import Term, TransferWindow

    errors = []
    for term in terms:
        if term["end"] <= term["start"]:
            errors.append(_("学期“%(name)s”的结束日期须晚于开始日期。") % {"name": term["name"]})
    for window in windows:
        if window["end"] < window["start"]:
            errors.append(_("转学办理时间 %(start)s 的结束日期不能早于开始日期。") % {"start": window["start"]})
    names = [term["name"] for term in terms]
    if len(names) != len(set(names)):
        errors.append(_("学期名称不能重复。"))
    if errors:
        raise ValidationError(errors)
    Bureau.objects.select_for_update().get(pk=bureau.pk)
    for old in list(bureau.terms.all()) + list(bureau.transfer_windows.all()):
        _by(old, by, _("修改校历"))
        old.delete()
    for term in terms:
        new = Term(bureau=bureau, name=term["name"], start=term["start"], end=term["end"])
        _by(new, by, _("修改校历"))
        new.save()
    for window in windows:
        new = TransferWindow(bureau=bureau, start=window["start"], end=window["end"])
        _by(new, by, _("修改校历"))
        new.save()


# --- Key information and poverty status (applied by the flows' last approval) ------------------


@transaction.atomic
def student_change_key_info(*, student: Student, changes: dict[str, Any], by, reason: str = "") -> Student:
    """Apply an approved key-information change (姓名 性别 出生日期 证件类型 证件号).

    A legal change of name keeps the old name as a former name (曾用名); a new ID number is
    validated and checked for duplicates again; an L or J student number becomes a G number
    when a valid citizen ID is given, and the old number stays searchable.
    """
    unknown = sorted(set(changes) - set(Student.KEY_FIELDS))
    if unknown:
        raise ValidationError({field: _("该项不是关键信息。") for field in unknown})
    student = _locked(student)
    old_name = student.name
    for field, value in changes.items():
        setattr(student, field, value.strip().upper() if field == "id_number" else value)
    student.full_clean(
        exclude=["student_number", "school", "status", "possible_duplicate_of"], validate_constraints=False
    )
    student_check_identity(
        name=student.name, gender=student.gender, birth_date=student.birth_date,
        id_type=student.id_type, id_number=student.id_number, exclude=student,
    )
    if student.name != old_name:
        former = [name for name in student.former_names.split("、") if name]
        if old_name not in former:
            former.append(old_name)
        student.former_names = "、".join(former)
    if student.id_type.code == CITIZEN_ID_TYPE and not student.student_number.startswith(StudentNumberPrefix.CITIZEN):
        numbers = [n for n in student.former_student_numbers.split(",") if n]
        numbers.append(student.student_number)
        student.former_student_numbers = ",".join(numbers)
        student.student_number = StudentNumberPrefix.CITIZEN + parse_citizen_id(student.id_number).number
    _by(student, by, reason or _("关键信息变更"))
    try:
        with transaction.atomic():
            student.save()
    except IntegrityError:
        raise ValidationError({"id_number": _("该证件号已有学籍，一人只能有一个学籍。")}, code="duplicate_id") from None
    return student


@transaction.atomic
def student_set_poverty(*, student: Student, poverty: bool, by, note: str = "") -> Student:
    """贫困生认定 (True) or 取消 (False)."""
    student = _locked(student)
    if student.poverty == poverty:
        raise ValidationError(_("该生已是贫困生。") if poverty else _("该生不是贫困生，无需取消。"))
    student.poverty = poverty
    _by(student, by, note or (_("认定为贫困生") if poverty else _("取消贫困生认定")))
    student.save()
    return student


# --- Year end: whole classes at once (issue 7) ----------------------------------------------------
# Graduating a class of hundreds or promoting a county's intake must not cost a round trip per
# student. These services check every student's state in one query against the sources the state
# machine allows (Student.graduate / Student.promote), refuse the whole batch with the list of
# blockers, then write with queryset updates and bulk-created history rows: the only place where a
# status is written without firing the transition on an instance (the protected field forbids it).

GRADUATE_SOURCES = frozenset(Student.graduate._django_fsm.transitions)
PROMOTE_SOURCES = frozenset(Student.promote._django_fsm.transitions)


def _status_blockers(students: list[Student], sources: frozenset, action: str) -> list[str]:
    return [
        _("%(name)s（%(number)s）：学籍状态为“%(status)s”，不能办理%(action)s。")
        % {"name": s.name, "number": s.student_number, "status": s.get_status_display(), "action": action}
        for s in students
        if s.status not in sources
    ]


def _history_of_students(ids, *, by, reason: str) -> None:
    Student.history.bulk_history_create(
        list(Student.objects.filter(pk__in=ids)), update=True, default_user=by, default_change_reason=reason
    )


def _placements_close_bulk(*, student_ids, reason: str, by) -> None:
    open_placements = Placement.objects.filter(student_id__in=student_ids, ended_on__isnull=True)
    ids = list(open_placements.values_list("pk", flat=True))
    Placement.objects.filter(pk__in=ids).update(ended_on=_today(), end_reason=reason)
    Placement.history.bulk_history_create(
        list(Placement.objects.filter(pk__in=ids)), update=True, default_user=by, default_change_reason=reason
    )


def _placements_open_bulk(*, pairs: list[tuple[int, SchoolClass]], reason: str, by) -> None:
    """pairs: (student id, class) for students who have no open placement now."""
    created = Placement.objects.bulk_create(
        [
            Placement(student_id=student_id, school_id=school_class.school_id, school_class=school_class,
                      started_on=_today(), reason=reason)
            for student_id, school_class in pairs
        ]
    )
    Placement.history.bulk_history_create(created, default_user=by, default_change_reason=reason)


@transaction.atomic
def class_graduate(
    *, school_class: SchoolClass, certificates: dict[int, str], year: int, by, remark: str = ""
) -> list[GraduationCertificate]:
    """毕业 of a class: every student in `certificates` (id → certificate number) graduates and
    gets the certificate; the class is closed. Students of the class left out stay enrolled (and
    placed in it) until the school places them. All or nothing, in a fixed number of queries."""
    from .class_codes import GRADUATING_GRADES

    school_class = SchoolClass.objects.select_for_update().select_related("school").get(pk=school_class.pk)
    if school_class.state != SchoolClass.State.OPEN:
        raise ValidationError(_("班级“%(name)s”已毕业或撤销。") % {"name": school_class.name}, code="class_closed")
    if school_class.grade not in GRADUATING_GRADES:
        raise ValidationError(_("%(grade)s不是毕业年级。") % {"grade": school_class.grade_name})
    ids = sorted(certificates)
    if not ids:
        raise ValidationError(_("没有要毕业的学生。"))
    students = list(Student.objects.select_for_update().filter(pk__in=ids).order_by("name", "pk"))
    placed = set(
        Placement.objects.filter(student_id__in=ids, school_class=school_class, ended_on__isnull=True).values_list(
            "student_id", flat=True
        )
    )
    blockers = _status_blockers(students, GRADUATE_SOURCES, _("毕业"))
    blockers += [
        _("%(name)s（%(number)s）：不在本班。") % {"name": s.name, "number": s.student_number}
        for s in students
        if s.pk not in placed and s.status in GRADUATE_SOURCES
    ]
    if len(students) != len(ids):
        blockers.append(_("有学生记录不存在。"))
    numbers = [certificates[pk].strip() for pk in ids]
    duplicates = sorted(n for n, times in Counter(numbers).items() if times > 1)
    if duplicates:
        blockers.append(_("毕业证书编号重复：%(numbers)s") % {"numbers": "、".join(duplicates)})
    if blockers:
        raise ValidationError(blockers, code="graduation_blocked")
    reason = remark or _("毕业")
    updated = Student.objects.filter(pk__in=ids, status__in=GRADUATE_SOURCES).update(status=Student.Status.GRADUATED)
    if updated != len(ids):  # cannot happen under the row locks; refuse rather than half-graduate
        raise ValidationError(_("学生状态在办理中发生变化，请重试。"))
    _history_of_students(ids, by=by, reason=reason)
    _placements_close_bulk(student_ids=ids, reason=_("毕业"), by=by)
    today = _today()
    try:
        with transaction.atomic():
            issued = GraduationCertificate.objects.bulk_create(
                [
                    GraduationCertificate(
                        number=certificates[pk].strip(), student_id=pk, school=school_class.school,
                        school_class=school_class, year=year, issued_on=today,
                    )
                    for pk in ids
                ]
            )
    except IntegrityError:
        taken = sorted(
            GraduationCertificate.objects.filter(number__in=numbers).values_list("number", flat=True)
        )
        raise ValidationError(
            _("毕业证书编号已被使用：%(numbers)s") % {"numbers": "、".join(taken) or "?"}, code="certificate_taken"
        ) from None
    GraduationCertificate.history.bulk_history_create(issued, default_user=by, default_change_reason=reason)
    school_class.state = SchoolClass.State.GRADUATED
    _by(school_class, by, _("全班毕业"))
    school_class.save()
    return issued


@transaction.atomic
def students_promote(*, placements: dict[int, SchoolClass], by) -> int:
    """升学 of many graduates at once: each enrolls in its first-year class at the middle school,
    with the same student number. All or nothing; the number of queries does not grow with them."""
    ids = sorted(placements)
    if not ids:
        raise ValidationError(_("没有要升学的学生。"))
    class_ids = {c.pk for c in placements.values()}
    classes = {
        c.pk: c for c in SchoolClass.objects.select_for_update().select_related("school").filter(pk__in=class_ids)
    }
    blockers = [
        _("班级“%(name)s”已毕业或撤销，不能编入学生。") % {"name": c.name}
        for c in classes.values()
        if c.state != SchoolClass.State.OPEN
    ]
    students = list(Student.objects.select_for_update().filter(pk__in=ids).order_by("name", "pk"))
    blockers += _status_blockers(students, PROMOTE_SOURCES, _("升学"))
    if Placement.objects.filter(student_id__in=ids, ended_on__isnull=True).exists():
        blockers.append(_("有学生仍有在读班级。"))
    if blockers:
        raise ValidationError(blockers, code="promotion_blocked")
    by_school = defaultdict(list)
    for pk in ids:
        by_school[classes[placements[pk].pk].school_id].append(pk)
    for school_id, student_ids in by_school.items():
        Student.objects.filter(pk__in=student_ids, status__in=PROMOTE_SOURCES).update(
            status=Student.Status.ENROLLED, school_id=school_id
        )
    _history_of_students(ids, by=by, reason=_("升学"))
    _placements_open_bulk(pairs=[(pk, classes[placements[pk].pk]) for pk in ids], reason=_("升学"), by=by)
    return len(ids)


@transaction.atomic
def class_rename(*, school_class: SchoolClass, name: str, by) -> SchoolClass:
    """Rename a class; the old name stays in its history."""
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写班级名称。")})
    if school_class.state != SchoolClass.State.OPEN:
        raise ValidationError(_("班级已毕业或撤销，不能改名。"))
    if name == school_class.name:
        raise ValidationError({"name": _("新名称与原名称相同。")})
    if SchoolClass.objects.filter(school_id=school_class.school_id, name=name, state=SchoolClass.State.OPEN).exists():
        raise ValidationError({"name": _("本校已有名为“%(name)s”的班级。") % {"name": name}})
    school_class.name = name
    _by(school_class, by, _("班级改名"))
    school_class.save()
    return school_class


@transaction.atomic
def class_merge(*, source: SchoolClass, into: SchoolClass, by) -> SchoolClass:
    """Merge `source` into `into` (same school, same grade): every student placed in `source` moves
    to `into`, then `source` is dissolved. No approval: a school's own organisation of classes."""
    locked = {c.pk: c for c in SchoolClass.objects.select_for_update().filter(pk__in=[source.pk, into.pk])}
    source, into = locked[source.pk], locked[into.pk]
    if source.pk == into.pk:
        raise ValidationError({"into": _("不能与自己合并。")})
    if source.school_id != into.school_id:
        raise ValidationError({"into": _("只能合并本校的班级。")})
    if source.grade != into.grade:
        raise ValidationError({"into": _("只能合并同一年级的班级。")})
    if source.state != SchoolClass.State.OPEN or into.state != SchoolClass.State.OPEN:
        raise ValidationError({"into": _("只能合并在读的班级。")})
    reason = _("并班：%(source)s并入%(into)s") % {"source": source.name, "into": into.name}
    student_ids = list(
        Placement.objects.filter(school_class=source, ended_on__isnull=True).values_list("student_id", flat=True)
    )
    if student_ids:
        _placements_close_bulk(student_ids=student_ids, reason=reason, by=by)
        _placements_open_bulk(pairs=[(pk, into) for pk in student_ids], reason=reason, by=by)
    source.state = SchoolClass.State.DISSOLVED
    _by(source, by, reason)
    source.save()
    return into
