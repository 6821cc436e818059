"""The demo through the browser, as someone trying Xueji first sees it: real work waiting."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from records.demo import DEMO_PASSWORD


@pytest.fixture
def loaded_demo(transactional_db):
    call_command("demo_load", stdout=StringIO())


def sign_in(chromium, live_server, username: str):
    page = chromium()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.browser
def test_the_county_officer_and_the_class_teacher_find_work_waiting_on_first_login(
    loaded_demo, live_server, chromium, screenshot
):
    page = sign_in(chromium, live_server, "longyou_officer")
    page.goto(f"{live_server.url}/tasks/")
    queue = page.inner_text("#inbox-items")
    assert "没有等待您办理的任务" not in queue
    for waiting in ("转入地教育局审批", "关键信息变更", "复学", "贫困生认定/取消"):
        assert waiting in queue
    # The transfer the bureau let wait three weeks is marked overdue.
    assert "已超期" in queue
    screenshot(page, "demo-longyou-officer-queue.png")
    page.goto(f"{live_server.url}/notifications/")
    assert "超期督办" in page.inner_text("main")

    page = sign_in(chromium, live_server, "xikou_teacher")
    page.goto(f"{live_server.url}/tasks/")
    inbox = page.inner_text("#inbox-items")
    assert "新生建档" in inbox and "录入人修改后重新提交" in inbox
    page.goto(f"{live_server.url}/notifications/")
    notices = page.inner_text("main")
    assert "期末评语未填写" in notices and "人数核对提醒" in notices
    screenshot(page, "demo-class-teacher-notifications.png")
