"""Placements: which school and class a student attends. One open placement while enrolled."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from records import services
from records.models import Placement, School, Student
from tests.factories import SchoolClassFactory, SchoolFactory, StudentFactory, citizen_id


def _today() -> datetime.date:
    return datetime.date.today()


def _reloaded(student) -> Student:
    return Student.objects.get(pk=student.pk)


def _open_placements(student):
    return list(Placement.objects.filter(student=student, ended_on__isnull=True))


def _away_since(student, days: int) -> None:
    """Test setup: pretend the student left `days` days ago (the closed placement's dates)."""
    last = student.placements.order_by("-started_on", "-id").first()
    Placement.objects.filter(pk=last.pk).update(
        started_on=_today() - datetime.timedelta(days=days + 300), ended_on=_today() - datetime.timedelta(days=days)
    )


# --- One open placement while enrolled, none otherwise ------------------------------------------


def test_enrolled_student_has_exactly_one_open_placement(student, class_a):
    placements = _open_placements(student)

    assert [(p.school, p.school_class, p.started_on) for p in placements] == [(class_a.school, class_a, _today())]


def test_a_record_entered_after_the_fact_is_placed_from_the_day_the_student_joined(class_a):
    joined = datetime.date(class_a.entry_year, 9, 1)
    student = StudentFactory(school_class=class_a, placed_on=joined)

    assert [(p.school_class, p.started_on) for p in _open_placements(student)] == [(class_a, joined)]


def test_a_placement_starting_after_today_is_refused_and_nothing_is_saved(class_a):
    with pytest.raises(ValidationError) as refused:
        StudentFactory(school_class=class_a, name="赵未来", placed_on=timezone.localdate() + datetime.timedelta(days=1))

    assert refused.value.message_dict == {"placed_on": ["编班日期不能晚于今天。"]}
    assert not Student.objects.filter(name="赵未来").exists()


@pytest.mark.parametrize("trait", ["suspended", "dropped_out", "graduated", "deceased"])
def test_student_who_is_not_enrolled_has_no_open_placement(class_a, trait):
    student = StudentFactory(school_class=class_a, **{trait: True})

    assert _open_placements(student) == []
    closed = student.placements.get()
    assert closed.ended_on == _today()
    assert closed.end_reason


def test_resumed_student_has_one_open_placement_and_the_old_one_kept(class_a, registrar):
    student = StudentFactory(school_class=class_a, suspended=True)

    services.student_resume(student=student, by=registrar)

    assert len(_open_placements(student)) == 1
    assert student.placements.count() == 2


# --- Transfer -----------------------------------------------------------------------------------


def test_transfer_moves_the_student_to_the_other_school_in_the_same_grade(
    student, class_a, class_b, receiving_registrar
):
    services.student_transfer(student=student, to_class=class_b, by=receiving_registrar)

    moved = _reloaded(student)
    assert moved.school == class_b.school
    assert moved.open_placement.school_class == class_b
    assert moved.open_placement.school_class.grade == class_a.grade
    old = moved.placements.get(school_class=class_a)
    assert (old.ended_on, old.end_reason) == (_today(), "转学")


def test_transfer_to_another_county_changes_the_school(student, class_c, other_county_registrar):
    services.student_transfer(student=student, to_class=class_c, by=other_county_registrar)

    assert _reloaded(student).school == class_c.school


def test_transfer_refused_when_grade_differs(student, school_b, class_a, receiving_registrar):
    fourth_grade = SchoolClassFactory(school=school_b, grade=4)

    with pytest.raises(ValidationError) as raised:
        services.student_transfer(student=student, to_class=fourth_grade, by=receiving_registrar)

    assert raised.value.message_dict["to_class"] == ["转学不改变年级：请选择三年级的班级。"]
    unchanged = _reloaded(student)
    assert unchanged.school == class_a.school
    assert unchanged.open_placement.school_class == class_a


def test_transfer_into_the_class_the_student_is_in_is_refused(student, class_a, registrar):
    with pytest.raises(ValidationError) as raised:
        services.student_transfer(student=student, to_class=class_a, by=registrar)

    assert raised.value.message_dict["to_class"] == ["该生已在这个班级。"]
    assert student.placements.count() == 1


def test_transfer_into_a_dissolved_class_is_refused(student, school_b, class_a, receiving_registrar):
    dissolved = services.class_dissolve(school_class=SchoolClassFactory(school=school_b, grade=3), by=None)

    with pytest.raises(ValidationError) as raised:
        services.student_transfer(student=student, to_class=dissolved, by=receiving_registrar)

    assert "已毕业或撤销" in raised.value.message_dict["to_class"][0]
    assert _reloaded(student).open_placement.school_class == class_a


# --- Repeat or skip a grade ----------------------------------------------------------------------


def test_repeating_a_grade_places_the_student_one_grade_lower(student, school_a, registrar):
    second_grade = SchoolClassFactory(school=school_a, grade=2)

    placement = services.student_change_grade(student=student, to_class=second_grade, by=registrar)

    assert placement.reason == "留级"
    assert _reloaded(student).open_placement.school_class == second_grade


def test_changing_two_grades_at_once_is_refused(student, school_a, class_a, registrar):
    fifth_grade = SchoolClassFactory(school=school_a, grade=5)

    with pytest.raises(ValidationError) as raised:
        services.student_change_grade(student=student, to_class=fifth_grade, by=registrar)

    assert raised.value.message_dict["to_class"] == ["留级或跳级只能调整一个年级。"]
    assert _reloaded(student).open_placement.school_class == class_a


def test_changing_grade_into_another_school_is_refused(student, school_b, registrar):
    other_school_class = SchoolClassFactory(school=school_b, grade=4)

    with pytest.raises(ValidationError) as raised:
        services.student_change_grade(student=student, to_class=other_school_class, by=registrar)

    assert raised.value.message_dict["to_class"] == ["留级或跳级只能在本校内调整班级。"]


# --- Resumption ---------------------------------------------------------------------------------


@pytest.fixture
def suspended_student(class_a, registrar):
    return StudentFactory(school_class=class_a, suspended=True, by=registrar)


def test_resumption_within_three_months_returns_to_the_former_class(suspended_student, class_a, registrar):
    _away_since(suspended_student, days=60)

    services.student_resume(student=suspended_student, by=registrar)

    assert _reloaded(suspended_student).open_placement.school_class == class_a


def test_resumption_within_three_months_into_another_class_is_refused(suspended_student, class_a2, registrar):
    _away_since(suspended_student, days=60)

    with pytest.raises(ValidationError) as raised:
        services.student_resume(student=suspended_student, to_class=class_a2, by=registrar)

    assert raised.value.message_dict["to_class"] == ["离校不满三个月，复学须回原班级。"]
    assert _reloaded(suspended_student).status == Student.Status.SUSPENDED
    assert _open_placements(suspended_student) == []


def test_resumption_after_more_than_three_months_may_be_one_grade_lower(suspended_student, school_a, registrar):
    second_grade = SchoolClassFactory(school=school_a, grade=2)
    _away_since(suspended_student, days=120)

    services.student_resume(student=suspended_student, to_class=second_grade, by=registrar)

    resumed = _reloaded(suspended_student)
    assert resumed.status == Student.Status.ENROLLED
    assert resumed.open_placement.school_class == second_grade


def test_resumption_after_more_than_three_months_may_be_another_class_of_the_same_grade(
    suspended_student, class_a2, registrar
):
    _away_since(suspended_student, days=120)

    services.student_resume(student=suspended_student, to_class=class_a2, by=registrar)

    assert _reloaded(suspended_student).open_placement.school_class == class_a2


@pytest.mark.parametrize("grade", [4, 1])
def test_resumption_is_never_higher_nor_two_grades_lower(suspended_student, school_a, registrar, grade):
    to_class = SchoolClassFactory(school=school_a, grade=grade)
    _away_since(suspended_student, days=400)

    with pytest.raises(ValidationError) as raised:
        services.student_resume(student=suspended_student, to_class=to_class, by=registrar)

    assert raised.value.message_dict["to_class"] == ["复学只能编入原年级或低一个年级的班级。"]
    assert _reloaded(suspended_student).status == Student.Status.SUSPENDED


def test_resumption_at_another_school_is_refused(suspended_student, class_b, registrar):
    _away_since(suspended_student, days=120)

    with pytest.raises(ValidationError) as raised:
        services.student_resume(student=suspended_student, to_class=class_b, by=registrar)

    assert "复学须回原学校" in raised.value.message_dict["to_class"][0]
    assert _reloaded(suspended_student).status == Student.Status.SUSPENDED


def test_resumption_asks_for_a_class_when_the_former_one_was_dissolved(suspended_student, class_a, class_a2, registrar):
    services.class_dissolve(school_class=class_a, by=registrar)

    with pytest.raises(ValidationError) as raised:
        services.student_resume(student=suspended_student, by=registrar)
    assert raised.value.message_dict["to_class"] == ["原班级已不在读，请选择复学编入的班级。"]

    services.student_resume(student=suspended_student, to_class=class_a2, by=registrar)
    assert _reloaded(suspended_student).open_placement.school_class == class_a2


# --- Concurrency --------------------------------------------------------------------------------


def _run_together(*actions, timeout=30):
    """Run each action in its own thread with its own database connection, all released at once.

    Returns one ("ok", result) or ("error", exception) per action.
    """
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index, action):
        try:
            outcomes[index] = ("ok", action(barrier))
        except Exception as error:  # noqa: BLE001 — the outcome is what the test asserts
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


