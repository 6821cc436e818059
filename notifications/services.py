"""Writing and sending notifications. They read the state of steps and requests and never change it.

Who is told what (one row per person and event, whatever runs it how often), and the e-mail
drain. The flows' hooks that queue this work after their commit are in notifications.tasks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flows.models import Request, WorkItem
from records.models import Bureau, Role, Student
from flows.selectors import users_who_may_act_on
from records.selectors import users_in_role

from .models import Escalation, Notification

logger = logging.getLogger(__name__)
Kind = Notification.Kind

# How each ending of a request is told to the one who started it.
CLOSED_KINDS = {
    Request.State.COMPLETED: Kind.REQUEST_COMPLETED,
    Request.State.REJECTED: Kind.REQUEST_REJECTED,
    Request.State.LAPSED: Kind.REQUEST_LAPSED,
    Request.State.CANCELLED: Kind.REQUEST_CANCELLED,
}


# --- Who is told what ------------------------------------------------------------------------------


def _about(request: Request) -> str:
    """The student a request is about, by name; a new record's name before the record exists."""
    if request.student_id:
        return request.student.name
    return (getattr(request.coerced, "record", None) or {}).get("name", "")


def _request_label(request: Request) -> str:
    about = _about(request)
    label = f"{request.get_kind_display()} #{request.pk}"
    return f"{label}（{about}）" if about else label


def _record(recipients, *, kind: str, key: str, title: str, message: str, round: int = 1, **about) -> int:
    """One notification per recipient; those already recorded under `key` are left as they are.

    Returns how many were new, as far as this worker can tell (a racing worker may have written
    some of them first: then both count them, and the database keeps one).
    """
    return notes_record(
        kind, [Note(user, key, title, message, about) for user in recipients], round=round
    )


@dataclass(frozen=True)
class Note:
    """What one person is to be told, under the key of the event it is about."""

    recipient: object
    key: str
    title: str
    message: str
    about: dict = field(default_factory=dict)  # work_item, request, student, school_class


def notes_record(kind: str, notes, *, round: int = 1) -> int:
    """Record many notes of one kind, in two queries, each (recipient, key) once: what was
    recorded before is left as it is (see _record)."""
    notes = list(notes)
    if not notes:
        return 0
    told = set(
        Notification.objects.filter(key__in={note.key for note in notes}, recipient__in={note.recipient for note in notes})
        .values_list("recipient_id", "key")
    )
    now = timezone.now()
    rows = [
        Notification(
            recipient=note.recipient,
            kind=kind,
            key=note.key,
            round=round,
            title=note.title,
            message=note.message,
            created=now,
            email_to=note.recipient.email or "",
            **note.about,
        )
        for note in notes
        if (note.recipient.pk, note.key) not in told
    ]
    # ON CONFLICT DO NOTHING: a second sweep, or a worker racing this one, adds nothing.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def task_waiting_record(work_item: WorkItem) -> int:
    """新的待办: everyone who can act on the step (its assignee when it has one)."""
    request = work_item.request
    return _record(
        users_who_may_act_on(work_item),
        kind=Kind.TASK_WAITING,
        key=f"{Kind.TASK_WAITING}:w{work_item.pk}",
        title=_("新的待办：%(step)s") % {"step": work_item.title},
        message=_("%(request)s等待您办理“%(step)s”，办理时限 %(due)s。")
        % {"request": _request_label(request), "step": work_item.title, "due": work_item.due.isoformat()},
        work_item=work_item,
        request=request,
    )


def task_reminder_record(work_item: WorkItem, *, round: int, waited: int) -> int:
    """待办提醒, round `round`: the step has waited `waited` working days."""
    request = work_item.request
    return _record(
        users_who_may_act_on(work_item),
        kind=Kind.TASK_REMINDER,
        key=f"{Kind.TASK_REMINDER}:w{work_item.pk}:r{round}",
        round=round,
        title=_("待办提醒：%(step)s") % {"step": work_item.title},
        message=_("%(request)s的“%(step)s”已等待 %(days)d 个工作日，请在 %(due)s 前办理。")
        % {
            "request": _request_label(request),
            "step": work_item.title,
            "days": waited,
            "due": work_item.due.isoformat(),
        },
        work_item=work_item,
        request=request,
    )


def supervising_bureau(work_item: WorkItem) -> Bureau | None:
    """Who oversees the step: the school's bureau for a school's step, the level above for a bureau's."""
    if work_item.school_id:
        return work_item.school.bureau
    return work_item.bureau.parent


