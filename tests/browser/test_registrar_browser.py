"""A registrar logs in, opens the student list and a student's record in a real browser."""

import pytest

from tests.factories import DEFAULT_PASSWORD, StudentFactory

@pytest.fixture
def student_to_find(registrar, class_a):
    StudentFactory(school_class=class_a, by=registrar)
    return StudentFactory(school_class=class_a, by=registrar, name="林晓雨")


@pytest.mark.browser
def test_registrar_finds_a_student_and_opens_the_record(
    live_server, class_a, student_to_find, browser_page, screenshot
):
    student, page = student_to_find, browser_page

    page.goto(f"{live_server.url}/accounts/login/")
    assert "学籍管理系统" in page.content()
    page.fill("input[name=username]", "registrar_a")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "龙游县实验小学" in page.inner_text("main")

    page.goto(f"{live_server.url}/students/")
    page.get_by_role("link", name="林晓雨").click()
    page.wait_for_url(f"{live_server.url}/students/{student.pk}/")

    main = page.inner_text("main")
    assert "林晓雨" in main
    assert student.student_number in main
    assert class_a.name in page.inner_text("#student-class")
    assert "变更记录" in main and "王学籍" in page.inner_text("#student-history")

    screenshot(page, "registrar-student.png")
