"""How a request ended, told to the one who started it (the Celery task the flow queues does it
after the commit; these tests let the catch-up sweep do it, as it does when the broker was down)."""

from __future__ import annotations

import pytest

from flows.models import Request
from flows.engine import request_withdraw
from flows.transfer_cancel import transfer_cancel_start
from notifications.models import Notification
from notifications.services import emails_send
from notifications.sweeps import deliver_missed
from tests.flows.acting import REJECT, decide, start_transfer

from .conftest import mailed, told

pytestmark = pytest.mark.usefixtures("transfer_windows_open")
Kind = Notification.Kind


def test_a_rejection_tells_the_starter_the_reason(everyone, student, class_b, mailoutbox):
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    decide(everyone["officer_longyou"], transfer, REJECT, "转入学校班额已满")

    deliver_missed()
    deliver_missed()
    emails_send()

    assert told(Kind.REQUEST_REJECTED, request=transfer) == ["registrar_b"]
    assert mailed(mailoutbox, "申请未获同意") == ["registrar_b@example.edu.cn"]
    assert mailoutbox[-1].body == (
        f"转学 #{transfer.pk}（{student.name}）未获同意，学籍未作变更。理由：转入学校班额已满"
    )


def test_a_cancelled_transfer_is_told_as_completed_then_as_cancelled(everyone, student, class_b):
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    decide(everyone["officer_longyou"], transfer)
    decide(everyone["registrar_a"], transfer)
    deliver_missed()
    transfer.refresh_from_db()

    cancellation = transfer_cancel_start(transfer=transfer, by=everyone["registrar_a"], reason="家长改变主意")
    decide(everyone["registrar_b"], cancellation)
    deliver_missed()

    assert told(Kind.REQUEST_COMPLETED, request=transfer) == ["registrar_b"]
    assert told(Kind.REQUEST_CANCELLED, request=transfer) == ["registrar_b"]
    assert told(Kind.REQUEST_COMPLETED, request=cancellation) == ["registrar_a"]


def test_a_withdrawn_request_tells_nobody(everyone, student, class_b):
    transfer = start_transfer(student, everyone["registrar_b"], to_class=class_b)
    request_withdraw(request=transfer, by=everyone["registrar_b"])

    deliver_missed()

    transfer.refresh_from_db()
    assert transfer.state == Request.State.WITHDRAWN
    assert not Notification.objects.filter(request=transfer).exists()
