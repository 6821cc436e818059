"""The documents' downloads (PDF), beside the pages that link to them. URL names are global."""

from django.urls import path

from . import views

urlpatterns = [
    path("students/<int:pk>/card.pdf", views.StudentCardView.as_view(), name="student_card"),
    path(
        "requests/<int:pk>/transfer-certificate.pdf", views.TransferCertificateView.as_view(), name="transfer_certificate"
    ),
    path(
        "requests/<int:pk>/suspension-certificate.pdf",
        views.SuspensionCertificateView.as_view(),
        name="suspension_certificate",
    ),
]
