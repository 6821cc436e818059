"""The register's pages, by subject; records/urls.py names them as `views.<View>`."""

from .accounts import LoginView, PasswordChangeView
from .classes import ClassDetailView, ClassListView
from .reports import (
    DropoutDetailView,
    DropoutListView,
    StatisticsView,
    TermReportListView,
    TermReportSubmitView,
    TermReportView,
)
from .students import HomeView, StudentDetailView, StudentEditView, StudentListView

__all__ = [
    "LoginView", "PasswordChangeView", "ClassDetailView", "ClassListView", "HomeView", "StudentDetailView",
    "StudentEditView", "StudentListView", "DropoutDetailView", "DropoutListView", "StatisticsView",
    "TermReportListView", "TermReportSubmitView", "TermReportView",
]
