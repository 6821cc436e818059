"""转学证明 (with 存根 and 回执) and 休学证明 as PDF: what the papers say, their numbers, and who may
get them; a request that is not completed, or of another kind, has no certificate."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from flows.models import Transfer
from documents.certificates import suspension_certificate, transfer_certificate
from records.selectors.privacy import WHOLE
from tests.factories import StudentFactory
from tests.flows.acting import decide, start_transfer
from tests.flows.status.conftest import start_suspension

from .conftest import pdf_fonts, pdf_pages, pdf_text


def only_noto_cjk(content: bytes) -> bool:
    fonts = pdf_fonts(content)
    return bool(fonts) and all("Noto" in name and "CJK" in name for name in fonts)


def download(client, name: str, request) -> bytes:
    response = client.get(reverse(name, args=[request.pk]))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return response.content


def chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- 转学证明 ------------------------------------------------------------------------------------


def test_the_transfer_certificate_has_the_stub_the_certificate_and_the_receipt(
    client_for, completed_transfer, student, registrar, keep_pdf
):
    content = download(client_for(registrar), "transfer_certificate", completed_transfer)
    keep_pdf(content, "transfer-certificate.pdf")
    text = pdf_text(content)
    number = transfer_certificate(completed_transfer, shown=WHOLE).number

    # One A4 sheet, cut into three parts that carry the same number.
    assert len(pdf_pages(content)) == 1
    assert "转学证明（存根）" in text and "转学回执" in text
    assert text.count(number) >= 3
    sending, year = completed_transfer.from_school.identifier, completed_transfer.completed_on.year
    assert number == f"ZXZM-{sending}-{year}-{completed_transfer.pk:06d}"
    # The student, both schools and classes, the reason, the guardian, the date.
    assert student.name in text and student.student_number in text
    assert "龙游县实验小学" in text and "龙游县东华小学" in text
    assert completed_transfer.from_class.name in text and completed_transfer.to_class.name in text
    assert "随父母工作调动迁居" in text and "王建国（父亲）" in text
    assert f"开具日期：{chinese_date(completed_transfer.completed_on)}" in text
    # The bureau's approval and the sending school's release, with who gave them.
    assert "龙游县教育局" in text and "吴科长" in text and "王学籍" in text
    assert "自开具之日起三个月内有效" in text
    assert only_noto_cjk(content)


def test_a_transfer_between_counties_shows_the_sending_bureau_on_the_certificate(
    client_for, transfer_windows_open, student, class_c, registrar, other_county_registrar, bureau_officer,
    other_bureau_officer,
):
    transfer = start_transfer(student, other_county_registrar, to_class=class_c)
    decide(other_bureau_officer, transfer)
    decide(registrar, transfer)
    decide(bureau_officer, transfer, comment="同意转出")

    text = pdf_text(download(client_for(other_county_registrar), "transfer_certificate", transfer))

    assert "武义县壶山小学" in text and "郑科长" in text  # the receiving side, in the stub's record
    assert "转出地教育局审核意见（盖章）同意：同意转出龙游县教育局审核人：吴科长" in text


def test_printing_a_certificate_twice_gives_the_same_number_and_two_transfers_two_numbers(
    client_for, completed_transfer, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    first = pdf_text(download(client_for(registrar), "transfer_certificate", completed_transfer))
    again = pdf_text(download(client_for(receiving_registrar), "transfer_certificate", completed_transfer))
    number = transfer_certificate(completed_transfer, shown=WHOLE).number
    assert number in first and number in again

    other = start_transfer(StudentFactory(school_class=class_a), receiving_registrar, to_class=class_b)
    decide(bureau_officer, other)
    decide(registrar, other)
    assert transfer_certificate(Transfer.objects.get(pk=other.pk), shown=WHOLE).number != number


def test_an_open_transfer_has_no_certificate_yet(
    client_for, transfer_windows_open, student, class_b, registrar, receiving_registrar, api_for
):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    client = client_for(registrar)

    response = client.get(reverse("transfer_certificate", args=[transfer.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("request_detail", args=[transfer.pk])
    message = f"转学申请 #{transfer.pk} 的办理状态是“办理中”，只有“已办结”的申请才能打印转学证明。"
    assert message in response.content.decode()
    assert "下载转学证明" not in response.content.decode()

    api = api_for(registrar).get(f"/api/v1/requests/{transfer.pk}/transfer-certificate/", HTTP_ACCEPT="application/pdf")
    assert api.status_code == 404
    assert api.json()["detail"] == message


def test_a_suspension_has_no_transfer_certificate(client_for, completed_suspension, registrar, api_for):
    response = client_for(registrar).get(reverse("transfer_certificate", args=[completed_suspension.pk]), follow=True)
    assert f"申请 #{completed_suspension.pk} 是休学申请，没有转学证明。" in response.content.decode()

    api = api_for(registrar).get(f"/api/v1/requests/{completed_suspension.pk}/transfer-certificate/")
    assert api.status_code == 404 and "没有转学证明" in api.json()["detail"]


def test_the_request_page_offers_the_certificate_of_a_completed_transfer(client_for, completed_transfer, registrar):
    page = client_for(registrar).get(reverse("request_detail", args=[completed_transfer.pk])).content.decode()
    assert reverse("transfer_certificate", args=[completed_transfer.pk]) in page
    assert "下载转学证明（含存根、回执）" in page


# --- 休学证明 ------------------------------------------------------------------------------------


def test_the_suspension_certificate_shows_the_cause_the_period_and_both_decisions(
    client_for, completed_suspension, student, academic_office, keep_pdf
):
    content = download(client_for(academic_office), "suspension_certificate", completed_suspension)
    keep_pdf(content, "suspension-certificate.pdf")
    text = pdf_text(content)
    number = suspension_certificate(completed_suspension, shown=WHOLE).number
    steps = {step.role: step for step in completed_suspension.work_items.all()}

    assert len(pdf_pages(content)) == 1
    assert "休学证明" in text and "龙游县实验小学" in text
    assert student.name in text and student.student_number in text and "三年级(1)班" in text
    assert number in text and number.startswith(f"XXZM-{completed_suspension.school.identifier}-")
    assert f"日期：{chinese_date(timezone.localdate(completed_suspension.closed_at))}" in text
    assert "疾病：肺炎住院，医嘱休养三个月" in text
    period = f"自{chinese_date(completed_suspension.start_date)}至{chinese_date(completed_suspension.end_date)}"
    assert period in text
    assert "书面申请、医院诊断证明" in text
    office, bureau = steps["academic_office"], steps["bureau_officer"]
    assert f"同意：情况属实签署人：赵教导（盖章）{chinese_date(timezone.localdate(office.finished))}" in text
    assert f"同意：准予休学审批人：吴科长（龙游县教育局）（盖章）{chinese_date(timezone.localdate(bureau.finished))}" in text
    assert only_noto_cjk(content)


def test_a_suspension_not_yet_approved_by_the_bureau_has_no_certificate(
    client_for, student, registrar, academic_office, api_for
):
    suspension = start_suspension(student, registrar)
    decide(academic_office, suspension)

    response = client_for(registrar).get(reverse("suspension_certificate", args=[suspension.pk]), follow=True)
    assert f"休学申请 #{suspension.pk} 的办理状态是“办理中”，只有“已办结”的申请才能打印休学证明。" in response.content.decode()
    api = api_for(registrar).get(f"/api/v1/requests/{suspension.pk}/suspension-certificate/")
    assert api.status_code == 404 and "才能打印休学证明" in api.json()["detail"]


def test_the_request_page_offers_the_certificate_of_a_completed_suspension(
    client_for, completed_suspension, registrar
):
    page = client_for(registrar).get(reverse("request_detail", args=[completed_suspension.pk])).content.decode()
    assert reverse("suspension_certificate", args=[completed_suspension.pk]) in page
    assert "下载休学证明" in page and "下载转学证明" not in page


def test_the_api_gives_the_same_certificates(api_for, completed_transfer, completed_suspension, registrar):
    api = api_for(registrar)
    for path, document, request in (
        ("transfer-certificate", transfer_certificate, completed_transfer),
        ("suspension-certificate", suspension_certificate, completed_suspension),
    ):
        response = api.get(f"/api/v1/requests/{request.pk}/{path}/", HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert document(type(request).objects.get(pk=request.pk), shown=WHOLE).number in text
        assert request.student.name in text and "龙游县实验小学" in text


# --- Who may get them --------------------------------------------------------------------------

OUTSIDERS = ("other_county_registrar", "other_class_teacher", "other_bureau_officer")


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_a_transfer_certificate_is_a_404_for_whoever_may_not_see_the_transfer(
    request, completed_transfer, client_for, api_for, outsider
):
    user = request.getfixturevalue(outsider)
    assert client_for(user).get(reverse("transfer_certificate", args=[completed_transfer.pk])).status_code == 404
    api = api_for(user).get(f"/api/v1/requests/{completed_transfer.pk}/transfer-certificate/")
    assert api.status_code == 404


@pytest.mark.parametrize("outsider", ("receiving_registrar", "other_class_teacher", "other_bureau_officer"))
def test_a_suspension_certificate_is_a_404_for_whoever_may_not_see_the_suspension(
    request, completed_suspension, client_for, api_for, outsider
):
    user = request.getfixturevalue(outsider)
    assert client_for(user).get(reverse("suspension_certificate", args=[completed_suspension.pk])).status_code == 404
    api = api_for(user).get(f"/api/v1/requests/{completed_suspension.pk}/suspension-certificate/")
    assert api.status_code == 404


@pytest.mark.parametrize("insider", ("registrar", "receiving_registrar", "city_officer", "class_b_teacher"))
def test_both_schools_their_bureaus_and_the_new_class_teacher_get_the_transfer_certificate(
    request, completed_transfer, client_for, api_for, insider
):
    user = request.getfixturevalue(insider)
    download(client_for(user), "transfer_certificate", completed_transfer)
    assert api_for(user).get(f"/api/v1/requests/{completed_transfer.pk}/transfer-certificate/").status_code == 200


@pytest.mark.parametrize("insider", ("registrar", "academic_office", "bureau_officer"))
def test_the_school_and_its_bureau_get_the_suspension_certificate(
    request, completed_suspension, client_for, api_for, insider
):
    user = request.getfixturevalue(insider)
    download(client_for(user), "suspension_certificate", completed_suspension)
    assert api_for(user).get(f"/api/v1/requests/{completed_suspension.pk}/suspension-certificate/").status_code == 200
