"""The reports' pages, by subject; reports/urls.py names them as `views.<View>`."""

from .statistics import StatisticsView
from .term_reports import TermReportListView, TermReportSubmitView, TermReportView

__all__ = ["StatisticsView", "TermReportListView", "TermReportSubmitView", "TermReportView"]
