"""Statistics, the dropout follow-up list (控辍保学) and the term report of status changes.

Every page reads through records.selectors.reports, scoped by who asks, and offers the same
table as xlsx (?format=xlsx): the spreadsheet is what the page shows, with its filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView

from .. import services
from ..errors import Conflict
from ..models import CLASS_ROLES, DropoutFollowUp, Role, Student
from ..report_forms import DropoutFilterForm, FollowUpForm, StatisticsFilterForm, TermReportFilterForm, TermReportSubmitForm
from ..school_age import age_on
from .. import selectors
from ..class_codes import GRADE_NAMES
from ..selectors import membership_of, reports
from ..selectors.reports import STATUSES, Change
from ..workbooks import Sheet, workbook_response

PAGE_SIZE = 50

UNIT_TITLES = {"province": "省份", "city": "市", "county": "县（市、区）", "school": "学校", "grade": "年级"}


def _query(request, **changes) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


def wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


# --- Statistics -----------------------------------------------------------------------------------


def status_columns() -> list[tuple[str, str]]:
    return [(status.value, str(status.label)) for status in STATUSES]


def change_columns(stats: reports.Statistics) -> list[tuple[str, str]]:
    """The kinds of change that happened in what is shown, in their usual order."""
    return [(change.value, str(change.label)) for change in Change if stats.change_totals.get(change)]


@dataclass
class CountTable:
    """One table of counts, as the page shows it and the xlsx has it: a row per unit, a column per
    status or kind of change, the totals."""

    id: str
    title: str
    first: str  # the title of the first column
    columns: list[tuple[str, str]]
    rows: list[reports.Row]
    totals: dict[str, int]
    note: str = ""
    drill: bool = False  # its rows link one level down
    empty: str = ""

    @property
    def lines(self) -> list[dict]:
        return [
            {"row": row, "cells": [row.count(key) for key, _l in self.columns], "total": sum(row.count(k) for k, _l in self.columns)}
            for row in self.rows
        ]

    @property
    def total_cells(self) -> list[int]:
        return [self.totals.get(key, 0) for key, _l in self.columns]

    @property
    def grand_total(self) -> int:
        return sum(self.total_cells)

    def sheet(self, caption: list[str]) -> Sheet:
        header = [self.first, *(label for _k, label in self.columns), _("合计")]
        body = [[line["row"].label, *line["cells"], line["total"]] for line in self.lines]
        body.append([_("合计"), *self.total_cells, self.grand_total])
        return Sheet(title=self.title, header=header, rows=body, caption=caption)


def statistics_tables(stats: reports.Statistics) -> list[CountTable]:
    statuses, changes = status_columns(), change_columns(stats)
    unit = UNIT_TITLES[stats.unit]
    no_changes = _("所选期间没有办结的学籍异动。")
    tables = [
        CountTable("enrolment-table", _("学生人数（按%(unit)s）") % {"unit": unit}, unit, statuses, stats.units,
                   stats.totals, drill=True, empty=_("没有学生。")),
        CountTable("grade-table", _("学生人数（按年级）"), _("年级"), statuses, stats.grades, stats.totals,
                   note=_("在读学生按现所在班级；休学、流失、毕业学生按离校时所在年级。"), empty=_("没有学生。")),
        CountTable("change-table", _("学籍异动（按%(unit)s）") % {"unit": unit}, unit, changes, stats.change_units,
                   stats.change_totals, drill=True, empty=no_changes,
                   note=_("已办结的学籍异动，按学生人次；转学在转出学校计“转出”、在转入学校计“转入”。")),
        CountTable("change-grade-table", _("学籍异动（按年级）"), _("年级"), changes, stats.change_grades,
                   stats.change_totals, empty=no_changes),
    ]
    # A school's rows are its grades already.
    return [t for t in tables if stats.unit != "grade" or t.id in ("enrolment-table", "change-table")]


def statistics_context(user, form: StatisticsFilterForm) -> dict:
    focus = form.focus()
    stats = reports.statistics(user, focus=focus, period=form.period(), grade=form.chosen_grade())
    return {
        "stats": stats,
        "focus": focus,
        "unit_title": UNIT_TITLES[stats.unit],
        "tables": statistics_tables(stats),
        "change_columns": change_columns(stats),
        "total_cards": [
            (key, label, stats.totals.get(key, 0)) for key, label in status_columns() if key != Student.Status.DECEASED
        ],
        "change_grand": sum(stats.change_totals.values()),
    }


def statistics_caption(form: StatisticsFilterForm, context: dict) -> list[str]:
    period = context["stats"].period
    grade = context["stats"].grade
    return [
        _("学籍统计：%(name)s") % {"name": context["focus"].name},
        _("学期：%(term)s") % {"term": period.term_name or _("不限学期")}
        + ("　" + _("年级：%(grade)s") % {"grade": dict(form.fields["grade"].choices)[grade]} if grade else ""),
        _("学生人数为当前数；学籍异动按办结日期统计。导出时间：%(now)s") % {"now": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
    ]


def chart_data(context) -> dict:
    """What the page's two charts draw: students by status per row, changes by kind."""
    stats = context["stats"]
    rows = stats.units
    return {
        "enrolment": {
            "labels": [row.label for row in rows],
            "datasets": [
                {"key": key, "label": label, "data": [row.count(key) for row in rows]}
                for key, label in status_columns()
                if key in (Student.Status.ENROLLED, Student.Status.SUSPENDED, Student.Status.DROPPED_OUT)
            ],
        },
        "changes": {
            "labels": [label for _key, label in context["change_columns"]],
            "data": [stats.change_totals.get(key, 0) for key, _label in context["change_columns"]],
        },
    }


