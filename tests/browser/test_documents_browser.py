"""Documents through the browser: a class teacher downloads a student's card from the student
page; the receiving school's registrar downloads the certificate of a completed transfer from the
request page. The downloads are the PDFs, read back as text."""

from __future__ import annotations

import re

import pytest

from documents.student_card import student_card
from records.selectors import mask_student_number
from records.selectors.privacy import WHOLE
from tests.documents.conftest import pdf_text
from tests.flows.acting import decide, start_transfer
from tests.flows.conftest import today, transfer_windows_open  # noqa: F401 (fixtures)


@pytest.mark.browser
def test_a_class_teacher_downloads_the_student_card_from_the_student_page(
    live_server, student, class_teacher, browser_for, screenshot
):
    page = browser_for("teacher_a")
    page.goto(f"{live_server.url}/students/{student.pk}/")
    screenshot(page, "student-page-card-button.png")

    with page.expect_download() as download_info:
        page.locator("#student-documents").get_by_role("link", name="下载学籍卡（PDF）").click()
    download = download_info.value
    assert download.suggested_filename == f"学生学籍卡-{student.name}-{student_card(student, shown=WHOLE).number}.pdf"
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    # A class teacher's card reads as their pages do: the student number masked.
    assert student.name in text and mask_student_number(student.student_number) in text and "龙游县实验小学" in text
    assert student.student_number not in text


@pytest.mark.browser
def test_the_receiving_registrar_downloads_the_transfer_certificate_from_the_request_page(
    live_server, transfer_windows_open, student, class_b, registrar, receiving_registrar, bureau_officer,
    browser_for, screenshot,
):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer)
    decide(registrar, transfer)

    page = browser_for("registrar_b")
    page.goto(f"{live_server.url}/requests/{transfer.pk}/")
    assert "已办结" in page.inner_text("#request-card")
    screenshot(page, "request-page-certificate-button.png")

    with page.expect_download() as download_info:
        page.locator("#request-documents").get_by_role("link", name=re.compile("下载转学证明")).click()
    text = pdf_text(open(download_info.value.path(), "rb").read())
    assert "转学证明（存根）" in text and "转学回执" in text and student.name in text
