"""批量新生建档's last approval: the records of a whole intake created together, in batches, all or
nothing; the number of queries grows with the number of batches, not of students.

Each student gets what a single registration (records.services.student_register) gives: a
student number, the record, the family members, a placement and the history of each, with the
same rules (records.services.identity) checked again against the register as it is now.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..id_numbers import StudentNumberPrefix
from ..models import FamilyMember, IntakeRow, Placement, SchoolClass, Student
from ..record_json import items_from_json
from ..student_sheets import Codes
from .base import CITIZEN_ID_TYPE, today
from .checks import class_open_check
from .table_statistics import tables_analyze_after_commit
from .identity import (
    LOOKUP_BATCH,
    possible_duplicates,
    temporary_number_next,
    temporary_number_prefix,
    temporary_number_stem,
)
from .intake_rows import intake_rows_still_free

# Students per batch of INSERTs.
REGISTER_BATCH = LOOKUP_BATCH


def _batches(items: Sequence, size: int = REGISTER_BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _refuse_taken(rows: Sequence[IntakeRow], codes: Codes) -> None:
    taken = {}
    for batch in _batches(rows):
        taken.update(intake_rows_still_free(((r.row, r.record["id_type"], r.id_number) for r in batch), codes))
    if taken:
        raise ValidationError(
            [
                _("第%(row)d行 %(name)s：%(message)s") % {"row": r.row, "name": r.name, "message": taken[r.row]}
                for r in rows
                if r.row in taken
            ],
            code="duplicate_id",
        )


@transaction.atomic
def students_register_bulk(*, rows: Sequence[IntakeRow], by, reason: str = "") -> list[Student]:
    """Create the records of an approved intake: student numbers issued, records, family members,
    placements and the history of each, in batches of REGISTER_BATCH; all or nothing.

    One person, one record is checked again first, against the register as it is now. A record
    that looks like an existing one (same name, gender and birth date) is flagged on the new
    record for the registrar, as a single registration is.
    """
    rows = sorted(rows, key=lambda r: r.row)
    reason = reason or _("新生建档")
    codes = Codes()
    class_ids = {r.school_class_id for r in rows}
    # Under the classes' row locks, which class_dissolve takes too: no class closes meanwhile.
    classes = {
        c.pk: c
        for c in SchoolClass.objects.select_for_update(of=("self",)).select_related("school__region").filter(pk__in=class_ids)
    }
    for school_class in sorted(classes.values(), key=lambda c: (c.grade, c.sequence)):
        class_open_check(school_class)
    _refuse_taken(rows, codes)
    prepared = [(r, items_from_json(Student, r.record, code_of=codes.code_of)) for r in rows]
    duplicates = possible_duplicates([(v["name"], v["gender"].pk, v["birth_date"]) for _r, v in prepared])
    created: list[Student] = []
    for batch in _batches(list(zip(prepared, duplicates, strict=True))):
        students = _student_batch(batch, classes)
        try:
            with transaction.atomic():
                Student.objects.bulk_create(students)
        except IntegrityError:
            # Another registration of one of these ID numbers committed meanwhile: name its row.
            _refuse_taken([r for (r, _v), _d in batch], codes)
            raise
        Student.history.bulk_history_create(students, default_user=by, default_change_reason=reason)
        members = [
            FamilyMember(
                student=student, position=position,
                **items_from_json(FamilyMember, member, code_of=codes.code_of),
            )
            for ((row, _v), _d), student in zip(batch, students, strict=True)
            for position, member in enumerate(row.family, start=1)
        ]
        FamilyMember.objects.bulk_create(members)
        FamilyMember.history.bulk_history_create(members, default_user=by, default_change_reason=reason)
        placements = [
            Placement(
                student=student, school_id=student.school_id, school_class_id=row.school_class_id,
                started_on=today(), reason=reason,
            )
            for ((row, _v), _d), student in zip(batch, students, strict=True)
        ]
        Placement.objects.bulk_create(placements)
        Placement.history.bulk_history_create(placements, default_user=by, default_change_reason=reason)
        batch_rows = []
        for ((row, _v), _d), student in zip(batch, students, strict=True):
            row.student = student
            batch_rows.append(row)
        IntakeRow.objects.bulk_update(batch_rows, ["student"])
        created.extend(students)
    tables_analyze_after_commit(
        Student, Student.history.model, FamilyMember, FamilyMember.history.model, Placement, Placement.history.model
    )
    return created


def _student_batch(batch, classes: dict[int, SchoolClass]) -> list[Student]:
    """The records of one batch, each with its student number: G + the citizen ID, or the next free
    L or J number of its area and birth date (one query for the batch's taken ones)."""
    temporary = {}
    for (row, values), _duplicate in batch:
        if values["id_type"].code != CITIZEN_ID_TYPE:
            prefix = temporary_number_prefix(id_type=values["id_type"], id_number=values.get("id_number", ""))
            area = classes[row.school_class_id].school.region.code
            stem = temporary_number_stem(prefix=prefix, area_code=area, birth_date=values["birth_date"])
            temporary[row.row] = (prefix, area, stem)
    taken = set()
    if temporary:
        stems = Q()
        for _prefix, _area, stem in temporary.values():
            stems |= Q(student_number__startswith=stem)
        taken = set(Student.objects.filter(stems).values_list("student_number", flat=True))
    students = []
    for (row, values), duplicate in batch:
        school_class = classes[row.school_class_id]
        if row.row in temporary:
            prefix, area, _stem = temporary[row.row]
            number = temporary_number_next(prefix=prefix, area_code=area, birth_date=values["birth_date"], taken=taken)
            taken.add(number)
        else:
            number = StudentNumberPrefix.CITIZEN + values["id_number"]
        students.append(
            Student(**values, student_number=number, school_id=school_class.school_id, possible_duplicate_of_id=duplicate)
        )
    return students
