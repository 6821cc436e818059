"""The register's pages, by subject; records/urls.py names them as `views.<View>`."""

from .accounts import ApiTokenListView, LoginView, PasswordChangeView
from .calendar import CalendarView
from .classes import ClassDetailView, ClassListView, ClassOperationView
from .dropouts import DropoutDetailView, DropoutListView
from .exports import ClassExportView
from .intake import IntakeImportErrorsView, IntakeImportProgressView, IntakeTemplateView
from .school_accounts import (
    SchoolAccountActiveView,
    SchoolAccountCreateView,
    SchoolAccountListView,
    SchoolAccountPasswordView,
)
from .rollover import RolloverDetailView, RolloverProgressView, RolloverUndoView, RolloverView
from .students import HomeView, StudentDetailView, StudentEditView, StudentListView, StudentReassignView
from .term_work import ClassCommentsView, ClassGradesView, ClassTermWorkView, HeadCountView, TermWorkView
from .verify import certificate_verify_view

__all__ = [
    "ApiTokenListView", "LoginView", "PasswordChangeView", "CalendarView", "ClassDetailView", "ClassListView", "ClassOperationView",
    "ClassExportView", "IntakeImportErrorsView", "IntakeImportProgressView", "IntakeTemplateView",
    "RolloverDetailView", "RolloverProgressView", "RolloverUndoView", "RolloverView", "HomeView",
    "StudentDetailView", "StudentEditView", "StudentListView", "StudentReassignView", "certificate_verify_view",
    "ClassCommentsView", "ClassGradesView", "ClassTermWorkView", "HeadCountView", "TermWorkView",
    "DropoutDetailView", "DropoutListView",
    "SchoolAccountActiveView", "SchoolAccountCreateView", "SchoolAccountListView", "SchoolAccountPasswordView",
]
