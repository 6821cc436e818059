"""What every service shares: who made a change, today, row locks and the state machine's refusals."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from ..models import Code, CodeTable, Student

CITIZEN_ID_TYPE = "1"  # 居民身份证
NO_ID_TYPE = "Z"  # 其他: no usable ID


def record_actor(instance, by: AbstractBaseUser | None, reason: str = "") -> None:
    """Record who made the change (and why) in the instance's history."""
    instance._history_user = by
    if reason:
        instance._change_reason = reason


def today() -> datetime.date:
    return timezone.localdate()


def code_get(table: CodeTable | str, code: str) -> Code:
    return Code.objects.get(table=table, code=code)



def locked(student: Student) -> Student:
    """Lock the student's row for the rest of the transaction and return a fresh copy."""
    return Student.objects.select_for_update().get(pk=student.pk)


def transition_refused(student: Student, action: str) -> ValidationError:
    return ValidationError(
        _("该生当前学籍状态为“%(status)s”，不能办理%(action)s。")
        % {"status": student.get_status_display(), "action": action},
        code="transition_not_allowed",
    )


def fire(student: Student, transition: str, action: str) -> None:
    try:
        getattr(student, transition)()
    except TransitionNotAllowed:
        raise transition_refused(student, action) from None

