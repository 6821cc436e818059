"""学籍卡 as PDF: what the printed card shows, its number, and who may get it."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from records import services
from documents.student_card import student_card
from records.selectors.privacy import WHOLE
from records.models import Role
from tests.factories import StudentFactory, TermFactory, UserFactory

from .conftest import pdf_fonts, pdf_pages, pdf_text


def card_pdf(client, student):
    response = client.get(reverse("student_card", args=[student.pk]))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return response


def photo(colour=(200, 30, 30)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), colour).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def test_the_card_shows_the_record_the_family_the_placements_and_the_changes(
    client_for, student, registrar, keep_pdf
):
    services.student_update(student=student, data={"photo": photo()}, by=registrar)
    response = card_pdf(client_for(registrar), student)
    content = response.content
    keep_pdf(content, "student-card.pdf")
    text = pdf_text(content)
    number = student_card(student, shown=WHOLE).number

    assert student.name in text and student.student_number in text
    assert "龙游县实验小学" in text and "学生学籍卡" in text
    assert number in text and number.startswith(f"XJK-{student.school.identifier}-")
    assert f"打印日期：{timezone.localdate():%Y}年{timezone.localdate().month}月{timezone.localdate().day}日" in text
    # The national form's groups and their items, as the student page shows them.
    for label in ("基本信息", "身份证件", "户口信息", "学籍信息", "家庭与特殊标识", "联系与交通", "民族", "汉族", "户口所在地"):
        assert label in text
    # The guardian, the placement, and the registration's change of status.
    assert f"{student.name[0]}建国" in text and "父亲" in text
    assert "三年级(1)班" in text and student.open_placement.school_class.code in text
    assert "家庭成员或监护人" in text and "在班记录" in text and "学籍异动" in text
    # Chinese drawn in Debian's Noto CJK fonts, embedded; the photo as an image on the first page.
    assert pdf_fonts(content) and all("Noto" in name and "CJK" in name for name in pdf_fonts(content))
    assert len(pdf_pages(content)[0].images) == 1


def test_the_card_lists_both_placements_and_the_completed_transfer_for_the_new_school(
    client_for, completed_transfer, student, receiving_registrar, keep_pdf
):
    student.refresh_from_db()
    content = card_pdf(client_for(receiving_registrar), student).content
    keep_pdf(content, "student-card-after-transfer.pdf")
    text = pdf_text(content)

    # The new school prints its own card: its name, and a number of its own.
    assert text.startswith("龙游县东华小学") and student_card(student, shown=WHOLE).number.startswith(
        f"XJK-{completed_transfer.to_school.identifier}-"
    )
    assert text.count("龙游县实验小学") >= 1
    assert completed_transfer.from_class.code in text and completed_transfer.to_class.code in text
    assert f"转学#{completed_transfer.pk}" in text and "龙游县实验小学→龙游县东华小学" in text
    assert "随父母工作调动迁居" in text


def test_the_card_lists_a_status_change_with_its_reason(client_for, completed_suspension, student, registrar):
    text = pdf_text(card_pdf(client_for(registrar), student).content)

    assert "学籍状态变更在籍→休学" in text and "疾病：肺炎住院，医嘱休养三个月" in text
    assert f"休学#{completed_suspension.pk}" in text
    assert "休学截止日期" in text  # the request's own items
    # A suspended student is in no class now.
    assert "班级：—" in text


def test_the_card_without_a_photo_keeps_an_empty_box_for_one(client_for, student, registrar):
    content = card_pdf(client_for(registrar), student).content
    assert len(pdf_pages(content)[0].images) == 0
    assert "照片" in pdf_text(content)


def test_printing_the_card_again_gives_the_same_number_and_another_student_another(
    client_for, student, class_a, registrar, bureau_officer
):
    number = student_card(student, shown=WHOLE).number
    assert number in pdf_text(card_pdf(client_for(registrar), student).content)
    assert number in pdf_text(card_pdf(client_for(bureau_officer), student).content)
    other = StudentFactory(school_class=class_a)
    assert student_card(other, shown=WHOLE).number != number


def test_the_card_is_in_chinese_for_a_user_reading_the_pages_in_english(client_for, student, registrar):
    client = client_for(registrar)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("student_card", args=[student.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = pdf_text(response.content)
    assert "学生学籍卡" in text and "基本信息" in text and "汉族" in text


def test_the_student_page_offers_the_card(client_for, student, class_teacher):
    page = client_for(class_teacher).get(reverse("student_detail", args=[student.pk])).content.decode()
    assert reverse("student_card", args=[student.pk]) in page and "下载学籍卡（PDF）" in page


def test_the_api_gives_the_same_card(api_for, student, bureau_officer):
    response = api_for(bureau_officer).get(f"/api/v1/students/{student.pk}/card/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert student.name in text and student_card(student, shown=WHOLE).number in text


def test_the_card_is_not_for_anonymous_callers(client, api_for, student):
    assert client.get(reverse("student_card", args=[student.pk])).status_code == 302
    assert api_for(None).get(f"/api/v1/students/{student.pk}/card/").status_code == 401


# --- Who may get it ----------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", ("receiving_registrar", "other_class_teacher", "other_bureau_officer"))
def test_the_card_is_a_404_for_whoever_may_not_see_the_student(request, student, client_for, api_for, outsider):
    user = request.getfixturevalue(outsider)
    assert client_for(user).get(reverse("student_card", args=[student.pk])).status_code == 404
    response = api_for(user).get(f"/api/v1/students/{student.pk}/card/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("insider", ("registrar", "class_teacher", "bureau_officer", "city_officer"))
def test_whoever_may_see_the_student_gets_the_card(request, student, client_for, api_for, insider):
    user = request.getfixturevalue(insider)
    assert student.name in pdf_text(card_pdf(client_for(user), student).content)
    assert api_for(user).get(f"/api/v1/students/{student.pk}/card/").status_code == 200


def test_the_card_prints_each_terms_levels_and_the_class_teachers_comment(
    client_for, student, class_a, class_teacher, registrar
):
    term = TermFactory(bureau=class_a.school.bureau, name="2026学年第一学期")
    maths = UserFactory(
        username="maths_a", role=Role.SUBJECT_TEACHER, school=class_a.school, school_class=class_a, subject="math"
    )
    services.grades_record(school_class=class_a, term=term, subject="math", levels={student.pk: "优秀"}, by=maths)
    services.comments_record(school_class=class_a, term=term, texts={student.pk: "学习认真，乐于助人。"}, by=class_teacher)

    text = pdf_text(card_pdf(client_for(registrar), student).content)

    assert "学业成绩与期末评语" in text
    assert "2026学年第一学期" in text and "数学：优秀" in text and "学习认真，乐于助人。" in text
