"""A bureau's term calendar: its terms and transfer windows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Bureau, Term, TransferWindow
from .base import record_actor


@transaction.atomic
def calendar_replace(*, bureau: Bureau, terms: list[dict], windows: list[dict], by) -> None:
    """Replace a bureau's terms and transfer windows; without windows the first and last week
    of each term are the windows."""
    errors = []
    for term in terms:
        if term["end"] <= term["start"]:
            errors.append(_("学期“%(name)s”的结束日期须晚于开始日期。") % {"name": term["name"]})
    for window in windows:
        if window["end"] < window["start"]:
            errors.append(_("转学办理时间 %(start)s 的结束日期不能早于开始日期。") % {"start": window["start"]})
    names = [term["name"] for term in terms]
    if len(names) != len(set(names)):
        errors.append(_("学期名称不能重复。"))
    if errors:
        raise ValidationError(errors)
    Bureau.objects.select_for_update().get(pk=bureau.pk)
    # A term is kept by its name, so that its head counts, grades and comments stay with it when
    # its dates change; one that has any cannot be dropped (or renamed).
    existing = {term.name: term for term in bureau.terms.all()}
    dropped = [term for name, term in existing.items() if name not in names]
    in_use = [term.name for term in dropped if _has_term_work(term)]
    if in_use:
        raise ValidationError(
            _("学期“%(names)s”已有人数核对、成绩或评语，不能删除或改名。") % {"names": "、".join(in_use)},
            code="term_in_use",
        )
    for old in dropped + list(bureau.transfer_windows.all()):
        record_actor(old, by, _("修改校历"))
        old.delete()
    for term in terms:
        kept = existing.get(term["name"])
        if kept and (kept.start, kept.end) == (term["start"], term["end"]):
            continue
        new = kept or Term(bureau=bureau, name=term["name"])
        new.start, new.end = term["start"], term["end"]
        record_actor(new, by, _("修改校历"))
        new.save()
    for window in windows:
        new = TransferWindow(bureau=bureau, start=window["start"], end=window["end"])
        record_actor(new, by, _("修改校历"))
        new.save()


def _has_term_work(term: Term) -> bool:
    return term.head_counts.exists() or term.level_grades.exists() or term.term_comments.exists()
