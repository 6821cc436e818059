"""Documents as PDF (WeasyPrint, A4, Noto CJK): the student record card (学籍卡), the transfer
certificate with its stub and receipt (转学证明、存根、回执) and the suspension certificate (休学证明).

    selectors     who may get which document (a 404 for anyone else)
    numbers       the document numbers: unique, and the same on every reprint
    student_card  certificates   what each document shows
    pdf           rendering (nothing fetched) and the download response

Templates are under templates/documents/.
"""

from .certificates import suspension_certificate, transfer_certificate
from .numbers import student_card_number, suspension_certificate_number, transfer_certificate_number
from .pdf import Document, pdf_response, render_pdf
from .selectors import (
    DocumentNotIssued,
    student_for_card,
    suspension_for_certificate,
    transfer_for_certificate,
)
from .student_card import student_card

__all__ = [
    "suspension_certificate", "transfer_certificate", "student_card_number", "suspension_certificate_number",
    "transfer_certificate_number", "Document", "pdf_response", "render_pdf", "DocumentNotIssued",
    "student_for_card", "suspension_for_certificate", "transfer_for_certificate", "student_card",
]
