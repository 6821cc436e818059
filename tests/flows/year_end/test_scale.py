"""Graduating a whole year group costs the same number of SQL queries for 20 students as for 2,000."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flows.graduation import graduation_start
from records.models import GraduationCertificate, Placement, Student
from tests.factories import SchoolClassFactory, StudentFactory
from tests.flows.acting import decide


def class_of(size: int, school, registrar):
    """A sixth-grade class of `size` enrolled students. The first is registered through the
    services; the others are copies of its record with their own numbers, inserted in bulk (two
    thousand registrations one by one would take the test minutes). Enrolled is the default
    state: no status is set here."""
    school_class = SchoolClassFactory(school=school, grade=6)
    first = StudentFactory(school_class=school_class, by=registrar)
    template = {
        f.attname: getattr(first, f.attname)
        for f in Student._meta.concrete_fields
        if f.attname not in ("id", "student_number", "id_number", "name", "created_at", "status")
    }
    base = 10_000 + school_class.pk * 10_000
    copies = Student.objects.bulk_create(
        [
            Student(**template, name=f"{first.name[0]}同学{n}", student_number=f"J{base + n:018d}", id_number="")
            for n in range(1, size)
        ]
    )
    Placement.objects.bulk_create(
        [Placement(student=s, school=school, school_class=school_class, started_on=first.entry_date) for s in copies]
    )
    return school_class


def graduate(size, school, registrar, officer):
    school_class = class_of(size, school, registrar)
    request = graduation_start(school_class=school_class, by=registrar)
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        decide(officer, request)
        seconds = time.monotonic() - started
    assert GraduationCertificate.objects.filter(school_class=school_class).count() == size
    assert Student.objects.filter(placements__school_class=school_class, status="graduated").distinct().count() == size
    return len(queries.captured_queries), seconds, school_class


@pytest.mark.django_db
def test_graduating_2000_students_takes_as_many_queries_as_20(school_a, registrar, bureau_officer):
    small, _small_seconds, _ = graduate(20, school_a, registrar, bureau_officer)
    large, seconds, school_class = graduate(2000, school_a, registrar, bureau_officer)

    assert large == small, (small, large)
    assert seconds < 10, seconds
    # History is still written for every one of them.
    ids = Placement.objects.filter(school_class=school_class).values("student_id")
    assert Student.history.filter(id__in=ids, status="graduated").count() == 2000
    assert Placement.history.filter(school_class=school_class, ended_on__isnull=False).count() == 2000
