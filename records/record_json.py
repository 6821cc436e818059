"""A student's record kept as JSON until it becomes a student: coded items as their national codes
("ethnicity": "01"), dates and decimals as text. A request carries a new record so (新生建档, 外地转入),
and an intake file keeps its checked rows so (IntakeRow).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Code


def item_to_json(value):
    if isinstance(value, Code):
        return value.code
    if isinstance(value, (datetime.date, Decimal)):
        return str(value)
    return value


def items_to_json(data: dict[str, Any], names: Iterable[str] | None = None) -> dict[str, Any]:
    """The items of `data` (those of `names`, when given) as JSON values."""
    names = data if names is None else [name for name in names if name in data]
    return {name: item_to_json(data[name]) for name in names}


def _code_field(model: type[models.Model], name: str) -> models.ForeignKey | None:
    field = model._meta.get_field(name)
    return field if isinstance(field, models.ForeignKey) and field.related_model is Code else None


def _codes_from_database(model: type[models.Model], data: dict[str, Any], names) -> Callable[[str, str], Code | None]:
    """The codes the items name, read in one query, as a code_of."""
    wanted = Q()
    for name in names:
        if data[name] in (None, ""):
            continue
        field = _code_field(model, name)
        if field is not None:
            wanted |= Q(table=field.get_limit_choices_to()["table"], code=str(data[name]))
    found = {(c.table, c.code): c for c in Code.objects.filter(wanted)} if wanted else {}
    return lambda table, code: found.get((table, code))


def items_from_json(
    model: type[models.Model],
    data: dict[str, Any],
    names: Iterable[str] | None = None,
    *,
    code_of: Callable[[str, str], Code | None] | None = None,
) -> dict[str, Any]:
    """The JSON items as `model`'s field values; an empty item is left out (the field's default).
    `code_of(table, code)` finds a code (the code tables in memory, for many records at once);
    without it, the codes the items name are read in one query."""
    names = list(data) if names is None else [name for name in names if name in data]
    if code_of is None:
        code_of = _codes_from_database(model, data, names)
    values = {}
    for name in names:
        value = data[name]
        if value in (None, ""):
            continue
        field = model._meta.get_field(name)
        if _code_field(model, name) is not None:
            found = code_of(field.get_limit_choices_to()["table"], str(value))
            if found is None:
                raise ValidationError(
                    {name: _("代码“%(code)s”不在%(field)s代码表中。") % {"code": value, "field": field.verbose_name}}
                )
            value = found
        elif isinstance(field, models.DateField):
            value = datetime.date.fromisoformat(value) if isinstance(value, str) else value
        elif isinstance(field, models.DecimalField):
            value = Decimal(str(value))
        values[name] = value
    return values
