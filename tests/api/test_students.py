"""GET /api/v1/students/, GET /api/v1/students/{id}/, POST /api/v1/students/lookup/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from records import services
from records.serializers import CodeField
from tests.factories import StudentFactory, code

from .calls import errors


def test_a_registrar_lists_the_schools_students_with_national_codes(api_for, registrar, student, class_a, school_a):
    StudentFactory(school_class=class_a)

    response = api_for(registrar).get("/api/v1/students/", {"q": student.name})

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["results"] == [
        {
            "id": student.pk,
            "student_number": student.student_number,
            "name": student.name,
            "gender": student.gender.code,
            "birth_date": student.birth_date.isoformat(),
            "status": "enrolled",
            "school": school_a.identifier,
            "class_code": class_a.code,
            "class_name": class_a.name,
            "grade": 3,
        }
    ]


def test_the_list_filters_by_school_class_and_status(api_for, bureau_officer, class_a, class_b, registrar):
    enrolled = StudentFactory(school_class=class_a)
    suspended = StudentFactory(school_class=class_a, suspended=True)
    elsewhere = StudentFactory(school_class=class_b)
    client = api_for(bureau_officer)

    def ids(**query):
        response = client.get("/api/v1/students/", query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {enrolled.pk, suspended.pk, elsewhere.pk}
    assert ids(school=class_b.school.identifier) == {elsewhere.pk}
    assert ids(class_code=class_a.code) == {enrolled.pk}
    assert ids(status="suspended") == {suspended.pk}
    assert ids(q=elsewhere.student_number) == {elsewhere.pk}
    assert client.get("/api/v1/students/", {"status": "asleep"}).status_code == 400


def test_the_list_is_ordered_and_paginated(api_for, registrar, class_a):
    students = [StudentFactory(school_class=class_a) for _ in range(3)]
    by_birth = sorted(students, key=lambda s: (s.birth_date, s.pk))
    client = api_for(registrar)

    page = client.get("/api/v1/students/", {"ordering": "birth_date", "page_size": 2}).json()

    assert page["count"] == 3
    assert [row["id"] for row in page["results"]] == [s.pk for s in by_birth[:2]]
    rest = client.get(page["next"]).json()
    assert [row["id"] for row in rest["results"]] == [by_birth[2].pk]
    assert client.get("/api/v1/students/", {"page": 9}).status_code == 404


def test_no_query_per_row_in_the_student_list(api_for, bureau_officer, class_a, class_b):
    for school_class in (class_a, class_b, class_a, class_b, class_a, class_b):
        StudentFactory(school_class=school_class)
    client = api_for(bureau_officer)
    # The token's first call records when it was used (once every few minutes), not per row.
    client.get("/api/v1/me/")
    counts = []
    for size in (1, 6):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get("/api/v1/students/", {"page_size": size}).json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_other_schools_and_counties_see_none_of_the_students(
    api_for, student, receiving_registrar, other_county_registrar, other_bureau_officer, third_county_officer
):
    for user in (receiving_registrar, other_county_registrar, other_bureau_officer, third_county_officer):
        client = api_for(user)
        assert client.get("/api/v1/students/").json()["count"] == 0
        response = client.get(f"/api/v1/students/{student.pk}/")
        assert response.status_code == 404
        assert student.name not in response.content.decode()


def test_the_detail_has_the_record_family_placements_and_history(api_for, registrar, student, class_a):
    services.student_update(student=student, data={"contact_phone": "13900000000"}, by=registrar)

    response = api_for(registrar).get(f"/api/v1/students/{student.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id_type"], body["ethnicity"], body["nationality"], body["gender"]) == ("1", "01", "156", student.gender.code)
    assert body["id_number"] == student.id_number
    assert body["class_code"] == class_a.code
    assert body["family_members"] == [
        {
            "name": student.family_members.get().name,
            "relationship": "1",
            "is_guardian": True,
            "ethnicity": None,
            "work_unit": "",
            "job_title": "",
            "address": "浙江省衢州市龙游县龙洲街道",
            "household_place": "",
            "phone": "13800000000",
            "id_type": None,
            "id_number": "",
        }
    ]
    assert [(p["class_code"], p["ended_on"]) for p in body["placements"]] == [(class_a.code, None)]
    newest = body["history"][0]
    assert (newest["user"], newest["action"]) == (registrar.username, "修改")
    assert {"field": "联系电话", "old": "—", "new": "13900000000"} in newest["changes"]


def test_a_class_teacher_sees_only_the_class(api_for, class_teacher, class_a, class_a2):
    own = StudentFactory(school_class=class_a)
    other = StudentFactory(school_class=class_a2)
    client = api_for(class_teacher)
    assert [row["id"] for row in client.get("/api/v1/students/").json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/students/{other.pk}/").status_code == 404


# --- Lookup for a transfer-in ----------------------------------------------------------------------


def lookup(client, student, name=None):
    return client.post(
        "/api/v1/students/lookup/",
        {"student_number": student.student_number, "name": name or student.name},
        format="json",
    )


def test_another_schools_registrar_finds_a_student_by_number_and_name(api_for, other_county_registrar, student, class_a):
    response = lookup(api_for(other_county_registrar), student)

    assert response.status_code == 200
    assert response.json() == {
        "id": student.pk,
        "student_number": student.student_number,
        "name": student.name,
        "gender": student.gender.code,
        "birth_date": student.birth_date.isoformat(),
        "status": "enrolled",
        "school": class_a.school.identifier,
        "school_name": class_a.school.name,
        "class_code": class_a.code,
        "class_name": class_a.name,
        "grade": 3,
    }


def test_a_lookup_needs_the_exact_name(api_for, other_county_registrar, student):
    response = lookup(api_for(other_county_registrar), student, name="别人")
    assert response.status_code == 404
    assert errors(response) == {}
    assert "没有找到学籍号与姓名都相符的学生" in response.json()["detail"]


def test_only_registrars_look_up_and_not_for_their_own_students(api_for, bureau_officer, registrar, student):
    assert lookup(api_for(bureau_officer), student).status_code == 403
    own = lookup(api_for(registrar), student)
    assert own.status_code == 400
    assert errors(own) == {"non_field_errors": ["该生已在本校，无需转入。"]}


def test_a_lookup_reaches_students_of_any_county(api_for, receiving_registrar, class_c):
    far = StudentFactory(school_class=class_c, gender=code("gender", "2"))
    assert lookup(api_for(receiving_registrar), far).json()["gender"] == "2"


def test_the_api_reassigns_with_the_same_rules(api_for, student, class_a2, class_b, registrar, receiving_registrar, bureau_officer):
    url = f"/api/v1/students/{student.pk}/class/"

    moved = api_for(registrar).post(url, {"to_class": class_a2.code, "reason": "家长申请"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["class_code"] == class_a2.code

    other_school = api_for(registrar).post(url, {"to_class": class_b.code}, format="json")
    assert other_school.status_code == 400
    assert api_for(receiving_registrar).post(url, {"to_class": class_a2.code}, format="json").status_code == 404
    assert api_for(bureau_officer).post(url, {"to_class": class_a2.code}, format="json").status_code == 403
    assert student.open_placement.school_class == class_a2
def test_a_code_with_a_nul_character_is_refused_as_not_in_the_table(db):
    with pytest.raises(serializers.ValidationError, match="不在性别代码表中"):
        CodeField(table="gender", label="性别").to_internal_value("1\x00")
