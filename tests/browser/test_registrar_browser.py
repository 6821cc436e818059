"""A registrar logs in, opens the student list and a student's record in a real browser."""

import os
from pathlib import Path

import pytest
from django.db import connections

from tests.factories import DEFAULT_PASSWORD, StudentFactory

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def browser_page():
    """A Chromium page. Request it after the fixtures that write to the database: code running
    under Playwright gets a context of its own, in which Django would open a second connection."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            # Any connection opened under Playwright must not outlive it, or the test database
            # cannot be dropped at the end of the run.
            connections.close_all()
            context.close()
            browser.close()


@pytest.fixture
def student_to_find(registrar, class_a):
    StudentFactory(school_class=class_a, by=registrar)
    return StudentFactory(school_class=class_a, by=registrar, name="林晓雨")


@pytest.mark.browser
def test_registrar_finds_a_student_and_opens_the_record(live_server, class_a, student_to_find, browser_page):
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

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "registrar-student.png"), full_page=True)
