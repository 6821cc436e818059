"""A student record held on a request as JSON until the last approval creates it.

Coded fields are kept as their national codes (e.g. "ethnicity": "01"), dates as ISO strings.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from records.models import Code, FamilyMember, Student
from records.services import EDITABLE_STUDENT_FIELDS, FAMILY_MEMBER_FIELDS

RECORD_FIELDS = tuple(
    name for name in ("name", "former_names", "gender", "birth_date", "id_type", "id_number", *EDITABLE_STUDENT_FIELDS)
    if name != "photo"
)


def _to_json(model, data: dict[str, Any], names) -> dict[str, Any]:
    result = {}
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, Code):
            value = value.code
        elif isinstance(value, (datetime.date, Decimal)):
            value = str(value)
        result[name] = value
    return result


def _from_json(model, data: dict[str, Any], names) -> dict[str, Any]:
    result = {}
    for name in names:
        if name not in data or data[name] in (None, ""):
            continue
        field = model._meta.get_field(name)
        value = data[name]
        if isinstance(field, models.ForeignKey) and field.related_model is Code:
            table = field.get_limit_choices_to()["table"]
            try:
                value = Code.objects.get(table=table, code=str(value))
            except Code.DoesNotExist:
                raise ValidationError({name: _("代码“%(code)s”不在%(field)s代码表中。") % {"code": value, "field": field.verbose_name}}) from None
        elif isinstance(field, models.DateField):
            value = datetime.date.fromisoformat(value) if isinstance(value, str) else value
        elif isinstance(field, models.DecimalField):
            value = Decimal(str(value))
        result[name] = value
    return result


def record_to_json(data: dict[str, Any]) -> dict[str, Any]:
    return _to_json(Student, data, RECORD_FIELDS)


def record_from_json(data: dict[str, Any]) -> dict[str, Any]:
    return _from_json(Student, data, RECORD_FIELDS)


def family_to_json(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_to_json(FamilyMember, member, FAMILY_MEMBER_FIELDS) for member in members]


def family_from_json(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_from_json(FamilyMember, member, FAMILY_MEMBER_FIELDS) for member in members]


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
