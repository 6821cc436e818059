"""The promotion and rollover pages: who may open them, what they show, and that they work."""

from __future__ import annotations

import pytest

from config.celery import app
from flows.models import Promotion, Request
from records.models import Rollover, SchoolClass
from tests.factories import SchoolClassFactory, StudentFactory


@pytest.fixture
def graduates(sixth, registrar):
    return [StudentFactory(school_class=sixth, by=registrar, graduated=True) for _ in range(2)]


@pytest.fixture
def wuyi_graduate(school_c, other_county_registrar):
    return StudentFactory(
        school_class=SchoolClassFactory(school=school_c, grade=6), by=other_county_registrar, graduated=True
    )


@pytest.fixture
def eager_celery():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_the_promotion_page_lists_the_regions_graduates_only(
    client_for, graduates, wuyi_graduate, first_year, middle_registrar
):
    page = client_for(middle_registrar).get("/promotion/new/")
    text = page.content.decode()
    assert page.status_code == 200
    assert all(g.student_number in text for g in graduates)
    assert wuyi_graduate.student_number not in text


@pytest.mark.parametrize("who", ["registrar", "bureau_officer", "class_teacher"])
def test_only_a_middle_school_registrar_opens_the_promotion_page(client_for, who, request):
    assert client_for(request.getfixturevalue(who)).get("/promotion/new/").status_code == 403


def test_promotion_is_started_from_the_page_with_a_class_for_each_pupil(
    client_for, graduates, first_year, middle_registrar
):
    data = {"student": [g.pk for g in graduates], **{f"class_{g.pk}": first_year.pk for g in graduates}}
    response = client_for(middle_registrar).post("/promotion/new/", data)
    promotion = Promotion.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/{promotion.pk}/"
    assert promotion.state == Request.State.OPEN


def test_a_pupil_without_a_class_is_refused_and_nothing_is_started(client_for, graduates, first_year, middle_registrar):
    data = {"student": [g.pk for g in graduates], f"class_{graduates[0].pk}": first_year.pk}
    page = client_for(middle_registrar).post("/promotion/new/", data)
    assert page.status_code == 200 and "请为每名选中的学生选择编入班级" in page.content.decode()
    assert not Promotion.objects.exists()


def test_the_rollover_page_previews_the_bureaus_classes(client_for, class_a, class_b, school_c, bureau_officer):
    wuyi_class = SchoolClassFactory(school=school_c, grade=2)
    page = client_for(bureau_officer).get("/rollover/", {"school_year": 2025})
    text = page.content.decode()
    assert page.status_code == 200
    assert class_a.code in text and class_b.code in text
    assert wuyi_class.code not in text


def test_a_teacher_cannot_open_the_rollover_page(client_for, class_teacher):
    assert client_for(class_teacher).get("/rollover/").status_code == 403


def test_confirming_on_the_page_moves_the_classes_up_and_reports_progress(
    client_for, class_a, bureau_officer, other_bureau_officer, eager_celery, django_capture_on_commit_callbacks
):
    client = client_for(bureau_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rollover/", {"school_year": 2025})
    rollover = Rollover.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rollover/{rollover.pk}/"
    assert SchoolClass.objects.get(pk=class_a.pk).grade == class_a.grade + 1

    progress = client.get(f"/rollover/{rollover.pk}/progress/").json()
    assert progress["finished"] is True
    assert client.get(f"/rollover/{rollover.pk}/").status_code == 200
    assert client_for(other_bureau_officer).get(f"/rollover/{rollover.pk}/").status_code == 404
    assert client_for(other_bureau_officer).get(f"/rollover/{rollover.pk}/progress/").status_code == 404
