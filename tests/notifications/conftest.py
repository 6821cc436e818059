"""Fixtures of the notification tests: everyone who might be told something, with an e-mail address.

On top of tests/conftest.py's world (school_a and school_b under 龙游县, school_c under 武义县,
the city bureau of 衢州市 above 龙游县):

浙江省 330000
└── 衢州市 330800 (city_officer)
    ├── 龙游县 330825 (bureau_officer, second_bureau_officer) — school_a (registrar, second_registrar,
    │                  academic_office, class_teacher), school_b (receiving_registrar)
    └── 常山县 330822 (third_county_officer) — no school of any test request
金华市 330700 → 武义县 330723 (other_bureau_officer) — school_c (other_county_registrar)
"""

from __future__ import annotations

import datetime
import socket

import pytest
from django.utils import timezone

from flows.models import WorkItem
from notifications.models import Notification
from records.models import Role, TransferWindow
from records.working_days import add_working_days
from tests.factories import BureauFactory, RegionFactory, UserFactory

D = datetime.date


@pytest.fixture
def transfer_windows_open(longyou_bureau, wuyi_bureau):
    today = timezone.localdate()
    for bureau in (longyou_bureau, wuyi_bureau):
        TransferWindow.objects.create(
            bureau=bureau, start=today - datetime.timedelta(days=14), end=today + datetime.timedelta(days=14)
        )


@pytest.fixture
def second_registrar(school_a):
    return UserFactory(username="registrar_a2", role=Role.REGISTRAR, school=school_a, full_name="何学籍")


@pytest.fixture
def second_bureau_officer(longyou_bureau):
    return UserFactory(
        username="officer_longyou_2", role=Role.BUREAU_OFFICER, bureau=longyou_bureau, full_name="冯科员"
    )


@pytest.fixture
def third_county_officer(quzhou):
    region = RegionFactory.county(code="330822", name="常山县", parent=quzhou)
    bureau = BureauFactory(region=region, name="常山县教育局")
    return UserFactory(username="officer_changshan", role=Role.BUREAU_OFFICER, bureau=bureau, full_name="钱科长")


@pytest.fixture
def everyone(
    registrar,
    second_registrar,
    receiving_registrar,
    other_county_registrar,
    academic_office,
    class_teacher,
    bureau_officer,
    second_bureau_officer,
    other_bureau_officer,
    city_officer,
    third_county_officer,
) -> dict:
    """Every account of the test world by username, each with an e-mail address."""
    users = [
        registrar,
        second_registrar,
        receiving_registrar,
        other_county_registrar,
        academic_office,
        class_teacher,
        bureau_officer,
        second_bureau_officer,
        other_bureau_officer,
        city_officer,
        third_county_officer,
    ]
    for user in users:
        user.email = f"{user.username}@example.edu.cn"
        user.save(update_fields=["email"])
    return {user.username: user for user in users}


def unused_port() -> int:
    """A local port nobody listens on: a broker or mail server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Reading what was sent ---------------------------------------------------------------------


def told(kind: str, **about) -> list[str]:
    """Who got a notification of `kind` about the given step/request/student, by username, sorted."""
    rows = Notification.objects.filter(kind=kind, **about).select_related("recipient")
    return sorted(row.recipient.username for row in rows)


def mailed(mailoutbox, subject_part: str = "") -> list[str]:
    """The addresses of the e-mails sent (one entry per e-mail), sorted."""
    return sorted(address for email in mailoutbox if subject_part in email.subject for address in email.to)


def arrived_on(work_item: WorkItem, day: datetime.date, hour: int = 9) -> WorkItem:
    """As if the step had arrived at `hour` o'clock on `day`: its due date follows from that day,
    by its bureau's number of working days, as flows.steps.Step gives it."""
    bureau = work_item.bureau or work_item.school.bureau
    created = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    due = add_working_days(day, bureau.step_due_working_days)
    WorkItem.objects.filter(pk=work_item.pk).update(created=created, due=due)
    work_item.refresh_from_db()
    return work_item


