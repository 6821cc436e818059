"""Downloads of the documents: a student's card, a completed transfer's or suspension's certificate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views import View

from .. import documents


class StudentCardView(LoginRequiredMixin, View):
    """学籍卡 of a student the user may see; anyone else gets a 404."""

    def get(self, request, pk):
        return documents.pdf_response(documents.student_card(documents.student_for_card(request.user, pk)))


class CertificateView(LoginRequiredMixin, View):
    """A certificate of a request the user may see. A request not completed, or of another kind,
    sends the user back to its page with the reason; a request they may not see is a 404."""

    read = None  # the selector: (user, pk) → the completed request
    build = None  # the document: request → Document

    def get(self, request, pk):
        try:
            completed = self.read(request.user, pk)
        except documents.DocumentNotIssued as refusal:
            messages.error(request, str(refusal))
            return redirect("request_detail", pk=pk)
        return documents.pdf_response(self.build(completed))


class TransferCertificateView(CertificateView):
    read = staticmethod(documents.transfer_for_certificate)
    build = staticmethod(documents.transfer_certificate)


class SuspensionCertificateView(CertificateView):
    read = staticmethod(documents.suspension_for_certificate)
    build = staticmethod(documents.suspension_certificate)
