"""Writing and sending notifications. They read the state of steps and requests and never change it.

Who is told what (one row per person and event, whatever runs it how often), and the e-mail
drain. The flows' hooks that queue this work after their commit are in notifications.tasks.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from flows.models import Request, WorkItem
from records.models import RegistrarChange, Role, Student
from flows.selectors import users_who_may_act_on
from records.selectors import users_in_role

from . import bulk
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


def _label(request: Request, about: str) -> str:
    label = f"{request.get_kind_display()} #{request.pk}"
    return f"{label}（{about}）" if about else label


def _request_label(request: Request) -> str:
    return _label(request, _about(request))


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


def _reminder_key(round: int):
    return Concat(Value(f"{Kind.TASK_REMINDER}:w"), bulk.as_text(F("pk")), Value(f":r{round}"))


def task_reminders_record(steps, *, round: int, waited: int) -> int:
    """待办提醒, round `round`, for every step of `steps` (a WorkItem queryset), each waiting
    `waited` working days, to everyone who may act on it (`users_who_may_act_on`, as joins): two
    INSERT … SELECT statements, the school steps' and the bureau steps', whatever their number."""
    recorded = 0
    for org in ("school", "bureau"):
        people = f"{org}__memberships"
        told = (
            steps.filter(**{f"{org}__isnull": False})
            .filter(
                Q(**{f"{people}__role": F("role"), f"{people}__user__is_active": True}),
                Q(assignee__isnull=True) | Q(assignee=F(f"{people}__user")),
                Q(school_class__isnull=True) | Q(school_class=F(f"{people}__school_class")),
            )
        )
        told = bulk.with_request_label(told, "request")
        recorded += bulk.notifications_insert(
            told,
            kind=Kind.TASK_REMINDER,
            round=round,
            recipient=F(f"{people}__user"),
            email=F(f"{people}__user__email"),
            key=_reminder_key(round),
            work_item=F("pk"),
            request=F("request"),
            title=bulk.text(_("待办提醒：%(step)s"), step=F("title")),
            message=bulk.text(
                _("%(request)s的“%(step)s”已等待 %(days)d 个工作日，请在 %(due)s 前办理。"),
                request=F("n_label"),
                step=F("title"),
                days=Value(str(waited)),
                due=bulk.as_text(F("due")),
            ),
        )
    return recorded


@transaction.atomic
def tasks_escalate(overdue) -> int:
    """超期督办 of every step of `overdue` (a WorkItem queryset of steps past their due date, not yet
    escalated): each is marked once, with the bureau that oversees it (the school's bureau for a
    school's step, the level above for a bureau's), and that bureau's officers are told. Two
    INSERT … SELECT statements and a count, whatever the number of steps."""
    now = timezone.now()
    bulk.insert_select(
        Escalation,
        overdue.annotate(
            e_step=F("pk"),
            e_bureau=Coalesce(F("school__bureau"), F("bureau__region__parent__bureau")),
            e_at=Value(now, output_field=DateTimeField()),
        ),
        {"e_step": "work_item_id", "e_bureau": "bureau_id", "e_at": "escalated_at"},
    )
    marked = Escalation.objects.filter(escalated_at=now)
    unsupervised = marked.filter(bureau__isnull=True).count()
    if unsupervised:
        logger.info("%d overdue steps have no bureau above them to escalate to.", unsupervised)
    officers = "bureau__memberships"
    told = marked.filter(
        **{f"{officers}__role": Role.BUREAU_OFFICER, f"{officers}__user__is_active": True}
    ).annotate(n_org=Coalesce(F("work_item__school__name"), F("work_item__bureau__name")))
    told = bulk.with_request_label(told, "work_item__request")
    return bulk.notifications_insert(
        told,
        kind=Kind.TASK_ESCALATED,
        recipient=F(f"{officers}__user"),
        email=F(f"{officers}__user__email"),
        key=Concat(Value(f"{Kind.TASK_ESCALATED}:w"), bulk.as_text(F("work_item"))),
        work_item=F("work_item"),
        request=F("work_item__request"),
        title=bulk.text(_("超期督办：%(org)s %(step)s"), org=F("n_org"), step=F("work_item__title")),
        message=bulk.text(
            _("%(request)s：%(org)s的“%(step)s”已超过办理时限 %(due)s 仍未办理，请督促办理。"),
            request=F("n_label"),
            org=F("n_org"),
            step=F("work_item__title"),
            due=bulk.as_text(F("work_item__due")),
        ),
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


def _person(user) -> str:
    if user is None:
        return _("暂无")
    name = user.get_full_name() or user.get_username()
    return f"{name}（{user.get_username()}）"


def registrar_change_key(change: RegistrarChange) -> str:
    return f"{Kind.REGISTRAR_CHANGED}:c{change.pk}"


def registrar_change_record(change: RegistrarChange) -> int:
    """学籍管理员变更: the officers of the school's bureau hear who the registrar was and who it is
    now (policy texts 篇10 五.一: 确须调整的需上报教育局基教股)."""
    school = change.school
    message = _("%(school)s的学籍管理员已变更：原学籍管理员 %(old)s，新学籍管理员 %(new)s。变更人：%(by)s，%(at)s。") % {
        "school": school.name,
        "old": _person(change.old_registrar),
        "new": _person(change.new_registrar),
        "by": _person(change.changed_by),
        "at": timezone.localtime(change.changed_at).strftime("%Y-%m-%d %H:%M"),
    }
    if change.new_registrar is None:
        message += _("该校目前没有在用的学籍管理员账号。")
    return _record(
        users_in_role(Role.BUREAU_OFFICER, bureau=school.bureau_id),
        kind=Kind.REGISTRAR_CHANGED,
        key=registrar_change_key(change),
        title=_("学籍管理员变更：%(school)s") % {"school": school.name},
        message=message,
    )


# --- E-mail ----------------------------------------------------------------------------------------


def _email_pending():
    return Notification.objects.filter(emailed_at__isnull=True).exclude(email_to="")


def emails_send(*, limit: int = 20_000, batch: int = 50, seconds: float = 50.0) -> int:
    """Send the notifications not yet e-mailed over one SMTP connection, `batch` rows at a time under
    their row locks, and mark each batch sent with one UPDATE; stop after `limit` e-mails or
    `seconds`, whichever comes first (beat runs it every minute, so 100,000 a day keep flowing).

    SKIP LOCKED lets two workers share the work without sending anything twice; a failure leaves
    the row for the next run, behind the rows that have not failed yet. A worker lost between
    sending and marking re-sends at most the one batch.
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
    deadline = time.monotonic() + seconds
    try:
        while sent < limit and time.monotonic() < deadline:
            with transaction.atomic():
                rows = list(
                    _email_pending()
                    .select_for_update(skip_locked=True)
                    .order_by("email_attempts", "pk")[: min(batch, limit - sent)]
                )
                if not rows:
                    break
                done, failed = [], None
                for notification in rows:
                    if _email(notification, site=site, connection=connection):
                        done.append(notification.pk)
                    else:
                        failed = notification
                        break
                Notification.objects.filter(pk__in=done).update(emailed_at=timezone.now())
                sent += len(done)
                if failed is not None:
                    Notification.objects.filter(pk=failed.pk).update(email_attempts=F("email_attempts") + 1)
                    break
    finally:
        connection.close()
    return sent


def _email(notification: Notification, *, site: str, connection) -> bool:
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
        logger.warning("E-mail of notification %s not sent; the next sweep tries again.", notification.pk, exc_info=True)
        return False
    return True


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