@transaction.atomic
def task_escalate(work_item: WorkItem) -> int:
    """超期督办: the supervising bureau's officers hear of the overdue step, once; the step is marked."""
    bureau = supervising_bureau(work_item)
    Escalation.objects.bulk_create(
        [Escalation(work_item=work_item, bureau=bureau, escalated_at=timezone.now())], ignore_conflicts=True
    )
    if bureau is None:
        logger.info("Overdue step %s has no bureau above %s to escalate to.", work_item.pk, work_item.org)
        return 0
    request = work_item.request
    return _record(
        users_in_role(Role.BUREAU_OFFICER, bureau=bureau),
        kind=Kind.TASK_ESCALATED,
        key=f"{Kind.TASK_ESCALATED}:w{work_item.pk}",
        title=_("超期督办：%(org)s %(step)s") % {"org": work_item.org.name, "step": work_item.title},
        message=_("%(request)s：%(org)s的“%(step)s”已超过办理时限 %(due)s 仍未办理，请督促办理。")
        % {
            "org": work_item.org.name,
            "step": work_item.title,
            "request": _request_label(request),
            "due": work_item.due.isoformat(),
        },
        work_item=work_item,
        request=request,
    )


def request_closed_record(request: Request) -> int:
    """The starter hears how the request ended; a lapsed request is told to both schools' registrars."""
    kind = CLOSED_KINDS.get(request.state)
    if kind is None:
        return 0
    label = _request_label(request)
    messages = {
        Kind.REQUEST_COMPLETED: _("%(request)s已办结，学籍变更已生效。"),
        Kind.REQUEST_REJECTED: _("%(request)s未获同意，学籍未作变更。理由：%(comment)s"),
        Kind.REQUEST_LAPSED: _("%(request)s自发起之日起三个月未办结，已自动失效，学籍未作变更。"),
        Kind.REQUEST_CANCELLED: _("%(request)s已撤销，学生回到原班级。%(comment)s"),
    }
    recipients = {request.started_by_id} if request.started_by.is_active else set()
    if kind == Kind.REQUEST_LAPSED:
        for school in (request.school_id, request.other_school_id):
            if school:
                recipients.update(users_in_role(Role.REGISTRAR, school=school).values_list("pk", flat=True))
    return _record(
        get_user_model().objects.filter(pk__in=recipients).order_by("pk"),
        kind=kind,
        key=f"{kind}:q{request.pk}",
        title=f"{kind.label}：{label}",
        message=messages[kind] % {"request": label, "comment": request.close_comment},
        request=request,
        student=request.student,
    )


def suspension_ending_record(student: Student) -> int:
    """休学即将到期: the school's registrars, once per end date (an extension moves it and reminds again)."""
    until = student.suspended_until
    return _record(
        users_in_role(Role.REGISTRAR, school=student.school_id),
        kind=Kind.SUSPENSION_ENDING,
        key=f"{Kind.SUSPENSION_ENDING}:s{student.pk}:{until.isoformat()}",
        title=_("休学即将到期：%(name)s") % {"name": student.name},
        message=_("%(name)s（%(number)s）的休学将于 %(date)s 到期，请及时办理复学，或为其申请续休。")
        % {"name": student.name, "number": student.student_number, "date": until.isoformat()},
        student=student,
    )


# --- E-mail ----------------------------------------------------------------------------------------


def _email_pending():
    return Notification.objects.filter(emailed_at__isnull=True).exclude(email_to="")


def emails_send(*, limit: int = 500) -> int:
    """Send the notifications not yet e-mailed, each under its row lock, and mark them sent.

    SKIP LOCKED lets two workers share the work without sending anything twice; a failure
    leaves the row for the next sweep, behind the rows that have not failed yet.
    """
    if not _email_pending().exists():
        return 0
    site = settings.XUEJI_SITE_URL.rstrip("/")
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except OSError:  # smtplib's errors are OSErrors, as is a refused connection
        logger.warning("Mail server unreachable; e-mails are left for the next sweep.", exc_info=True)
        return 0
    sent = 0
    try:
        for _i in range(limit):
            with transaction.atomic():
                notification = (
                    _email_pending().select_for_update(skip_locked=True).order_by("email_attempts", "pk").first()
                )
                if notification is None:
                    break
                body = notification.message
                if site:
                    body += "\n\n" + site + notification.target_url
                email = EmailMessage(
                    subject=f"[{settings.XUEJI_SITE_TITLE}] {notification.title}",
                    body=body,
                    to=[notification.email_to],
                    connection=connection,
                )
                try:
                    email.send()
                except OSError:
                    logger.warning(
                        "E-mail of notification %s not sent; the next sweep tries again.",
                        notification.pk,
                        exc_info=True,
                    )
                    notification.email_attempts += 1
                    notification.save(update_fields=["email_attempts"])
                    break
                notification.emailed_at = timezone.now()
                notification.save(update_fields=["emailed_at"])
                sent += 1
    finally:
        connection.close()
    return sent


# --- The notification centre -------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, by) -> None:
    if notification.recipient_id != by.pk or notification.read_at:
        return
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def task_notifications_settle(*, work_item_ids) -> int:
    """新的待办 and reminders of steps that are done or cancelled are marked read for everyone
    told: nothing is left to do about them. The escalations stay, a record for the bureau."""
    return Notification.objects.filter(
        work_item__in=list(work_item_ids), kind__in=[Kind.TASK_WAITING, Kind.TASK_REMINDER], read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, by) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())
