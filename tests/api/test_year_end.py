"""The year end on the API: kinds graduation and promotion, and the rollover endpoints."""

from __future__ import annotations

import pytest

from config.celery import app
from records.models import GraduationCertificate, SchoolClass, Student
from tests.api.calls import decide, errors, start, task_id
from tests.factories import SchoolClassFactory, StudentFactory
from tests.flows.year_end.conftest import first_year, middle, middle_registrar, sixth, sixth_pupils  # noqa: F401


@pytest.fixture(autouse=True)
def eager_celery():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_graduation_through_the_api(api_for, sixth, sixth_pupils, registrar, bureau_officer):
    kept = sixth_pupils[0]
    response = start(
        api_for(registrar), kind="graduation", class_code=sixth.code,
        exclude=[{"student": kept.pk, "reason": "结业"}], certificates={str(sixth_pupils[1].pk): "API-0001"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "graduation" and body["state"] == "open"
    students = {s["student"]: s for s in body["details"]["students"]}
    assert students[kept.pk] == {"student": kept.pk, "certificate": None, "excluded": True, "reason": "结业"}
    assert students[sixth_pupils[1].pk]["certificate"] == "API-0001"

    done = decide(api_for(bureau_officer), task_id(bureau_officer, body["id"]))
    assert done.status_code == 200, done.json()
    assert done.json()["state"] == "completed"
    assert Student.objects.get(pk=sixth_pupils[1].pk).status == "graduated"
    assert GraduationCertificate.objects.get(student=sixth_pupils[1]).number == "API-0001"


def test_graduation_errors(api_for, sixth, sixth_pupils, registrar, receiving_registrar, class_a, student):
    assert start(api_for(registrar), kind="graduation", class_code=class_a.code).status_code == 400
    # Another school's class is not visible to its registrar: 400 on the reference, never data.
    other = start(api_for(receiving_registrar), kind="graduation", class_code=sixth.code)
    assert other.status_code == 400 and "class_code" in errors(other)
    first = start(api_for(registrar), kind="graduation", class_code=sixth.code)
    assert first.status_code == 201
    again = start(api_for(registrar), kind="graduation", class_code=sixth.code)
    assert again.status_code == 409, again.json()


def test_promotion_through_the_api(api_for, sixth, registrar, first_year, middle_registrar, bureau_officer, school_c, other_county_registrar):
    graduate = StudentFactory(school_class=sixth, by=registrar, graduated=True)
    far = StudentFactory(school_class=SchoolClassFactory(school=school_c, grade=6), by=other_county_registrar, graduated=True)
    client = api_for(middle_registrar)

    invisible = start(client, kind="promotion", placements=[{"student": far.pk, "to_class": first_year.code}])
    assert invisible.status_code == 400 and "student" in errors(invisible)

    response = start(client, kind="promotion", placements=[{"student": graduate.pk, "to_class": first_year.code}])
    assert response.status_code == 201, response.json()
    assert response.json()["details"] == {"placements": [{"student": graduate.pk, "to_class": first_year.code}]}
    taken = start(client, kind="promotion", placements=[{"student": graduate.pk, "to_class": first_year.code}])
    assert taken.status_code == 409 and "龙游县第二初级中学" in taken.json()["detail"] + str(taken.json()["errors"])

    done = decide(api_for(bureau_officer), task_id(bureau_officer, response.json()["id"]))
    assert done.status_code == 200 and done.json()["state"] == "completed"
    student = Student.objects.get(pk=graduate.pk)
    assert (student.status, student.school_id, student.student_number) == ("enrolled", first_year.school_id, graduate.student_number)


def test_rollover_preview_confirm_undo(api_for, school_a, class_a, bureau_officer, other_bureau_officer, registrar, django_capture_on_commit_callbacks):
    sixth_class = SchoolClassFactory(school=school_a, grade=6)
    client = api_for(bureau_officer)

    preview = client.post("/api/v1/rollovers/preview/", {"school_year": 2025}, format="json")
    assert preview.status_code == 200
    assert [(c["old_code"], c["new_grade"]) for c in preview.json()["classes"]] == [(class_a.code, 4)]
    assert preview.json()["needs_graduation"] == [sixth_class.code]

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post("/api/v1/rollovers/", {"school_year": 2025}, format="json")
    assert confirmed.status_code == 202, confirmed.json()
    rollover_id = confirmed.json()["id"]
    body = client.get(f"/api/v1/rollovers/{rollover_id}/").json()
    assert (body["state"], body["finished"], body["done"], body["total"]) == ("applied", True, 1, 1)
    assert [(c["old_code"], c["new_code"], c["new_grade"]) for c in body["classes"]] == [
        (c["old_code"], c["new_code"], c["new_grade"]) for c in preview.json()["classes"]
    ]

    again = client.post("/api/v1/rollovers/", {"school_year": 2025}, format="json")
    assert again.status_code == 409, again.json()
    # Another county's officer does not see it at all.
    assert api_for(other_bureau_officer).get(f"/api/v1/rollovers/{rollover_id}/").status_code == 404
    assert api_for(None).post("/api/v1/rollovers/preview/", {"school_year": 2025}, format="json").status_code in (401, 403)

    undone = client.post(f"/api/v1/rollovers/{rollover_id}/undo/")
    assert undone.status_code == 200 and undone.json()["state"] == "undone"
    assert SchoolClass.objects.get(pk=class_a.pk).code == class_a.code
    assert client.post(f"/api/v1/rollovers/{rollover_id}/undo/").status_code == 409


def test_a_junior_middle_graduate_cannot_be_promoted_to_grade_seven(
    api_for, first_year, middle, middle_registrar, bureau_officer
):
    ninth = SchoolClassFactory(school=middle, grade=9)
    junior_graduate = StudentFactory(school_class=ninth, by=middle_registrar, graduated=True)

    refused = start(
        api_for(middle_registrar), kind="promotion", placements=[{"student": junior_graduate.pk, "to_class": first_year.code}]
    )

    assert refused.status_code == 409
    assert "只有小学毕业生可以升入七年级" in refused.json()["detail"]
    student = Student.objects.get(pk=junior_graduate.pk)
    assert (student.status, student.school_id) == ("graduated", middle.pk)
    assert not student.placements.filter(ended_on__isnull=True).exists()
