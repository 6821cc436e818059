"""Transfer windows, the summer freeze for graduating grades, and working days.

Every start service is given `today=` explicitly, so these tests do not depend on the date they run.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from flows.models import Request
from flows.transfer_in import transfer_in_start
from flows.transfer_out import transfer_out_start
from flows.whole_class_transfer import whole_class_transfer_start
from records.models import Term, TransferWindow
from records.working_days import add_working_days, is_working_day, working_days_between
from tests.factories import SchoolClassFactory, StudentFactory

from .acting import APPLICANT, REASON, family, record, start_transfer

D = datetime.date


@pytest.fixture
def autumn_term(longyou_bureau):
    """No explicit windows: the first and last week of the term are the transfer windows."""
    return Term.objects.create(bureau=longyou_bureau, name="2026-2027学年第一学期", start=D(2026, 9, 1), end=D(2027, 1, 22))


# --- Windows ------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [D(2026, 9, 1), D(2026, 9, 7), D(2027, 1, 16), D(2027, 1, 22)])
def test_transfer_is_accepted_in_the_first_and_last_week_of_the_term(
    autumn_term, student, class_b, receiving_registrar, day
):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b, today=day)

    assert transfer.state == Request.State.OPEN


@pytest.mark.parametrize("day", [D(2026, 8, 31), D(2026, 9, 8), D(2026, 11, 2)])
def test_transfer_outside_the_term_windows_is_refused_naming_the_next_window(
    autumn_term, student, class_b, receiving_registrar, day
):
    with pytest.raises(ValidationError) as refused:
        start_transfer(student, receiving_registrar, to_class=class_b, today=day)

    next_window = "2026-09-01 至 2026-09-07" if day < D(2026, 9, 1) else "2027-01-16 至 2027-01-22"
    assert refused.value.messages == [f"今天不在龙游县教育局规定的转学办理时间内。下一次办理时间：{next_window}。"]
    assert not Request.objects.filter(student=student).exists()


def test_published_windows_replace_the_term_weeks(autumn_term, longyou_bureau, student, class_b, receiving_registrar):
    TransferWindow.objects.create(bureau=longyou_bureau, start=D(2026, 10, 12), end=D(2026, 10, 16))

    with pytest.raises(ValidationError):
        start_transfer(student, receiving_registrar, to_class=class_b, today=D(2026, 9, 2))
    transfer = start_transfer(student, receiving_registrar, to_class=class_b, today=D(2026, 10, 16))

    assert transfer.state == Request.State.OPEN


def test_without_any_calendar_transfers_are_refused_until_the_bureau_publishes_one(
    student, class_b, receiving_registrar
):
    with pytest.raises(ValidationError) as refused:
        start_transfer(student, receiving_registrar, to_class=class_b, today=D(2026, 9, 1))

    assert refused.value.messages == ["今天不在龙游县教育局规定的转学办理时间内。龙游县教育局尚未公布下一次办理时间。"]


def test_every_kind_of_transfer_is_refused_outside_the_window(
    autumn_term, student, class_a, class_b, registrar, receiving_registrar
):
    outside = D(2026, 10, 8)
    starts = {
        "transfer out": lambda: transfer_out_start(
            student=student, by=registrar, scope="city", destination="杭州市", applicant=APPLICANT, reason=REASON,
            today=outside,
        ),
        "transfer in": lambda: transfer_in_start(
            to_class=class_b, by=receiving_registrar, record=record(), family=family(), applicant=APPLICANT,
            reason=REASON, today=outside,
        ),
        "whole class": lambda: whole_class_transfer_start(
            school_class=class_a, by=registrar, to_school=class_b.school, reason=REASON, today=outside
        ),
    }
    for kind, start in starts.items():
        with pytest.raises(ValidationError) as refused:
            start()
        assert refused.value.messages[0].startswith("今天不在龙游县教育局规定的转学办理时间内。"), kind
    assert not Request.objects.exists()


# --- The summer freeze for graduating grades ----------------------------------------------------


@pytest.fixture
def summer_window(longyou_bureau):
    return TransferWindow.objects.create(bureau=longyou_bureau, start=D(2026, 6, 20), end=D(2026, 8, 31))


@pytest.fixture
def sixth_graders(summer_window, school_a, school_b, registrar):
    """A sixth-grader of school_a and a sixth-grade class at school_b."""
    return StudentFactory(school_class=SchoolClassFactory(school=school_a, grade=6), by=registrar), SchoolClassFactory(
        school=school_b, grade=6
    )


@pytest.mark.parametrize("day", [D(2026, 7, 1), D(2026, 7, 20), D(2026, 8, 14)])
def test_graduating_grade_cannot_transfer_in_the_summer_freeze_even_inside_a_window(
    sixth_graders, receiving_registrar, day
):
    student, class_b6 = sixth_graders

    with pytest.raises(ValidationError) as refused:
        start_transfer(student, receiving_registrar, to_class=class_b6, today=day)

    assert refused.value.messages == ["毕业年级每年7月1日至8月14日暂停办理转学。"]


@pytest.mark.parametrize("day", [D(2026, 6, 30), D(2026, 8, 15)])
def test_graduating_grade_can_transfer_just_outside_the_freeze(sixth_graders, receiving_registrar, day):
    student, class_b6 = sixth_graders

    assert start_transfer(student, receiving_registrar, to_class=class_b6, today=day).state == Request.State.OPEN


def test_other_grades_can_transfer_during_the_summer_freeze(summer_window, student, class_b, receiving_registrar):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b, today=D(2026, 7, 20))

    assert transfer.state == Request.State.OPEN


def test_summer_freeze_also_stops_a_graduating_class_moving_as_a_whole(sixth_graders, school_b, registrar):
    student, _class_b6 = sixth_graders
    sixth_grade = student.open_placement.school_class

    with pytest.raises(ValidationError) as refused:
        whole_class_transfer_start(
            school_class=sixth_grade, by=registrar, to_school=school_b, reason=REASON, today=D(2026, 7, 2)
        )

    assert refused.value.messages == ["毕业年级每年7月1日至8月14日暂停办理转学。"]


# --- Working days -------------------------------------------------------------------------------


def test_working_days_skip_the_national_day_holiday_and_count_the_adjusted_saturday():
    # 2024: 1–7 October off; Saturday 12 October worked in exchange.
    assert add_working_days(D(2024, 9, 30), 5) == D(2024, 10, 12)
    assert working_days_between(D(2024, 9, 30), D(2024, 10, 12)) == 5
    assert not is_working_day(D(2024, 10, 7))
    assert is_working_day(D(2024, 10, 12))


def test_working_days_skip_the_spring_festival():
    # 2025: 28 January – 4 February off.
    assert add_working_days(D(2025, 1, 27), 1) == D(2025, 2, 5)


def test_a_year_without_a_published_holiday_calendar_counts_monday_to_friday():
    monday = D(2099, 1, 5)
    assert monday.weekday() == 0

    assert working_days_between(monday, monday + datetime.timedelta(days=7)) == 5
    assert add_working_days(monday + datetime.timedelta(days=4), 1) == monday + datetime.timedelta(days=7)
