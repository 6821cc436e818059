"""Two people doing the same thing at the same moment, through the API and the pages, on PostgreSQL:
exactly one wins, the other is told clearly why not (409 with the reason, or the message on the
page), and the register changes once. Each round starts both calls together (a barrier), each in
its own thread with its own database connection.

tests/flows/test_concurrency.py races the services (two approvals of one step, two transfers
started at once); these race the endpoints and the pages, and the cases it leaves out: a
withdrawal against the last approval, two kinds of request started for one student, two schools
entering a new record for one ID number, and two confirmations of one school year's rollover.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from flows.intake.tasks import intake_import_run, intake_import_start
from flows.models import IntakeEntry, Registration, Request, TransferIn, WorkItem
from records.models import Rollover, Student
from records.services.rollover import rollover_plan
from tests.api.conftest import api_for  # noqa: F401 (fixture)
from tests.api.calls import APPLICANT, REASON
from tests.api.test_requests import record_body
from tests.factories import GIVEN_NAMES, StudentFactory, school_year_start
from tests.flows.acting import open_step
from tests.flows.conftest import second_bureau_officer, today, transfer_windows_open  # noqa: F401 (fixtures)
from tests.flows.status.conftest import second_registrar, start_poverty, verify  # noqa: F401 (fixture)
from tests.intake_files import intake_file, new_pupil

ROUNDS = 10

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls) -> list:
    """Run every call in a thread of its own, released together; each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    return outcomes


def statuses(responses) -> list[int]:
    assert not any(isinstance(r, Exception) for r in responses), responses
    return sorted(r.status_code for r in responses)


def test_two_officers_deciding_one_step_on_the_api_one_approves_the_other_gets_409(
    api_for, class_a, registrar, bureau_officer, second_bureau_officer
):
    officers = (bureau_officer, second_bureau_officer)
    clients = [api_for(officer) for officer in officers]

    for _round in range(ROUNDS):
        student = StudentFactory(school_class=class_a, by=registrar)
        request = start_poverty(student, registrar)
        step = open_step(bureau_officer, request)
        url = f"/api/v1/tasks/{step.pk}/decision/"

        responses = at_once(*(lambda c=c: c.post(url, {"decision": "approve", "comment": "同意"}, format="json") for c in clients))

        assert statuses(responses) == [200, 409], [r.content for r in responses]
        winner = officers[[r.status_code for r in responses].index(200)]
        refused = next(r for r in responses if r.status_code == 409).json()
        assert refused["detail"] == f"该环节已由{winner.get_full_name()}办理，无需重复办理。"
        step.refresh_from_db()
        assert (step.actor, step.decision) == (winner, WorkItem.Decision.APPROVE)
        request.refresh_from_db()
        assert request.state == Request.State.COMPLETED
        student.refresh_from_db()
        assert student.poverty is True
        assert student.history.filter(poverty=True).count() == 1  # flagged once


def test_two_officers_submitting_one_step_on_the_task_page_one_wins_and_the_other_reads_why(
    client_for, class_a, registrar, bureau_officer, second_bureau_officer
):
    officers = (bureau_officer, second_bureau_officer)

    for _round in range(ROUNDS):
        student = StudentFactory(school_class=class_a, by=registrar)
        request = start_poverty(student, registrar)
        step = open_step(bureau_officer, request)
        url = f"/tasks/{step.pk}/"
        clients: list[Client] = [client_for(officer) for officer in officers]
        for client in clients:
            assert client.get(url).status_code == 200  # both have the page open

        pages = at_once(*(lambda c=c: c.post(url, {"decision": "approve", "comment": "同意"}, follow=True) for c in clients))

        assert statuses(pages) == [200, 200]
        step.refresh_from_db()
        winner = step.actor
        assert winner in officers and step.decision == WorkItem.Decision.APPROVE
        texts = {officer: page.content.decode() for officer, page in zip(officers, pages)}
        loser = next(officer for officer in officers if officer != winner)
        assert "已同意：教育局审批。" in texts[winner]
        assert f"该环节已由{winner.get_full_name()}办理，无需重复办理。" in texts[loser]
        student.refresh_from_db()
        assert student.poverty is True and student.history.filter(poverty=True).count() == 1


