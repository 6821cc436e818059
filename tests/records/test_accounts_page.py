"""账号管理: a school's academic office opens, disables and enables the school's own accounts
(policy texts 篇1 一), and a change of registrar is reported to the county bureau (篇10 五.一)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from notifications.sweeps import deliver_missed
from notifications.tasks import deliver_registrar_change
from records.models import Membership, RegistrarChange, Role
from tests.factories import DEFAULT_PASSWORD, UserFactory

User = get_user_model()


def _text(response) -> str:
    return response.content.decode()


def _open(client, **fields):
    data = {"full_name": "钱新", "username": "qian.xin", "role": "registrar", "school_class": "", "subject": ""}
    data.update(fields)
    return client.post(reverse("school_account_new"), data)


def _password_shown(response) -> str:
    match = re.search(r'id="initial-password"[^>]*>([^<]+)<', _text(response))
    assert match, "the page shows no initial password"
    return match.group(1).strip()


def _login(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, "login failed"
    return client


# --- The list -----------------------------------------------------------------------------------------


def test_the_office_sees_its_school_accounts_and_no_other(
    client_for, academic_office, registrar, class_teacher, subject_teacher, receiving_registrar, bureau_officer
):
    page = client_for(academic_office).get(reverse("school_accounts"))

    assert page.status_code == 200
    text = _text(page)
    for account in (registrar, class_teacher, subject_teacher, academic_office):
        assert f'data-username="{account.username}"' in text
    assert receiving_registrar.username not in text  # school_b's
    assert bureau_officer.username not in text
    assert "数学" in text and "学籍管理员" in text


@pytest.mark.parametrize("who", ["registrar", "class_teacher", "bureau_officer"])
def test_nobody_but_the_office_may_open_the_page(request, client_for, academic_office, who):
    client = client_for(request.getfixturevalue(who))

    assert client.get(reverse("school_accounts")).status_code == 403
    assert client.get(reverse("school_account_new")).status_code == 403
    assert _open(client).status_code == 403
    assert not User.objects.filter(username="qian.xin").exists()


def test_the_office_cannot_reach_another_school_by_its_identifier(client_for, academic_office, school_b, receiving_registrar):
    client = client_for(academic_office)

    assert client.get(reverse("school_accounts"), {"school": school_b.identifier}).status_code == 404
    response = client.post(
        reverse("school_account_active", args=[receiving_registrar.pk]), {"active": "0"}
    )
    assert response.status_code == 404
    receiving_registrar.refresh_from_db()
    assert receiving_registrar.is_active


def test_an_administrator_picks_the_school(client_for, admin_user, school_a, registrar):
    client = client_for(admin_user)

    choice = client.get(reverse("school_accounts"))
    assert choice.status_code == 200 and school_a.name in _text(choice)
    page = client.get(reverse("school_accounts"), {"school": school_a.identifier})
    assert registrar.username in _text(page)


# --- Opening an account ---------------------------------------------------------------------------------


def test_a_new_teacher_gets_a_one_time_password_to_change_at_first_login(client_for, academic_office, class_a):
    response = _open(
        client_for(academic_office), full_name="孙老师", username="sun.math", role="subject_teacher",
        school_class=class_a.pk, subject="math",
    )

    assert response.status_code == 200
    assert "初始密码只显示这一次" in _text(response)
    assert response["Cache-Control"] == "no-store"
    password = _password_shown(response)
    membership = Membership.objects.select_related("user").get(user__username="sun.math")
    assert (membership.role, membership.school, membership.school_class, membership.subject) == (
        Role.SUBJECT_TEACHER, class_a.school, class_a, "math",
    )
    assert membership.user.first_name == "孙老师"
    assert membership.must_change_password
    assert membership.history.first().history_user == academic_office

    teacher = _login("sun.math", password)
    assert teacher.get(reverse("home")).url == reverse("password_change")
    teacher.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Sun-Laoshi-2026", "new_password2": "Sun-Laoshi-2026"},
    )
    assert teacher.get(reverse("home")).status_code == 200


def test_the_list_no_longer_shows_the_password(client_for, academic_office):
    client = client_for(academic_office)
    password = _password_shown(_open(client))

    assert password not in _text(client.get(reverse("school_accounts")))


def test_a_teacher_without_a_class_is_refused_naming_the_field(client_for, academic_office):
    response = _open(client_for(academic_office), username="no.class", role="class_teacher")

    assert response.status_code == 200
    assert "班主任和任课教师须指定任教班级" in _text(response)
    assert not User.objects.filter(username="no.class").exists()


def test_a_subject_teacher_needs_a_subject(client_for, academic_office, class_a):
    response = _open(client_for(academic_office), username="no.subject", role="subject_teacher", school_class=class_a.pk)

    assert "任课教师须指定任教学科" in _text(response)
    assert not User.objects.filter(username="no.subject").exists()


def test_a_login_in_use_is_refused(client_for, academic_office, receiving_registrar):
    response = _open(client_for(academic_office), username=receiving_registrar.username.upper())

    assert "已被使用" in _text(response)
    assert Membership.objects.get(user=receiving_registrar).school == receiving_registrar.membership.school


@pytest.mark.parametrize("role", ["bureau_officer", "admin"])
def test_the_office_cannot_open_bureau_or_admin_accounts(client_for, academic_office, role):
    response = _open(client_for(academic_office), username="too.much", role=role)

    assert response.status_code == 200
    assert not User.objects.filter(username="too.much").exists()


def test_a_class_of_another_school_cannot_be_chosen(client_for, academic_office, class_b):
    response = _open(client_for(academic_office), username="wrong.class", role="class_teacher", school_class=class_b.pk)

    assert response.status_code == 200
    assert not User.objects.filter(username="wrong.class").exists()


def test_english_page_says_it_in_english(client_for, academic_office):
    client = client_for(academic_office)
    client.cookies["django_language"] = "en"

    response = _open(client)

    assert "The initial password is shown only this once" in _text(response)
    assert "Accounts" in _text(client.get(reverse("school_accounts")))


# --- Disabling and enabling --------------------------------------------------------------------------------


def test_a_disabled_teacher_cannot_sign_in_and_is_enabled_again(client_for, academic_office, class_teacher):
    client = client_for(academic_office)
    teacher = Client()
    teacher.force_login(class_teacher, backend="django.contrib.auth.backends.ModelBackend")

    response = client.post(reverse("school_account_active", args=[class_teacher.pk]), {"active": "0"})

    assert response.status_code == 302
    assert "已停用陈老师的账号" in _text(client.get(response.url))
    assert teacher.get(reverse("home")).status_code == 302  # the open session ends
    assert Client().post(reverse("login"), {"username": "teacher_a", "password": "x"}).status_code == 200
    assert Membership.objects.get(user=class_teacher).history.first().history_change_reason == "停用账号"

    client.post(reverse("school_account_active", args=[class_teacher.pk]), {"active": "1"})
    class_teacher.refresh_from_db()
    assert class_teacher.is_active


def test_the_office_cannot_disable_itself(client_for, academic_office):
    client = client_for(academic_office)

    response = client.post(reverse("school_account_active", args=[academic_office.pk]), {"active": "0"}, follow=True)

    assert "不能停用自己的账号" in _text(response)
    academic_office.refresh_from_db()
    assert academic_office.is_active


def test_a_bureau_account_cannot_be_disabled_from_the_page(client_for, academic_office, bureau_officer):
    response = client_for(academic_office).post(reverse("school_account_active", args=[bureau_officer.pk]), {"active": "0"})

    assert response.status_code == 404
    bureau_officer.refresh_from_db()
    assert bureau_officer.is_active


# --- A new registrar is reported to the bureau -------------------------------------------------------------


def _bureau_notes(officer):
    return list(Notification.objects.filter(recipient=officer, kind=Notification.Kind.REGISTRAR_CHANGED))


def test_a_new_registrar_is_reported_to_the_county_bureau_naming_old_and_new(
    client_for, academic_office, registrar, bureau_officer, other_bureau_officer, city_officer,
    django_capture_on_commit_callbacks, settings,
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _open(client_for(academic_office), full_name="钱新", username="qian.xin")
    finally:
        app.conf.task_always_eager = False

    [note] = _bureau_notes(bureau_officer)
    assert note.title == "学籍管理员变更：龙游县实验小学"
    assert "原学籍管理员 王学籍（registrar_a）" in note.message
    assert "新学籍管理员 钱新（qian.xin）" in note.message
    assert "赵教导" in note.message
    assert not _bureau_notes(other_bureau_officer) and not _bureau_notes(city_officer)
    page = client_for(bureau_officer).get(reverse("notification_list"))
    assert "学籍管理员变更" in _text(page)


def test_disabling_the_registrar_is_reported_even_when_the_broker_never_carried_it(
    client_for, academic_office, registrar, bureau_officer
):
    # No on-commit callbacks run here (the test's transaction never commits): as if the broker were down.
    client_for(academic_office).post(reverse("school_account_active", args=[registrar.pk]), {"active": "0"})

    [change] = RegistrarChange.objects.all()
    assert (change.old_registrar, change.new_registrar, change.changed_by) == (registrar, None, academic_office)
    assert not _bureau_notes(bureau_officer)

    assert deliver_missed() == 1
    [note] = _bureau_notes(bureau_officer)
    assert "原学籍管理员 王学籍（registrar_a），新学籍管理员 暂无" in note.message
    assert "该校目前没有在用的学籍管理员账号" in note.message
    assert deliver_missed() == 0
    assert deliver_registrar_change(change.pk) == 0  # told once, however often it is delivered


def test_a_new_teacher_is_no_registrar_change(client_for, academic_office, class_a, bureau_officer):
    _open(client_for(academic_office), username="new.teacher", role="class_teacher", school_class=class_a.pk)

    assert not RegistrarChange.objects.exists()


def test_enabling_a_second_registrar_names_the_one_in_office(client_for, academic_office, registrar, school_a):
    second = UserFactory(username="registrar_a2", role=Role.REGISTRAR, school=school_a, full_name="何学籍")
    client = client_for(academic_office)
    client.post(reverse("school_account_active", args=[second.pk]), {"active": "0"})

    client.post(reverse("school_account_active", args=[second.pk]), {"active": "1"})

    changes = list(RegistrarChange.objects.order_by("pk").values_list("old_registrar", "new_registrar"))
    assert changes == [(second.pk, registrar.pk), (registrar.pk, second.pk)]


def test_the_usual_handover_is_reported_once(client_for, academic_office, registrar, bureau_officer):
    client = client_for(academic_office)
    _open(client, full_name="钱新", username="qian.xin")

    client.post(reverse("school_account_active", args=[registrar.pk]), {"active": "0"})

    [change] = RegistrarChange.objects.all()
    assert (change.old_registrar, change.new_registrar.username) == (registrar, "qian.xin")
    deliver_missed()
    assert len(_bureau_notes(bureau_officer)) == 1


def test_disabling_the_old_registrar_first_then_opening_the_new_names_both(client_for, academic_office, registrar):
    client = client_for(academic_office)
    client.post(reverse("school_account_active", args=[registrar.pk]), {"active": "0"})

    _open(client, full_name="钱新", username="qian.xin")

    changes = [(c.old_registrar, c.new_registrar and c.new_registrar.username) for c in RegistrarChange.objects.order_by("pk")]
    assert changes == [(registrar, None), (registrar, "qian.xin")]


# --- A new initial password ------------------------------------------------------------------------------


def test_a_lost_password_is_replaced_by_a_new_one_time_one(client_for, academic_office, class_teacher):
    teacher = Client()
    teacher.force_login(class_teacher, backend="django.contrib.auth.backends.ModelBackend")

    response = client_for(academic_office).post(reverse("school_account_password", args=[class_teacher.pk]))

    assert response.status_code == 200
    assert "已为陈老师重置密码" in _text(response)
    password = _password_shown(response)
    assert teacher.get(reverse("home")).status_code == 302  # the old session ends
    again = _login("teacher_a", password)
    assert again.get(reverse("home")).url == reverse("password_change")
    membership = Membership.objects.get(user=class_teacher)
    assert membership.history.first().history_change_reason == "重置密码"
    assert membership.history.first().history_user == academic_office


def test_the_office_resets_no_password_of_its_own_or_of_another_school(
    client_for, academic_office, receiving_registrar
):
    client = client_for(academic_office)

    own = client.post(reverse("school_account_password", args=[academic_office.pk]), follow=True)
    assert "请在“修改密码”页面修改自己的密码" in _text(own)
    assert client.post(reverse("school_account_password", args=[receiving_registrar.pk])).status_code == 404
    receiving_registrar.refresh_from_db()
    assert receiving_registrar.check_password(DEFAULT_PASSWORD)
    assert not Membership.objects.get(user=receiving_registrar).must_change_password
