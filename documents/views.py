"""Downloads of the documents: a student's card, a completed transfer's or suspension's certificate."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View

from records.selectors import identity_shown_to
from records.views.access import SignedInMixin

from .certificates import suspension_certificate, transfer_certificate
from .pdf import pdf_response
from .selectors import DocumentNotIssued, student_for_card, suspension_for_certificate, transfer_for_certificate
from .student_card import student_card


class StudentCardView(SignedInMixin, View):
    """学籍卡 of a student the user may see; anyone else gets a 404."""

    def get(self, request, pk):
        return pdf_response(student_card(student_for_card(request.user, pk), shown=identity_shown_to(request.user)))


class CertificateView(SignedInMixin, View):
    """A certificate of a request the user may see. A request not completed, or of another kind,
    sends the user back to its page with the reason; a request they may not see is a 404."""

    read = None  # the selector: (user, pk) → the completed request
    build = None  # the document: request → Document

    def get(self, request, pk):
        try:
            completed = self.read(request.user, pk)
        except DocumentNotIssued as refusal:
            messages.error(request, str(refusal))
            return redirect("request_detail", pk=pk)
        return pdf_response(self.build(completed, shown=identity_shown_to(request.user)))


class TransferCertificateView(CertificateView):
    read = staticmethod(transfer_for_certificate)
    build = staticmethod(transfer_certificate)


class SuspensionCertificateView(CertificateView):
    read = staticmethod(suspension_for_certificate)
    build = staticmethod(suspension_certificate)
