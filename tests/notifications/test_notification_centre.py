"""The notification centre (消息中心) and the unread count in the header of every page."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from notifications.models import Notification
from notifications.sweeps import escalate_overdue_tasks, remind_pending_tasks
from tests.flows.acting import decide, open_step, start_transfer

from .conftest import arrived_on

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

D = datetime.date


def bell(html: str) -> str:
    """What the header's bell says, from its accessible label."""
    match = re.search(r'id="header-notifications"[^>]*aria-label="([^"]*)"', html)
    assert match, "no notification bell in the page header"
    return match.group(1)


@pytest.fixture
def reminded(everyone, student, class_b):
    """School A's registrars have one reminder each about the release of a transfer."""
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    decide(everyone["officer_longyou"], transfer)
    step = arrived_on(open_step(everyone["registrar_a"], transfer), D(2025, 11, 3))
    remind_pending_tasks(today=D(2025, 11, 5))
    return step


def test_the_header_of_every_page_counts_the_unread_notifications(client_for, everyone, reminded, student):
    client = client_for(everyone["registrar_a"])
    for url in (reverse("home"), reverse("student_detail", args=[student.pk]), reverse("inbox")):
        assert bell(client.get(url).content.decode()) == "消息中心，1 条未读"
    assert bell(client_for(everyone["registrar_b"]).get(reverse("home")).content.decode()) == "消息中心"


def test_the_centre_lists_ones_own_notifications_and_opening_one_marks_it_read(client_for, everyone, reminded, student):
    client = client_for(everyone["registrar_a"])
    page = client.get(reverse("notification_list")).content.decode()
    assert "1 条未读消息" in page
    assert "待办提醒：转出学校确认转出" in page
    assert f"转学 #{reminded.request_id}（{student.name}）的“转出学校确认转出”已等待 2 个工作日" in page
    mine = Notification.objects.get(recipient=everyone["registrar_a"])
    theirs = Notification.objects.get(recipient=everyone["registrar_a2"])

    opened = client.get(reverse("notification_open", args=[mine.pk]))

    assert opened.status_code == 302
    assert opened["Location"] == reverse("task", args=[reminded.pk])
    mine.refresh_from_db()
    assert mine.is_read
    assert bell(client.get(reverse("home")).content.decode()) == "消息中心"
    # Another registrar's copy is theirs alone: not to be opened or marked by anyone else.
    assert client.get(reverse("notification_open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_marking_one_read_then_all(client_for, everyone, reminded):
    remind_pending_tasks(today=D(2025, 11, 7))  # the second round
    client = client_for(everyone["registrar_a"])
    first, second = Notification.objects.filter(recipient=everyone["registrar_a"]).order_by("round")
    assert bell(client.get(reverse("home")).content.decode()) == "消息中心，2 条未读"

    assert client.post(reverse("notification_read", args=[first.pk])).status_code == 302
    assert bell(client.get(reverse("home")).content.decode()) == "消息中心，1 条未读"
    client.post(reverse("notification_read_all"))

    assert bell(client.get(reverse("home")).content.decode()) == "消息中心"
    assert "没有未读消息。" in client.get(reverse("notification_list") + "?unread=1").content.decode()
    second.refresh_from_db()
    assert second.is_read
    assert not Notification.objects.get(recipient=everyone["registrar_a2"], round=2).is_read


def test_an_escalation_links_to_the_request_the_bureau_above_may_read(client_for, everyone, reminded):
    escalate_overdue_tasks(today=D(2025, 11, 20))
    escalation = Notification.objects.get(recipient=everyone["officer_longyou"], kind=Notification.Kind.TASK_ESCALATED)

    opened = client_for(everyone["officer_longyou"]).get(
        reverse("notification_open", args=[escalation.pk]), follow=True
    )

    assert opened.redirect_chain == [(reverse("request_detail", args=[reminded.request_id]), 302)]
    assert opened.status_code == 200


def test_the_centre_needs_a_login(client):
    response = client.get(reverse("notification_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_sweep_command_runs_each_sweep_once_by_hand(everyone, student, class_b, mailoutbox):
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    arrived_on(open_step(everyone["officer_longyou"], transfer), D(2025, 9, 1))
    out = io.StringIO()

    call_command("xueji_sweep", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "remind",
        "escalate",
        "lapse",
        "suspensions-begin",
        "suspensions",
        "term",
        "term-report",
        "missed",
        "timers",
        "intake",
        "rollover",
        "e-mail",
    ]
    assert "escalate: 1 超期督办" in out.getvalue()
    assert {email.to[0] for email in mailoutbox} >= {"officer_longyou@example.edu.cn", "officer_quzhou@example.edu.cn"}
