"""The validation job of an intake file: the upload queues it, a Celery worker runs it, beat's sweep
runs whatever the broker never carried.

The rows are checked by the register (records.services.intake_rows_check); the job adds the open
requests' refusals (a new record for an ID number that another open request carries) and keeps
the result. Its state and progress live in PostgreSQL (records.models.IntakeImport), so its page
answers while Redis is down. config/settings.py's CELERY_IMPORTS names this module: Celery's
autodiscovery looks only at flows/tasks.py.
"""

from __future__ import annotations

import functools
import logging

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from notifications.tasks import TASK_OPTIONS
from records.models import IntakeImport
from records.services import (
    intake_import_claim,
    intake_import_create,
    intake_import_fail,
    intake_import_finish,
    intake_imports_waiting,
    intake_rows_check,
)

from ..engine import OPEN_RECORD_REQUEST, open_record_requests

logger = logging.getLogger(__name__)


def intake_import_start(*, file, by) -> IntakeImport:
    """A registrar uploads an intake file: the validation job is queued, to run after the commit.

    With the broker down the upload still succeeds: the job waits in the database, its page says
    so, and the sweep run_waiting_intake_imports starts it when the broker is back.
    """
    intake_import = intake_import_create(file=file, by=by)
    transaction.on_commit(functools.partial(_publish_validation, intake_import.pk), robust=True)
    return intake_import


def _publish_validation(intake_import_id: int) -> None:
    try:
        validate_intake_import.delay(intake_import_id)
    except OperationalError:
        logger.warning("Broker unreachable: intake import %s left for the sweep.", intake_import_id, exc_info=True)


def intake_import_run(*, intake_import_id: int) -> IntakeImport | None:
    """The validation job: the register's checks of every row, then the open requests', then the
    result is kept. A second delivery of the same job does nothing."""
    intake_import = intake_import_claim(intake_import_id=intake_import_id)
    if intake_import is None:
        return None
    try:
        check = intake_rows_check(intake_import=intake_import)
        check.refuse({number: str(OPEN_RECORD_REQUEST) for number in open_record_requests(check.id_numbers())})
        return intake_import_finish(intake_import=intake_import, check=check)
    except ValidationError as error:
        intake_import_fail(intake_import_id=intake_import_id, error=" ".join(error.messages))
        return None
    except Exception:
        intake_import_fail(intake_import_id=intake_import_id, error=_("校验时出错，请稍后重新上传；如仍出错请联系系统管理员。"))
        raise


def intake_imports_run_waiting() -> int:
    """Run the jobs of the intake files the broker never carried (it was down at the upload), or
    whose worker was lost; how many."""
    waiting = intake_imports_waiting()
    for intake_import_id in waiting:
        intake_import_run(intake_import_id=intake_import_id)
    return len(waiting)


# acks_late (TASK_OPTIONS): a worker lost half-way leaves the message for another; the claim makes
# each job run once.
@shared_task(**TASK_OPTIONS)
def validate_intake_import(intake_import_id: int) -> None:
    intake_import_run(intake_import_id=intake_import_id)


@shared_task(**TASK_OPTIONS)
def run_waiting_intake_imports() -> int:
    return intake_imports_run_waiting()
