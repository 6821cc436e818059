"""Student numbers (学籍号), the one-person-one-record check, and family members' rules.

Each rule is written once, for one new record (新生建档, 外地转入, a key information change) and for
a whole intake file alike: the look-ups take a list of ID numbers or people, in batches, and the
single record passes a list of one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from ..id_numbers import StudentNumberPrefix, id_layout_number, parse_citizen_id
from ..models import Code, Student
from .base import CITIZEN_ID_TYPE, NO_ID_TYPE, codes_in_hand

# ID numbers or people per query of the look-ups below (an intake file checks thousands at once).
LOOKUP_BATCH = 1000


def one_record_message(school_name: str) -> str:
    """一人一籍: the ID number has a record already; only its school is named."""
    return _("该证件号已有学籍，学籍在“%(school)s”。一人只能有一个学籍：请通过转学或复学办理。") % {"school": school_name}


def student_number_taken_message(school_name: str) -> str:
    """The G number of this citizen ID was issued to a student whose ID was corrected since."""
    return _("该证件号曾用于“%(school)s”一名学生的学籍号（其证件号已更正），请核实证件号。") % {"school": school_name}


def id_document_check(*, gender: Code | None, birth_date: datetime.date | None, id_type: Code, id_number: str) -> None:
    """The key information agrees with itself: a valid citizen ID whose birth date and gender are
    the ones given (either may be missing, when its own cell was wrong), or a number for any other
    document but 其他. No database query."""
    if id_type.code == CITIZEN_ID_TYPE:
        citizen = parse_citizen_id(id_number)
        errors = {}
        if birth_date is not None and citizen.birth_date != birth_date:
            errors["birth_date"] = _("出生日期与居民身份证号不一致（证件为 %(date)s）。") % {
                "date": citizen.birth_date.isoformat()
            }
        if gender is not None and citizen.gender_code != gender.code:
            errors["gender"] = _("性别与居民身份证号不一致。")
        if errors:
            raise ValidationError(errors)
    elif id_type.code != NO_ID_TYPE and not id_number:
        raise ValidationError({"id_number": _("请填写身份证件号；没有证件时，证件类型请选择“其他”。")})


def _batches(items: Sequence, size: int = LOOKUP_BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class IdHolders:
    """Who holds some ID numbers already, each as the name of the holder's school."""

    by_id: dict[tuple[int, str], str]  # (ID type id, ID number) → school
    by_number: dict[str, str]  # student number → school

    def refusal(self, id_type: Code, id_number: str) -> str | None:
        """Why no new record can have this ID: it has a record (一人一籍), or its G number was
        issued for it before that student's ID was corrected (numbers never change)."""
        school = self.by_id.get((id_type.pk, id_number))
        if school is not None:
            return one_record_message(school)
        if id_type.code == CITIZEN_ID_TYPE:
            school = self.by_number.get(StudentNumberPrefix.CITIZEN + id_number)
            if school is not None:
                return student_number_taken_message(school)
        return None


def id_holders(
    id_numbers: Iterable[str], *, exclude: Student | None = None, id_type: Code | None = None
) -> IdHolders:
    """The records holding these ID numbers, and those whose G number is one of them (as a citizen
    ID): one query per batch.

    With `id_type`, only the holders of these numbers as that document are looked up (what a single
    record asks for): the search then follows the unique index over (ID type, ID number) instead of
    reading all of it, a few hundredths of a second on a county's register."""
    holders = IdHolders(by_id={}, by_number={})
    students = Student.objects.exclude(pk=exclude.pk) if exclude else Student.objects.all()
    for batch in _batches(sorted({n for n in id_numbers if n})):
        held = Q(id_number__in=batch) if id_type is None else Q(id_type=id_type, id_number__in=batch)
        found = students.filter(
            held | Q(student_number__in=[StudentNumberPrefix.CITIZEN + n for n in batch])
        ).values_list("id_type_id", "id_number", "student_number", "school__name")
        for id_type_id, id_number, student_number, school_name in found:
            holders.by_id[(id_type_id, id_number)] = school_name
            holders.by_number[student_number] = school_name
    return holders