def test_a_withdrawal_against_the_last_approval_one_of_them_happens_never_both(
    api_for, class_a, registrar, bureau_officer
):
    starter, officer = api_for(registrar), api_for(bureau_officer)
    seen = set()

    for _round in range(ROUNDS):
        student = StudentFactory(school_class=class_a, by=registrar)
        request = start_poverty(student, registrar)
        step = open_step(bureau_officer, request)

        withdrawn, approved = at_once(
            lambda: starter.post(f"/api/v1/requests/{request.pk}/withdraw/", {"comment": "家长撤回"}, format="json"),
            lambda: officer.post(f"/api/v1/tasks/{step.pk}/decision/", {"decision": "approve"}, format="json"),
        )

        assert statuses([withdrawn, approved]) == [200, 409], (withdrawn.content, approved.content)
        request.refresh_from_db()
        student.refresh_from_db()
        if withdrawn.status_code == 200:
            seen.add("withdrawn")
            assert approved.json()["detail"] == "申请已撤回，该环节无需再办理。"
            assert (request.state, student.poverty) == (Request.State.WITHDRAWN, False)
        else:
            seen.add("approved")
            assert withdrawn.json()["detail"] == "申请已办结，不能撤回。"
            assert (request.state, student.poverty) == (Request.State.COMPLETED, True)
        assert request.closed_at is not None
        assert not WorkItem.objects.filter(request=request, finished__isnull=True).exists()
    assert seen  # which one wins is up to the database


def test_two_registrars_starting_different_requests_for_one_student_at_once_one_opens(
    api_for, class_a, registrar, second_registrar
):
    clients = (api_for(registrar), api_for(second_registrar))

    for _round in range(ROUNDS):
        student = StudentFactory(school_class=class_a, by=registrar)
        bodies = (
            {"kind": "poverty", "student": student.pk, "action": "identify", "note": "低保家庭"},
            {"kind": "dropout", "student": student.pk, "reason": "2", "remark": "长期不到校"},
        )

        responses = at_once(*(lambda c=c, b=b: c.post("/api/v1/requests/", b, format="json") for c, b in zip(clients, bodies)))

        assert statuses(responses) == [201, 409], [r.content for r in responses]
        opened = next(r for r in responses if r.status_code == 201).json()
        refused = next(r for r in responses if r.status_code == 409).json()
        assert f"#{opened['id']}" in refused["detail"], refused
        assert list(Request.objects.filter(student=student).values_list("pk", flat=True)) == [opened["id"]]
        assert Student.objects.get(pk=student.pk).status == Student.Status.ENROLLED


def test_the_school_and_the_county_confirming_one_years_rollover_at_once_one_is_queued(
    api_for, class_a, registrar, bureau_officer
):
    clients = (api_for(registrar), api_for(bureau_officer))
    bureau = class_a.school.bureau

    for round_ in range(ROUNDS):
        # A year of its own each round: the queued rollovers are never applied (no worker runs).
        year = school_year_start() + 1 + round_
        assert rollover_plan(school_year=year, bureau=bureau).moves

        responses = at_once(*(lambda c=c: c.post("/api/v1/rollovers/", {"school_year": year}, format="json") for c in clients))

        assert statuses(responses) == [202, 409], [r.content for r in responses]
        refused = next(r for r in responses if r.status_code == 409).json()
        assert f"{year} 学年的升级已由" in refused["detail"], refused
        assert Rollover.objects.filter(school_year=year).count() == 1


