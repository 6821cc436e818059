"""The register's pages, by subject; records/urls.py names them as `views.<View>`."""

from .accounts import LoginView, PasswordChangeView
from .classes import ClassDetailView, ClassListView
from .documents import StudentCardView, SuspensionCertificateView, TransferCertificateView
from .students import HomeView, StudentDetailView, StudentEditView, StudentListView

__all__ = [
    "LoginView", "PasswordChangeView", "ClassDetailView", "ClassListView", "HomeView", "StudentDetailView",
    "StudentEditView", "StudentListView", "StudentCardView", "SuspensionCertificateView", "TransferCertificateView",
]
