"""The probe's world and its calls: real objects of school A reached through the flows, the people
of every role around it, and API calls that leave the database as they found it.

On top of tests/report_world.py's register (school_a has a completed suspension, a dropout, a
completed transfer to school_b and a transfer out of the province), school A also has:

- an open suspension waiting for its academic office, with evidence (a request, a task, a file);
- an intake file checked by the background job (with an error report);
- a school-year rollover its registrar confirmed (queued: the broker never runs in these tests);
- another third grade with a pupil, which class_a's teachers do not see.

Roles (ROLES): the registrars of school A and school B, school A's academic office, class_a's
class teacher and math teacher, the bureau officers of 龙游县 (school A's county), 武义县 (another
county), 衢州市 (its city) and 浙江省 (its province), a system administrator, and nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from flows.engine import evidence_add
from flows.intake.tasks import intake_import_run, intake_import_start
from flows.models import Request, WorkItem
from records.models import Student
from records.services.rollover import rollover_queue
from tests.factories import SchoolClassFactory, StudentFactory, school_year_start
from tests.flows.status.conftest import start_suspension
from tests.intake_files import intake_file, new_pupil
from tests.report_world import TERM, province_officer, world  # noqa: F401 (fixtures)

ROLES = (
    "anonymous",
    "registrar_a",
    "registrar_b",
    "office_a",
    "class_teacher_a",
    "subject_teacher_a",
    "county_officer",
    "other_county_officer",
    "city_officer",
    "province_officer",
    "admin",
)

# The fixture behind each role (tests/conftest.py, tests/report_world.py).
ROLE_FIXTURES = {
    "registrar_a": "registrar",
    "registrar_b": "receiving_registrar",
    "office_a": "academic_office",
    "class_teacher_a": "class_teacher",
    "subject_teacher_a": "subject_teacher",
    "county_officer": "bureau_officer",
    "other_county_officer": "other_bureau_officer",
    "city_officer": "city_officer",
    "province_officer": "province_officer",
    "admin": "admin_user",
}


@dataclass
class ProbeWorld:
    """What the probe's calls name, and what must never reach someone outside school A."""

    users: dict  # role → user (None for anonymous)
    school_a: object
    class_a: object
    class_a2: object
    bureau: object  # school A's county bureau
    enrolled: Student  # an enrolled third-grader of class_a
    other_class: object  # another third grade of school A, which class_a's teachers do not see
    other_pupil: Student  # and its pupil
    dropped_out: Student
    suspended: Student
    open_suspension: object  # a request waiting for the academic office
    office_step: object  # its WorkItem
    evidence: object
    completed_transfer: object
    completed_suspension: object
    intake_import: object
    rollover: object
    term_name: str = TERM
    secrets: dict = field(default_factory=dict)  # role → strings its out-of-scope answers must not contain


def school_a_secrets(school_a, *, except_class=None) -> set[str]:
    """Names, ID numbers and student numbers of the students school A holds now (but those of
    `except_class`, whom its teachers may see)."""
    students = Student.objects.filter(school=school_a)
    if except_class is not None:
        students = students.exclude(placements__school_class=except_class, placements__ended_on__isnull=True)
    found = set()
    for name, id_number, number in students.values_list("name", "id_number", "student_number"):
        found |= {name, number} | ({id_number} if id_number else set())
    return found


@pytest.fixture
def probe_world(request, world, class_a, class_a2, longyou_bureau, registrar, academic_office, class_teacher,
                subject_teacher, bureau_officer) -> ProbeWorld:
    users = {role: request.getfixturevalue(name) for role, name in ROLE_FIXTURES.items()}
    users["anonymous"] = None
    school_a = class_a.school
    enrolled = StudentFactory(school_class=class_a, by=registrar)
    pending = StudentFactory(school_class=class_a, by=registrar)
    open_suspension = start_suspension(pending, registrar)
    evidence = evidence_add(
        request=open_suspension, by=registrar, kind="application", file=SimpleUploadedFile("申请书.pdf", b"%PDF-1.4 x")
    )
    # A pupil of another class of school A: a secret from class_a's teachers too.
    other_class = SchoolClassFactory(school=school_a, grade=3)
    other_pupil = StudentFactory(school_class=other_class, by=registrar)
    intake_import = intake_import_start(file=intake_file([new_pupil(class_a, 0, 民族="火星族")]), by=registrar)
    intake_import_run(intake_import_id=intake_import.pk)
    rollover = rollover_queue(school_year=school_year_start() + 1, by=registrar, school=school_a)

    completed = Request.objects.filter(state=Request.State.COMPLETED)
    secrets = school_a_secrets(school_a)
    class_secrets = school_a_secrets(school_a, except_class=class_a)
    return ProbeWorld(
        users=users,
        school_a=school_a,
        class_a=class_a,
        class_a2=class_a2,
        bureau=longyou_bureau,
        enrolled=enrolled,
        other_class=other_class,
        other_pupil=other_pupil,
        dropped_out=world.dropped_out,
        suspended=world.suspended,
        open_suspension=open_suspension,
        office_step=WorkItem.objects.get(request=open_suspension, finished__isnull=True),
        evidence=evidence,
        completed_transfer=completed.get(kind=Request.Kind.TRANSFER),
        completed_suspension=completed.get(kind=Request.Kind.SUSPENSION),
        intake_import=intake_import,
        rollover=rollover,
        secrets={
            # Another county does not even learn of school A (its name or identifier, in a count or a list).
            **{role: secrets | {school_a.name, school_a.identifier} for role in ("anonymous", "other_county_officer")},
            "registrar_b": secrets,
            "class_teacher_a": class_secrets,
            "subject_teacher_a": class_secrets,
        },
    )


def call_and_undo(client, method: str, path: str, body=None, *, fmt: str = "json"):
    """One API call inside a savepoint that is rolled back: every call meets the same world."""
    with transaction.atomic():
        if body is None:
            response = getattr(client, method)(path)
        else:
            response = getattr(client, method)(path, body, format=fmt)
        transaction.set_rollback(True)
    return response