def test_two_schools_entering_one_id_number_at_once_one_request_carries_it(
    api_for, transfer_windows_open, class_a, class_b, registrar, receiving_registrar
):
    """一人一籍 before the record exists: school A registers a new pupil (新生建档) while school B
    registers the same child, or enters them as a transfer-in from outside (外地转入)."""
    clients = (api_for(registrar), api_for(receiving_registrar))

    for round_ in range(ROUNDS):
        record = record_body(sequence=100 + round_)
        bodies = (
            {"kind": "registration", "class_code": class_a.code, **record},
            {"kind": "registration", "class_code": class_b.code, **record} if round_ % 2 else
            {"kind": "transfer_in", "class_code": class_b.code, "previous_school": "江苏省南京市某小学", "reason": REASON,
             "applicant": APPLICANT, **record},
        )

        responses = at_once(*(lambda c=c, b=b: c.post("/api/v1/requests/", b, format="json") for c, b in zip(clients, bodies)))

        assert statuses(responses) == [201, 409], [r.content for r in responses]
        refused = next(r for r in responses if r.status_code == 409).json()
        assert refused["errors"]["id_number"] == ["该证件号已有办理中的建档或转入申请。"], refused
        number = record["id_number"]
        carrying = [
            *Registration.objects.filter(state=Request.State.OPEN, record__id_number=number),
            *TransferIn.objects.filter(state=Request.State.OPEN, record__id_number=number),
        ]
        assert len(carrying) == 1


def test_an_intake_file_submitted_while_another_school_registers_one_of_its_pupils_one_carries_them(
    api_for, class_a, class_b, registrar, receiving_registrar
):
    """批量新生建档 against a single registration: the file's pupil goes with one request only."""
    intake, single = api_for(registrar), api_for(receiving_registrar)

    for round_ in range(ROUNDS):
        row = new_pupil(class_a, 2 * round_ + 1)  # odd: a girl, as record_body's
        checked = intake_import_run(intake_import_id=intake_import_start(file=intake_file([row]), by=registrar).pk)
        record = record_body(name=row["姓名"], birth_date=row["出生日期"], id_number=row["身份证件号"])

        responses = at_once(
            lambda: intake.post("/api/v1/requests/", {"kind": "intake", "intake_import": checked.pk}, format="json"),
            lambda: single.post("/api/v1/requests/", {"kind": "registration", "class_code": class_b.code, **record}, format="json"),
        )

        assert statuses(responses) == [201, 409], [r.content for r in responses]
        refused = next(r for r in responses if r.status_code == 409).json()
        assert "该证件号已有办理中的建档或转入申请。" in refused["detail"], refused
        number = row["身份证件号"]
        carrying = (
            Registration.objects.filter(state=Request.State.OPEN, record__id_number=number).count()
            + IntakeEntry.objects.filter(request__state=Request.State.OPEN, row__id_number=number).count()
        )
        assert carrying == 1


def test_a_registration_started_while_the_same_childs_record_is_being_created_is_refused(
    api_for, class_a, class_b, registrar, receiving_registrar, academic_office, bureau_officer
):
    """The bureau's last approval creates school A's new pupil while school B enters the same child."""
    officer, other_school = api_for(bureau_officer), api_for(receiving_registrar)

    for round_ in range(ROUNDS):
        record = record_body(name="林" + GIVEN_NAMES[round_], sequence=200 + round_)  # no look-alike of the last round's
        started = api_for(registrar).post("/api/v1/requests/", {"kind": "registration", "class_code": class_a.code, **record}, format="json")
        registration = Registration.objects.get(pk=started.json()["id"])
        verify(academic_office, registration)
        step = open_step(bureau_officer, registration)

        approved, second = at_once(
            lambda: officer.post(f"/api/v1/tasks/{step.pk}/decision/", {"decision": "approve"}, format="json"),
            lambda: other_school.post("/api/v1/requests/", {"kind": "registration", "class_code": class_b.code, **record}, format="json"),
        )

        assert approved.status_code == 200, approved.content
        # Refused either way: the first request still carries the number (409), or its record exists (400).
        assert second.status_code in (400, 409), second.content
        assert "id_number" in second.json()["errors"], second.content
        assert Student.objects.filter(id_number=record["id_number"]).get().school == class_a.school
        assert Registration.objects.filter(record__id_number=record["id_number"]).count() == 1