def possible_duplicates(
    people: Sequence[tuple[str, int, datetime.date]], *, exclude: Student | None = None
) -> list[int | None]:
    """For each (name, gender id, birth date), the first record with the same three, or None: a
    possible duplicate, flagged for the registrar or the academic office, not refused.

    One join against the register per batch, on the index over (name, gender, birth_date): a look-up
    per person, not a scan of the names (a common name has thousands of records).
    """
    found: list[int | None] = [None] * len(people)
    if connection.vendor != "postgresql":
        # The embedded SQLite of `make run` has no arrays to join: a query per person there.
        students = Student.objects.exclude(pk=exclude.pk) if exclude else Student.objects.all()
        for ordinal, (name, gender_id, birth_date) in enumerate(people):
            found[ordinal] = (
                students.filter(name=name, gender_id=gender_id, birth_date=birth_date)
                .order_by("pk").values_list("pk", flat=True).first()
            )
        return found
    table = connection.ops.quote_name(Student._meta.db_table)
    for start in range(0, len(people), 5 * LOOKUP_BATCH):
        batch = people[start : start + 5 * LOOKUP_BATCH]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.ord, min(s.id) FROM unnest(%s::text[], %s::bigint[], %s::date[], %s::int[]) "
                f"AS t(name, gender_id, birth_date, ord) JOIN {table} s ON s.name = t.name "
                f"AND s.gender_id = t.gender_id AND s.birth_date = t.birth_date AND s.id <> %s GROUP BY t.ord",
                [
                    [p[0] for p in batch], [p[1] for p in batch], [p[2] for p in batch],
                    list(range(start, start + len(batch))), exclude.pk if exclude else 0,
                ],
            )
            for ordinal, student_id in cursor.fetchall():
                found[ordinal] = student_id
    return found


# --- Student numbers -------------------------------------------------------------------------------


def temporary_number_prefix(*, id_type: Code, id_number: str) -> str:
    """L for another ID document than the citizen ID, J for a student with no usable ID."""
    return StudentNumberPrefix.NO_ID if id_type.code == NO_ID_TYPE or not id_number else StudentNumberPrefix.TEMPORARY


def temporary_number_stem(*, prefix: str, area_code: str, birth_date: datetime.date) -> str:
    """What every L or J number of this area and birth date begins with."""
    return f"{prefix}{area_code}{birth_date:%Y%m%d}"


def temporary_number_next(*, prefix: str, area_code: str, birth_date: datetime.date, taken: set[str]) -> str:
    """The first number in ID layout of this area and birth date that is not in `taken`."""
    for sequence in range(1, 1000):
        number = prefix + id_layout_number(area_code=area_code, birth_date=birth_date, sequence=sequence)
        if number not in taken:
            return number
    raise ValidationError({"birth_date": _("该地区该出生日期的临时学籍号已用完，请联系系统管理员。")})


def student_number_issue(
    *, id_type: Code, id_number: str, birth_date: datetime.date, area_code: str, holders: IdHolders | None = None
) -> str:
    """Issue a 19-character student number (学籍号); it never changes afterwards.

    G + citizen ID for a valid citizen ID; L + a temporary number in ID layout for another ID
    document; J + a number in ID layout for a student with no usable ID. `holders`: those of this
    ID number, looked up already in this transaction (see record_check).
    """
    if id_type.code == CITIZEN_ID_TYPE:
        citizen = parse_citizen_id(id_number).number
        # A record for this ID registered a moment ago by another request, or a G number issued for
        # it before its holder's ID was corrected.
        if holders is None:
            holders = id_holders([citizen], id_type=id_type)
        refusal = holders.refusal(id_type, citizen)
        if refusal:
            raise ValidationError({"id_number": refusal}, code="duplicate_id")
        return StudentNumberPrefix.CITIZEN + citizen
    prefix = temporary_number_prefix(id_type=id_type, id_number=id_number)
    stem = temporary_number_stem(prefix=prefix, area_code=area_code, birth_date=birth_date)
    taken = set(Student.objects.filter(student_number__startswith=stem).values_list("student_number", flat=True))
    return temporary_number_next(prefix=prefix, area_code=area_code, birth_date=birth_date, taken=taken)


# --- One person, one record --------------------------------------------------------------------------


