"""records.services.class_transfer: a whole class moves to another school in one batch (整班转学)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records import services
from records.models import Placement, SchoolClass, Student
from tests.factories import SchoolClassFactory, StudentFactory


def class_of(size: int, school, registrar):
    school_class = SchoolClassFactory(school=school)
    return school_class, [StudentFactory(school_class=school_class, by=registrar) for _ in range(size)]


def queries_to_move(size: int, school_a, school_b, registrar) -> int:
    from_class, pupils = class_of(size, school_a, registrar)
    with CaptureQueriesContext(connection) as captured:
        services.class_transfer(
            from_class=from_class, students=pupils, to_school=school_b, new_class_name=f"转入{size}人班", by=registrar
        )
    return len(captured.captured_queries)


def test_every_student_moves_with_the_same_number_and_the_class_closes(school_a, school_b, registrar):
    from_class, pupils = class_of(3, school_a, registrar)
    numbers = [p.student_number for p in pupils]

    to_class = services.class_transfer(
        from_class=from_class, students=pupils, to_school=school_b, new_class_name="三年级(9)班", by=registrar
    )

    moved = Student.objects.filter(pk__in=[p.pk for p in pupils]).order_by("pk")
    assert [(s.school, s.open_placement.school_class, s.student_number) for s in moved] == [
        (school_b, to_class, n) for n in numbers
    ]
    assert (to_class.name, to_class.grade, to_class.entry_year) == ("三年级(9)班", from_class.grade, from_class.entry_year)
    from_class.refresh_from_db()
    assert from_class.state == SchoolClass.State.DISSOLVED
    ended = Placement.objects.filter(school_class=from_class).values_list("end_reason", flat=True)
    assert list(ended) == ["整班转学"] * 3
    # The move is in each student's history, by the one who approved it.
    assert all(s.history.first().history_user == registrar for s in moved)


def test_the_queries_do_not_grow_with_the_class(school_a, school_b, registrar):
    assert queries_to_move(2, school_a, school_b, registrar) == queries_to_move(12, school_a, school_b, registrar)


def test_one_student_who_may_not_move_keeps_the_whole_class(school_a, school_b, registrar):
    from_class, pupils = class_of(3, school_a, registrar)
    services.student_drop_out(
        student=pupils[1], reason=services.code_get("dropout_reason", "1"), by=registrar, remark="辍学"
    )

    with pytest.raises(ValidationError) as refused:
        services.class_transfer(from_class=from_class, students=pupils, to_school=school_b, new_class_name="x", by=registrar)

    assert refused.value.messages == [f"{pupils[1].name}（{pupils[1].student_number}）：学籍状态为“流失”，不能办理整班转学。"]
    assert sorted(Placement.objects.filter(school_class=from_class, ended_on__isnull=True).values_list("student_id", flat=True)) == sorted(
        [pupils[0].pk, pupils[2].pk]
    )
    assert not SchoolClass.objects.filter(school=school_b, name="x").exists()
