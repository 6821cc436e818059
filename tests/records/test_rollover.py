"""升级: the school-year rollover moves every open non-graduating class up a grade, as one batch."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from config.celery import app
from records.models import Rollover, RolloverClass, SchoolClass
from records.services.rollover import rollover_plan, rollover_progress, rollover_queue, rollover_undo
from records.services import class_create, student_suspend
from tests.factories import SchoolClassFactory, StudentFactory

YEAR = 2025


@pytest.fixture(autouse=True)
def eager_celery():
    """The task runs in the test's process, as a worker would run it after the commit."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def county(school_a, school_b, registrar):
    """school_a: 一年级(1)班, 三年级(1)(2)班 with pupils, 五年级(1)班, 六年级(1)班; school_b: 三年级(1)班."""
    classes = {
        "a1": SchoolClassFactory(school=school_a, grade=1),
        "a3": SchoolClassFactory(school=school_a, grade=3),
        "a3b": SchoolClassFactory(school=school_a, grade=3),
        "a5": SchoolClassFactory(school=school_a, grade=5),
        "a6": SchoolClassFactory(school=school_a, grade=6),
        "b3": SchoolClassFactory(school=school_b, grade=3),
    }
    pupils = [StudentFactory(school_class=classes["a3"], by=registrar) for _ in range(2)]
    return classes, pupils


def snapshot(classes) -> dict:
    return {key: tuple(SchoolClass.objects.filter(pk=c.pk).values_list("grade", "code", "name", "state").get()) for key, c in classes.items()}


def confirm(by, django_capture_on_commit_callbacks, **scope):
    with django_capture_on_commit_callbacks(execute=True):
        rollover = rollover_queue(school_year=YEAR, by=by, **scope)
    rollover.refresh_from_db()
    return rollover


def test_preview_equals_the_result(county, longyou_bureau, bureau_officer, django_capture_on_commit_callbacks):
    classes, pupils = county
    plan = rollover_plan(school_year=YEAR, bureau=longyou_bureau)
    preview = {m.school_class.pk: (m.new_grade, m.new_code, m.new_name) for m in plan.moves}
    assert [c.pk for c in plan.needs_graduation] == [classes["a6"].pk]

    rollover = confirm(bureau_officer, django_capture_on_commit_callbacks, bureau=longyou_bureau)

    assert rollover.state == Rollover.State.APPLIED
    assert rollover_progress(rollover) | {} == {
        "id": rollover.pk, "state": "applied", "state_display": "已完成", "done": 5, "total": 5, "finished": True, "error": "",
    }
    after = {c.pk: (c.grade, c.code, c.name) for c in SchoolClass.objects.filter(pk__in=preview)}
    assert after == preview
    a1 = SchoolClass.objects.get(pk=classes["a1"].pk)
    assert (a1.grade, a1.name, a1.code[:3]) == (2, "二年级(1)班", "120")
    # 五年级(1)班 moves into 六年级 while last year's 六年级(1)班 still waits for graduation.
    a5 = SchoolClass.objects.get(pk=classes["a5"].pk)
    assert a5.grade == 6 and a5.name == f"六年级(1)班({classes['a5'].entry_year}级)"
    assert a5.code != classes["a6"].code
    # Students stay in their class; the old code is kept in the class's history and the batch.
    assert {p.open_placement.school_class_id for p in pupils} == {classes["a3"].pk}
    old = SchoolClass.history.filter(id=classes["a3"].pk).order_by("history_date")
    assert [h.code for h in old] == [classes["a3"].code, SchoolClass.objects.get(pk=classes["a3"].pk).code]
    assert old.last().history_user == bureau_officer
    assert RolloverClass.objects.get(rollover=rollover, school_class=classes["a3"]).old_code == classes["a3"].code


def test_graduating_classes_are_untouched(county, longyou_bureau, bureau_officer, django_capture_on_commit_callbacks):
    classes, _pupils = county
    before = snapshot({"a6": classes["a6"]})
    confirm(bureau_officer, django_capture_on_commit_callbacks, bureau=longyou_bureau)
    assert snapshot({"a6": classes["a6"]}) == before
    assert SchoolClass.history.filter(id=classes["a6"].pk).count() == 1


