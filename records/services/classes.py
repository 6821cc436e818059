"""Classes: opened with a generated code, renamed, merged, dissolved (no approval: the school's own
organisation), and moved to another school as a whole (整班转学, at the request's last approval)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..class_codes import GRADE_NAMES, class_code, stored_grade_name
from ..models import Placement, School, SchoolClass, Student
from ..text_lengths import model_text_lengths_check
from .base import history_of_students, record_actor
from .checks import transfer_class_check
from .placements import class_batch_locked, placements_close_bulk, placements_open_bulk


@transaction.atomic
def class_create(*, school: School, grade: int, entry_year: int, by, name: str = "") -> SchoolClass:
    """Open a class; its 12-digit code is generated from grade, school and the next free sequence."""
    if grade not in school.grades:
        raise ValidationError({"grade": _("%(school)s没有%(grade)s。") % {"school": school.name, "grade": GRADE_NAMES[grade]}})
    School.objects.select_for_update().get(pk=school.pk)  # serialise sequence numbers per school
    prefix = class_code(grade=grade, school_identifier=school.identifier, sequence=0)[:9]
    used = {int(code[9:]) for code in SchoolClass.objects.filter(code__startswith=prefix).values_list("code", flat=True)}
    sequence = next((n for n in range(1, 1000) if n not in used), None)
    if sequence is None:
        raise ValidationError({"grade": _("该年级班级编码已用完。")})
    if not name:
        open_in_grade = SchoolClass.objects.filter(school=school, grade=grade, state=SchoolClass.State.OPEN).count()
        taken = set(SchoolClass.objects.filter(school=school, state=SchoolClass.State.OPEN).values_list("name", flat=True))
        # After a class is dissolved the count no longer says which number is free.
        n = open_in_grade + 1
        while (name := f"{stored_grade_name(grade)}({n})班") in taken:
            n += 1
    if SchoolClass.objects.filter(school=school, name=name, state=SchoolClass.State.OPEN).exists():
        raise ValidationError({"name": _("本校已有名为“%(name)s”的班级。") % {"name": name}})
    school_class = SchoolClass(
        school=school,
        grade=grade,
        sequence=sequence,
        entry_year=entry_year,
        name=name,
        code=class_code(grade=grade, school_identifier=school.identifier, sequence=sequence),
    )
    school_class.full_clean()
    record_actor(school_class, by, _("新建班级"))
    school_class.save()
    return school_class


@transaction.atomic
def class_dissolve(*, school_class: SchoolClass, by) -> SchoolClass:
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    if school_class.placements.filter(ended_on__isnull=True).exists():
        raise ValidationError(_("班级中还有在读学生，不能撤销。请先调出所有学生。"))
    school_class.state = SchoolClass.State.DISSOLVED
    record_actor(school_class, by, _("撤销班级"))
    school_class.save()
    return school_class



@transaction.atomic
def class_rename(*, school_class: SchoolClass, name: str, by) -> SchoolClass:
    """Rename a class; the old name stays in its history."""
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写班级名称。")})
    model_text_lengths_check(SchoolClass, {"name": name})
    if school_class.state != SchoolClass.State.OPEN:
        raise ValidationError(_("班级已毕业或撤销，不能改名。"))
    if name == school_class.name:
        raise ValidationError({"name": _("新名称与原名称相同。")})
    if SchoolClass.objects.filter(school_id=school_class.school_id, name=name, state=SchoolClass.State.OPEN).exists():
        raise ValidationError({"name": _("本校已有名为“%(name)s”的班级。") % {"name": name}})
    school_class.name = name
    record_actor(school_class, by, _("班级改名"))
    school_class.save()
    return school_class


@transaction.atomic
def class_merge(*, source: SchoolClass, into: SchoolClass, by) -> SchoolClass:
    """Merge `source` into `into` (same school, same grade): every student placed in `source` moves
    to `into`, then `source` is dissolved. No approval: a school's own organisation of classes."""
    locked = {c.pk: c for c in SchoolClass.objects.select_for_update().filter(pk__in=[source.pk, into.pk])}
    source, into = locked[source.pk], locked[into.pk]
    if source.pk == into.pk:
        raise ValidationError({"into": _("不能与自己合并。")})
    if source.school_id != into.school_id:
        raise ValidationError({"into": _("只能合并本校的班级。")})
    if source.grade != into.grade:
        raise ValidationError({"into": _("只能合并同一年级的班级。")})
    if source.state != SchoolClass.State.OPEN or into.state != SchoolClass.State.OPEN:
        raise ValidationError({"into": _("只能合并在读的班级。")})
    reason = _("并班：%(source)s并入%(into)s") % {"source": source.name, "into": into.name}
    student_ids = list(
        Placement.objects.filter(school_class=source, ended_on__isnull=True).values_list("student_id", flat=True)
    )
    if student_ids:
        placements_close_bulk(student_ids=student_ids, reason=reason, by=by)
        placements_open_bulk(pairs=[(pk, into) for pk in student_ids], reason=reason, by=by)
    source.state = SchoolClass.State.DISSOLVED
    record_actor(source, by, reason)
    source.save()
    return into


@transaction.atomic
def class_transfer(
    *, from_class: SchoolClass, students, to_school: School, by, to_class: SchoolClass | None = None,
    new_class_name: str = "", reason: str = "",
) -> SchoolClass:
    """整班转学: `students` (the class as the request took it) move together to `to_class` at
    `to_school`, or to a new class of `new_class_name` (same grade and entry year), and
    `from_class` is dissolved. All or none, in a fixed number of queries whatever the class's size.
    Returns the class they are in now."""
    reason = reason or _("整班转学")
    from_class = SchoolClass.objects.select_for_update().get(pk=from_class.pk)
    if to_class is None:
        to_class = class_create(
            school=to_school, grade=from_class.grade, entry_year=from_class.entry_year, name=new_class_name, by=by
        )
    else:
        to_class = SchoolClass.objects.select_for_update().get(pk=to_class.pk)
        if to_class.school_id != to_school.pk:
            raise ValidationError({"to_class": _("转入班级须是转入学校的班级。")})
        transfer_class_check(from_class=from_class, to_class=to_class)
    ids = sorted(student.pk for student in students)
    _students, blockers = class_batch_locked(ids=ids, school_class=from_class, transition="move", action=_("整班转学"))
    if blockers:
        raise ValidationError(blockers, code="class_transfer_blocked")
    placements_close_bulk(student_ids=ids, reason=reason, by=by)
    if to_school.pk != from_class.school_id:
        Student.objects.filter(pk__in=ids).update(school=to_school)
        history_of_students(ids, by=by, reason=reason)
    placements_open_bulk(pairs=[(pk, to_class) for pk in ids], reason=reason, by=by)
    class_dissolve(school_class=from_class, by=by)
    return to_class
