"""The history of one student's record: who changed what, when, old → new.

The record is spread over three histories (django-simple-history): the student's own, its
placements' and its family members'. Each is diffed record by record against the previous
version of the same row, and the three are merged by time, newest first.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from .models import FamilyMember, Placement, SchoolClass, Student
from .record_form import display_value


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    when: datetime.datetime
    user: object | None
    subject: str
    action: str
    summary: str
    reason: str
    changes: tuple[Change, ...]

    @property
    def user_display(self) -> str:
        if self.user is None:
            return _("系统")
        return self.user.get_full_name() or self.user.get_username()


# Never shown as a change: the row's own id and the student it belongs to.
_NOT_DIFFED = {"id", "student"}
# Related rows are loaded in one query per model; these need a join to read as text.
_RELATED_QUERYSETS = {
    SchoolClass: lambda: SchoolClass.objects.select_related("school"),
    Student: lambda: Student.objects.select_related("school"),
}


def _related_label(obj) -> str:
    # Another student's record reads by name and school: its student number holds an ID number.
    if isinstance(obj, Student):
        return f"{obj.name}（{obj.school.name}）"
    return str(obj)


def _sources(student: Student):
    """(model, the historical rows of that model belonging to the student)."""
    return (
        (Student, Student.history.filter(id=student.pk)),
        (Placement, Placement.history.filter(student_id=student.pk)),
        (FamilyMember, FamilyMember.history.filter(student_id=student.pk)),
    )


def _describe(model, record, related) -> tuple[str, str]:
    """The subject of an entry and, for a row added or removed, what it was."""
    if model is Student:
        return _("学籍"), (_("建立学籍") if record.history_type == "+" else "")
    if model is Placement:
        school_class = related[SchoolClass].get(record.school_class_id)
        class_name = str(school_class) if school_class else f"#{record.school_class_id}"
        subject = _("在班记录")
        if record.history_type == "+":
            return subject, _("编入 %(class)s") % {"class": class_name}
        if record.history_type == "-":
            return subject, _("删除在班记录 %(class)s") % {"class": class_name}
        return _("在班记录（%(class)s）") % {"class": class_name}, ""
    subject = _("家庭成员%(position)s") % {"position": record.position}
    if record.history_type == "+":
        return subject, _("新增家庭成员 %(name)s") % {"name": record.name}
    if record.history_type == "-":
        return subject, _("删除家庭成员 %(name)s") % {"name": record.name}
    return _("家庭成员%(position)s（%(name)s）") % {"position": record.position, "name": record.name}, ""


def _changes(record, previous) -> list[tuple[str, object, object]]:
    """(field name, old value, new value) for each field that differs between two versions of a row.

    diff_against compares the editable fields (foreign keys as ids); the others, such as the
    student number (an L number becomes a G number), are compared here.
    """
    editable = [f.name for f in record.tracked_fields if f.editable and f.name not in _NOT_DIFFED]
    changes = [(c.field, c.old, c.new) for c in record.diff_against(previous, included_fields=editable).changes]
    for field in record.tracked_fields:
        if not field.editable and field.name not in _NOT_DIFFED:
            old, new = getattr(previous, field.attname), getattr(record, field.attname)
            if old != new:
                changes.append((field.name, old, new))
    return changes


def student_history(student: Student, shown=None) -> list[Entry]:
    """Every change to the student's record, newest first; a few queries whatever its length.

    `shown` (selectors.identity_shown_to(viewer)) masks the old and new ID, student and phone
    numbers for a viewer who reads them masked; without it they read whole."""
    versions = []  # (order of the source, model, record, previous record of the same row)
    for order, (model, history) in enumerate(_sources(student)):
        previous_by_row = {}
        for record in history.select_related("history_user").order_by("history_date", "history_id"):
            versions.append((order, model, record, previous_by_row.get(record.id)))
            previous_by_row[record.id] = record

    wanted = defaultdict(set)  # related model → ids to load
    diffs = []
    for order, model, record, previous in versions:
        changes = []
        if record.history_type == "~" and previous is not None:
            changes = _changes(record, previous)
            for name, old, new in changes:
                field = model._meta.get_field(name)
                if isinstance(field, models.ForeignKey):
                    wanted[field.related_model].update(v for v in (old, new) if v is not None)
        if model is Placement:
            wanted[SchoolClass].add(record.school_class_id)
        diffs.append((order, model, record, changes))

    related = defaultdict(dict)
    for related_model, ids in wanted.items():
        queryset = _RELATED_QUERYSETS.get(related_model, lambda m=related_model: m._default_manager.all())()
        related[related_model] = queryset.in_bulk(ids)

    entries = []
    for order, model, record, changes in diffs:
        if record.history_type == "~" and not changes:
            continue  # saved without a visible change
        changed = []
        for name, old, new in changes:
            field = model._meta.get_field(name)
            rows = related[field.related_model] if isinstance(field, models.ForeignKey) else {}
            if shown is not None:
                old, new = shown.field(name, old), shown.field(name, new)
            changed.append(
                Change(
                    label=str(field.verbose_name),
                    old=_related_label_or_value(field, old, rows),
                    new=_related_label_or_value(field, new, rows),
                )
            )
        subject, summary = _describe(model, record, related)
        entries.append(
            (
                (record.history_date, order, record.history_id),
                Entry(
                    when=record.history_date,
                    user=record.history_user,
                    subject=subject,
                    action={"+": _("新建"), "~": _("修改"), "-": _("删除")}[record.history_type],
                    summary=summary,
                    reason=record.history_change_reason or "",
                    changes=tuple(changed),
                ),
            )
        )
    entries.sort(key=lambda pair: pair[0], reverse=True)
    return [entry for _key, entry in entries]


def _related_label_or_value(field, value, rows) -> str:
    if isinstance(field, models.ForeignKey) and value is not None:
        obj = rows.get(value)
        return _related_label(obj) if obj is not None else display_value(field, value)
    return display_value(field, value)