class ReportReaderMixin(LoginRequiredMixin):
    """Bureau officers for their region, a school's registrar and academic office for the school."""

    refusal = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not reports.statistics_visible_to(request.user):
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)


class StatisticsView(ReportReaderMixin, TemplateView):
    """学籍统计."""

    template_name = "records/statistics.html"
    refusal = _lazy("学籍统计供教育局审批人员、学校学籍管理员和教导处查看。")

    def get(self, request, *args, **kwargs):
        form = StatisticsFilterForm(request.GET, user=request.user)
        context = statistics_context(request.user, form)
        if wants_xlsx(request):
            caption = statistics_caption(form, context)
            sheets = [table.sheet(caption) for table in context["tables"]]
            return workbook_response(f"学籍统计-{context['focus'].name}.xlsx", sheets)
        query = _query(request)
        context.update(
            filter_form=form,
            chart=chart_data(context),
            xlsx_url=f"?{query}{'&' if query else ''}format=xlsx",
            drill_query=_query(request, region="", school=""),
        )
        return self.render_to_response(self.get_context_data(**context))


# --- Dropout follow-up (控辍保学) -----------------------------------------------------------------


def _dropout_rows(students, day) -> list[list]:
    return [
        [
            s.student_number, s.name, s.gender.name, f"{s.birth_date:%Y-%m-%d}", age_on(s.birth_date, day),
            s.school.name, s.school.region.name, s.dropout_reason.name if s.dropout_reason else "",
            s.dropout_destination, f"{s.left_on:%Y-%m-%d}" if s.left_on else "", s.follow_up_count,
            f"{s.last_follow_up_on:%Y-%m-%d}" if s.last_follow_up_on else "",
            str(DropoutFollowUp.Result(s.last_result).label) if s.last_result else _("尚未跟踪"),
        ]
        for s in students
    ]


DROPOUT_HEADER = (
    "学籍号", "姓名", "性别", "出生日期", "年龄", "学校", "县（市、区）", "流失原因", "转往地", "离校日期", "跟踪次数",
    "最近跟踪日期", "最近跟踪结果",
)


