"""Notifications written by the database itself: one INSERT … SELECT for any number of steps.

The sweeps tell thousands of overdue steps at once. Reading every step into Python to format its
message costs minutes at province scale, so these statements build the same rows in SQL: the
SELECT is an ordinary queryset (it runs on PostgreSQL and SQLite alike, and who is told follows
the same joins the ORM makes), the texts are the translated message templates with their
placeholders filled by SQL expressions, and ON CONFLICT DO NOTHING on (recipient, key) keeps one
row per person and event, as notifications.services does for a single event.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Case, CharField, DateTimeField, F, IntegerField, Q, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from flows.models import Request

from .models import Notification

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def text(template: str, **parts):
    """A translated template such as "%(request)s等待您办理“%(step)s”" as one SQL string, each
    placeholder replaced by the expression given for it (a Value for what is the same on every row)."""
    pieces, position = [], 0
    for match in PLACEHOLDER.finditer(template):
        if match.start() > position:
            pieces.append(Value(template[position : match.start()]))
        pieces.append(Value("%") if match.group(0) == "%%" else parts[match.group(1)])
        position = match.end()
    if position < len(template):
        pieces.append(Value(template[position:]))
    return pieces[0] if len(pieces) == 1 else Concat(*pieces, output_field=CharField())


def as_text(expression):
    """A number or a date as text: a date reads as 2025-10-16 on both databases."""
    return Cast(expression, CharField())


def with_request_label(queryset, request: str):
    """Annotate `n_label`, `notifications.services._request_label` in SQL: "转学 #42（王小明）", the
    kind in the active language, then the student's name, or the new record's name of a request
    that has no student yet (registrations, transfers in)."""
    names = [F(f"{request}__student__name")]
    for model in Request.__subclasses__():
        if any(field.name == "record" for field in model._meta.concrete_fields):
            names.append(KeyTextTransform("name", f"{request}__{model._meta.model_name}__record"))
    kinds = Case(
        *(When(**{f"{request}__kind": value}, then=Value(str(label))) for value, label in Request.Kind.choices),
        default=F(f"{request}__kind"),
        output_field=CharField(),
    )
    return queryset.annotate(n_about=Coalesce(*names, Value(""), output_field=CharField())).annotate(
        n_label=Concat(
            kinds,
            Value(" #"),
            as_text(F(f"{request}__pk")),
            Case(When(~Q(n_about=""), then=Concat(Value("（"), F("n_about"), Value("）"))), default=Value("")),
            output_field=CharField(),
        )
    )


def insert_select(model, queryset, columns: dict[str, str]) -> int:
    """INSERT INTO model's table the rows `queryset` selects, alias by alias into `columns`
    ({alias: column}), skipping rows that conflict. Returns how many rows are new."""
    compiler = queryset.order_by().values(*columns).query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    quote = connection.ops.quote_name
    # The SELECT's own order of its columns, whatever order values() was given.
    targets = ", ".join(quote(columns[alias]) for _expression, _sql, alias in compiler.select)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({targets}) {sql} ON CONFLICT DO NOTHING", params)
        return max(cursor.rowcount, 0)


# The notification's columns and the aliases of the SELECT that fills them.
COLUMNS = {
    "n_recipient": "recipient_id",
    "n_kind": "kind",
    "n_key": "key",
    "n_round": "round",
    "n_work_item": "work_item_id",
    "n_request": "request_id",
    "n_title": "title",
    "n_message": "message",
    "n_created": "created",
    "n_email": "email_to",
    "n_attempts": "email_attempts",
}


def notifications_insert(queryset, *, kind: str, round: int = 1, **columns) -> int:
    """INSERT the rows `queryset` selects as notifications of `kind`, one row per recipient and
    event; `columns` are the expressions of recipient, key, work_item, request, title, message and
    email over it. Returns how many rows are new."""
    rows = queryset.annotate(
        n_kind=Value(kind, output_field=CharField()),
        n_round=Value(round, output_field=IntegerField()),
        n_created=Value(timezone.now(), output_field=DateTimeField()),
        n_attempts=Value(0, output_field=IntegerField()),
        n_email=Coalesce(columns.pop("email"), Value(""), output_field=CharField()),
        **{f"n_{name}": expression for name, expression in columns.items()},
    )
    return insert_select(Notification, rows, COLUMNS)
