"""The reports on the REST API (/api/v1/), by subject; config/api_urls.py names the views.

Thin views over reports.selectors and reports.services, with the pages' filter forms.
"""

from .statistics import StatisticsView
from .term_reports import TermReportDetail, TermReportList, TermReportSubmitView

__all__ = ["StatisticsView", "TermReportDetail", "TermReportList", "TermReportSubmitView"]
