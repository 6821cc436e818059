"""What every document's rendering promises: nothing is fetched, a lost photo leaves a blank box."""

from __future__ import annotations

import pytest
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from records import services
from documents.pdf import EmbeddedOnly, photo_data_uri

from .conftest import pdf_pages
from .test_student_card import card_pdf, photo


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/logo.png", "file:///etc/hostname", "/media/photos/a.jpg"])
def test_a_document_that_points_outside_itself_is_not_rendered(url):
    html = f'<html><body><p>龙游县实验小学</p><img src="{url}"></body></html>'
    with pytest.raises(FatalURLFetchingError):
        HTML(string=html, base_url="file:///nowhere/", url_fetcher=EmbeddedOnly()).write_pdf()


def test_a_photo_whose_file_is_lost_leaves_the_card_printable(client_for, student, registrar, caplog):
    services.student_update(student=student, data={"photo": photo()}, by=registrar)
    student.refresh_from_db()
    assert photo_data_uri(student.photo).startswith("data:image/jpeg;base64,")
    student.photo.storage.delete(student.photo.name)

    content = card_pdf(client_for(registrar), student).content

    assert len(pdf_pages(content)[0].images) == 0
    assert "could not be read" in caplog.text
