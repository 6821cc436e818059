"""An officer who reads English switches the site to English and works a transfer: the task page,
the request page with its flow chart, the inbox and the notification centre say everything in
English except what was stored — names of people, schools and classes, what the parent wrote,
file names, and the notifications' own texts, which are kept as they were sent."""

from __future__ import annotations

import re

import pytest

from notifications import services as notification_services
from notifications.models import Notification
from tests.flows.acting import APPLICANT, REASON, start_transfer
from tests.flows.conftest import today, transfer_windows_open  # noqa: F401 (fixtures)

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")

# Every text a person reads on the page: visible text nodes (the chart's SVG captions among them)
# and the texts of labels, titles, placeholders and aria-labels — except what is marked as being
# in another language (the switch back offers "中文", in Chinese).
READABLE_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || element.closest('script, style, template, noscript')) continue;
    if (element.closest('[lang]').getAttribute('lang') !== 'en') continue;
    if (!(element instanceof SVGElement) && !element.getClientRects().length) continue;
    texts.push(node.textContent.trim());
  }
  for (const element of document.body.querySelectorAll('[label], [title], [placeholder], [aria-label]')) {
    if (element.closest('[lang]').getAttribute('lang') !== 'en') continue;
    for (const name of ['label', 'title', 'placeholder', 'aria-label']) {
      const value = element.getAttribute(name);
      if (value && value.trim()) texts.push(value.trim());
    }
  }
  return texts;
}"""


def labels_in_chinese(page, data: list[str]) -> list[str]:
    """The page's texts that still hold Chinese once every piece of stored data is taken out: what
    is left is a label the page should have said in English."""
    stored = sorted({piece for piece in data if piece}, key=len, reverse=True)
    left = []
    for text in page.evaluate(READABLE_TEXTS):
        for piece in stored:
            text = text.replace(piece, "")
        if CJK.search(text):
            left.append(text)
    return left


def switch_to_english(page) -> None:
    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert any(c["name"] == "django_language" and c["value"] == "en" for c in page.context.cookies()), page.context.cookies()


@pytest.mark.browser
def test_an_officer_in_english_reads_the_task_request_chart_inbox_and_notifications_in_english(
    live_server, transfer_windows_open, student, class_a, class_b, registrar, receiving_registrar,
    bureau_officer, browser_for, screenshot,
):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    step = transfer.work_items.get()
    notification_services.task_waiting_record(step)
    stored = [
        student.name, student.school.name, class_a.name, class_a.school.name, class_b.name, class_b.school.name,
        bureau_officer.get_full_name(), receiving_registrar.get_full_name(), bureau_officer.membership.bureau.name,
        APPLICANT["name"], APPLICANT["relationship"], REASON, "户口簿.pdf", "接收证明.pdf",
        *(text for n in Notification.objects.filter(recipient=bureau_officer) for text in (n.title, n.message)),
    ]
    page = browser_for("officer_longyou")
    switch_to_english(page)

    page.goto(f"{live_server.url}/tasks/")
    assert "Receiving bureau approves" in page.inner_text("#inbox-items")
    assert labels_in_chinese(page, stored) == []
    screenshot(page, "english-inbox.png")

    page.goto(f"{live_server.url}/tasks/{step.pk}/")
    assert page.inner_text("main h1") == "Receiving bureau approves"
    # viewflow wraps a caption over lines, one <text> each.
    captions = [text.strip() for text in page.locator("main svg text").all_text_contents()]
    chart = " ".join(captions)
    assert "Sending school confirms the release" in chart and "Move to the new class" in chart
    assert {"Yes", "No", "Reject"} <= set(captions)
    assert labels_in_chinese(page, stored) == []
    screenshot(page, "english-task.png")

    page.goto(f"{live_server.url}/requests/{transfer.pk}/")
    assert "Transfer #" in page.inner_text("main")
    assert labels_in_chinese(page, stored) == []
    screenshot(page, "english-request.png")

    page.goto(f"{live_server.url}/notifications/")
    assert page.locator("#notifications .xj-notice-item").count() == 1
    assert labels_in_chinese(page, stored) == []
    screenshot(page, "english-notifications.png")

    # The helper is no blindfold: without the stored data the student's name is reported.
    page.goto(f"{live_server.url}/tasks/{step.pk}/")
    assert student.name in labels_in_chinese(page, [])

    # Back in Chinese, the same step reads as before.
    with page.expect_navigation():
        page.click("button[name=language][value=zh-hans]")
    assert page.inner_text("main h1") == "转入地教育局审批"
