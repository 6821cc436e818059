"""The register's pages, by subject; records/urls.py names them as `views.<View>`."""

from .accounts import LoginView, PasswordChangeView
from .classes import ClassDetailView, ClassListView
from .students import HomeView, StudentDetailView, StudentEditView, StudentListView
from .term_work import ClassCommentsView, ClassGradesView, ClassTermWorkView, HeadCountView, TermWorkView

__all__ = [
    "LoginView", "PasswordChangeView", "ClassDetailView", "ClassListView", "HomeView", "StudentDetailView",
    "StudentEditView", "StudentListView",
    "ClassCommentsView", "ClassGradesView", "ClassTermWorkView", "HeadCountView", "TermWorkView",
]
