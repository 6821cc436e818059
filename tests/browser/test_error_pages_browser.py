"""The site's own error pages and the page of a student who has left the school, in a browser."""

from __future__ import annotations

import pytest

from records import services
from tests.factories import StudentFactory


@pytest.mark.browser
def test_a_lost_user_gets_the_sites_404_and_a_way_home(live_server, registrar, browser_for, screenshot):
    page = browser_for("registrar_a")
    page.goto(f"{live_server.url}/students/999999/")
    assert "404 页面不存在" in page.inner_text("body")
    screenshot(page, "error-404.png")
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.browser
def test_a_refusal_says_why_in_the_sites_403(live_server, student, class_teacher, browser_for, screenshot):
    page = browser_for("teacher_a")
    page.goto(f"{live_server.url}/students/{student.pk}/edit/")
    assert "403 无权访问" in page.inner_text("body")
    assert "只有学籍所在学校的学籍管理员或教导处可以修改学生信息。" in page.inner_text("#error-reason")
    screenshot(page, "error-403.png")


@pytest.mark.browser
def test_the_404_reads_in_english_for_who_chose_english(live_server, registrar, chromium, screenshot):
    page = chromium()
    # What the language switch leaves behind.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/no-such-page/")
    assert "Page not found" in page.inner_text("body")
    assert page.get_by_role("link", name="Back to the home page").count() == 1
    screenshot(page, "error-404-en.png")


@pytest.mark.browser
def test_the_former_school_opens_a_student_who_has_transferred_away(
    live_server, class_a, class_b, registrar, receiving_registrar, browser_for, screenshot
):
    pupil = StudentFactory(school_class=class_a, by=registrar, name="何小舟")
    services.student_transfer(student=pupil, to_class=class_b, by=receiving_registrar, reason="转学")

    page = browser_for("registrar_a")
    page.goto(f"{live_server.url}/students/{pupil.pk}/")
    notice = page.inner_text("#student-left-notice")
    assert "转出本校（转学）" in notice
    assert "龙游县东华小学" not in page.inner_text("body")
    assert class_a.name in page.inner_text("#student-left-placements")
    screenshot(page, "student-left.png")

    page.click("#student-left-requests")
    page.wait_for_url(f"{live_server.url}/requests/?student={pupil.pk}")
