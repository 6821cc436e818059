"""The term report of status changes (中小学生休（转、复）学登记表, 篇10 五.五): one school's report,
printable and as xlsx, filed by its registrar; and the bureau's view of which schools have filed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView

from records.class_codes import GRADE_NAMES
from records.models import Role
from records.selectors import membership_of, report_schools
from records.views.access import ReportReaderMixin, SignedInMixin
from records.workbooks import Sheet, page_query, wants_xlsx, workbook_response, xlsx_url

from ..forms import TermReportFilterForm, TermReportSubmitForm
from ..selectors import (
    current_term_name,
    school_term_period,
    term_names_of_school,
    term_report_change_counts,
    term_report_overview,
    term_report_rows,
    term_report_submissions,
)
from ..services import term_report_submit

PAGE_SIZE = 50

REPORT_HEADER = ("序号", "学籍号", "姓名", "性别", "年级", "异动类别", "异动原因", "转入/转出学校或去向", "办结日期", "申请编号")


def report_cells(rows) -> list[list]:
    return [
        [
            number, row.student.student_number if row.student else "", row.student.name if row.student else "",
            row.student.gender.name if row.student else "", str(GRADE_NAMES.get(row.grade, "")), row.change_label,
            row.reason, row.other, f"{row.closed_on:%Y-%m-%d}", row.request_id,
        ]
        for number, row in enumerate(rows, start=1)
    ]


class TermReportListView(ReportReaderMixin, TemplateView):
    """The bureau's view of the term: which of its schools have filed their report. A school's
    people go straight to their own report."""

    template_name = "reports/term_report_list.html"
    refusal = _lazy("学期学籍异动报表供学校学籍管理员、教导处和教育局审批人员查看。")

    def get(self, request, *args, **kwargs):
        membership = membership_of(request.user)
        if membership is not None and membership.role in (Role.REGISTRAR, Role.ACADEMIC_OFFICE):
            return redirect("term_report", identifier=membership.school.identifier)
        form = TermReportFilterForm(request.GET, user=request.user)
        term = form.term_name()
        focus = form.focus()
        schools = term_report_overview(request.user, focus=focus, term_name=term)
        page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
        counts = term_report_change_counts(request.user, list(page), term) if term else {}
        for school in page:
            school.change_count = counts.get(school.pk, 0)
        submitted = schools.filter(submitted_at__isnull=False).count()
        return self.render_to_response(
            self.get_context_data(
                filter_form=form, term=term, focus=focus, page_obj=page, schools=page, query=page_query(request),
                submitted=submitted, total=page.paginator.count,
            )
        )


class TermReportView(SignedInMixin, TemplateView):
    """One school's status changes of the term: printable, as xlsx, and filed by its registrar."""

    template_name = "reports/term_report.html"

    def check_access(self, request, *args, **kwargs) -> None:
        self.school = get_object_or_404(report_schools(request.user), identifier=kwargs["identifier"])
        self.term = request.POST.get("term") or request.GET.get("term") or current_term_name(request.user)
        self.period = school_term_period(self.school, self.term) if self.term else None

    def get(self, request, *args, **kwargs):
        rows = term_report_rows(self.school, self.period) if self.period else []
        if wants_xlsx(request):
            if self.period is None:
                raise Http404
            caption = [
                _("%(school)s 中小学生休（转、复）学登记表") % {"school": self.school.name},
                _("学期：%(term)s（%(start)s 至 %(end)s）　主管教育局：%(bureau)s")
                % {"term": self.term, "start": self.period.start, "end": self.period.end, "bureau": self.school.bureau.name},
            ]
            return workbook_response(
                f"学籍异动登记表-{self.school.name}-{self.term}.xlsx",
                [Sheet(title=_("学籍异动登记表"), header=[_(h) for h in REPORT_HEADER], rows=report_cells(rows), caption=caption)],
            )
        return self.render_to_response(self.get_context_data(rows=rows))

    def get_context_data(self, **kwargs):
        membership = membership_of(self.request.user)
        submissions = term_report_submissions(self.school, self.term) if self.term else []
        query = urlencode({"term": self.term}) if self.term else ""
        return super().get_context_data(
            school=self.school, term=self.term, period=self.period, terms=term_names_of_school(self.school),
            submissions=submissions, header=REPORT_HEADER,
            may_submit=bool(membership and membership.role == Role.REGISTRAR and membership.school_id == self.school.pk),
            submit_form=TermReportSubmitForm(), grade_choices=GRADE_NAMES.items(), xlsx_url=xlsx_url(query),
            printed_at=timezone.localtime(), **kwargs,
        )


class TermReportSubmitView(TermReportView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = TermReportSubmitForm(request.POST)
        form.is_valid()
        try:
            term_report_submit(
                school=self.school, term_name=self.term, by=request.user, note=form.cleaned_data.get("note", "")
            )
        except ValidationError as error:  # a Conflict too: filed already, nothing new since
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("报表已报送%(bureau)s。") % {"bureau": self.school.bureau.name})
        return redirect(f"{reverse('term_report', kwargs={'identifier': self.school.identifier})}?{urlencode({'term': self.term})}")
