"""转学 within the system, driven through the engine (flows.engine) and the org-scoped inboxes.

Same bureau: school_a → school_b (both 龙游县). Across bureaus: school_a (龙游县) ↔ school_c (武义县).
"""

import calendar
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from flows.models import Request, RequestStudent
from records.errors import Conflict
from flows.lapse import request_lapse
from flows.engine import request_withdraw, task_decide
from records import services
from records.models import School, SchoolClass, Student
from flows.selectors import user_may_act_on
from tests.factories import SchoolClassFactory, SchoolFactory, StudentFactory

from flows.transfer import transfer_start

from .acting import (
    APPLICANT,
    REASON,
    REJECT,
    confirm_receiving_class,
    decide,
    inbox,
    open_step,
    placement_history,
    receiving_class_form,
    receiving_evidence,
    start_transfer,
    steps_of,
    where,
)

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

ENROLLED = Student.Status.ENROLLED


def inboxes(users: dict) -> dict:
    return {name: inbox(user) for name, user in users.items()}


def nobody_has(users: dict) -> dict:
    return {name: [] for name in users}


def assert_moved_by(student, *, to_class, from_class, by):
    """The student's record and placements say who moved the student and where."""
    latest = student.history.order_by("-history_date", "-history_id").first()
    assert latest.school_id == to_class.school_id
    assert latest.history_user == by
    assert latest.history_change_reason == "转学"
    closed = student.placements.get(school_class=from_class)
    assert closed.ended_on == timezone.localdate()
    assert closed.history.order_by("-history_date").first().history_user == by
    opened = student.placements.get(ended_on__isnull=True)
    assert opened.school_class == to_class
    assert opened.history.get(history_type="+").history_user == by


# --- Started by the receiving school (national order) -------------------------------------------


def test_receiving_school_transfer_in_one_bureau_moves_the_student_after_the_sending_school_releases(
    student, class_a, class_b, registrar, receiving_registrar, bureau_officer, other_county_registrar
):
    number = student.student_number

    transfer = start_transfer(student, receiving_registrar, to_class=class_b)

    assert transfer.state == Request.State.OPEN
    assert inbox(bureau_officer) == [(transfer.pk, "approve_by_receiving_bureau")]
    assert inbox(registrar) == []

    decide(bureau_officer, transfer)

    assert inbox(bureau_officer) == []
    assert inbox(registrar) == [(transfer.pk, "confirm_release_by_sending_school")]
    assert where(student) == (class_a.school, class_a, ENROLLED)

    decide(registrar, transfer)

    assert where(student) == (class_b.school, class_b, ENROLLED)
    assert student.student_number == number
    transfer.refresh_from_db()
    assert transfer.state == Request.State.COMPLETED
    assert transfer.completed_on == timezone.localdate()
    # Both schools share 龙游县教育局: no sending-bureau step was ever created.
    assert steps_of(transfer) == [
        ("approve_by_receiving_bureau", bureau_officer.username, "approve", ""),
        ("confirm_release_by_sending_school", registrar.username, "approve", ""),
    ]
    assert_moved_by(student, to_class=class_b, from_class=class_a, by=registrar)
    assert [inbox(user) for user in (registrar, receiving_registrar, bureau_officer, other_county_registrar)] == [
        [], [], [], []
    ]


def test_cross_county_transfer_goes_through_both_bureaus_in_order_each_seeing_only_its_step(
    student,
    class_a,
    class_c,
    registrar,
    receiving_registrar,
    other_county_registrar,
    bureau_officer,
    other_bureau_officer,
    third_county_officer,
):
    users = {
        "sending registrar": registrar,
        "receiving registrar": other_county_registrar,
        "sending bureau": bureau_officer,
        "receiving bureau": other_bureau_officer,
        "third school": receiving_registrar,
        "third county": third_county_officer,
    }

    transfer = start_transfer(student, other_county_registrar, to_class=class_c)

    order = [
        ("receiving bureau", "approve_by_receiving_bureau"),
        ("sending registrar", "confirm_release_by_sending_school"),
        ("sending bureau", "approve_by_sending_bureau"),
    ]
    for who, step in order:
        assert inboxes(users) == {**nobody_has(users), who: [(transfer.pk, step)]}
        item = open_step(users[who], transfer)
        for name, user in users.items():
            assert user_may_act_on(user, item) == (name == who), name
        for outsider in ("third school", "third county"):
            with pytest.raises(PermissionDenied):
                task_decide(work_item=item, by=users[outsider], decision="approve")
        assert where(student) == (class_a.school, class_a, ENROLLED)
        decide(users[who], transfer)

    assert inboxes(users) == nobody_has(users)
    assert where(student) == (class_c.school, class_c, ENROLLED)
    assert [step for step, *_rest in steps_of(transfer)] == [step for _who, step in order]
    assert_moved_by(student, to_class=class_c, from_class=class_a, by=bureau_officer)


