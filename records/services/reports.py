"""What the readers of the statistics write: dropout follow-ups and term reports filed."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import Conflict
from ..models import DropoutFollowUp, Role, School, Student, TermReportSubmission
from ..selectors import membership_of
from ..selectors.reports import may_follow_up, school_term_period, term_report_rows, term_report_submissions
from .base import record_actor, today


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
    student = Student.objects.select_for_update().get(pk=student.pk)
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
    follow_up = DropoutFollowUp(
        student=student, followed_up_on=followed_up_on, followed_up_by=followed_up_by, method=method,
        result=result, note=note, recorded_by=by,
    )
    record_actor(follow_up, by)
    follow_up.save()
    return follow_up


@transaction.atomic
def term_report_submit(*, school: School, term_name: str, by, note: str = "") -> TermReportSubmission:
    """The school's registrar files the term's report of status changes with the county bureau
    (篇10 五.五). Filing again is refused while nothing has changed since the last filing."""
    membership = membership_of(by)
    if membership is None or membership.role != Role.REGISTRAR or membership.school_id != school.pk:
        raise PermissionDenied(_("学期学籍异动报表由本校学籍管理员报送。"))
    # One filing at a time per school: the row lock keeps a double click from filing twice.
    School.objects.select_for_update().get(pk=school.pk)
    period = school_term_period(school, term_name)
    if period is None:
        raise ValidationError({"term": _("%(bureau)s的校历中没有“%(term)s”。") % {"bureau": school.bureau.name, "term": term_name}})
    if period.start > today():
        raise ValidationError({"term": _("“%(term)s”还没有开始，不能报送。") % {"term": term_name}})
    rows = term_report_rows(school, period)
    last = term_report_submissions(school, term_name).order_by("-submitted_at", "-pk").first()
    if last is not None and last.change_count == len(rows) and (last.period_start, last.period_end) == (period.start, period.end):
        raise Conflict(
            _("本学期报表已于 %(when)s 由%(who)s报送，此后没有新的学籍异动，无需重复报送。")
            % {"when": f"{last.submitted_at:%Y-%m-%d %H:%M}", "who": last.submitted_by.get_full_name() or last.submitted_by.username},
            code="already_submitted",
        )
    return TermReportSubmission.objects.create(
        school=school, term_name=term_name, period_start=period.start, period_end=period.end,
        change_count=len(rows), note=(note or "").strip()[:200], submitted_by=by,
    )
