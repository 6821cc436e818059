"""超期督办: a step past its due date is reported to the bureau above whoever should act, once."""

from __future__ import annotations

import datetime

import pytest

from notifications.models import Escalation, Notification
from notifications.services import emails_send
from notifications.sweeps import escalate_overdue_tasks
from records.working_days import add_working_days
from tests.flows.acting import decide, open_step, start_transfer

from .conftest import arrived_on, mailed, told

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

D = datetime.date
ESCALATED = Notification.Kind.TASK_ESCALATED


def test_due_dates_skip_the_national_day_holiday_and_count_both_adjusted_weekend_days():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October worked.
    assert add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)


def test_an_overdue_school_step_goes_to_the_schools_bureau_once(everyone, student, class_b, school_a, mailoutbox):
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    decide(everyone["officer_longyou"], transfer)
    step = arrived_on(open_step(everyone["registrar_a"], transfer), D(2025, 9, 26))
    assert step.due == D(2025, 10, 16)

    escalate_overdue_tasks(today=D(2025, 10, 16))
    assert told(ESCALATED, work_item=step) == []
    assert not Escalation.objects.filter(work_item=step).exists()

    escalate_overdue_tasks(today=D(2025, 10, 17))
    escalate_overdue_tasks(today=D(2025, 10, 17))
    escalate_overdue_tasks(today=D(2025, 10, 30))
    emails_send()

    assert told(ESCALATED, work_item=step) == ["officer_longyou", "officer_longyou_2"]
    assert mailed(mailoutbox) == ["officer_longyou@example.edu.cn", "officer_longyou_2@example.edu.cn"]
    assert mailoutbox[0].subject == "[学籍管理] 超期督办：龙游县实验小学 转出学校确认转出"
    assert "已超过办理时限 2025-10-16 仍未办理" in mailoutbox[0].body
    assert Escalation.objects.get(work_item=step).bureau == school_a.bureau
    # The step is still the school's to do: escalating informs, it decides nothing.
    assert open_step(everyone["registrar_a"], transfer) == step


def test_an_overdue_bureau_step_goes_to_the_bureau_one_level_up(everyone, student, class_b, quzhou_bureau):
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    step = arrived_on(open_step(everyone["officer_longyou"], transfer), D(2025, 9, 26))

    escalate_overdue_tasks(today=D(2025, 10, 17))
    escalate_overdue_tasks(today=D(2025, 10, 20))

    # 衢州市 above 龙游县: not 龙游县's own officers, not 常山县 beside it, not 武义县.
    assert told(ESCALATED, work_item=step) == ["officer_quzhou"]
    assert Escalation.objects.get(work_item=step).bureau == quzhou_bureau


def test_a_step_decided_before_its_due_date_is_not_escalated(everyone, student, class_b):
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    step = arrived_on(open_step(everyone["officer_longyou"], transfer), D(2025, 9, 26))
    decide(everyone["officer_longyou"], transfer)

    escalate_overdue_tasks(today=D(2025, 10, 17))

    assert told(ESCALATED, work_item=step) == []
    assert not Escalation.objects.filter(work_item=step).exists()
