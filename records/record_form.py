"""The student record as the national form (学生基础信息表) groups its items, and how a value reads."""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Student

EMPTY = "—"

# Groups and their items in the order of the national form; key information first.
STUDENT_FIELD_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        gettext_lazy("基本信息"),
        (
            "name", "former_names", "gender", "birth_date", "birthplace", "native_place", "ethnicity",
            "nationality", "overseas_chinese", "health",
        ),
    ),
    (gettext_lazy("身份证件"), ("id_type", "id_number", "student_number")),
    (gettext_lazy("户口信息"), ("household_place", "household_type")),
    (
        gettext_lazy("学籍信息"),
        ("school", "status", "entry_date", "entry_way", "study_mode", "student_type", "created_at"),
    ),
    (
        gettext_lazy("家庭与特殊标识"),
        (
            "only_child", "preschool", "left_behind", "migrant_worker_child", "orphan", "martyr_child",
            "needs_aid", "enjoys_subsidy", "poverty", "disability_type",
        ),
    ),
    (
        gettext_lazy("联系与交通"),
        (
            "current_address", "home_address", "contact_phone", "postal_code", "distance_km", "transport",
            "school_bus",
        ),
    ),
)

# Code-table foreign keys shown on the record; select_related() them to read a record in one query.
STUDENT_CODE_FIELDS = tuple(
    field.name
    for field in Student._meta.fields
    if isinstance(field, models.ForeignKey) and field.related_model._meta.model_name == "code"
)


@dataclass(frozen=True)
class Item:
    label: str
    value: str
    field: str


def display_value(field: models.Field, value, related: object | None = None) -> str:
    """How one stored value reads on a page: choices by label, booleans as 是/否, codes by name.

    `value` is what the model holds (for a foreign key, its id); `related` is the object it points
    to when the caller has it.
    """
    if isinstance(field, models.BooleanField):
        return _("是") if value else _("否")
    if value is None or value == "":
        return EMPTY
    if isinstance(field, models.ForeignKey):
        return str(related) if related is not None else _("（已删除 #%(id)s）") % {"id": value}
    if getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, FieldFile):
        return value.name.rsplit("/", 1)[-1] if value else EMPTY
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        # 入学年月 is a year and month on the national form.
        return formats.date_format(value, "YEAR_MONTH_FORMAT" if field.name == "entry_date" else "DATE_FORMAT")
    if isinstance(value, decimal.Decimal):
        return formats.number_format(value)
    return str(value)


def student_record_groups(student: Student, shown=None) -> list[tuple[str, list[Item]]]:
    """The record's items, grouped; the student should come with its code fields select_related.

    `shown` (selectors.identity_shown_to(viewer)) masks ID and phone numbers for a viewer who
    reads them masked; without it every item reads whole."""
    groups = []
    for title, names in STUDENT_FIELD_GROUPS:
        items = []
        for name in names:
            field = Student._meta.get_field(name)
            if isinstance(field, models.ForeignKey):
                value = display_value(field, getattr(student, field.attname), getattr(student, name))
            else:
                raw = getattr(student, name)
                value = display_value(field, shown.field(name, raw) if shown is not None else raw)
            items.append(Item(label=str(field.verbose_name), value=value, field=name))
        groups.append((str(title), items))
    return groups
