"""Two officers of one bureau completing the same step at the same moment, on PostgreSQL.

Each officer works in their own thread with their own database connection; a barrier lets
them call task_decide together. The flow's lock (SELECT … FOR UPDATE on the request) must let
exactly one through and tell the other who already did it.
"""

import threading

import pytest
from django.db import connection

from flows.models import Request, WorkItem
from records.errors import Conflict
from flows.engine import task_decide
from records.models import Placement, Student
from tests.factories import StudentFactory

from .acting import decide, inbox, open_step, start_transfer, where

ROUNDS = 20


def race(work_item: WorkItem, officers) -> dict:
    """Both officers approve `work_item` at once; returns each one's outcome (None or the exception)."""
    barrier = threading.Barrier(len(officers))
    outcomes = {}

    def approve(officer):
        try:
            item = WorkItem.objects.get(pk=work_item.pk)
            barrier.wait(timeout=10)
            task_decide(work_item=item, by=officer, decision=WorkItem.Decision.APPROVE, comment="同意")
            outcomes[officer.username] = None
        except Exception as error:  # noqa: BLE001 - any failure is reported by the assertions
            outcomes[officer.username] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a decision hung on the lock"
    return outcomes


def assert_one_won(work_item: WorkItem, outcomes: dict, officers) -> None:
    """Exactly one officer's approval is recorded; the other was told who did it."""
    winners = [officer for officer in officers if outcomes[officer.username] is None]
    losers = [officer for officer in officers if outcomes[officer.username] is not None]
    assert len(winners) == 1, outcomes
    refused = outcomes[losers[0].username]
    assert isinstance(refused, Conflict), repr(refused)
    assert refused.messages == [f"该环节已由{winners[0].get_full_name()}办理，无需重复办理。"]
    work_item.refresh_from_db()
    assert (work_item.actor, work_item.decision) == (winners[0], WorkItem.Decision.APPROVE)


@pytest.mark.django_db(transaction=True)
def test_two_officers_approving_the_same_step_at_once_one_wins_and_the_student_moves_once(
    transfer_windows_open,
    class_a,
    class_c,
    registrar,
    other_county_registrar,
    bureau_officer,
    second_bureau_officer,
    other_bureau_officer,
    second_other_bureau_officer,
):
    receiving_officers = (other_bureau_officer, second_other_bureau_officer)
    sending_officers = (bureau_officer, second_bureau_officer)

    for _round in range(ROUNDS):
        student = StudentFactory(school_class=class_a, by=registrar)
        transfer = start_transfer(student, other_county_registrar, to_class=class_c)

        # The receiving bureau's step: one next step (the sending school's release), not two.
        step = open_step(other_bureau_officer, transfer)
        assert_one_won(step, race(step, receiving_officers), receiving_officers)
        assert inbox(registrar) == [(transfer.pk, "confirm_release_by_sending_school")]
        assert all(inbox(officer) == [] for officer in receiving_officers)

        decide(registrar, transfer)

        # The last approval: the student moves once.
        step = open_step(bureau_officer, transfer)
        assert_one_won(step, race(step, sending_officers), sending_officers)
        assert all(inbox(officer) == [] for officer in sending_officers)
        assert where(student) == (class_c.school, class_c, Student.Status.ENROLLED)
        placements = Placement.objects.filter(student=student).order_by("started_on", "pk")
        assert [(p.school_class_id, p.ended_on is None) for p in placements] == [
            (class_a.pk, False),
            (class_c.pk, True),
        ]
        assert student.history.filter(school=class_c.school).count() == 1
        transfer.refresh_from_db()
        assert transfer.state == Request.State.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_two_schools_starting_a_transfer_for_the_same_student_at_once_only_one_request_opens(
    transfer_windows_open, class_a, class_b, class_c, registrar, receiving_registrar, other_county_registrar
):
    starts = ((receiving_registrar, class_b), (other_county_registrar, class_c))

    for _round in range(5):
        student = StudentFactory(school_class=class_a, by=registrar)
        barrier = threading.Barrier(len(starts))
        outcomes = {}

        def start(by, to_class, student=student, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait(timeout=10)
                outcomes[by.username] = start_transfer(student, by, to_class=to_class).pk
            except Exception as error:  # noqa: BLE001 - any failure is reported by the assertions
                outcomes[by.username] = error
            finally:
                connection.close()

        threads = [threading.Thread(target=start, args=pair) for pair in starts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        opened = [value for value in outcomes.values() if isinstance(value, int)]
        refused = [value for value in outcomes.values() if not isinstance(value, int)]
        assert len(opened) == 1 and len(refused) == 1, outcomes
        assert isinstance(refused[0], Conflict), repr(refused[0])
        assert f"#{opened[0]}" in refused[0].messages[0]
        assert list(Request.objects.filter(student=student).values_list("pk", flat=True)) == opened