class DropoutListView(ReportReaderMixin, TemplateView):
    """控辍保学: dropped-out students of compulsory-education age, with their follow-ups."""

    template_name = "records/dropout_list.html"
    refusal = _lazy("控辍保学名单供教育局审批人员、学校学籍管理员和教导处查看。")

    def get(self, request, *args, **kwargs):
        form = DropoutFilterForm(request.GET, user=request.user)
        focus = form.focus()
        students = reports.dropout_search(request.user, focus=focus, **form.search_arguments())
        today = timezone.localdate()
        if wants_xlsx(request):
            caption = [
                _("控辍保学名单：%(name)s") % {"name": focus.name},
                _("义务教育阶段（6—15周岁）流失学生，含转至市外/省外/境外。导出时间：%(now)s") % {"now": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
            ]
            header = [_(title) for title in DROPOUT_HEADER]
            return workbook_response(
                f"控辍保学名单-{focus.name}.xlsx",
                [Sheet(title=_("控辍保学名单"), header=header, rows=_dropout_rows(students, today), caption=caption)],
            )
        page = Paginator(students, PAGE_SIZE).get_page(request.GET.get("page"))
        for student in page:
            student.age = age_on(student.birth_date, today)
        query = _query(request)
        return self.render_to_response(
            self.get_context_data(
                filter_form=form, focus=focus, page_obj=page, students=page, query=query,
                reason_counts=sorted(reports.dropout_reason_counts(students).items()),
                xlsx_url=f"?{query}{'&' if query else ''}format=xlsx",
            )
        )


class DropoutDetailView(LoginRequiredMixin, TemplateView):
    """One student's follow-ups: everyone who may see the student reads them; the school's
    registrar and the region's bureau officers add one."""

    template_name = "records/dropout_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.student = get_object_or_404(
            selectors.students_visible_to(request.user).select_related("school__region", "dropout_reason"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        writable = reports.may_follow_up(self.request.user, self.student)
        if form is None and writable:
            form = FollowUpForm(user=self.request.user)
        last = services.student_last_placement(self.student)
        return super().get_context_data(
            student=self.student, follow_ups=reports.follow_ups_of(self.request.user, self.student),
            form=form if writable else None, last_placement=last,
            age=age_on(self.student.birth_date, timezone.localdate()), **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = FollowUpForm(request.POST, user=request.user)
        if not reports.may_follow_up(request.user, self.student):
            raise PermissionDenied(_("只有学生学籍所在学校的学籍管理员和辖区教育局的审批人员可以填写跟踪记录。"))
        if form.is_valid():
            try:
                services.follow_up_add(student=self.student, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("跟踪记录已保存。"))
                return redirect("dropout_detail", pk=self.student.pk)
        return self.render_to_response(self.get_context_data(form=form))


# --- The term report (中小学生休(转、复)学登记表) -------------------------------------------------------


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


class TermReportListView(LoginRequiredMixin, TemplateView):
    """The bureau's view of the term: which of its schools have filed their report. A school's
    people go straight to their own report."""

    template_name = "records/term_report_list.html"

    def get(self, request, *args, **kwargs):
        membership = membership_of(request.user)
        if membership is not None and membership.role in (Role.REGISTRAR, Role.ACADEMIC_OFFICE):
            return redirect("term_report", identifier=membership.school.identifier)
        if membership is not None and membership.role in CLASS_ROLES or not reports.statistics_visible_to(request.user):
            raise PermissionDenied(_("学期学籍异动报表供学校学籍管理员、教导处和教育局审批人员查看。"))
        form = TermReportFilterForm(request.GET, user=request.user)
        term = form.term_name()
        focus = form.focus()
        schools = reports.term_report_overview(request.user, focus=focus, term_name=term)
        page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
        counts = reports.term_report_change_counts(request.user, list(page), term) if term else {}
        for school in page:
            school.change_count = counts.get(school.pk, 0)
        submitted = schools.filter(submitted_at__isnull=False).count()
        return self.render_to_response(
            self.get_context_data(
                filter_form=form, term=term, focus=focus, page_obj=page, schools=page, query=_query(request),
                submitted=submitted, total=page.paginator.count,
            )
        )


class TermReportView(LoginRequiredMixin, TemplateView):
    """One school's status changes of the term: printable, as xlsx, and filed by its registrar."""

    template_name = "records/term_report.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.school = get_object_or_404(reports.term_report_schools(request.user), identifier=kwargs["identifier"])
        self.term = request.POST.get("term") or request.GET.get("term") or reports.current_term_name(request.user)
        self.period = reports.school_term_period(self.school, self.term) if self.term else None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        rows = reports.term_report_rows(self.school, self.period) if self.period else []
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
        submissions = reports.term_report_submissions(self.school, self.term) if self.term else []
        query = urlencode({"term": self.term}) if self.term else ""
        return super().get_context_data(
            school=self.school, term=self.term, period=self.period, terms=reports.term_names_of_school(self.school),
            submissions=submissions, header=REPORT_HEADER,
            may_submit=bool(membership and membership.role == Role.REGISTRAR and membership.school_id == self.school.pk),
            submit_form=TermReportSubmitForm(), grade_choices=GRADE_NAMES.items(), xlsx_url=f"?{query}&format=xlsx", printed_at=timezone.localtime(),
            **kwargs,
        )


class TermReportSubmitView(TermReportView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = TermReportSubmitForm(request.POST)
        form.is_valid()
        try:
            services.term_report_submit(
                school=self.school, term_name=self.term, by=request.user, note=form.cleaned_data.get("note", "")
            )
        except (ValidationError, Conflict) as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("报表已报送%(bureau)s。") % {"bureau": self.school.bureau.name})
        return redirect(f"{reverse('term_report', kwargs={'identifier': self.school.identifier})}?{urlencode({'term': self.term})}")
