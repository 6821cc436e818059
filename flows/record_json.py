"""A student record held on a request as JSON until the last approval creates it: the items a
request carries, in records.record_json's shape (coded fields as their national codes, dates as
ISO strings).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from records.models import FamilyMember, Student
from records.record_json import items_from_json, items_to_json
from records.services import EDITABLE_STUDENT_FIELDS, FAMILY_MEMBER_FIELDS

RECORD_FIELDS = tuple(
    name for name in ("name", "former_names", "gender", "birth_date", "id_type", "id_number", *EDITABLE_STUDENT_FIELDS)
    if name != "photo"
)


def record_to_json(data: dict[str, Any]) -> dict[str, Any]:
    return items_to_json(data, RECORD_FIELDS)


def record_from_json(data: dict[str, Any]) -> dict[str, Any]:
    return items_from_json(Student, data, RECORD_FIELDS)


def family_to_json(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [items_to_json(member, FAMILY_MEMBER_FIELDS) for member in members]


def family_from_json(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [items_from_json(FamilyMember, member, FAMILY_MEMBER_FIELDS) for member in members]


def record_items(record: dict[str, Any], family: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """A record held on a request (新生建档, 外地转入), as label and readable value for its page."""

    def readable(model, data):
        rows = []
        for name, value in data.items():
            field = model._meta.get_field(name)
            if isinstance(value, bool):
                value = _("是") if value else _("否")
            rows.append((str(field.verbose_name), str(value)))
        return rows

    items = readable(Student, record_from_json(record))
    for number, member in enumerate(family_from_json(family), start=1):
        items += [(f"{_('家庭成员')}{number} · {label}", value) for label, value in readable(FamilyMember, member)]
    return items