def test_a_bureau_cannot_act_out_of_turn_on_a_step_of_the_other_bureau(
    student, class_c, other_county_registrar, bureau_officer, other_bureau_officer
):
    transfer = start_transfer(student, other_county_registrar, to_class=class_c)
    item = open_step(other_bureau_officer, transfer)

    with pytest.raises(PermissionDenied):
        task_decide(work_item=item, by=bureau_officer, decision="approve")

    assert inbox(other_bureau_officer) == [(transfer.pk, "approve_by_receiving_bureau")]


# --- Started by the sending school (county order) -----------------------------------------------


def test_sending_school_transfer_receiving_school_picks_the_class_then_bureau_approves_and_student_moves(
    student, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    number = student.student_number
    other_class_b = SchoolClassFactory(school=class_b.school, grade=3)

    transfer = start_transfer(student, registrar, to_school=class_b.school)

    assert transfer.state == Request.State.OPEN
    assert inbox(receiving_registrar) == [(transfer.pk, "confirm_by_receiving_school")]
    assert inbox(bureau_officer) == []

    confirm_receiving_class(receiving_registrar, transfer, other_class_b)

    assert inbox(bureau_officer) == [(transfer.pk, "approve_by_receiving_bureau")]
    assert where(student) == (class_a.school, class_a, ENROLLED)

    decide(bureau_officer, transfer, comment="同意")

    assert where(student) == (class_b.school, other_class_b, ENROLLED)
    assert student.student_number == number
    transfer.refresh_from_db()
    assert transfer.state == Request.State.COMPLETED
    assert transfer.to_class == other_class_b
    assert steps_of(transfer) == [
        ("confirm_by_receiving_school", receiving_registrar.username, "approve", ""),
        ("approve_by_receiving_bureau", bureau_officer.username, "approve", "同意"),
    ]
    assert_moved_by(student, to_class=other_class_b, from_class=class_a, by=bureau_officer)


def test_sending_school_transfer_across_counties_needs_the_receiving_then_the_sending_bureau(
    student, class_a, class_c, registrar, other_county_registrar, bureau_officer, other_bureau_officer,
    receiving_registrar, third_county_officer,
):
    users = {
        "sending registrar": registrar,
        "receiving registrar": other_county_registrar,
        "sending bureau": bureau_officer,
        "receiving bureau": other_bureau_officer,
        "third school": receiving_registrar,
        "third county": third_county_officer,
    }
    transfer = start_transfer(student, registrar, to_school=class_c.school)

    assert inboxes(users) == {
        **nobody_has(users),
        "receiving registrar": [(transfer.pk, "confirm_by_receiving_school")],
    }
    confirm_receiving_class(other_county_registrar, transfer, class_c)
    assert inboxes(users) == {**nobody_has(users), "receiving bureau": [(transfer.pk, "approve_by_receiving_bureau")]}
    decide(other_bureau_officer, transfer)
    assert inboxes(users) == {**nobody_has(users), "sending bureau": [(transfer.pk, "approve_by_sending_bureau")]}
    assert where(student) == (class_a.school, class_a, ENROLLED)
    decide(bureau_officer, transfer)

    assert inboxes(users) == nobody_has(users)
    assert where(student) == (class_c.school, class_c, ENROLLED)
    assert_moved_by(student, to_class=class_c, from_class=class_a, by=bureau_officer)


# --- Rejection at every step --------------------------------------------------------------------

# Across counties every step of both orders exists. Each entry: who acts, and whether the step
# is the receiving school's confirmation (which picks the class).
PATHS = {
    "receiving": [
        ("other_bureau_officer", "approve_by_receiving_bureau"),
        ("registrar", "confirm_release_by_sending_school"),
        ("bureau_officer", "approve_by_sending_bureau"),
    ],
    "sending": [
        ("other_county_registrar", "confirm_by_receiving_school"),
        ("other_bureau_officer", "approve_by_receiving_bureau"),
        ("bureau_officer", "approve_by_sending_bureau"),
    ],
}


@pytest.mark.parametrize(
    "order, rejecting",
    [(order, index) for order, path in PATHS.items() for index in range(len(path))],
    ids=[f"{order}-order-{step}" for order, path in PATHS.items() for _who, step in path],
)
def test_rejection_at_any_step_needs_a_reason_ends_the_request_and_changes_nothing(
    request, order, rejecting, student, class_a, class_c, registrar, other_county_registrar
):
    def start():
        if order == "receiving":
            return start_transfer(student, other_county_registrar, to_class=class_c)
        return start_transfer(student, registrar, to_school=class_c.school)

    before = where(student)
    placements_before = placement_history(student)
    record_versions_before = student.history.count()
    transfer = start()
    path = [(request.getfixturevalue(who), step) for who, step in PATHS[order]]
    for user, step in path[:rejecting]:
        if step == "confirm_by_receiving_school":
            confirm_receiving_class(user, transfer, class_c)
        else:
            decide(user, transfer)
    user, step = path[rejecting]

    for blank in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            decide(user, transfer, REJECT, blank)
        assert "comment" in refused.value.message_dict
    assert inbox(user) == [(transfer.pk, step)]

    decide(user, transfer, REJECT, "家长已撤销迁居计划")

    transfer.refresh_from_db()
    assert transfer.state == Request.State.REJECTED
    assert transfer.close_comment == "家长已撤销迁居计划"
    assert steps_of(transfer)[-1] == (step, user.username, "reject", "家长已撤销迁居计划")
    assert [inbox(user) for user, _step in path] == [[] for _ in path]
    assert where(student) == before
    assert placement_history(student) == placements_before
    assert student.history.count() == record_versions_before

    again = start()
    assert again.state == Request.State.OPEN


# --- Refused at the start -----------------------------------------------------------------------


def test_receiving_school_cannot_pick_a_class_of_another_grade(student, school_b, receiving_registrar):
    fourth_grade = SchoolClassFactory(school=school_b, grade=4)

    with pytest.raises(ValidationError) as refused:
        start_transfer(student, receiving_registrar, to_class=fourth_grade)

    assert "转学不改变年级" in refused.value.message_dict["to_class"][0]
    assert "三年级" in refused.value.message_dict["to_class"][0]
    assert not Request.objects.filter(student=student).exists()


def test_sending_school_cannot_name_a_school_without_the_students_grade(student, longyou, longyou_bureau, registrar):
    junior = SchoolFactory(region=longyou, bureau=longyou_bureau, name="龙游县第一初级中学", type=School.Type.JUNIOR)

    with pytest.raises(ValidationError) as refused:
        start_transfer(student, registrar, to_school=junior)

    assert refused.value.message_dict["to_school"] == ["龙游县第一初级中学没有三年级。"]


def test_receiving_confirmation_offers_only_open_classes_of_the_students_grade(
    student, class_b, registrar, receiving_registrar
):
    fourth_grade = SchoolClassFactory(school=class_b.school, grade=4)
    closed = SchoolClassFactory(school=class_b.school, grade=3)
    services.class_dissolve(school_class=closed, by=receiving_registrar)
    transfer = start_transfer(student, registrar, to_school=class_b.school)

    offered = list(receiving_class_form(transfer, class_b).fields["to_class"].queryset)
    assert offered == [class_b]

    for wrong in (fourth_grade, closed):
        form = receiving_class_form(transfer, wrong)
        assert not form.is_valid()
        assert "to_class" in form.errors
        with pytest.raises(ValidationError):
            decide(receiving_registrar, transfer, form=form)
    assert inbox(receiving_registrar) == [(transfer.pk, "confirm_by_receiving_school")]


def test_receiving_confirmation_without_a_class_is_refused(
    student, class_b, registrar, receiving_registrar, bureau_officer
):
    transfer = start_transfer(student, registrar, to_school=class_b.school)

    form = receiving_class_form(transfer, None)
    assert not form.is_valid()
    assert form.errors["to_class"] == ["同意接收时请选择转入班级。"]
    with pytest.raises(ValidationError):
        decide(receiving_registrar, transfer)  # approving without the page's form

    assert inbox(receiving_registrar) == [(transfer.pk, "confirm_by_receiving_school")]
    assert inbox(bureau_officer) == []


def test_suspended_student_cannot_be_transferred(class_a, class_b, registrar, receiving_registrar):
    suspended = StudentFactory(school_class=class_a, by=registrar, suspended=True)

    with pytest.raises(Conflict) as refused:
        start_transfer(suspended, receiving_registrar, to_class=class_b)

    assert refused.value.messages == ["该生当前学籍状态为“休学”，不能办理转学。"]
    assert not Request.objects.filter(student=suspended).exists()


def test_second_open_request_for_the_same_student_is_refused(
    student, class_b, class_c, registrar, receiving_registrar, other_county_registrar
):
    first = start_transfer(student, receiving_registrar, to_class=class_b)

    with pytest.raises(Conflict) as refused:
        start_transfer(student, other_county_registrar, to_class=class_c)
    assert student.name in refused.value.messages[0]
    assert f"#{first.pk}" in refused.value.messages[0]

    with pytest.raises(Conflict):
        start_transfer(student, registrar, to_school=class_c.school)
    assert list(Request.objects.filter(student=student).values_list("pk", flat=True)) == [first.pk]


def test_database_refuses_a_second_open_request_row_for_a_student(student, class_a, class_b, receiving_registrar):
    first = start_transfer(student, receiving_registrar, to_class=class_b)
    classmate = StudentFactory(school_class=class_a)
    second = start_transfer(classmate, receiving_registrar, to_class=class_b)

    with pytest.raises(IntegrityError), transaction.atomic():
        RequestStudent.objects.create(request=second, student=student)

    assert RequestStudent.objects.get(student=student, open=True).request_id == first.pk


# --- Withdrawal and lapse -----------------------------------------------------------------------


def test_starting_registrar_withdraws_an_open_transfer_and_nothing_changes(
    student, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    before = where(student)
    placements_before = placement_history(student)
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer)
    assert inbox(registrar) == [(transfer.pk, "confirm_release_by_sending_school")]
    release = open_step(registrar, transfer)

    request_withdraw(request=transfer, by=receiving_registrar, comment="家长改变主意")

    transfer.refresh_from_db()
    assert transfer.state == Request.State.WITHDRAWN
    assert transfer.close_comment == "家长改变主意"
    assert inbox(registrar) == []
    assert inbox(bureau_officer) == []
    assert where(student) == before
    assert placement_history(student) == placements_before
    with pytest.raises(Conflict) as refused:
        task_decide(work_item=release, by=registrar, decision="approve")
    assert refused.value.messages == ["申请已撤回，该环节无需再办理。"]
    assert where(student) == before
    assert start_transfer(student, receiving_registrar, to_class=class_b).state == Request.State.OPEN


def test_only_the_starting_school_may_withdraw(
    student, class_b, registrar, receiving_registrar, other_county_registrar, bureau_officer
):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)

    for outsider in (registrar, other_county_registrar, bureau_officer):
        with pytest.raises(PermissionDenied):
            request_withdraw(request=transfer, by=outsider)

    transfer.refresh_from_db()
    assert transfer.state == Request.State.OPEN
    assert inbox(bureau_officer) == [(transfer.pk, "approve_by_receiving_bureau")]