def test_undo_restores_codes_grades_and_names(county, longyou_bureau, bureau_officer, django_capture_on_commit_callbacks):
    classes, _pupils = county
    before = snapshot(classes)
    rollover = confirm(bureau_officer, django_capture_on_commit_callbacks, bureau=longyou_bureau)
    assert snapshot(classes) != before

    rollover_undo(rollover=rollover, by=bureau_officer)

    assert snapshot(classes) == before
    assert Rollover.objects.get(pk=rollover.pk).state == Rollover.State.UNDONE
    # Undone, the year can be rolled over again.
    assert confirm(bureau_officer, django_capture_on_commit_callbacks, bureau=longyou_bureau).state == Rollover.State.APPLIED


def test_undo_refused_after_the_first_status_change_of_the_new_year(
    county, longyou_bureau, bureau_officer, registrar, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    classes, pupils = county
    rollover = confirm(bureau_officer, django_capture_on_commit_callbacks, bureau=longyou_bureau)
    student_suspend(student=pupils[0], until=timezone.localdate() + datetime.timedelta(days=90), by=registrar)

    with pytest.raises(ValidationError) as refused:
        rollover_undo(rollover=rollover, by=bureau_officer)
    assert refused.value.messages == ["新学年已有学生学籍或在班记录发生变化，不能再撤销升级。"]
    assert Rollover.objects.get(pk=rollover.pk).state == Rollover.State.APPLIED


def test_undo_refused_when_a_new_class_took_an_old_code(
    county, school_a, longyou_bureau, bureau_officer, django_capture_on_commit_callbacks
):
    classes, _pupils = county
    rollover = confirm(bureau_officer, django_capture_on_commit_callbacks, bureau=longyou_bureau)
    intake = class_create(school=school_a, grade=1, entry_year=YEAR, by=None)
    assert intake.code == classes["a1"].code
    with pytest.raises(ValidationError) as refused:
        rollover_undo(rollover=rollover, by=bureau_officer)
    assert refused.value.messages == [f"原班级编码 {intake.code} 已被新建的“{intake.name}”使用。"]


def test_second_run_for_the_same_year_is_refused(
    county, school_a, longyou_bureau, bureau_officer, registrar, django_capture_on_commit_callbacks
):
    classes, _pupils = county
    confirm(bureau_officer, django_capture_on_commit_callbacks, bureau=longyou_bureau)
    after = snapshot(classes)
    with pytest.raises(ValidationError, match="2025 学年的升级已由“龙游县教育局”办理（已完成），不能重复办理。"):
        rollover_queue(school_year=YEAR, by=bureau_officer, bureau=longyou_bureau)
    # Nor may one of its schools run it again on its own.
    with pytest.raises(ValidationError, match="不能重复办理"):
        rollover_queue(school_year=YEAR, by=registrar, school=school_a)
    assert snapshot(classes) == after
    assert Rollover.objects.count() == 1


def test_a_school_rolls_over_alone_and_only_its_own(
    county, school_a, school_b, registrar, receiving_registrar, other_bureau_officer, longyou_bureau,
    django_capture_on_commit_callbacks,
):
    classes, _pupils = county
    with pytest.raises(PermissionDenied):
        rollover_queue(school_year=YEAR, by=receiving_registrar, school=school_a)
    with pytest.raises(PermissionDenied):
        rollover_queue(school_year=YEAR, by=other_bureau_officer, bureau=longyou_bureau)
    confirm(registrar, django_capture_on_commit_callbacks, school=school_a)
    assert SchoolClass.objects.get(pk=classes["a3"].pk).grade == 4
    assert SchoolClass.objects.get(pk=classes["b3"].pk).grade == 3


def test_rollover_of_a_big_county_is_a_fixed_number_of_statements(
    school_a, longyou_bureau, bureau_officer, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for grade in range(1, 6):
        for _ in range(30):
            SchoolClassFactory(school=school_a, grade=grade)
    with CaptureQueriesContext(connection) as queries:
        rollover = confirm(bureau_officer, django_capture_on_commit_callbacks, bureau=longyou_bureau)
    assert rollover.class_count == 150
    assert len(queries.captured_queries) < 40, len(queries.captured_queries)