@pytest.fixture
def concurrent_world(transactional_db):
    """Committed rows the threads can see: a suspended student and two open classes of its school."""
    school = SchoolFactory(type=School.Type.PRIMARY)
    first = SchoolClassFactory(school=school, grade=3)
    second = SchoolClassFactory(school=school, grade=3)
    student = StudentFactory(school_class=first, suspended=True)
    return student, first, second


@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_concurrent_open_placements_is_saved(concurrent_world):
    student, first, second = concurrent_world

    def open_placement(school_class):
        def action(barrier):
            with transaction.atomic():
                # Both transactions see no open placement: only the partial unique index can stop one.
                assert not Placement.objects.filter(student=student, ended_on__isnull=True).exists()
                barrier.wait(timeout=10)
                return Placement.objects.create(
                    student=student, school=school_class.school, school_class=school_class, started_on=_today()
                )

        return action

    outcomes = _run_together(open_placement(first), open_placement(second))

    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, IntegrityError)
    assert "placement_one_open_per_student" in str(error)
    assert Placement.objects.filter(student=student, ended_on__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_resumptions_place_the_student_once(concurrent_world):
    student, first, _second = concurrent_world

    def resume(barrier):
        barrier.wait(timeout=10)
        return services.student_resume(student=student, by=None)

    outcomes = _run_together(resume, resume)

    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    error = next(value for kind, value in outcomes if kind == "error")
    assert error.messages == ["该生当前学籍状态为“在籍”，不能办理复学。"]
    resumed = _reloaded(student)
    assert resumed.status == Student.Status.ENROLLED
    assert [p.school_class for p in _open_placements(resumed)] == [first]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_registrations_with_one_id_number_create_one_record(concurrent_world):
    _student, first, second = concurrent_world
    birth = datetime.date(2016, 5, 5)
    number = citizen_id(area_code=first.school.region.code, birth_date=birth, sequence=77, male=True)

    def register(school_class):
        def action(barrier):
            barrier.wait(timeout=10)
            return StudentFactory(
                school_class=school_class, name="钱多多", gender="1", birth_date=birth, id_number=number
            )

        return action

    outcomes = _run_together(register(first), register(second))

    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    error = next(value for kind, value in outcomes if kind == "error")
    assert "该证件号已有学籍" in error.message_dict["id_number"][0]
    registered = Student.objects.get(id_number=number)
    assert registered.placements.count() == 1
    assert registered.family_members.count() == 1