def test_a_withdrawn_transfer_cannot_be_withdrawn_again(student, class_b, receiving_registrar):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    request_withdraw(request=transfer, by=receiving_registrar)

    with pytest.raises(Conflict) as refused:
        request_withdraw(request=transfer, by=receiving_registrar)

    assert refused.value.messages == ["申请已撤回，不能撤回。"]


def _months_after(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day `months` later, or the last day of that month when it is shorter."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def test_transfer_lapses_three_months_after_it_started_and_nothing_changes(
    student, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    before = where(student)
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer)
    deadline = _months_after(timezone.localtime(transfer.created), 3)

    assert request_lapse(request=transfer, now=deadline - datetime.timedelta(minutes=1)) is None
    transfer.refresh_from_db()
    assert transfer.state == Request.State.OPEN
    assert inbox(registrar) == [(transfer.pk, "confirm_release_by_sending_school")]

    request_lapse(request=transfer, now=deadline + datetime.timedelta(days=1))

    transfer.refresh_from_db()
    assert transfer.state == Request.State.LAPSED
    assert inbox(registrar) == []
    assert where(student) == before
    assert start_transfer(student, receiving_registrar, to_class=class_b).state == Request.State.OPEN


def test_transfer_started_on_30_november_lapses_at_the_end_of_february(student, class_b, receiving_registrar):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    started = timezone.make_aware(datetime.datetime(2026, 11, 30, 10, 0))
    Request.objects.filter(pk=transfer.pk).update(created=started)  # as if started then

    assert request_lapse(request=transfer, now=timezone.make_aware(datetime.datetime(2027, 2, 28, 9, 59))) is None
    assert request_lapse(request=transfer, now=timezone.make_aware(datetime.datetime(2027, 2, 28, 10, 0))) is not None

    transfer.refresh_from_db()
    assert transfer.state == Request.State.LAPSED


