"""The register's pages: who sees what, first login, lockout, the student list's queries, history."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records import services
from records.models import CodeTable, Membership, Role, SchoolClass, Student
from tests.factories import DEFAULT_PASSWORD, StudentFactory, UserFactory, code

# --- Helpers and fixtures not in tests/conftest.py ---------------------------------------------


@pytest.fixture
def class_a2_teacher(class_a2):
    return UserFactory(username="teacher_a2", role=Role.CLASS_TEACHER, school=class_a2.school, school_class=class_a2)


@pytest.fixture
def world(class_a, class_a2, class_b, class_c, registrar):
    """One student in each class: two classes of school_a, one of school_b (same county), one of
    school_c (another county)."""
    return {
        "a": StudentFactory(school_class=class_a, by=registrar, name="甲一"),
        "a2": StudentFactory(school_class=class_a2, by=registrar, name="甲二"),
        "b": StudentFactory(school_class=class_b, name="乙一"),
        "c": StudentFactory(school_class=class_c, name="丙一"),
    }


def _get(client: Client, url: str, **params):
    return client.get(url, params)


def _text(response) -> str:
    return response.content.decode()


def _names_in_list(response) -> set[str]:
    return {student.name for student in response.context["students"]}


# --- Anonymous visitors and the login page -----------------------------------------------------


@pytest.mark.parametrize("name", ["home", "student_list", "class_list", "password_change"])
def test_pages_send_anonymous_visitors_to_login(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_in_chinese_with_the_product_name(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "学籍管理系统" in _text(response)
    assert "Xueji" in _text(response)
    assert "用户名" in _text(response) and "密码" in _text(response)


def test_login_with_own_account_lands_on_home(client, registrar):
    response = client.post(reverse("login"), {"username": "registrar_a", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_logout_ends_the_session(client_for, registrar):
    client = client_for(registrar)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


# --- Lockout (django-axes) ----------------------------------------------------------------------


def test_five_failed_logins_lock_the_account_with_a_chinese_message(client, registrar):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "registrar_a", "password": "wrong-password"})
        assert response.status_code == 200
        assert "用户名或密码不正确" in _text(response)

    response = client.post(reverse("login"), {"username": "registrar_a", "password": "wrong-password"})

    assert response.status_code == 429
    assert "账号已被锁定" in _text(response)
    assert "密码连续输错 5 次" in _text(response)
    assert "请在 1 小时后再试" in _text(response)

    # The right password does not open a locked account either.
    response = client.post(reverse("login"), {"username": "registrar_a", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert client.get(reverse("home")).status_code == 302


def test_lockout_is_per_account_not_per_school_address(client, registrar, academic_office):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "registrar_a", "password": "wrong-password"})

    # Same address (the school's NAT), another person: not locked.
    response = client.post(reverse("login"), {"username": "office_a", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302


# --- First login: the initial password must be changed ------------------------------------------


@pytest.fixture
def new_registrar(school_a):
    return UserFactory(username="new_registrar", role=Role.REGISTRAR, school=school_a, must_change_password=True)


def test_first_login_goes_to_password_change_until_it_is_changed(client_for, new_registrar, student):
    client = client_for(new_registrar)

    for url in (reverse("home"), reverse("student_list"), reverse("student_detail", args=[student.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("password_change")

    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "这是您第一次登录" in _text(page)

    response = client.post(
        reverse("password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": "Longyou-new-2026", "new_password2": "Longyou-new-2026"},
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert Membership.objects.get(user=new_registrar).must_change_password is False
    assert client.get(reverse("home")).status_code == 200
    new_registrar.refresh_from_db()
    assert new_registrar.check_password("Longyou-new-2026")


def test_the_initial_password_cannot_be_kept(client_for, new_registrar):
    client = client_for(new_registrar)

    response = client.post(
        reverse("password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": DEFAULT_PASSWORD, "new_password2": DEFAULT_PASSWORD},
    )

    assert response.status_code == 200
    assert "新密码不能与原密码相同" in _text(response)
    assert Membership.objects.get(user=new_registrar).must_change_password is True


# --- Home page per role -------------------------------------------------------------------------


def test_registrar_home_shows_the_school_counts(client_for, registrar, world, class_a):
    services.student_suspend(
        student=StudentFactory(school_class=class_a, by=registrar),
        until=datetime.date(2099, 1, 1),
        by=registrar,
    )

    response = client_for(registrar).get(reverse("home"))

    assert response.status_code == 200
    school = response.context["school"]
    assert school == registrar.membership.school
    assert (school.enrolled_count, school.suspended_count, school.class_count) == (2, 1, 2)
    assert "龙游县实验小学" in _text(response)
    assert 'id="home-tasks"' in _text(response)


def test_academic_office_home_shows_the_school(client_for, academic_office, world):
    response = client_for(academic_office).get(reverse("home"))

    assert response.status_code == 200
    assert response.context["school"].enrolled_count == 2


def test_class_teacher_home_shows_only_the_class(client_for, class_teacher, world, class_a):
    response = client_for(class_teacher).get(reverse("home"))

    assert response.status_code == 200
    assert response.context["school_class"] == class_a
    assert response.context["school_class"].size == 1
    assert "school" not in response.context or response.context.get("school") is None


def test_subject_teacher_home_shows_the_class_and_subject(client_for, subject_teacher, world, class_a):
    response = client_for(subject_teacher).get(reverse("home"))

    assert response.status_code == 200
    assert response.context["school_class"] == class_a
    assert "数学" in _text(response)


def test_bureau_officer_home_lists_the_county_schools_with_counts(client_for, bureau_officer, world):
    response = client_for(bureau_officer).get(reverse("home"))

    assert response.status_code == 200
    schools = {school.name: school.enrolled_count for school in response.context["schools_page"]}
    assert schools == {"龙游县实验小学": 2, "龙游县东华小学": 1}
    assert "武义县壶山小学" not in _text(response)
    assert response.context["totals"]["enrolled"] == 3


def test_city_officer_home_includes_the_counties_below(client_for, city_officer, world):
    response = client_for(city_officer).get(reverse("home"))

    names = {school.name for school in response.context["schools_page"]}
    assert names == {"龙游县实验小学", "龙游县东华小学"}


def test_admin_home_links_to_the_admin_site(client_for, admin_user):
    response = client_for(admin_user).get(reverse("home"))

    assert response.status_code == 200
    assert reverse("admin:records_membership_changelist") in _text(response)
    assert reverse("admin:records_code_changelist") in _text(response)


def test_menu_offers_the_admin_site_to_administrators_only(client_for, admin_user, registrar):
    assert reverse("admin:index") in _text(client_for(admin_user).get(reverse("home")))
    assert reverse("admin:index") not in _text(client_for(registrar).get(reverse("home")))


# --- Student list ---------------------------------------------------------------------------------


def test_registrar_lists_only_the_school_students(client_for, registrar, world):
    response = client_for(registrar).get(reverse("student_list"))

    assert response.status_code == 200
    assert _names_in_list(response) == {"甲一", "甲二"}


def test_class_teacher_lists_only_the_class(client_for, class_teacher, world):
    response = client_for(class_teacher).get(reverse("student_list"))

    assert _names_in_list(response) == {"甲一"}


def test_bureau_officer_lists_the_county_only(client_for, bureau_officer, world):
    response = client_for(bureau_officer).get(reverse("student_list"))

    assert _names_in_list(response) == {"甲一", "甲二", "乙一"}


def test_other_county_sees_none_of_these_students(client_for, other_bureau_officer, world):
    response = client_for(other_bureau_officer).get(reverse("student_list"))

    assert _names_in_list(response) == {"丙一"}


def test_filtering_by_another_school_reveals_nothing(client_for, registrar, world, school_c):
    response = _get(client_for(registrar), reverse("student_list"), school=school_c.identifier)

    assert _names_in_list(response) == {"甲一", "甲二"}  # the foreign school is not a choice: ignored


def test_student_list_search_and_filters(client_for, bureau_officer, world, school_a, class_a2, registrar):
    client = client_for(bureau_officer)
    services.student_suspend(
        student=world["a"], until=datetime.date(2099, 1, 1), by=registrar, reason="因病休学"
    )

    assert _names_in_list(_get(client, reverse("student_list"), q="甲")) == {"甲一", "甲二"}
    number = world["b"].student_number
    assert _names_in_list(_get(client, reverse("student_list"), q=number[-8:])) == {"乙一"}
    assert _names_in_list(_get(client, reverse("student_list"), school=school_a.identifier)) == {"甲一", "甲二"}
    assert _names_in_list(
        _get(client, reverse("student_list"), school=school_a.identifier, class_code=class_a2.code)
    ) == {"甲二"}
    assert _names_in_list(_get(client, reverse("student_list"), status="suspended")) == {"甲一"}
    assert _names_in_list(_get(client, reverse("student_list"), grade=3)) == {"甲二", "乙一"}
    assert _names_in_list(_get(client, reverse("student_list"), grade=4)) == set()


def test_student_list_shows_the_current_class(client_for, registrar, world, class_a2):
    response = client_for(registrar).get(reverse("student_list"))

    rows = {student.name: student.current_class_name for student in response.context["students"]}
    assert rows == {"甲一": world["a"].open_placement.school_class.name, "甲二": class_a2.name}
    assert reverse("class_detail", args=[class_a2.pk]) in _text(response)


def test_student_list_pages_by_fifty(client_for, registrar, class_a):
    for _n in range(51):
        StudentFactory(school_class=class_a, by=registrar)
    client = client_for(registrar)

    first = client.get(reverse("student_list"), {"status": "enrolled"})
    second = client.get(reverse("student_list"), {"status": "enrolled", "page": 2})

    assert len(first.context["students"]) == 50
    assert len(second.context["students"]) == 1
    assert "status=enrolled&amp;page=2" in _text(first)  # the next page keeps the filter


def test_student_list_query_count_does_not_grow_with_the_students(client_for, bureau_officer, world, class_a, class_b):
    client = client_for(bureau_officer)
    client.get(reverse("student_list"))  # warm up: session, content types

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("student_list")).status_code == 200
    for _n in range(12):
        StudentFactory(school_class=class_a)
        StudentFactory(school_class=class_b)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("student_list"))

    assert len(response.context["students"]) == 3 + 24
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]
    # With the side menu's count of open tasks.
    assert len(many.captured_queries) <= 9


# --- Student detail -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("registrar", 200),
        ("academic_office", 200),
        ("class_teacher", 200),
        ("subject_teacher", 200),
        ("bureau_officer", 200),
        ("city_officer", 200),
        ("admin_user", 200),
        ("receiving_registrar", 404),  # another school of the same county
        ("other_county_registrar", 404),
        ("other_bureau_officer", 404),
        ("class_a2_teacher", 404),  # the same school, another class
    ],
)
def test_student_detail_is_seen_only_by_its_school_class_and_region(request, client_for, student, user_fixture, status):
    user = request.getfixturevalue(user_fixture)

    response = client_for(user).get(reverse("student_detail", args=[student.pk]))

    assert response.status_code == status
    if status == 404:
        assert student.name not in _text(response)
        assert "页面不存在" in _text(response)


def test_student_detail_groups_the_record_as_the_national_form(client_for, registrar, student):
    response = client_for(registrar).get(reverse("student_detail", args=[student.pk]))

    page = _text(response)
    titles = [title for title, _items in response.context["groups"]]
    assert titles == ["基本信息", "身份证件", "户口信息", "学籍信息", "家庭与特殊标识", "联系与交通"]
    assert student.student_number in page
    assert "汉族" in page and "居民身份证" in page and "农业户口" in page  # code names, not ids
    assert f"{student.name[0]}建国" in page  # the guardian
    assert student.open_placement.school_class.name in page
    assert "可办理的业务" in page
    assert "<button" not in page.split('id="student-actions"')[1].split("</div>")[0]


def test_history_shows_who_changed_what_from_old_to_new(client_for, registrar, bureau_officer, student):
    services.student_update(
        student=student,
        data={"contact_phone": "13905701234", "transport": code(CodeTable.TRANSPORT, "4"), "school_bus": True},
        by=registrar,
    )

    response = client_for(bureau_officer).get(reverse("student_detail", args=[student.pk]))

    latest = response.context["history"][0]
    assert latest.user_display == "王学籍"
    assert latest.subject == "学籍"
    changes = {change.label: (change.old, change.new) for change in latest.changes}
    assert changes == {
        "联系电话": ("—", "13905701234"),
        "上下学方式": ("—", "校车"),
        "是否需要乘坐校车": ("否", "是"),
    }
    page = _text(response)
    assert "王学籍" in page
    assert "13905701234" in page and "校车" in page


def test_history_merges_placements_and_family_members(client_for, registrar, student, class_a, class_a2):
    guardian = student.family_members.get()
    services.family_members_replace(
        student=student,
        members=[{"name": guardian.name, "relationship": guardian.relationship, "is_guardian": True, "phone": "13600001111"}],
        by=registrar,
    )
    services.student_transfer(student=student, to_class=class_a2, by=registrar, reason="调班")

    history = client_for(registrar).get(reverse("student_detail", args=[student.pk])).context["history"]

    described = [(entry.subject, entry.action, entry.summary) for entry in history]
    assert ("在班记录", "新建", f"编入 {class_a2}") in described
    assert (f"在班记录（{class_a}）", "修改", "") in described
    phone = next(entry for entry in history if entry.subject.startswith("家庭成员1"))
    assert [(c.label, c.old, c.new) for c in phone.changes] == [("联系电话", "13800000000", "13600001111")]
    assert [entry.when for entry in history] == sorted((entry.when for entry in history), reverse=True)
    assert history[-1].summary == "建立学籍"
    assert all(entry.user_display == "王学籍" for entry in history)


def test_history_keeps_the_old_status_by_its_label(client_for, registrar, student):
    services.student_suspend(student=student, until=datetime.date(2099, 1, 1), by=registrar, reason="因病")

    history = client_for(registrar).get(reverse("student_detail", args=[student.pk])).context["history"]

    status_change = next(entry for entry in history if any(c.label == "学籍状态" for c in entry.changes))
    assert ("学籍状态", "在籍", "休学") in [(c.label, c.old, c.new) for c in status_change.changes]
    assert status_change.reason == "因病"


def test_student_detail_query_count_does_not_grow_with_history(client_for, registrar, student):
    client = client_for(registrar)
    url = reverse("student_detail", args=[student.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for phone in ("13900000001", "13900000002", "13900000003", "13900000004"):
        services.student_update(student=student, data={"contact_phone": phone, "transport": code(CodeTable.TRANSPORT, "0")}, by=registrar)

    with CaptureQueriesContext(connection) as long:
        response = client.get(url)

    assert len(response.context["history"]) > 4
    assert len(long.captured_queries) == len(short.captured_queries) + 1  # the transport codes, in one query


# --- Classes --------------------------------------------------------------------------------------


def test_registrar_lists_the_school_classes_with_their_size(client_for, registrar, world, class_a, class_a2):
    StudentFactory(school_class=class_a2, by=registrar)

    response = client_for(registrar).get(reverse("class_list"))

    assert response.status_code == 200
    assert {c.name: c.size for c in response.context["classes"]} == {class_a.name: 1, class_a2.name: 2}


def test_class_teacher_lists_only_the_own_class(client_for, class_teacher, world, class_a):
    response = client_for(class_teacher).get(reverse("class_list"))

    assert list(response.context["classes"]) == [class_a]


def test_bureau_officer_filters_classes_by_school(client_for, bureau_officer, world, school_b, class_b):
    response = client_for(bureau_officer).get(reverse("class_list"), {"school": school_b.identifier})

    assert list(response.context["classes"]) == [class_b]


def test_class_list_query_count_does_not_grow_with_the_classes(client_for, bureau_officer, world):
    client = client_for(bureau_officer)
    client.get(reverse("class_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("class_list"))
    for grade in (1, 2, 4, 5):
        services.class_create(school=world["a"].school, grade=grade, entry_year=2024, by=None)
        services.class_create(school=world["b"].school, grade=grade, entry_year=2024, by=None)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("class_list"))

    assert len(response.context["classes"]) == 3 + 8
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("registrar", 200),
        ("class_teacher", 200),
        ("bureau_officer", 200),
        ("receiving_registrar", 404),
        ("other_bureau_officer", 404),
        ("class_a2_teacher", 404),
    ],
)
def test_class_detail_is_seen_only_within_scope(request, client_for, world, class_a, user_fixture, status):
    response = client_for(request.getfixturevalue(user_fixture)).get(reverse("class_detail", args=[class_a.pk]))

    assert response.status_code == status


def test_class_detail_shows_the_roster(client_for, class_teacher, world, class_a):
    response = client_for(class_teacher).get(reverse("class_detail", args=[class_a.pk]))

    assert [student.name for student in response.context["roster"]] == ["甲一"]
    assert class_a.code in _text(response)


def test_dissolved_classes_are_hidden_until_asked_for(client_for, registrar, school_a, class_a):
    empty = services.class_create(school=school_a, grade=4, entry_year=2024, by=registrar)
    services.class_dissolve(school_class=empty, by=registrar)
    client = client_for(registrar)

    assert empty not in client.get(reverse("class_list")).context["classes"]
    assert empty in client.get(reverse("class_list"), {"state": SchoolClass.State.DISSOLVED}).context["classes"]


# --- Admin site -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["code", "region", "bureau", "school", "schoolclass", "student", "placement", "membership"]
)
def test_admin_lists_every_records_model(client_for, admin_user, student, model):
    response = client_for(admin_user).get(reverse(f"admin:records_{model}_changelist"))

    assert response.status_code == 200


def test_admin_site_is_closed_to_school_staff(client_for, registrar, student):
    client = client_for(registrar)

    for url in (reverse("admin:index"), reverse("admin:records_student_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_students_are_read_only_in_the_admin(client_for, admin_user, student):
    client = client_for(admin_user)
    change_url = reverse("admin:records_student_change", args=[student.pk])

    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in _text(page)
    assert client.get(reverse("admin:records_student_add")).status_code == 403
    assert client.post(reverse("admin:records_student_delete", args=[student.pk]), {"post": "yes"}).status_code == 403
    version = student.history.earliest()
    revert_url = reverse("admin:records_student_simple_history", args=[student.pk, version.history_id])
    assert client.post(revert_url, {}).status_code == 403


def test_admin_opens_a_class_with_a_generated_code(client_for, admin_user, school_a):
    response = client_for(admin_user).post(
        reverse("admin:records_schoolclass_add"), {"school": school_a.pk, "grade": 2, "entry_year": 2025, "name": ""}
    )

    assert response.status_code == 302
    opened = SchoolClass.objects.get(school=school_a, grade=2)
    assert re.fullmatch(r"120\d{6}001", opened.code)
    assert opened.name == "二年级(1)班"


def test_admin_refuses_a_grade_the_school_does_not_have(client_for, admin_user, school_a):
    response = client_for(admin_user).post(
        reverse("admin:records_schoolclass_add"), {"school": school_a.pk, "grade": 8, "entry_year": 2025, "name": ""}
    )

    assert response.status_code == 200
    assert not SchoolClass.objects.filter(school=school_a, grade=8).exists()


def test_a_demoted_administrator_loses_admin_rights(client_for, admin_user, school_a):
    membership = admin_user.membership
    response = client_for(admin_user).post(
        reverse("admin:records_membership_change", args=[membership.pk]),
        {"user": admin_user.pk, "role": Role.REGISTRAR, "school": school_a.pk, "subject": "", "must_change_password": ""},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    admin_user.refresh_from_db()
    assert (admin_user.is_staff, admin_user.is_superuser) == (False, False)
    assert list(admin_user.groups.values_list("name", flat=True)) == [Role.REGISTRAR]
    assert membership.history.latest().history_user == admin_user


# --- Language ---------------------------------------------------------------------------------------


def test_pages_are_available_in_english(client_for, registrar, student):
    client = client_for(registrar)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = _text(client.get(reverse("student_detail", args=[student.pk])))

    assert "Basic information" in page
    assert "Change history" in page


def test_list_filters_offer_only_what_the_user_sees(client_for, registrar, bureau_officer, world, school_a, school_b):
    registrar_form = client_for(registrar).get(reverse("student_list")).context["filter_form"]
    officer_form = client_for(bureau_officer).get(reverse("student_list")).context["filter_form"]

    assert "school" not in registrar_form.fields  # one school: nothing to choose
    assert {value for value, _label in registrar_form.fields["class_code"].choices} == {
        "", world["a"].open_placement.school_class.code, world["a2"].open_placement.school_class.code
    }
    assert {value for value, _label in officer_form.fields["school"].choices} == {"", school_a.identifier, school_b.identifier}
    assert [value for value, _label in officer_form.fields["status"].choices] == ["", *Student.Status.values]
