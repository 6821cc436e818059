"""Lapsing transfers and suspensions about to end: both found by a sweep, both told once."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from flows.models import Request
from flows.suspension import suspension_start
from notifications.models import Notification
from notifications.services import emails_send
from flows.lapse import expire_lapsed_transfers
from notifications.sweeps import remind_suspensions_ending
from records import services
from records.models import Student
from tests.factories import StudentFactory
from tests.flows.acting import APPLICANT, REASON, decide, inbox, start_transfer, where

from .conftest import mailed, told

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

LAPSED = Notification.Kind.REQUEST_LAPSED
ENDING = Notification.Kind.SUSPENSION_ENDING


def started_days_ago(request: Request, days: int) -> Request:
    """As if the request had been started `days` days ago."""
    Request.objects.filter(pk=request.pk).update(created=timezone.now() - datetime.timedelta(days=days))
    request.refresh_from_db()
    return request


def test_a_transfer_open_for_three_months_lapses_nothing_changes_and_both_schools_are_told(
    everyone, student, class_a, class_b, mailoutbox
):
    registrar, receiving = everyone["registrar_a"], everyone["registrar_b"]
    before = where(student)
    transfer = started_days_ago(start_transfer(student, receiving, to_class=class_b), 93)
    decide(everyone["officer_longyou"], transfer)
    recent = started_days_ago(
        start_transfer(StudentFactory(school_class=class_a, by=registrar), receiving, to_class=class_b), 80
    )

    assert expire_lapsed_transfers() == 1
    assert expire_lapsed_transfers() == 0
    emails_send()

    transfer.refresh_from_db()
    recent.refresh_from_db()
    assert (transfer.state, recent.state) == (Request.State.LAPSED, Request.State.OPEN)
    assert where(student) == before
    assert inbox(registrar) == []
    # The starter (school B's registrar) and the registrars of both schools; not school C, no bureau.
    assert told(LAPSED, request=transfer) == ["registrar_a", "registrar_a2", "registrar_b"]
    assert mailed(mailoutbox) == [
        "registrar_a2@example.edu.cn",
        "registrar_a@example.edu.cn",
        "registrar_b@example.edu.cn",
    ]
    assert mailoutbox[0].body == (
        f"转学 #{transfer.pk}（{student.name}）自发起之日起三个月未办结，已自动失效，学籍未作变更。"
    )
    # The student is free for a new request.
    assert start_transfer(student, receiving, to_class=class_b).state == Request.State.OPEN


def test_only_transfers_lapse(everyone, student):
    suspension = suspension_start(
        student=student,
        by=everyone["registrar_a"],
        cause="other",
        applicant=APPLICANT,
        reason=REASON,
        evidence=[("application", SimpleUploadedFile("申请书.pdf", b"%PDF-1.4 scan", content_type="application/pdf"))],
    )
    started_days_ago(suspension, 120)

    assert expire_lapsed_transfers() == 0

    suspension.refresh_from_db()
    assert suspension.state == Request.State.OPEN


def test_a_suspension_ending_within_two_weeks_reminds_the_schools_registrars_once_per_end_date(
    everyone, class_a, class_c, mailoutbox
):
    registrar, today = everyone["registrar_a"], timezone.localdate()
    ending = services.student_suspend(
        student=StudentFactory(school_class=class_a, by=registrar),
        until=today + datetime.timedelta(days=10),
        by=registrar,
    )
    later = services.student_suspend(
        student=StudentFactory(school_class=class_a, by=registrar),
        until=today + datetime.timedelta(days=15),
        by=registrar,
    )
    elsewhere = services.student_suspend(
        student=StudentFactory(school_class=class_c, by=everyone["registrar_c"]),
        until=today + datetime.timedelta(days=3),
        by=everyone["registrar_c"],
    )

    remind_suspensions_ending(today=today)
    remind_suspensions_ending(today=today)
    emails_send()

    assert told(ENDING, student=ending) == ["registrar_a", "registrar_a2"]
    assert told(ENDING, student=later) == []
    assert told(ENDING, student=elsewhere) == ["registrar_c"]
    assert len(mailed(mailoutbox)) == 3
    to_registrar = next(email for email in mailoutbox if email.to == ["registrar_a@example.edu.cn"])
    assert to_registrar.body == (
        f"{ending.name}（{ending.student_number}）的休学将于 {ending.suspended_until.isoformat()} 到期，"
        "请及时办理复学，或为其申请续休。"
    )

    # The next day changes nothing for `ending`; `later` comes into the window.
    remind_suspensions_ending(today=today + datetime.timedelta(days=1))
    assert told(ENDING, student=ending) == ["registrar_a", "registrar_a2"]
    assert told(ENDING, student=later) == ["registrar_a", "registrar_a2"]

    # An extension (续休) moves the end date: once it is near, the registrars hear of it again.
    extended = services.student_extend_suspension(
        student=ending, until=today + datetime.timedelta(days=40), by=registrar
    )
    remind_suspensions_ending(today=today + datetime.timedelta(days=1))
    assert Notification.objects.filter(kind=ENDING, student=extended, recipient=registrar).count() == 1
    remind_suspensions_ending(today=today + datetime.timedelta(days=30))
    assert Notification.objects.filter(kind=ENDING, student=extended, recipient=registrar).count() == 2
    assert Student.objects.get(pk=extended.pk).status == Student.Status.SUSPENDED
