"""The rows of an intake file (批量导入新生), checked: each cell against the code tables, the ID
rules, the required items and their formats; then one person, one record for the whole file in a
few batched queries — against the register, within the file — and the possible duplicates (same
name, gender and birth date: flagged, not refused).

The rules are the single registration's (records.services.identity), run over many rows at once.
Open requests are the flows' to check: they add their refusals (IntakeCheck.refuse) before the
result is kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from ..id_numbers import parse_citizen_id
from ..models import Code, School, SchoolClass
from ..student_sheets import (
    CLASS_HEADER,
    RECORD_COLUMNS,
    REQUIRED_MEMBER_FIELDS,
    CellError,
    Codes,
    Column,
    IntakeSheet,
    cell_reader,
    cell_text,
    required,
)
from .base import CITIZEN_ID_TYPE, today
from .identity import id_document_check, id_holders, possible_duplicates, validate_family_members

STUDENT_COLUMNS = tuple(c for c in RECORD_COLUMNS if not c.member)
HEADER_OF = {c.field: c.header for c in STUDENT_COLUMNS}
MEMBER_LABELS = {"name": "姓名", "relationship": "关系"}
GUARDIAN_HEADER = "成员1是否监护人"
PHONE_FORMAT = re.compile(r"^[0-9+][0-9 -]{6,19}$")
POSTAL_CODE_FORMAT = re.compile(r"^[0-9]{6}$")


@dataclass
class CheckedRow:
    """One row of the file as the validation finds it."""

    row: int
    values: tuple
    errors: dict[str, str] = field(default_factory=dict)  # header → what is wrong
    school_class: SchoolClass | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the student's items, typed
    family: list[dict[str, Any]] = field(default_factory=list)
    possible_duplicate_id: int | None = None
    duplicate_row: int | None = None

    @property
    def id_type(self) -> Code | None:
        return self.data.get("id_type")

    @property
    def id_number(self) -> str:
        return self.data.get("id_number") or ""

    def refuse(self, header: str, message: str) -> None:
        # The first error of a cell is what its owner must fix first.
        self.errors.setdefault(header, message)

    @property
    def identity_checked(self) -> bool:
        """The ID type and number are readable and agree with each other."""
        return (
            bool(self.id_type and self.id_number)
            and HEADER_OF["id_number"] not in self.errors
            and HEADER_OF["id_type"] not in self.errors
        )


@dataclass
class IntakeCheck:
    """Every row of an intake file, checked; flows adds what open requests refuse."""

    headers: tuple
    rows: list[CheckedRow]

    def id_numbers(self) -> list[str]:
        return [r.id_number for r in self.rows if r.identity_checked]

    def refuse(self, held: dict[str, str]) -> None:
        """Refuse the rows whose ID number another open request holds (ID number → message)."""
        for r in self.rows:
            if r.identity_checked and r.id_number in held:
                r.refuse(HEADER_OF["id_number"], held[r.id_number])


class RowReader:
    """Reads one row's cells into the record's items, with a message for each cell that is wrong.
    The cell readers are built once per file: a file has hundreds of thousands of cells."""

    def __init__(self, sheet: IntakeSheet, school: School, codes: Codes):
        self.class_index = sheet.positions[CLASS_HEADER]
        self.classes: dict[str, SchoolClass] = {}
        for school_class in SchoolClass.objects.filter(school=school, state=SchoolClass.State.OPEN).select_related("school"):
            self.classes[school_class.code] = school_class
            self.classes[school_class.name] = school_class
        readers = {column: cell_reader(column, codes) for _i, column in sheet.columns}
        self.student_columns = [(i, c, readers[c]) for i, c in sheet.columns if not c.member]
        self.member_columns = {n: [(i, c, readers[c]) for i, c in sheet.columns if c.member == n] for n in (1, 2)}
        self.today = today()

    def _read(self, row: CheckedRow, index: int, column: Column, reader):
        try:
            return reader(row.values[index] if index < len(row.values) else None)
        except CellError as error:
            row.refuse(column.header, str(error))
            return None

    def read(self, number: int, values: tuple) -> CheckedRow:
        row = CheckedRow(row=number, values=values)
        self._read_class(row)
        self._read_student(row)
        self._read_family(row)
        return row

    def _read_class(self, row: CheckedRow) -> None:
        text = cell_text(row.values[self.class_index] if self.class_index < len(row.values) else None)
        if not text:
            row.refuse(CLASS_HEADER, _("必填，不能为空：请填写本校在读班级的名称或班级编码。"))
            return
        row.school_class = self.classes.get(text)
        if row.school_class is None:
            row.refuse(CLASS_HEADER, _("“%(value)s”不是本校在读的班级，请填写班级名称或12位班级编码。") % {"value": text})

    def _read_student(self, row: CheckedRow) -> None:
        data = row.data
        for index, column, reader in self.student_columns:
            value = self._read(row, index, column, reader)
            if value is not None:
                data[column.field] = value
        for column in STUDENT_COLUMNS:
            if column.field in data or column.header in row.errors:
                continue
            model_field = column.model_field
            if isinstance(model_field, models.BooleanField):
                data[column.field] = model_field.default
            elif required(column):
                row.refuse(column.header, _("必填，不能为空。"))
        if data.get("postal_code") and not POSTAL_CODE_FORMAT.match(data["postal_code"]):
            row.refuse(HEADER_OF["postal_code"], _("邮政编码应为6位数字。"))
        if data.get("contact_phone") and not PHONE_FORMAT.match(data["contact_phone"]):
            row.refuse(HEADER_OF["contact_phone"], _("联系电话只能有数字和“-”，7到20位。"))
        if data.get("entry_date") and data.get("birth_date") and data["entry_date"] < data["birth_date"]:
            row.refuse(HEADER_OF["entry_date"], _("入学年月早于出生日期。"))
        if data.get("birth_date") and data["birth_date"] > self.today:
            row.refuse(HEADER_OF["birth_date"], _("出生日期晚于今天。"))
        if data.get("id_type"):
            try:
                id_document_check(
                    gender=data.get("gender"), birth_date=data.get("birth_date"), id_type=data["id_type"],
                    id_number=data.get("id_number", ""),
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    row.refuse(HEADER_OF.get(name, HEADER_OF["id_number"]), messages[0])
            else:
                if data["id_type"].code == CITIZEN_ID_TYPE:
                    data["id_number"] = parse_citizen_id(data["id_number"]).number

    def _read_family(self, row: CheckedRow) -> None:
        for n in (1, 2):
            member = {}
            for index, column, reader in self.member_columns[n]:
                value = self._read(row, index, column, reader)
                if value not in (None, ""):
                    member[column.field] = value
            filled = bool(member) or any(c.header in row.errors for _i, c, _r in self.member_columns[n])
            if n == 2 and not filled:
                continue
            for name in REQUIRED_MEMBER_FIELDS:
                header = f"成员{n}{MEMBER_LABELS[name]}"
                if name not in member and header not in row.errors:
                    row.refuse(header, _("必填，不能为空。") if n == 1 else _("填写了成员2的信息时，须同时填写成员2的姓名和关系。"))
            member.setdefault("is_guardian", False)
            id_type, id_number = member.get("id_type"), member.get("id_number")
            if id_type and id_number and id_type.code == CITIZEN_ID_TYPE:
                try:
                    member["id_number"] = parse_citizen_id(id_number).number
                except ValidationError as error:
                    row.refuse(f"成员{n}身份证件号", error.messages[0])
            if member.get("phone") and not PHONE_FORMAT.match(member["phone"]):
                row.refuse(f"成员{n}联系电话", _("联系电话只能有数字和“-”，7到20位。"))
            row.family.append(member)
        if GUARDIAN_HEADER not in row.errors:
            try:
                validate_family_members(row.family)
            except ValidationError as error:
                row.refuse(GUARDIAN_HEADER, error.messages[0])


def _within_file(rows: list[CheckedRow]) -> None:
    """One person, one record within the file: rows with the same ID number are all refused."""
    by_id = defaultdict(list)
    for r in rows:
        if r.identity_checked:
            by_id[(r.id_type.pk, r.id_number)].append(r)
    for group in by_id.values():
        if len(group) > 1:
            for r in group:
                others = "、".join(str(o.row) for o in group if o is not r)
                r.refuse(HEADER_OF["id_number"], _("与第%(rows)s行的证件号相同：一人只能有一个学籍。") % {"rows": others})


def _against_the_register(rows: Iterable[CheckedRow]) -> None:
    """One person, one record against the register, as a single registration is checked."""
    rows = [r for r in rows if r.identity_checked]
    holders = id_holders(r.id_number for r in rows)
    for r in rows:
        refusal = holders.refusal(r.id_type, r.id_number)
        if refusal:
            r.refuse(HEADER_OF["id_number"], refusal)


def possible_duplicates_flag(rows: list[CheckedRow]) -> None:
    """Valid rows that look like an existing record, or like another valid row, are flagged: the
    academic office checks each before the bureau sees the request."""
    valid = [r for r in rows if not r.errors]
    people = [(r.data["name"], r.data["gender"].pk, r.data["birth_date"]) for r in valid]
    by_person = defaultdict(list)
    for r, person in zip(valid, people, strict=True):
        by_person[person].append(r)
    for group in by_person.values():
        for position, r in enumerate(group if len(group) > 1 else ()):
            r.duplicate_row = group[1 if position == 0 else 0].row
    for r, student_id in zip(valid, possible_duplicates(people), strict=True):
        r.possible_duplicate_id = student_id


def rows_check(rows: list[CheckedRow]) -> None:
    """One person, one record for rows whose cells were read: within the file, then against the
    register, in a few batched queries."""
    _within_file(rows)
    _against_the_register(rows)


def intake_rows_still_free(rows: Iterable[tuple[int, str, str]], codes: Codes | None = None) -> dict[int, str]:
    """Of the valid rows (row, ID type code, ID number), those whose ID number has got a record
    since the file was checked, each with the message: row → message."""
    codes = codes or Codes()
    rows = [r for r in rows if r[2]]
    holders = id_holders(number for _row, _type, number in rows)
    taken = {}
    for row, type_code, number in rows:
        # SQLite hands a JSON "1" back as the number 1.
        refusal = holders.refusal(codes.get("id_type", str(type_code)), number)
        if refusal:
            taken[row] = refusal
    return taken
