"""Student numbers (学籍号), the one-person-one-record check, and family members' rules."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..id_numbers import StudentNumberPrefix, id_layout_number, parse_citizen_id
from ..models import Code, Student
from .base import CITIZEN_ID_TYPE, NO_ID_TYPE


def one_record_message(existing: Student) -> str:
    """一人一籍: the ID number has a record already; only its school is named."""
    return _("该证件号已有学籍，学籍在“%(school)s”。一人只能有一个学籍：请通过转学或复学办理。") % {
        "school": existing.school.name
    }


def student_number_issue(*, id_type: Code, id_number: str, birth_date: datetime.date, area_code: str) -> str:
    """Issue a 19-character student number (学籍号); it never changes afterwards.

    G + citizen ID for a valid citizen ID; L + a temporary number in ID layout for another ID
    document; J + a number in ID layout for a student with no usable ID.
    """
    if id_type.code == CITIZEN_ID_TYPE:
        number = StudentNumberPrefix.CITIZEN + parse_citizen_id(id_number).number
        holder = Student.objects.filter(student_number=number).select_related("school").first()
        if holder and holder.id_number == parse_citizen_id(id_number).number:
            # Registered a moment ago by another request with this ID: one person, one record.
            raise ValidationError({"id_number": one_record_message(holder)}, code="duplicate_id")
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
            raise ValidationError({"id_number": one_record_message(existing)}, code="duplicate_id")
    return others.filter(name=name, gender=gender, birth_date=birth_date).order_by("pk").first()



def validate_family_members(members: list[dict[str, Any]]) -> None:
    if not members:
        raise ValidationError({"family_members": _("请至少填写一名家庭成员，且其中至少一人为监护人。")})
    if len(members) > 2:
        raise ValidationError({"family_members": _("家庭成员最多填写两名。")})
    if not any(member.get("is_guardian") for member in members):
        raise ValidationError({"family_members": _("家庭成员中至少一人须为监护人。")})



# What full_clean leaves to the register's own checks or to the services that fill it in.
RECORD_CHECK_EXCLUDE = ["student_number", "school", "status", "possible_duplicate_of", "photo"]


def key_info_check(*, candidate: Student, exclude: Student | None = None) -> Student | None:
    """The record's fields valid and its key information consistent and nobody else's (one
    person, one record). Returns a possible duplicate (same name, gender and birth date)."""
    # The database constraints hold anyway; the identity check explains a duplicate better.
    candidate.full_clean(exclude=RECORD_CHECK_EXCLUDE, validate_constraints=False)
    return student_check_identity(
        name=candidate.name, gender=candidate.gender, birth_date=candidate.birth_date,
        id_type=candidate.id_type, id_number=candidate.id_number or "", exclude=exclude,
    )


def record_check(*, school, data: dict[str, Any], family: list[dict[str, Any]]) -> tuple[Student, Student | None]:
    """A new record (新生建档, 外地转入) as it would be created in `school`, checked: its fields, its key
    information, one person one record, its family members. Returns the unsaved student and a
    possible duplicate for the registrar to resolve (flagged, not refused)."""
    data = dict(data, id_number=(data.get("id_number") or "").strip().upper())
    candidate = Student(school=school, **data)
    duplicate = key_info_check(candidate=candidate)
    validate_family_members(family)
    return candidate, duplicate
