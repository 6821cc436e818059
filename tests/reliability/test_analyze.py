"""After a bulk write the tables are analyzed at once (PostgreSQL), so the next pages are planned
with the new row counts instead of waiting for autovacuum to notice a tenth of the table changed."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from flows.intake.tasks import intake_import_run, intake_import_start
from records.models import Rollover, SchoolClass
from records.services.rollover import rollover_apply
from tests.intake_files import intake_file, new_pupil


def analyzed_since(table: str, since: datetime.datetime) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s", [table])
        (last,) = cursor.fetchone()
    return last is not None and last >= since


@pytest.mark.django_db(transaction=True)
def test_a_rollover_analyzes_the_classes_it_moved(class_a, class_b, longyou_bureau, bureau_officer):
    started = timezone.now()
    rollover = Rollover.objects.create(school_year=2025, bureau=longyou_bureau, started_by=bureau_officer)
    assert not analyzed_since("records_schoolclass", started)

    rollover_apply(rollover_id=rollover.pk)

    assert SchoolClass.objects.get(pk=class_a.pk).grade == 4
    assert analyzed_since("records_schoolclass", started)
    assert analyzed_since("records_rolloverclass", started)


@pytest.mark.django_db(transaction=True)
def test_checking_an_intake_file_analyzes_its_rows(registrar, class_a):
    started = timezone.now()
    intake_import = intake_import_start(file=intake_file([new_pupil(class_a, n) for n in range(3)]), by=registrar)
    assert not analyzed_since("records_intakerow", started)

    intake_import_run(intake_import_id=intake_import.pk)

    intake_import.refresh_from_db()
    assert intake_import.total_rows == 3
    assert analyzed_since("records_intakerow", started)
