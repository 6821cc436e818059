"""The reports' one write: a school files its term report of status changes with its bureau."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from records.errors import Conflict
from records.models import Role, School
from records.selectors import membership_of

from .models import TermReportSubmission
from .selectors import school_term_period, term_report_rows, term_report_submissions


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
    if period.start > timezone.localdate():
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
