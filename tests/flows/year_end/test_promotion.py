"""升学: a middle school takes primary graduates of its region; the bureau approves; same number."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from flows.models import Request
from records.errors import Conflict
from flows.promotion import promotion_start
from records.models import Placement, Student
from records.selectors import graduates_for_promotion
from tests.factories import SchoolClassFactory, StudentFactory
from tests.flows.acting import decide, inbox


@pytest.fixture
def graduates(sixth, registrar):
    return [StudentFactory(school_class=sixth, by=registrar, graduated=True) for _ in range(3)]


@pytest.fixture
def wuyi_graduate(school_c, other_county_registrar):
    return StudentFactory(school_class=SchoolClassFactory(school=school_c, grade=6), by=other_county_registrar, graduated=True)


def test_graduates_enroll_at_the_middle_school_with_the_same_number(
    graduates, first_year, first_year2, middle, middle_registrar, bureau_officer
):
    numbers = [g.student_number for g in graduates]
    request = promotion_start(
        placements=[(graduates[0].pk, first_year), (graduates[1].pk, first_year2), (graduates[2].pk, first_year)],
        by=middle_registrar,
    )
    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]
    assert {Student.objects.get(pk=g.pk).status for g in graduates} == {"graduated"}

    decide(bureau_officer, request)

    assert Request.objects.get(pk=request.pk).state == Request.State.COMPLETED
    for graduate, to_class, number in zip(graduates, [first_year, first_year2, first_year], numbers):
        student = Student.objects.get(pk=graduate.pk)
        assert (student.status, student.school, student.student_number) == ("enrolled", middle, number)
        assert student.open_placement.school_class == to_class
        last = Student.history.filter(id=student.pk).latest("history_date")
        assert (last.status, last.school_id, last.history_user, last.history_change_reason) == (
            "enrolled", middle.pk, bureau_officer, "升学"
        )
    # No new record: one person, one record.
    assert Student.objects.filter(student_number__in=numbers).count() == 3
    assert Placement.history.filter(school_class=first_year, history_type="+").count() == 2


def test_a_student_picked_by_another_middle_school_is_refused_with_its_name(
    graduates, first_year, other_first_year, middle_registrar, other_middle_registrar, bureau_officer
):
    first = promotion_start(placements=[(graduates[0].pk, other_first_year)], by=other_middle_registrar)

    with pytest.raises(Conflict) as refused:
        promotion_start(placements=[(graduates[0].pk, first_year), (graduates[1].pk, first_year)], by=middle_registrar)
    assert refused.value.messages == [f"{graduates[0].name}已被龙游县东华初级中学选报升学（申请 #{first.pk}）。"]

    decide(bureau_officer, first)
    with pytest.raises(Conflict) as refused:
        promotion_start(placements=[(graduates[0].pk, first_year)], by=middle_registrar)
    assert refused.value.messages == [f"{graduates[0].name}已在龙游县东华初级中学就读。"]


def test_another_countys_graduates_are_invisible(
    graduates, wuyi_graduate, first_year, middle_registrar, wuyi_middle_registrar
):
    assert set(graduates_for_promotion(middle_registrar)) == set(graduates)
    assert list(graduates_for_promotion(wuyi_middle_registrar)) == [wuyi_graduate]
    with pytest.raises(ValidationError) as refused:
        promotion_start(placements=[(wuyi_graduate.pk, first_year)], by=middle_registrar)
    assert refused.value.message_dict == {"student": [f"没有找到学生 {wuyi_graduate.pk}。"]}
    assert not Request.objects.filter(kind=Request.Kind.PROMOTION).exists()


def test_only_first_year_classes_of_the_own_school_and_only_graduates(
    graduates, first_year, other_first_year, middle_registrar, sixth_pupils, registrar
):
    with pytest.raises(ValidationError) as refused:
        promotion_start(placements=[(graduates[0].pk, other_first_year)], by=middle_registrar)
    assert "to_class" in refused.value.message_dict
    with pytest.raises(Conflict) as refused:
        promotion_start(placements=[(sixth_pupils[0].pk, first_year)], by=middle_registrar)
    assert refused.value.messages == [f"{sixth_pupils[0].name}已在龙游县实验小学就读。"]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        promotion_start(placements=[(graduates[0].pk, first_year)], by=registrar)
