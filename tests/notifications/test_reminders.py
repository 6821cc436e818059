"""待办提醒: a step waiting two working days reminds whoever can act on it, then every two working days."""

from __future__ import annotations

import datetime

import pytest

from flows.models import WorkItem
from notifications.models import Notification
from notifications.services import emails_send
from notifications.sweeps import remind_pending_tasks
from records.models import Role
from flows.selectors import user_may_act_on, users_who_may_act_on
from tests.factories import StudentFactory, UserFactory
from tests.flows.acting import decide, open_step, start_transfer

from .conftest import arrived_on, mailed, told, unused_port

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

D = datetime.date
REMINDER = Notification.Kind.TASK_REMINDER


def release_step(everyone, student, class_b) -> WorkItem:
    """School B asked for the student of school A; 龙游县 approved: school A must now confirm the release."""
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    decide(everyone["officer_longyou"], transfer)
    return open_step(everyone["registrar_a"], transfer)


def test_a_waiting_school_step_reminds_the_schools_registrars_and_nobody_else(
    everyone, student, class_b, school_a, mailoutbox
):
    left = UserFactory(username="registrar_a_left", role=Role.REGISTRAR, school=school_a)
    left.email, left.is_active = "left@example.edu.cn", False  # the account was closed
    left.save(update_fields=["email", "is_active"])
    step = arrived_on(release_step(everyone, student, class_b), D(2025, 11, 3))  # a Monday

    remind_pending_tasks(today=D(2025, 11, 4))
    assert told(REMINDER, work_item=step) == []

    remind_pending_tasks(today=D(2025, 11, 5))
    emails_send()

    assert told(REMINDER, work_item=step) == ["registrar_a", "registrar_a2"]
    assert mailed(mailoutbox) == ["registrar_a2@example.edu.cn", "registrar_a@example.edu.cn"]
    email = mailoutbox[0]
    assert email.subject == "[学籍管理] 待办提醒：转出学校确认转出"
    assert email.body == (
        f"转学 #{step.request_id}（{student.name}）的“转出学校确认转出”已等待 2 个工作日，"
        f"请在 {step.due.isoformat()} 前办理。"
    )


def test_a_waiting_bureau_step_reminds_that_bureaus_officers_only(everyone, student, class_b):
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    step = arrived_on(open_step(everyone["officer_longyou"], transfer), D(2025, 11, 3))

    remind_pending_tasks(today=D(2025, 11, 5))

    # Not the city above (escalation is for that), not 常山县 beside it, not 武义县.
    assert told(REMINDER, work_item=step) == ["officer_longyou", "officer_longyou_2"]


def test_reminders_count_working_days_across_the_national_day_holiday(everyone, class_a, class_b, mailoutbox):
    registrar = everyone["registrar_a"]
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October worked in exchange.
    before_holiday = arrived_on(
        release_step(everyone, StudentFactory(school_class=class_a, by=registrar), class_b), D(2025, 9, 30)
    )
    before_sunday = arrived_on(
        release_step(everyone, StudentFactory(school_class=class_a, by=registrar), class_b), D(2025, 9, 26)
    )

    rounds = {}
    day = D(2025, 9, 27)
    while day <= D(2025, 10, 16):
        for _hourly in range(2):  # beat runs it every hour: the second run of a day adds nothing
            remind_pending_tasks(today=day)
        emails_send()
        rounds[day] = {
            step.pk: sorted(
                Notification.objects.filter(kind=REMINDER, work_item=step)
                .order_by("round")
                .values_list("round", flat=True)
                .distinct()
            )
            for step in (before_holiday, before_sunday)
        }
        day += datetime.timedelta(days=1)

    def first_day_of(step, round):
        return min(day for day, by_step in rounds.items() if round in by_step[step.pk])

    # Arrived Friday 26 September: Sunday 28 is a working day, so two have passed on Monday 29.
    assert first_day_of(before_sunday, 1) == D(2025, 9, 29)
    # Arrived Tuesday 30 September: 9 and 10 October are the first two working days after it.
    assert first_day_of(before_holiday, 1) == D(2025, 10, 10)
    # Then every two working days, never more often: Saturday 11 October is the third (worked),
    # Monday 13 the fourth, Wednesday 15 the sixth.
    assert first_day_of(before_holiday, 2) == D(2025, 10, 13)
    assert first_day_of(before_holiday, 3) == D(2025, 10, 15)
    assert rounds[D(2025, 10, 16)][before_holiday.pk] == [1, 2, 3]
    assert rounds[D(2025, 10, 16)][before_sunday.pk] == [1, 2, 3, 4, 5]
    # One e-mail per registrar and round, however often the sweep ran.
    assert len(mailed(mailoutbox, "待办提醒")) == 2 * (3 + 5)
    assert Notification.objects.filter(kind=REMINDER, recipient=registrar).count() == 3 + 5


def test_a_second_sweep_records_and_sends_nothing_again(everyone, student, class_b, mailoutbox):
    step = arrived_on(release_step(everyone, student, class_b), D(2025, 11, 3))

    first = remind_pending_tasks(today=D(2025, 11, 5))
    emails_send()
    second = remind_pending_tasks(today=D(2025, 11, 5))
    emails_send()

    assert (first, second) == (2, 0)
    assert told(REMINDER, work_item=step) == ["registrar_a", "registrar_a2"]
    assert len(mailoutbox) == 2


def test_a_step_decided_in_time_is_not_reminded(everyone, student, class_b):
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    step = arrived_on(open_step(everyone["officer_longyou"], transfer), D(2025, 11, 3))
    decide(everyone["officer_longyou"], transfer)

    remind_pending_tasks(today=D(2025, 11, 5))

    assert told(REMINDER, work_item=step) == []


def test_the_people_reminded_are_exactly_those_who_may_act_on_the_step(everyone, student, class_b):
    step = release_step(everyone, student, class_b)

    def may_act(step):
        return sorted(name for name, user in everyone.items() if user_may_act_on(user, step))

    assert (
        sorted(user.username for user in users_who_may_act_on(step)) == may_act(step) == ["registrar_a", "registrar_a2"]
    )
    # A step sent back to one person is theirs alone.
    WorkItem.objects.filter(pk=step.pk).update(assignee=everyone["registrar_a2"])
    step.refresh_from_db()
    assert sorted(user.username for user in users_who_may_act_on(step)) == may_act(step) == ["registrar_a2"]


def test_reminders_the_mail_server_refused_are_e_mailed_by_the_next_sweep(
    everyone, student, class_b, settings, mailoutbox
):
    step = arrived_on(release_step(everyone, student, class_b), D(2025, 11, 3))
    locmem = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", unused_port(), 2

    remind_pending_tasks(today=D(2025, 11, 5))
    assert emails_send() == 0

    assert told(REMINDER, work_item=step) == ["registrar_a", "registrar_a2"]  # in the notification centre already
    assert Notification.objects.filter(work_item=step, emailed_at__isnull=True).count() == 2
    settings.EMAIL_BACKEND = locmem  # the mail server is back
    remind_pending_tasks(today=D(2025, 11, 5))
    assert emails_send() == 2
    assert emails_send() == 0
    assert mailed(mailoutbox) == ["registrar_a2@example.edu.cn", "registrar_a@example.edu.cn"]
    assert not Notification.objects.filter(work_item=step, emailed_at__isnull=True).exists()
