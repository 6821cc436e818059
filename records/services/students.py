"""A student's record: registration, direct edits, family members, key information, poverty status."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..id_numbers import StudentNumberPrefix, parse_citizen_id
from ..models import FamilyMember, Placement, SchoolClass, Student
from .base import CITIZEN_ID_TYPE, codes_in_hand, fire, locked, record_actor, today
from .checks import poverty_change_check
from .identity import (
    IdHolders,
    family_member_ids_check,
    key_info_check,
    record_check,
    student_number_issue,
    validate_family_members,
)
from .placements import require_open_class

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



def _family_member_filled(member: FamilyMember, data: dict[str, Any]) -> FamilyMember:
    for field in FAMILY_MEMBER_FIELDS:
        if field in data:
            setattr(member, field, data[field])
    if member.id_type and member.id_type.code == CITIZEN_ID_TYPE and member.id_number:
        member.id_number = parse_citizen_id(member.id_number).number
    return member


def family_members_write(*, student: Student, members: list[dict[str, Any]], by) -> None:
    validate_family_members(members)
    family_member_ids_check(members)
    student.family_members.exclude(position__in=range(1, len(members) + 1)).delete()
    for position, data in enumerate(members, start=1):
        member = student.family_members.filter(position=position).first() or FamilyMember(
            student=student, position=position
        )
        _family_member_filled(member, data)
        member.full_clean(exclude=["student"])
        record_actor(member, by)
        member.save()


def _family_members_create(*, student: Student, members: list[dict[str, Any]], by) -> None:
    """A new record's family members, checked as family_members_write checks them (record_check
    has checked how many there are and their ID numbers), in one INSERT and one for their history."""
    created = []
    for position, data in enumerate(members, start=1):
        member = _family_member_filled(FamilyMember(student=student, position=position), data)
        # Positions 1 and 2 of a record that has none yet: the constraints on them hold.
        member.full_clean(exclude=["student", *codes_in_hand(member)], validate_constraints=False)
        record_actor(member, by)
        created.append(member)
    FamilyMember.objects.bulk_create(created)
    # No reason on a family member's history, as member.save() writes it.
    FamilyMember.history.bulk_history_create(created, default_user=by, default_change_reason=None)


@transaction.atomic
def student_register(
    *,
    school_class: SchoolClass,
    data: dict[str, Any],
    family_members: list[dict[str, Any]],
    by,
    placement_reason: str = "",
    placed_on: datetime.date | None = None,
) -> Student:
    """Create a record, issue its student number and place the student in `school_class`.

    The placement starts today, or on `placed_on` for a student who has been in the class since
    before the record was entered (a register filled in after the fact, as the demo's is).

    `data` holds the record's fields by name (codes as Code instances). A possible duplicate
    (same name, gender and birth date) does not stop the registration: it is flagged on the
    new record for the registrar to resolve.
    """
    locked_class = require_open_class(school_class, with_school=True)
    if placed_on is not None and placed_on > today():
        raise ValidationError({"placed_on": _("编班日期不能晚于今天。")}, code="future_placement")
    school = locked_class.school
    holders: dict[str, IdHolders] = {}
    student, duplicate = record_check(school=school, data=data, family=family_members, holders=holders)
    student.possible_duplicate_of = duplicate
    student.student_number = student_number_issue(
        id_type=student.id_type,
        id_number=student.id_number,
        birth_date=student.birth_date,
        area_code=school.region.code,
        holders=holders.get(student.id_number),
    )
    reason = placement_reason or _("新生建档")
    record_actor(student, by, reason)
    try:
        student.save()
    except IntegrityError:
        # Another registration with this ID number committed first. No savepoint of its own: the
        # error leaves through this function's atomic block, which rolls the registration back.
        raise ValidationError({"id_number": _("该证件号已有学籍，一人只能有一个学籍。")}, code="duplicate_id") from None
    _family_members_create(student=student, members=family_members, by=by)
    # The record is new: it has no open placement that placement_open would have to refuse.
    placement = Placement(
        student=student, school=school, school_class=school_class, started_on=placed_on or today(), reason=reason
    )
    record_actor(placement, by, reason)
    placement.save()
    return student


@transaction.atomic
def student_update(*, student: Student, data: dict[str, Any], by) -> Student:
    """Edit the fields a school may change directly; key information goes through a request."""
    refused = sorted(set(data) - set(EDITABLE_STUDENT_FIELDS))
    if refused:
        raise ValidationError(
            {field: _("该项为关键信息或由审批流程维护，不能直接修改。") for field in refused}, code="not_editable"
        )
    student = locked(student)
    for field, value in data.items():
        setattr(student, field, value)
    student.full_clean(exclude=["student_number", "school", "status", "possible_duplicate_of"])
    record_actor(student, by, _("修改学生信息"))
    student.save()
    return student


@transaction.atomic
def family_members_replace(*, student: Student, members: list[dict[str, Any]], by) -> None:
    family_members_write(student=locked(student), members=members, by=by)


@transaction.atomic
def student_resolve_duplicate(*, student: Student, by) -> Student:
    """The registrar has checked the possible duplicate and found two different people."""
    student = locked(student)
    student.possible_duplicate_of = None
    record_actor(student, by, _("疑似重复已核实为不同学生"))
    student.save()
    return student



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
    student = locked(student)
    fire(student, "amend", _("关键信息变更"))
    old_name = student.name
    for field, value in changes.items():
        setattr(student, field, value.strip().upper() if field == "id_number" else value)
    key_info_check(candidate=student, exclude=student)
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
    record_actor(student, by, reason or _("关键信息变更"))
    try:
        with transaction.atomic():
            student.save()
    except IntegrityError:
        raise ValidationError({"id_number": _("该证件号已有学籍，一人只能有一个学籍。")}, code="duplicate_id") from None
    return student


@transaction.atomic
def student_set_poverty(*, student: Student, poverty: bool, by, note: str = "") -> Student:
    """贫困生认定 (True) or 取消 (False)."""
    student = locked(student)
    fire(student, "amend", _("贫困生认定/取消"))
    poverty_change_check(student=student, poverty=poverty)
    student.poverty = poverty
    record_actor(student, by, note or (_("认定为贫困生") if poverty else _("取消贫困生认定")))
    student.save()
    return student

