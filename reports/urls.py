"""The reports' pages, as a viewflow Application mounted in the site beside the register's pages.

Like theirs, its URL names are global ("statistics", "term_report" …).
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from . import views


class ReportsApp(Application):
    title = _("统计报表")
    icon = "bar_chart"
    # The site's menu lists these pages, so the app needs no menu of its own.
    menu_template_name = None
    index_path = None

    statistics_path = path("statistics/", views.StatisticsView.as_view(), name="statistics")
    term_report_list_path = path("term-reports/", views.TermReportListView.as_view(), name="term_report_list")
    term_report_path = path("term-reports/<str:identifier>/", views.TermReportView.as_view(), name="term_report")
    term_report_submit_path = path(
        "term-reports/<str:identifier>/submit/", views.TermReportSubmitView.as_view(), name="term_report_submit"
    )