def student_check_identity(
    *,
    name: str,
    gender: Code,
    birth_date: datetime.date,
    id_type: Code,
    id_number: str,
    exclude: Student | None = None,
    holders: dict[str, IdHolders] | None = None,
) -> Student | None:
    """Validate the key information and run the one-person-one-record check.

    Refuses an invalid citizen ID, a birth date or gender that differs from it, and an ID number
    that already has a record (naming only that record's school). Returns a possible duplicate
    (same name, gender and birth date) for the registrar to resolve, or None.

    `holders`, when given, is a dict that receives the holders of the ID number (IdHolders, under
    the number), so that the student number can be issued without asking again.
    """
    id_number = (id_number or "").strip().upper()
    id_document_check(gender=gender, birth_date=birth_date, id_type=id_type, id_number=id_number)
    if id_number:
        found = id_holders([id_number], exclude=exclude, id_type=id_type)
        if holders is not None:
            holders[id_number] = found
        school = found.by_id.get((id_type.pk, id_number))
        if school is not None:
            raise ValidationError({"id_number": one_record_message(school)}, code="duplicate_id")
    (duplicate,) = possible_duplicates([(name, gender.pk, birth_date)], exclude=exclude)
    return Student.objects.filter(pk=duplicate).first() if duplicate else None


def validate_family_members(members: list[dict[str, Any]]) -> None:
    if not members:
        raise ValidationError({"family_members": _("请至少填写一名家庭成员，且其中至少一人为监护人。")})
    if len(members) > 2:
        raise ValidationError({"family_members": _("家庭成员最多填写两名。")})
    if not any(member.get("is_guardian") for member in members):
        raise ValidationError({"family_members": _("家庭成员中至少一人须为监护人。")})


def member_id_number(member: dict[str, Any]) -> str:
    """A family member's ID number as it is kept: a citizen ID validated and in capitals (the
    ValidationError names `id_number`), any other document's number as typed."""
    id_type, id_number = member.get("id_type"), (member.get("id_number") or "").strip()
    if id_type is not None and id_type.code == CITIZEN_ID_TYPE and id_number:
        return parse_citizen_id(id_number).number
    return id_number


def family_member_ids_check(members: list[dict[str, Any]]) -> None:
    """Each family member's citizen ID valid, as the student's is (records.id_numbers); other
    documents are not in ID layout and are not checked."""
    for position, member in enumerate(members, start=1):
        try:
            member_id_number(member)
        except ValidationError as error:
            raise ValidationError(
                {"family_members": _("家庭成员%(n)d：%(error)s") % {"n": position, "error": error.messages[0]}}
            ) from None


# What full_clean leaves to the register's own checks or to the services that fill it in.
RECORD_CHECK_EXCLUDE = ["student_number", "school", "status", "possible_duplicate_of", "photo"]


def key_info_check(
    *, candidate: Student, exclude: Student | None = None, holders: dict[str, IdHolders] | None = None
) -> Student | None:
    """The record's fields valid and its key information consistent and nobody else's (one
    person, one record). Returns a possible duplicate (same name, gender and birth date).
    `holders`: see student_check_identity."""
    # The database constraints hold anyway; the identity check explains a duplicate better.
    candidate.full_clean(exclude=RECORD_CHECK_EXCLUDE + codes_in_hand(candidate), validate_constraints=False)
    return student_check_identity(
        name=candidate.name, gender=candidate.gender, birth_date=candidate.birth_date,
        id_type=candidate.id_type, id_number=candidate.id_number or "", exclude=exclude, holders=holders,
    )


def record_check(
    *, school, data: dict[str, Any], family: list[dict[str, Any]], holders: dict[str, IdHolders] | None = None
) -> tuple[Student, Student | None]:
    """A new record (新生建档, 外地转入) as it would be created in `school`, checked: its fields, its key
    information, one person one record, its family members. Returns the unsaved student and a
    possible duplicate for the registrar to resolve (flagged, not refused). `holders`: see
    student_check_identity."""
    data = dict(data, id_number=(data.get("id_number") or "").strip().upper())
    candidate = Student(school=school, **data)
    duplicate = key_info_check(candidate=candidate, holders=holders)
    validate_family_members(family)
    family_member_ids_check(family)
    return candidate, duplicate