def test_a_completed_transfer_does_not_lapse(student, class_b, registrar, receiving_registrar, bureau_officer):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer)
    decide(registrar, transfer)

    assert request_lapse(request=transfer, now=timezone.now() + datetime.timedelta(days=200)) is None

    transfer.refresh_from_db()
    assert transfer.state == Request.State.COMPLETED
    assert where(student) == (class_b.school, class_b, ENROLLED)


# --- A failing move leaves nothing half done ----------------------------------------------------


def test_last_approval_into_a_dissolved_class_is_refused_and_nothing_is_half_done(
    student, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer)
    services.class_dissolve(school_class=class_b, by=receiving_registrar)
    release = open_step(registrar, transfer)

    with pytest.raises(ValidationError) as refused:
        decide(registrar, transfer)

    assert "已毕业或撤销" in refused.value.messages[0]
    release.refresh_from_db()
    assert release.finished is None
    assert release.decision == ""
    assert inbox(registrar) == [(transfer.pk, "confirm_release_by_sending_school")]
    assert where(student) == (class_a.school, class_a, ENROLLED)
    transfer.refresh_from_db()
    assert transfer.state == Request.State.OPEN
    # The sending school can still say no, with a reason, and the request ends cleanly.
    decide(registrar, transfer, REJECT, "转入班级已撤销")
    transfer.refresh_from_db()
    assert transfer.state == Request.State.REJECTED


