"""A registrar sees the unread count in the header, opens the notification centre in Chromium,
and follows a reminder to the waiting step."""

from __future__ import annotations

import datetime

import pytest

from notifications.sweeps import escalate_overdue_tasks, remind_pending_tasks
from tests.factories import DEFAULT_PASSWORD, StudentFactory
from tests.flows.acting import decide, open_step, start_transfer

from .conftest import arrived_on

D = datetime.date


@pytest.fixture
def waiting_steps(transfer_windows_open, everyone, class_a, class_b):
    """Two releases school A has left waiting: reminded twice and once, the older one overdue too."""
    steps = []
    for arrived in (D(2025, 10, 27), D(2025, 11, 3)):
        student = StudentFactory(school_class=class_a, by=everyone["registrar_a"])
        transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
        decide(everyone["officer_longyou"], transfer)
        steps.append(arrived_on(open_step(everyone["registrar_a"], transfer), arrived))
    remind_pending_tasks(today=D(2025, 10, 29))
    remind_pending_tasks(today=D(2025, 11, 5))
    escalate_overdue_tasks(today=D(2025, 11, 12))
    return steps


@pytest.mark.browser
def test_registrar_reads_the_notification_centre_and_follows_a_reminder(live_server, waiting_steps, browser_page, screenshot):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "registrar_a")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    bell = page.locator("#header-notifications")
    assert bell.get_attribute("aria-label") == "消息中心，3 条未读"
    assert bell.inner_text().strip().endswith("3")

    bell.click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert page.inner_text("#notification-summary") == "3 条未读消息"
    titles = page.locator("#notifications .xj-notice-item__title").all_inner_texts()
    assert titles == ["待办提醒：转出学校确认转出"] * 3
    assert "已等待 7 个工作日" in page.inner_text("#notifications")  # the older step, round 3
    screenshot(page, "notification-centre.png")

    page.locator("#notifications .xj-notice-item__title").first.click()
    page.wait_for_url(f"{live_server.url}/tasks/{waiting_steps[1].pk}/")  # the newest first
    assert "转出学校确认转出" in page.inner_text("main")
    assert page.locator("#header-notifications").get_attribute("aria-label") == "消息中心，2 条未读"
    screenshot(page, "notification-bell-on-task.png")

    page.goto(f"{live_server.url}/notifications/")
    with page.expect_navigation():
        page.click("#mark-all-read")
    assert page.inner_text("#notification-summary") == "没有未读消息"
    assert page.locator("#header-notifications").get_attribute("aria-label") == "消息中心"
    assert page.locator("#notifications .xj-notice-item--unread").count() == 0
