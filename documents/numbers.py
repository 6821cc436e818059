"""Document numbers (文书编号): unique, and the same every time the same document is printed.

    学籍卡    XJK-<school identifier>-<year the record was created>-<student id, 8 digits>
    转学证明  ZXZM-<sending school identifier>-<year the transfer was completed>-<request id, 6 digits>
    休学证明  XXZM-<school identifier>-<year the suspension was approved>-<request id, 6 digits>

e.g. XJK-2133000001-2023-00000042, ZXZM-2133000001-2026-000123. The last part is the row's own
id, unique across the whole system (every request kind shares one id sequence), so no two
documents of a kind share a number, and nothing is stored or counted to issue one. Every part is
read from a value that never changes once written: the school's 10-digit identifier, the
record's creation time, the request's completion. A reprint therefore carries the same number,
and the number tells a registrar which school issued the paper, in which year, and for which
record or request. The 存根, the certificate and the 回执 of one transfer share its number: it
is how the sending school matches the returned 回执 to the stub it kept.

A student card printed by the school the student moves to has that school's identifier, so it
is that school's card with a number of its own.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

CARD_PREFIX = "XJK"
TRANSFER_PREFIX = "ZXZM"
SUSPENSION_PREFIX = "XXZM"


def request_issued_on(request) -> datetime.date:
    """The day a completed request's certificate is dated: the day of the last approval."""
    completed_on = getattr(request, "completed_on", None)
    return completed_on or timezone.localdate(request.closed_at)


def student_card_number(student) -> str:
    created = timezone.localdate(student.created_at)
    return f"{CARD_PREFIX}-{student.school.identifier}-{created.year}-{student.pk:08d}"


def transfer_certificate_number(transfer) -> str:
    year = request_issued_on(transfer).year
    return f"{TRANSFER_PREFIX}-{transfer.from_school.identifier}-{year}-{transfer.pk:06d}"


def suspension_certificate_number(suspension) -> str:
    year = request_issued_on(suspension).year
    return f"{SUSPENSION_PREFIX}-{suspension.school.identifier}-{year}-{suspension.pk:06d}"
