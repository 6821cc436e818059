"""The documents on the API: the same PDFs as the pages, for the same people (a 404 for others)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.views import APIView

from records.selectors import identity_shown_to

from .certificates import suspension_certificate, transfer_certificate
from .pdf import pdf_response
from .selectors import student_for_card, suspension_for_certificate, transfer_for_certificate
from .student_card import student_card

PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}


class ErrorsInJSON(DefaultContentNegotiation):
    """A client asking for application/pdf still learns in JSON why it got none: the PDF itself
    is written past the renderers, so they only ever render an error."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DocumentView(APIView):
    content_negotiation_class = ErrorsInJSON
    read = None  # the selector: (user, pk) → what the document is about
    build = None  # the document: that object → Document

    def get(self, request, pk):
        return pdf_response(self.build(self.read(request.user, pk), shown=identity_shown_to(request.user)))


@extend_schema(responses=PDF, tags=["documents"])
class StudentCardFileView(DocumentView):
    """学籍卡 of a student you may see, as PDF: the record's items, photo, family members,
    placements, status changes and completed requests."""

    read = staticmethod(student_for_card)
    build = staticmethod(student_card)


@extend_schema(responses=PDF, tags=["documents"])
class TransferCertificateFileView(DocumentView):
    """转学证明 of a completed transfer, as PDF: the stub, the certificate and the receipt on one A4
    sheet. A 404 also when the request is not a transfer or not completed (the detail says which)."""

    read = staticmethod(transfer_for_certificate)
    build = staticmethod(transfer_certificate)


@extend_schema(responses=PDF, tags=["documents"])
class SuspensionCertificateFileView(DocumentView):
    """休学证明 of an approved suspension, as PDF, with the academic office's and the bureau's
    decisions. A 404 also when the request is not a suspension or not completed."""

    read = staticmethod(suspension_for_certificate)
    build = staticmethod(suspension_certificate)
