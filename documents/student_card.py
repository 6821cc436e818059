"""学籍卡: the record as the national form groups it, the photo, family, placements and changes.

The level grades and the class teacher's comment of each term are on it too
(records.selectors.student_term_records).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from flows.models import Request
from flows.selectors import student_timeline

from records.models import Student
from records.record_form import student_record_groups
from records.selectors import IdentityShown, student_term_records
from . import selectors
from .numbers import student_card_number
from .pdf import Document, in_document_language, photo_data_uri


@dataclass(frozen=True)
class Event:
    """One line of the card's 学籍异动: a completed request or a change of status."""

    on: datetime.date
    what: str
    detail: str
    note: str
    by: str


def _pairs(items: list) -> list[list]:
    """The form's items two to a row, as the paper form sets them."""
    return [items[start : start + 2] for start in range(0, len(items), 2)]


def _user_display(user) -> str:
    if user is None:
        return _("系统")
    return user.get_full_name() or user.get_username()


def request_summary(process: Request, shown: IdentityShown) -> str:
    """What a completed request changed, in one line: the schools of a transfer, the request's items."""
    process = shown.request(process)
    parts = []
    from_school, to_school = getattr(process, "from_school", None), getattr(process, "to_school", None)
    if from_school and to_school:
        parts.append(f"{from_school.name} → {to_school.name}")
    if getattr(process, "destination", ""):
        parts.append(f"{_('转往')}{process.get_scope_display()}：{process.destination}")
    parts += [f"{label}：{value}" for label, value in process.flow_class.instance.items(process)]
    return "；".join(parts)


def record_events(student: Student, shown: IdentityShown) -> list[Event]:
    """The status changes and the completed requests, oldest first (the student page's timeline)."""
    events = []
    for event in student_timeline(student):
        if event["kind"] == "status":
            record = event["record"]
            events.append(
                Event(
                    on=timezone.localdate(event["at"]),
                    what=_("学籍状态变更"),
                    detail=f"{event['old']} → {event['new']}",
                    note=record.history_change_reason or "",
                    by=_user_display(record.history_user),
                )
            )
        elif event["kind"] == "request" and event["request"].state == Request.State.COMPLETED:
            request = event["request"]
            events.append(
                Event(
                    on=timezone.localdate(request.closed_at),
                    what=f"{request.get_kind_display()} #{request.pk}",
                    detail=request_summary(request.coerced, shown),
                    note=request.reason,
                    by=request.school.name,
                )
            )
    return sorted(events, key=lambda event: event.on)


@in_document_language
def student_card(student: Student, *, shown: IdentityShown, today: datetime.date | None = None) -> Document:
    """The card of a student read through selectors.student_for_card; dated the day it is printed;
    ID, student and phone numbers as `shown` (identity_shown_to(the viewer)) lets them read."""
    groups = student_record_groups(student, shown)
    placements = list(selectors.placements_of(student))
    current = next((placement for placement in placements if placement.ended_on is None), None)
    return Document(
        title=_("学生学籍卡"),
        number=student_card_number(student),
        issued_on=today or timezone.localdate(),
        school=student.school,
        subject=student.name,
        template_name="documents/student_card.html",
        context={
            "student": student,
            "current_class": current.school_class if current else None,
            "photo": photo_data_uri(student.photo),
            "first_group": (groups[0][0], _pairs(groups[0][1])),
            "groups": [(title, _pairs(items)) for title, items in groups[1:]],
            "family_members": list(selectors.family_members_of(student)),
            "placements": placements,
            "events": record_events(student, shown),
            "shown": shown,
            "terms": student_term_records(student),
        },
    )
