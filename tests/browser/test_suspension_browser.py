"""休学 and 复学 through the browser: the registrar logs the request with the hospital's diagnosis,
the academic office signs, the bureau officer approves; later the registrar logs the resumption
with the hospital's certificate and the officer approves. The student page shows each status."""

from __future__ import annotations

import re

import pytest

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf(name: str) -> list[dict]:
    return [{"name": name, "mimeType": "application/pdf", "buffer": PDF}]


def pick(page, field: str, option: str) -> None:
    """Choose an option of viewflow's select (a Material list, not a native <select>)."""
    page.click(f"vf-field-select[name={field}] .mdc-select__anchor")
    page.locator(f"vf-field-select[name={field}] li[role=option]", has_text=option).click()


def fill_applicant(page, reason: str) -> None:
    page.fill("input[name=applicant_name]", "王建国")
    page.fill("input[name=applicant_relationship]", "父亲")
    page.fill("input[name=applicant_phone]", "13800000001")
    page.fill("textarea[name=reason]", reason)


def approve_from_inbox(page, live_server, student, step: str, screenshot=None) -> None:
    page.goto(f"{live_server.url}/tasks/")
    row = page.locator("#inbox-items tr", has_text=student.name)
    assert step in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    if screenshot:
        screenshot(page)
    page.locator("input[name=decision][value=approve]").check()
    page.fill("textarea[name=comment]", "同意")
    page.click("#decision-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/tasks/")
    assert student.name not in page.inner_text("#inbox-items")


@pytest.mark.browser
def test_a_student_is_suspended_and_resumed_through_the_browser(
    live_server, student, class_a, registrar, academic_office, bureau_officer, browser_for, screenshot
):
    student_url = f"{live_server.url}/students/{student.pk}/"

    # The registrar logs the guardian's written request with the hospital's diagnosis.
    school = browser_for("registrar_a")
    school.goto(student_url)
    school.locator("#student-actions").get_by_role("link", name="休学", exact=True).click()
    school.wait_for_url(re.compile(r".*/suspend/$"))
    pick(school, "cause", "疾病")
    fill_applicant(school, "肺炎住院，医嘱休养三个月")
    school.set_input_files("input[type=file][name=evidence_application]", files=pdf("休学申请.pdf"))
    school.set_input_files("input[type=file][name=evidence_diagnosis]", files=pdf("医院诊断证明.pdf"))
    school.click("#start-form button[type=submit]")
    school.wait_for_url(re.compile(r".*/requests/\d+/$"))
    request_page = school.inner_text("main")
    assert "休学 #" in request_page and "医院诊断证明.pdf" in request_page and "办理中" in request_page

    # The academic office signs, the bureau officer approves.
    office = browser_for("office_a")
    approve_from_inbox(office, live_server, student, "教导处签署意见")
    officer = browser_for("officer_longyou")
    approve_from_inbox(
        officer, live_server, student, "教育局审批休学",
        screenshot=lambda page: screenshot(page, "suspension-task.png"),
    )

    school.goto(student_url)
    assert "休学" in school.inner_text("h1")
    assert "休学至" in school.inner_text("main")
    actions = school.inner_text("#student-actions")
    assert "复学" in actions and "续休" in actions and "转学" not in actions
    screenshot(school, "suspension-student-suspended.png")

    # The resumption: the hospital certifies the student is fit; the officer approves.
    school.locator("#student-actions").get_by_role("link", name="复学", exact=True).click()
    school.wait_for_url(re.compile(r".*/resume/$"))
    pick(school, "cause", "疾病")
    fill_applicant(school, "身体已康复，申请复学")
    school.set_input_files("input[type=file][name=evidence_certificate]", files=pdf("复学证明.pdf"))
    school.click("#start-form button[type=submit]")
    school.wait_for_url(re.compile(r".*/requests/\d+/$"))
    assert "复学 #" in school.inner_text("main")

    approve_from_inbox(officer, live_server, student, "教育局审批")

    school.goto(student_url)
    assert "在籍" in school.inner_text("h1")
    assert school.inner_text("#student-class") == class_a.name
    timeline = school.inner_text("#student-timeline")
    assert "休学 →" in timeline and "→ 在籍" in timeline
    assert timeline.count("已办结") == 2
    screenshot(school, "suspension-student-resumed.png")
