"""What every service shares: who made a change, today, row locks, firing the state machine."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils import timezone

from ..models import Code, CodeTable, Student
from .checks import status_check

CITIZEN_ID_TYPE = "1"  # 居民身份证
NO_ID_TYPE = "Z"  # 其他: no usable ID


def record_actor(instance, by: AbstractBaseUser | None, reason: str = "") -> None:
    """Record who made the change (and why) in the instance's history."""
    instance._history_user = by
    if reason:
        instance._change_reason = reason


def codes_in_hand(instance) -> list[str]:
    """The names of `instance`'s code fields that hold a Code read from the database, of the
    field's own table: full_clean may leave them out instead of looking each one up again (a query
    per field). Any other value (a bare id, a code of another table) is left to full_clean, which
    refuses it with its own message."""
    names = []
    for field in instance._meta.concrete_fields:
        if not (isinstance(field, models.ForeignKey) and field.related_model is Code and field.is_cached(instance)):
            continue
        code = field.get_cached_value(instance)
        if (
            code is not None
            and not code._state.adding
            and code.pk == getattr(instance, field.attname)
            and code.table == field.get_limit_choices_to()["table"]
        ):
            names.append(field.name)
    return names


def today() -> datetime.date:
    return timezone.localdate()


def code_get(table: CodeTable | str, code: str) -> Code:
    return Code.objects.get(table=table, code=code)


def locked(student: Student) -> Student:
    """Lock the student's row for the rest of the transaction and return a fresh copy."""
    return Student.objects.select_for_update().get(pk=student.pk)


def fire(student: Student, transition: str, action: str, *, refusal: str = "") -> None:
    """Fire a transition of the state machine, refusing with the status check's message."""
    status_check(student, transition, action, refusal=refusal)
    getattr(student, transition)()


def history_of_students(ids, *, by, reason: str) -> None:
    Student.history.bulk_history_create(
        list(Student.objects.filter(pk__in=ids)), update=True, default_user=by, default_change_reason=reason
    )