def test_last_approval_into_a_class_closed_with_students_in_it_is_refused(
    student, class_a, class_b, registrar, receiving_registrar, bureau_officer
):
    StudentFactory(school_class=class_b, by=receiving_registrar)
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer)
    # class_dissolve refuses a class with students; the class graduated some other way.
    SchoolClass.objects.filter(pk=class_b.pk).update(state=SchoolClass.State.GRADUATED)

    with pytest.raises(ValidationError):
        decide(registrar, transfer)

    assert open_step(registrar, transfer).finished is None
    assert where(student) == (class_a.school, class_a, ENROLLED)
    transfer.refresh_from_db()
    assert transfer.state == Request.State.OPEN


# --- The parent's documents at the receiving school (篇10 三.一.1) -----------------------------------


def test_the_receiving_school_starts_only_with_the_household_register_and_the_acceptance(
    student, class_b, receiving_registrar
):
    with pytest.raises(ValidationError) as refused:
        transfer_start(
            student=student, by=receiving_registrar, to_class=class_b, applicant=APPLICANT, reason=REASON,
            evidence=receiving_evidence()[:1],
        )

    assert refused.value.message_dict == {"evidence_acceptance": ["请上传迁入地教育主管部门同意接收证明（扫描件）。"]}
    assert not Request.objects.filter(student=student).exists()


def test_a_bureau_that_does_not_ask_for_the_documents_lets_the_receiving_school_start_without(
    student, class_b, receiving_registrar, longyou_bureau
):
    longyou_bureau.transfer_in_evidence_required = False
    longyou_bureau.save()

    started = transfer_start(student=student, by=receiving_registrar, to_class=class_b, applicant=APPLICANT, reason=REASON)

    assert started.state == Request.State.OPEN
    assert not started.evidence.exists()
