"""A school's accounts on the API (/api/v1/schools/{identifier}/accounts/): the page's rules."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client
from rest_framework.test import APIClient

from records.models import Membership, RegistrarChange, Role

from .calls import errors

User = get_user_model()


def _url(school, username: str = "") -> str:
    return f"/api/v1/schools/{school.identifier}/accounts/" + (f"{username}/" if username else "")


def _open(client, school, **body):
    data = {"username": "qian.xin", "full_name": "钱新", "role": "registrar"}
    data.update(body)
    return client.post(_url(school), data, format="json")


def test_the_office_lists_its_school_accounts(api_for, academic_office, registrar, subject_teacher, receiving_registrar, school_a):
    response = api_for(academic_office).get(_url(school_a))

    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()["results"]}
    assert set(rows) == {"office_a", "registrar_a", "math_a"}
    assert rows["math_a"]["subject"] == "math"
    assert rows["math_a"]["class_code"] == subject_teacher.membership.school_class.code
    assert rows["registrar_a"]["is_active"] is True


def test_opening_an_account_returns_its_one_time_password_which_signs_in(api_for, academic_office, school_a, class_a):
    response = _open(
        api_for(academic_office), school_a, username="sun.t", full_name="孙老师", role="class_teacher",
        class_code=class_a.code,
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["role"], body["class_code"], body["must_change_password"]) == ("class_teacher", class_a.code, True)
    # It signs in on the pages; the API waits until the first login has replaced it.
    assert Client().login(request=HttpRequest(), username="sun.t", password=body["initial_password"])
    token = APIClient().post("/api/v1/auth/token/", {"username": "sun.t", "password": body["initial_password"]})
    assert token.status_code == 403
    assert token.json()["detail"].startswith("请先修改初始密码")
    listed = api_for(academic_office).get(_url(school_a, "sun.t")).json()
    assert "initial_password" not in listed


@pytest.mark.parametrize("role", ["bureau_officer", "admin"])
def test_bureau_and_admin_accounts_are_refused_naming_the_role(api_for, academic_office, school_a, role):
    response = _open(api_for(academic_office), school_a, role=role)

    assert response.status_code == 400
    assert "role" in errors(response)
    assert not User.objects.filter(username="qian.xin").exists()


def test_a_class_of_another_school_is_refused(api_for, academic_office, school_a, class_b):
    response = _open(api_for(academic_office), school_a, role="class_teacher", class_code=class_b.code)

    assert response.status_code == 400
    assert "class_code" in errors(response)


def test_a_subject_teacher_without_subject_is_refused_in_english(api_for, academic_office, school_a, class_a):
    response = api_for(academic_office, language="en").post(
        _url(school_a), {"username": "x.y", "full_name": "X", "role": "subject_teacher", "class_code": class_a.code},
        format="json",
    )

    assert response.status_code == 400
    assert errors(response)["subject"] == ["A subject teacher must have a subject."]


def test_another_school_is_not_found_and_other_roles_are_refused(
    api_for, academic_office, registrar, bureau_officer, school_a, school_b, school_c
):
    office = api_for(academic_office)
    assert office.get(_url(school_b)).status_code == 404
    assert _open(office, school_b).status_code == 404
    assert api_for(registrar).get(_url(school_a)).status_code == 403
    # The bureau sees its schools, but their accounts are the schools' own.
    assert api_for(bureau_officer).get(_url(school_a)).status_code == 403
    assert _open(api_for(bureau_officer), school_a).status_code == 403
    assert api_for(bureau_officer).get(_url(school_c)).status_code == 404
    assert not User.objects.filter(username="qian.xin").exists()


def test_an_administrator_opens_accounts_of_any_school(api_for, admin_user, school_c):
    response = _open(api_for(admin_user), school_c)

    assert response.status_code == 201
    assert Membership.objects.get(user__username="qian.xin").school == school_c


def test_disabling_a_teacher_stops_their_token(api_for, academic_office, class_teacher, school_a):
    teacher = api_for(class_teacher)
    assert teacher.get("/api/v1/me/").status_code == 200

    response = api_for(academic_office).patch(_url(school_a, "teacher_a"), {"is_active": False}, format="json")

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert teacher.get("/api/v1/me/").status_code == 401
    enabled = api_for(academic_office).patch(_url(school_a, "teacher_a"), {"is_active": True}, format="json")
    assert enabled.json()["is_active"] is True


def test_the_office_cannot_disable_itself(api_for, academic_office, school_a):
    response = api_for(academic_office).patch(_url(school_a, "office_a"), {"is_active": False}, format="json")

    assert response.status_code == 400
    assert errors(response)["is_active"] == ["不能停用自己的账号。"]
    academic_office.refresh_from_db()
    assert academic_office.is_active


def test_a_bureau_account_is_not_among_the_school_accounts(api_for, academic_office, bureau_officer, school_a):
    response = api_for(academic_office).patch(_url(school_a, bureau_officer.username), {"is_active": False}, format="json")

    assert response.status_code == 404
    bureau_officer.refresh_from_db()
    assert bureau_officer.is_active


def test_a_new_registrar_on_the_api_is_recorded_for_the_bureau(api_for, academic_office, registrar, school_a):
    _open(api_for(academic_office), school_a)

    [change] = RegistrarChange.objects.all()
    assert (change.school, change.old_registrar, change.new_registrar.username) == (school_a, registrar, "qian.xin")
    assert change.new_registrar.membership.role == Role.REGISTRAR


def test_a_new_initial_password_on_the_api_replaces_the_old_and_its_token(api_for, academic_office, class_teacher, school_a):
    teacher = api_for(class_teacher)

    response = api_for(academic_office).post(_url(school_a, "teacher_a") + "password/")

    assert response.status_code == 200
    password = response.json()["initial_password"]
    assert teacher.get("/api/v1/me/").status_code == 401
    # The new one-time password signs in on the pages, and the API waits for its change.
    assert Client().login(request=HttpRequest(), username="teacher_a", password=password)
    token = APIClient().post("/api/v1/auth/token/", {"username": "teacher_a", "password": password})
    assert token.status_code == 403
    assert Membership.objects.get(user__username="teacher_a").must_change_password is True


def test_no_password_reset_for_oneself_or_a_bureau(api_for, academic_office, bureau_officer, school_a):
    office = api_for(academic_office)

    own = office.post(_url(school_a, "office_a") + "password/")
    assert own.status_code == 400 and "password" in errors(own)
    assert office.post(_url(school_a, bureau_officer.username) + "password/").status_code == 404
