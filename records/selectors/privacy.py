"""Who sees ID numbers and phone numbers whole, and how they read to everyone else.

The people who register students and approve their changes — the school's registrar, its
academic office (教导处) and principal, the bureau officers and the system administrators — see
ID numbers and phone numbers whole: their work is checking them against the documents. Class and
subject teachers read the register masked (3301**********123X, 138****5678): their work is the
head count, the grades and the comments, and the policy texts keep the register's data with the
person the school names for it (篇10 五.一: 指定专人负责学籍管理, 不得擅自…公开学籍信息).
A first-grade class teacher still types a new student's ID number into a registration (篇1 四);
a form shows what its author types, but once it is in the register it reads masked to them.

A student number is "G" + the citizen ID number, so it is masked the same way, and a masked
viewer's search looks at names only: a full ID number or student number typed into the search box
would otherwise confirm itself by finding the student.

Pages use the template filters of records/templatetags/xueji.py (and `identity_shown_to(viewer)`
for the record's items, its history and a request's data), the API the serializers'
MaskedFieldsMixin, the exports and the documents `identity_shown_to(viewer)`; all of them ask
scope.sees_identity_whole, the one rule.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from .scope import sees_identity_whole

MASK = "*"


def mask_id_number(value: str) -> str:
    """The first four and last four characters kept: 3301**********123X. A short number (a
    passport's) keeps one at each end."""
    value = value or ""
    if len(value) > 8:
        return value[:4] + MASK * (len(value) - 8) + value[-4:]
    if len(value) > 2:
        return value[0] + MASK * (len(value) - 2) + value[-1]
    return MASK * len(value)


def mask_phone(value: str) -> str:
    """A mobile number keeps its first three and last four digits (138****5678); a shorter
    number its last four, or two."""
    value = value or ""
    if len(value) >= 11:
        return value[:3] + MASK * (len(value) - 7) + value[-4:]
    keep = 4 if len(value) >= 8 else 2
    if len(value) > keep:
        return MASK * (len(value) - keep) + value[-keep:]
    return MASK * len(value)


def mask_student_number(value: str) -> str:
    """The letter, then the number in ID layout masked as an ID number: G3301**********123X."""
    value = value or ""
    return value[:1] + mask_id_number(value[1:]) if value else ""


def mask_student_numbers(value: str) -> str:
    """Former student numbers, as the record keeps them: separated by spaces or commas."""
    parts, word = [], ""
    for char in value or "":
        if char in " ,，;；":
            parts.append(mask_student_number(word) + char)
            word = ""
        else:
            word += char
    parts.append(mask_student_number(word))
    return "".join(parts)


# Every field, on any model or serializer, that holds an ID number or a phone number: its masker.
MASKED_FIELDS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "student_number": mask_student_number,
    "former_student_numbers": mask_student_numbers,
    "contact_phone": mask_phone,
    "phone": mask_phone,
    "applicant_phone": mask_phone,
}


@dataclass(frozen=True)
class IdentityShown:
    """How ID numbers, student numbers and phone numbers read to one viewer."""

    whole: bool

    def id_number(self, value: str) -> str:
        return value if self.whole else mask_id_number(value)

    def student_number(self, value: str) -> str:
        return value if self.whole else mask_student_number(value)

    def phone(self, value: str) -> str:
        return value if self.whole else mask_phone(value)

    def field(self, name: str, value):
        """`value` of the field `name` as this viewer reads it; fields that hold neither ID nor
        phone numbers are returned as they are."""
        masker = MASKED_FIELDS.get(name)
        if self.whole or masker is None or not isinstance(value, str) or not value:
            return value
        return masker(value)

    def data(self, value):
        """JSON a request holds (a new student's record and family, a change and what it replaced),
        with the values of ID-number and phone fields masked, at any depth."""
        if self.whole:
            return value
        if isinstance(value, dict):
            return {key: self.field(key, self.data(item)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value

    def request(self, process):
        """A copy of a request (a flows Process) to show, its JSON and applicant's phone masked;
        the request itself is left as it is, and the copy is never saved."""
        if self.whole:
            return process
        shown = copy.copy(process)
        for name in ("record", "family", "changes", "previous"):
            if hasattr(shown, name):
                setattr(shown, name, self.data(getattr(shown, name)))
        if hasattr(shown, "applicant_phone"):
            shown.applicant_phone = self.phone(shown.applicant_phone)
        return shown


WHOLE = IdentityShown(whole=True)


def identity_shown_to(user) -> IdentityShown:
    return IdentityShown(whole=sees_identity_whole(user))
