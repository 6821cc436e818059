"""学籍统计: students by status and completed status changes by kind, by region, school and grade.

The page reads through reports.selectors, scoped by who asks, and offers the same tables as xlsx
(?format=xlsx): the spreadsheet is what the page shows, with its filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView

from records.models import Student
from records.views.access import ReportReaderMixin
from records.workbooks import Sheet, page_query, wants_xlsx, workbook_response, xlsx_url

from ..forms import StatisticsFilterForm
from ..selectors import STATUSES, Change, Row, Statistics, statistics

UNIT_TITLES = {
    "province": _lazy("省份"), "city": _lazy("市"), "county": _lazy("县（市、区）"), "school": _lazy("学校"), "grade": _lazy("年级"),
}


def status_columns() -> list[tuple[str, str]]:
    return [(status.value, str(status.label)) for status in STATUSES]


def change_columns(stats: Statistics) -> list[tuple[str, str]]:
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
    rows: list[Row]
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


def statistics_tables(stats: Statistics) -> list[CountTable]:
    statuses, changes = status_columns(), change_columns(stats)
    unit = str(UNIT_TITLES[stats.unit])
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
    stats = statistics(user, focus=focus, period=form.period(), grade=form.chosen_grade())
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


class StatisticsView(ReportReaderMixin, TemplateView):
    """学籍统计."""

    template_name = "reports/statistics.html"
    refusal = _lazy("学籍统计供教育局审批人员、学校学籍管理员和教导处查看。")

    def get(self, request, *args, **kwargs):
        form = StatisticsFilterForm(request.GET, user=request.user)
        context = statistics_context(request.user, form)
        if wants_xlsx(request):
            caption = statistics_caption(form, context)
            sheets = [table.sheet(caption) for table in context["tables"]]
            return workbook_response(f"学籍统计-{context['focus'].name}.xlsx", sheets)
        context.update(
            filter_form=form,
            chart=chart_data(context),
            xlsx_url=xlsx_url(page_query(request)),
            drill_query=page_query(request, region="", school=""),
        )
        return self.render_to_response(self.get_context_data(**context))


