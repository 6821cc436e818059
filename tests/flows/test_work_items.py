"""The org-scoped work items behind inboxes and queues: who sees a step, its due date, its order."""

import datetime

import pytest
from django.utils import timezone

from flows.models import WorkItem
from flows.selectors import tasks_in_inbox, tasks_page
from records.working_days import add_working_days, is_working_day, working_days_between
from tests.factories import StudentFactory

from .acting import REJECT, decide, inbox, open_step, start_transfer

pytestmark = pytest.mark.usefixtures("transfer_windows_open")


def assert_due_after_working_days(item: WorkItem, days: int) -> None:
    arrived = timezone.localdate(item.created)
    assert item.due == add_working_days(arrived, days)
    # Independently of how add_working_days counts: exactly `days` working days, ending on one.
    assert working_days_between(arrived, item.due) == days
    assert is_working_day(item.due)
    assert working_days_between(arrived, item.due - datetime.timedelta(days=1)) == days - 1


def test_each_step_is_due_after_the_working_days_its_bureau_allows(
    student,
    class_c,
    registrar,
    other_county_registrar,
    bureau_officer,
    other_bureau_officer,
    longyou_bureau,
    wuyi_bureau,
):
    for bureau, days in ((longyou_bureau, 3), (wuyi_bureau, 7)):
        bureau.step_due_working_days = days
        bureau.save()
    transfer = start_transfer(student, other_county_registrar, to_class=class_c)

    assert_due_after_working_days(open_step(other_bureau_officer, transfer), 7)
    decide(other_bureau_officer, transfer)
    # A school's step runs on its own bureau's limit.
    assert_due_after_working_days(open_step(registrar, transfer), 3)
    decide(registrar, transfer)
    assert_due_after_working_days(open_step(bureau_officer, transfer), 3)


def test_default_step_limit_is_ten_working_days(student, class_b, receiving_registrar, bureau_officer):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)

    assert_due_after_working_days(open_step(bureau_officer, transfer), 10)


def test_inbox_lists_the_oldest_step_first(class_a, class_b, registrar, receiving_registrar, bureau_officer):
    students = [StudentFactory(school_class=class_a, by=registrar) for _ in range(3)]
    transfers = [start_transfer(student, receiving_registrar, to_class=class_b) for student in students]

    assert inbox(bureau_officer) == [(t.pk, "approve_by_receiving_bureau") for t in transfers]

    # The newest request's step arrived first after all (e.g. it came back from a slower step).
    WorkItem.objects.filter(request=transfers[2]).update(created=timezone.now() - datetime.timedelta(days=5))

    expected = [transfers[2].pk, transfers[0].pk, transfers[1].pk]
    assert [request for request, _step in inbox(bureau_officer)] == expected
    assert [item.request_id for item in tasks_page(tasks_in_inbox(bureau_officer))] == expected
    assert [item.request_id for item in tasks_page(tasks_in_inbox(bureau_officer), offset=1, limit=1)] == [transfers[0].pk]


def test_a_schools_step_is_only_in_that_schools_registrar_inbox(
    student, class_b, registrar, receiving_registrar, bureau_officer, academic_office, class_teacher, admin_user
):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer)

    assert inbox(registrar) == [(transfer.pk, "confirm_release_by_sending_school")]
    for same_school_other_role in (academic_office, class_teacher):
        assert inbox(same_school_other_role) == []
    assert inbox(admin_user) == []
    assert inbox(receiving_registrar) == []


def test_a_decided_step_records_who_when_what_and_why(student, class_b, receiving_registrar, bureau_officer):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    step = open_step(bureau_officer, transfer)
    assert (step.student, step.school, step.bureau, step.actor, step.finished) == (
        student,
        None,
        bureau_officer.membership.bureau,
        None,
        None,
    )
    before = timezone.now()

    decide(bureau_officer, transfer, REJECT, "  转入学校学位已满  ")

    step.refresh_from_db()
    assert step.actor == bureau_officer
    assert step.decision == WorkItem.Decision.REJECT
    assert step.comment == "转入学校学位已满"
    assert before <= step.finished <= timezone.now()
    assert not tasks_in_inbox(bureau_officer).exists()
