"""Bad input on the pages: a body over the size limit gets a page in Chinese (not Django's English
one), free text over its cap and evidence that is not what its name says are refused naming the
field, and nothing is saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flows.models import Evidence, Request, WorkItem
from flows.poverty import poverty_start
from records.models import DropoutFollowUp, SchoolClass
from tests.factories import StudentFactory

from .acting import APPLICANT, REASON
from .page_reading import page

pytestmark = pytest.mark.usefixtures("transfer_windows_open")


@pytest.fixture
def poverty_request(student, registrar):
    return poverty_start(student=student, by=registrar, action="identify", note="低保家庭")


def task_url(request) -> str:
    return reverse("task", args=[WorkItem.objects.get(request=request, finished__isnull=True).pk])


# --- Bodies over the size limit ---------------------------------------------------------------------


def test_a_page_posted_over_the_size_limit_gets_a_chinese_page(client_for, registrar, student, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client_for(registrar).post(reverse("poverty_start", args=[student.pk]),
                                          {"action": "identify", "note": "低" * 10_000})

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "请求内容太大" in content and "无法提交" in content and "返回上一页" in content
    assert not Request.objects.exists()


def test_the_size_limit_page_is_in_english_under_english(client_for, registrar, student, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client_for(registrar).post(reverse("poverty_start", args=[student.pk]),
                                          {"action": "identify", "note": "x" * 20_000}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 413
    assert "The request is too large" in response.content.decode()


def test_too_many_fields_get_a_chinese_page(client_for, registrar, student, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"field{n}": "x" for n in range(20)}
    response = client_for(registrar).post(reverse("poverty_start", args=[student.pk]), data)

    assert response.status_code == 400
    assert "提交的字段太多（超过10个）" in response.content.decode()


# --- Free text over its cap -------------------------------------------------------------------------


def test_a_long_poverty_note_is_named_on_its_field_and_nothing_is_saved(client_for, registrar, student):
    shown = page(client_for(registrar).post(reverse("poverty_start", args=[student.pk]),
                                            {"action": "identify", "note": "低" * 501}))

    assert shown.field("note").error == "说明不能超过500个字（现有501个）。"
    assert not Request.objects.exists()


def test_a_long_reason_on_a_start_page_is_named(client_for, registrar, student):
    data = {"cause": "other", "reason": "因" * 1001, "applicant_name": APPLICANT["name"],
            "applicant_relationship": APPLICANT["relationship"], "applicant_phone": APPLICANT["phone"]}
    shown = page(client_for(registrar).post(reverse("suspension_start", args=[student.pk]), data))

    assert shown.field("reason").error == "申请理由不能超过1000个字（现有1001个）。"
    assert not Request.objects.exists()


def test_the_reason_box_says_its_cap(client_for, registrar, student):
    shown = page(client_for(registrar).get(reverse("suspension_start", args=[student.pk])))
    assert shown.field("reason").help_text == "不超过1000字"


def test_a_long_decision_comment_is_named_and_the_step_stays_open(client_for, poverty_request, bureau_officer):
    shown = page(client_for(bureau_officer).post(task_url(poverty_request), {"decision": "reject", "comment": "不" * 1001}))

    assert shown.field("comment").error == "说明不能超过1000个字（现有1001个）。"
    poverty_request.refresh_from_db()
    assert poverty_request.state == Request.State.OPEN


def test_a_long_withdrawal_comment_is_refused(client_for, poverty_request, registrar):
    response = client_for(registrar).post(reverse("request_withdraw", args=[poverty_request.pk]),
                                          {"comment": "撤" * 1001}, follow=True)

    assert page(response).message == "说明不能超过1000个字（现有1001个）。"
    poverty_request.refresh_from_db()
    assert poverty_request.state == Request.State.OPEN


def test_a_long_class_name_is_refused(client_for, registrar, class_a):
    response = client_for(registrar).post(reverse("class_operation", args=[class_a.pk, "rename"]),
                                          {"name": "班" * 33}, follow=True)

    assert "班级名称不能超过32个字（现有33个）。" in page(response).message
    assert SchoolClass.objects.get(pk=class_a.pk).name == class_a.name


def test_a_long_follow_up_note_is_named(client_for, registrar, class_a):
    gone = StudentFactory(school_class=class_a, dropped_out=True)
    data = {"followed_up_on": "2024-09-02", "followed_up_by": "王老师", "method": "phone", "result": "persuading",
            "note": "劝" * 1001}
    shown = page(client_for(registrar).post(reverse("dropout_detail", args=[gone.pk]), data))

    assert shown.field("note").error == "情况说明不能超过1000个字（现有1001个）。"
    assert not DropoutFollowUp.objects.exists()


# --- Evidence content ----------------------------------------------------------------------------------------


def test_a_renamed_file_on_a_start_page_is_named_on_its_field(client_for, registrar, student):
    data = {"cause": "illness", "reason": REASON, "applicant_name": APPLICANT["name"],
            "applicant_relationship": APPLICANT["relationship"], "applicant_phone": APPLICANT["phone"],
            "evidence_diagnosis": SimpleUploadedFile("诊断证明.pdf", b"PK\x03\x04 a zip file")}
    shown = page(client_for(registrar).post(reverse("suspension_start", args=[student.pk]), data))

    assert "诊断证明.pdf" in shown.field("evidence_diagnosis").error
    assert "内容不是PDF、JPG或PNG" in shown.field("evidence_diagnosis").error
    assert not Request.objects.exists() and not Evidence.objects.exists()


def test_a_renamed_file_added_on_the_request_page_is_refused(client_for, registrar, poverty_request):
    response = client_for(registrar).post(
        reverse("evidence_upload", args=[poverty_request.pk]),
        {"kind": "other", "file": SimpleUploadedFile("证明.png", b"\xff\xd8\xff\xe0 a jpeg")}, follow=True,
    )

    assert "“证明.png”的内容是JPEG，与扩展名不符" in page(response).message
    assert not Evidence.objects.exists()
