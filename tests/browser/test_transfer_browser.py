"""A transfer through the browser: the receiving registrar starts it (转入学生), the bureau
officer and the sending registrar each act from their own inbox, and the student page shows
the new class.

龙游县实验小学 (school_a) → 龙游县东华小学 (school_b), both under 龙游县教育局: the bureau
approves once, the sending school releases, the student moves.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from records.models import TransferWindow
from tests.factories import SchoolClassFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def transfer_window(longyou_bureau):
    today = timezone.localdate()
    return TransferWindow.objects.create(
        bureau=longyou_bureau, start=today - datetime.timedelta(days=7), end=today + datetime.timedelta(days=7)
    )


@pytest.fixture
def receiving_class(school_b, class_b):
    """A class whose name no class of the sending school has, so the student page tells them apart."""
    return SchoolClassFactory(school=school_b, grade=3, name="三年级(5)班")


def pick(page, field: str, option: str) -> None:
    """Choose an option of viewflow's select (a Material list, not a native <select>)."""
    page.click(f"vf-field-select[name={field}] .mdc-select__anchor")
    page.locator(f"vf-field-select[name={field}] li[role=option]", has_text=option).click()


def decide_from_inbox(page, live_server, student, comment: str = "") -> None:
    """Open the student's step from the inbox, approve it, and come back to the inbox."""
    page.goto(f"{live_server.url}/tasks/")
    page.locator("#inbox-items a", has_text=student.name).click()
    page.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    page.locator("vf-field-radio[name=decision] input[value=approve], input[name=decision][value=approve]").first.check()
    if comment:
        page.fill("textarea[name=comment]", comment)
    page.click("#decision-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/tasks/")


@pytest.mark.browser
def test_a_transfer_started_by_the_receiving_school_is_approved_from_each_inbox(
    live_server, transfer_window, student, class_a, receiving_class, registrar, receiving_registrar, bureau_officer,
    browser_for, screenshot,
):
    # The receiving registrar finds the student by number and name, and logs the parent's request.
    receiving = browser_for("registrar_b")
    receiving.goto(f"{live_server.url}/tasks/")
    receiving.get_by_role("link", name="转入学生（校际转学）").click()
    receiving.fill("input[name=student_number]", student.student_number)
    receiving.fill("input[name=name]", student.name)
    receiving.click("#lookup-form button[type=submit]")
    receiving.wait_for_selector("#start-form")
    assert "龙游县实验小学" in receiving.inner_text("main")
    pick(receiving, "to_class", receiving_class.code)
    receiving.fill("input[name=applicant_name]", "王建国")
    receiving.fill("input[name=applicant_relationship]", "父亲")
    receiving.fill("input[name=applicant_phone]", "13800000001")
    receiving.fill("textarea[name=reason]", "随父母工作调动迁居东华街道")
    receiving.set_input_files(
        "input[type=file][name=evidence_household_register]",
        files=[{"name": "户口簿.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    receiving.set_input_files(
        "input[type=file][name=evidence_acceptance]",
        files=[{"name": "接收证明.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    receiving.click("#start-form button[type=submit]")
    receiving.wait_for_url(re.compile(r".*/requests/\d+/$"))
    started = receiving.inner_text("main")
    assert "转学 #" in started and "办理中" in started and "户口簿.pdf" in started

    # The bureau officer approves from the queue, on the task page with its flow chart.
    officer = browser_for("officer_longyou")
    officer.goto(f"{live_server.url}/tasks/")
    queue = officer.inner_text("#inbox-items")
    assert student.name in queue and "转入地教育局审批" in queue
    screenshot(officer, "transfer-inbox.png")
    officer.locator("#inbox-items a", has_text=student.name).click()
    officer.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    task = officer.inner_text("main")
    assert "王建国（父亲）13800000001" in task and "户口簿.pdf" in task
    assert officer.locator(".xj-chart svg g#approve_by_receiving_bureau.new, .xj-chart svg g#approve_by_receiving_bureau.assigned").count() == 1
    screenshot(officer, "transfer-task.png")
    officer.locator("input[name=decision][value=approve]").check()
    officer.fill("textarea[name=comment]", "材料齐全，同意转入")
    officer.click("#decision-form button[type=submit]")
    officer.wait_for_url(f"{live_server.url}/tasks/")
    assert student.name not in officer.inner_text("#inbox-items")

    # The sending registrar releases the student from their own inbox.
    sending = browser_for("registrar_a")
    decide_from_inbox(sending, live_server, student)
    assert "没有等待您办理的任务。" in sending.inner_text("#inbox-items")

    # The receiving school's student page shows the new class.
    receiving.goto(f"{live_server.url}/students/{student.pk}/")
    assert receiving.inner_text("#student-class") == "三年级(5)班"
    assert receiving.locator(f"#student-class a[href='/classes/{receiving_class.pk}/']").count() == 1
    assert "龙游县东华小学" in receiving.inner_text("main")
    timeline = receiving.inner_text("#student-timeline")
    assert "转学 #" in timeline and "已办结" in timeline
    screenshot(receiving, "transfer-student.png")
