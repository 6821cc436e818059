"""HTML to PDF with WeasyPrint: A4, Chinese in Debian's Noto CJK fonts, nothing fetched.

Documents are official papers in Chinese, so they render in zh-hans whatever language the
person who prints them has chosen for the pages. The stylesheet is in the template and the
photo travels as a data: URI; any other URL is a mistake in a template and stops the rendering
instead of leaving a hole in the paper (or reaching out to the network).
"""

from __future__ import annotations

import base64
import datetime
import functools
import io
import logging
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import content_disposition_header
from PIL import Image, UnidentifiedImageError
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher

logger = logging.getLogger(__name__)

DOCUMENT_LANGUAGE = "zh-hans"
# Enough for a photo box of 26 × 35 mm at 300 dpi; a phone picture would otherwise weigh megabytes.
PHOTO_PIXELS = (320, 430)


class EmbeddedOnly(URLFetcher):
    """Lets WeasyPrint read data: URIs and nothing else."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise FatalURLFetchingError(f"A document may embed its resources only, and asked for {url[:80]}")


def in_document_language(build):
    """A document's builder runs in zh-hans, so that its labels and dates read as the paper does."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with translation.override(DOCUMENT_LANGUAGE):
            return build(*args, **kwargs)

    return wrapper


def render_pdf(template_name: str, context: dict) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=EmbeddedOnly()).write_pdf()


def photo_data_uri(photo) -> str:
    """The student's photo as a JPEG data: URI, or "" when there is none or it cannot be read.

    A lost or broken file leaves the photo box empty rather than the card unprintable; the log
    says which file it was.
    """
    if not photo:
        return ""
    try:
        with photo.open("rb") as stream:
            image = Image.open(io.BytesIO(stream.read()))
            image.load()
    except (OSError, UnidentifiedImageError):
        logger.warning("The photo %s could not be read; the card is printed without it.", photo.name)
        return ""
    image = image.convert("RGB")
    image.thumbnail(PHOTO_PIXELS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class Document:
    """One printable paper: what it is, its number and date, who issues it, and what it shows."""

    title: str
    number: str
    issued_on: datetime.date
    school: object
    subject: str  # whom it is about, for the file name
    template_name: str
    context: dict = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.title}-{self.subject}-{self.number}.pdf"

    def render(self) -> bytes:
        return render_pdf(self.template_name, {**self.context, "document": self})


def pdf_response(document: Document) -> HttpResponse:
    """The PDF as a download, for the pages and the API alike."""
    response = HttpResponse(document.render(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    # Personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response
