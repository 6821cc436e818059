"""Dropout follow-ups (控辍保学): the school's and the bureau's record of bringing a child back."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import Conflict
from ..models import DropoutFollowUp, Student
from ..selectors import may_follow_up
from ..text_lengths import model_text_lengths_check
from .base import locked, record_actor, today


@transaction.atomic
def follow_up_add(
    *,
    student: Student,
    by,
    followed_up_on: datetime.date,
    followed_up_by: str,
    method: str,
    result: str,
    note: str = "",
) -> DropoutFollowUp:
    """Record a follow-up of a dropped-out student (控辍保学): by the registrar of the student's
    school or a bureau officer of its region."""
    student = locked(student)
    if not may_follow_up(by, student):
        if student.status != Student.Status.DROPPED_OUT:
            raise Conflict(_("该生学籍状态为“%(status)s”，不在流失学生名单中。") % {"status": student.get_status_display()})
        raise PermissionDenied(_("只有学生学籍所在学校的学籍管理员和辖区教育局的审批人员可以填写跟踪记录。"))
    errors: dict[str, str] = {}
    followed_up_by = (followed_up_by or "").strip()
    note = (note or "").strip()
    if followed_up_on is None:
        errors["followed_up_on"] = _("请填写跟踪日期。")
    elif followed_up_on > today():
        errors["followed_up_on"] = _("跟踪日期不能晚于今天。")
    if not followed_up_by:
        errors["followed_up_by"] = _("请填写跟踪人。")
    if method not in DropoutFollowUp.Method.values:
        errors["method"] = _("请选择跟踪方式。")
    if result not in DropoutFollowUp.Result.values:
        errors["result"] = _("请选择跟踪结果。")
    elif result == DropoutFollowUp.Result.OTHER and not note:
        errors["note"] = _("跟踪结果为“其他”时请写明情况。")
    if errors:
        raise ValidationError(errors)
    model_text_lengths_check(DropoutFollowUp, {"followed_up_by": followed_up_by, "note": note})
    follow_up = DropoutFollowUp(
        student=student, followed_up_on=followed_up_on, followed_up_by=followed_up_by, method=method,
        result=result, note=note, recorded_by=by,
    )
    record_actor(follow_up, by)
    follow_up.save()
    return follow_up
