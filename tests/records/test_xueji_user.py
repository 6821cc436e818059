"""The xueji_user management command: accounts for administrators to hand out."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from records.models import Membership, Role

User = get_user_model()
PASSWORD = "Chushi-Mima-2025"


def _run(*args, by="admin"):
    """The command as an administrator runs it, naming themselves with --by (by=None: without)."""
    call_command("xueji_user", *args, *(["--by", by] if by else []))


def test_creates_a_registrar_with_membership_group_and_initial_password(school_a, admin_user):
    _run("wang.fang", "--role", "registrar", "--school", school_a.identifier, "--name", "王芳", "--password", PASSWORD)

    user = User.objects.get(username="wang.fang")
    assert user.first_name == "王芳"
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert (user.membership.role, user.membership.school, user.membership.bureau) == (Role.REGISTRAR, school_a, None)
    assert user.membership.must_change_password
    assert [group.name for group in user.groups.all()] == ["registrar"]
    assert user.has_perm("records.add_student")


def test_updates_an_existing_user_to_a_new_role_and_password(school_a, admin_user, class_a):
    _run("li.lei", "--role", "registrar", "--school", school_a.identifier, "--password", PASSWORD)

    _run("li.lei", "--role", "class_teacher", "--class", class_a.code, "--password", "Xin-Mima-2025")

    user = User.objects.get(username="li.lei")
    assert Membership.objects.filter(user=user).count() == 1
    assert (user.membership.role, user.membership.school, user.membership.school_class) == (
        Role.CLASS_TEACHER,
        school_a,
        class_a,
    )
    assert [group.name for group in user.groups.all()] == ["class_teacher"]
    assert user.check_password("Xin-Mima-2025")
    assert not user.has_perm("records.add_student")


def test_bureau_officer_is_attached_to_the_bureau(longyou_bureau, admin_user):
    _run("zhao.kz", "--role", "bureau_officer", "--bureau", longyou_bureau.code, "--password", PASSWORD)

    membership = User.objects.get(username="zhao.kz").membership
    assert (membership.role, membership.bureau, membership.school) == (Role.BUREAU_OFFICER, longyou_bureau, None)


def test_admin_is_staff_and_superuser(db):
    _run("root.admin", "--role", "admin", "--password", PASSWORD, by=None)

    user = User.objects.get(username="root.admin")
    assert user.is_staff and user.is_superuser
    assert user.membership.role == Role.ADMIN


def test_unknown_school_is_refused_with_a_clear_error(school_a):
    with pytest.raises(CommandError, match="未找到"):
        _run("ghost", "--role", "registrar", "--school", "2199999999", "--password", PASSWORD)

    assert not User.objects.filter(username="ghost").exists()


def test_unknown_class_is_refused(school_a):
    with pytest.raises(CommandError, match="未找到"):
        _run("ghost", "--role", "class_teacher", "--class", "130999999001", "--password", PASSWORD)

    assert not User.objects.filter(username="ghost").exists()


def test_bureau_officer_needs_a_bureau(school_a):
    with pytest.raises(CommandError, match="--bureau"):
        _run("ghost", "--role", "bureau_officer", "--password", PASSWORD)

    assert not User.objects.filter(username="ghost").exists()


def test_school_role_needs_a_school(db):
    with pytest.raises(CommandError, match="--school"):
        _run("ghost", "--role", "academic_office", "--password", PASSWORD)

    assert not User.objects.filter(username="ghost").exists()


@pytest.mark.parametrize("role", ["class_teacher", "subject_teacher"])
def test_teacher_needs_a_class(school_a, admin_user, role):
    with pytest.raises(CommandError, match="须指定任教班级"):
        _run("ghost", "--role", role, "--school", school_a.identifier, "--password", PASSWORD)

    assert not User.objects.filter(username="ghost").exists()


def test_class_of_another_school_is_refused(school_a, admin_user, class_b):
    with pytest.raises(CommandError, match="班级不属于该学校"):
        _run(
            "ghost", "--role", "class_teacher", "--school", school_a.identifier, "--class", class_b.code,
            "--password", PASSWORD,
        )

    assert not User.objects.filter(username="ghost").exists()


def test_school_and_bureau_together_are_refused(school_a, longyou_bureau):
    with pytest.raises(CommandError):
        _run(
            "ghost", "--role", "registrar", "--school", school_a.identifier, "--bureau", longyou_bureau.code,
            "--password", PASSWORD,
        )


def test_unknown_role_is_refused(school_a):
    with pytest.raises(CommandError, match="invalid choice"):
        _run("ghost", "--role", "headmaster", "--school", school_a.identifier, "--password", PASSWORD)


# --- Who did it (issue 14) ----------------------------------------------------------------------


def _history(username):
    return [
        (entry.history_user.username if entry.history_user else None, entry.history_change_reason)
        for entry in Membership.history.filter(user__username=username).order_by("history_date")
    ]


def test_the_administrator_named_by_by_is_in_the_new_accounts_history(school_a, admin_user):
    _run("wang.fang", "--role", "registrar", "--school", school_a.identifier, "--password", PASSWORD)
    _run("wang.fang", "--role", "academic_office", "--school", school_a.identifier, "--password", PASSWORD)

    assert _history("wang.fang") == [("admin", "开通账号"), ("admin", "开通账号")]


def test_without_by_the_command_refuses_once_an_administrator_exists(school_a, admin_user):
    with pytest.raises(CommandError, match="--by USERNAME is required"):
        _run("ghost", "--role", "registrar", "--school", school_a.identifier, "--password", PASSWORD, by=None)

    assert not User.objects.filter(username="ghost").exists()


def test_by_must_name_an_active_administrator(school_a, registrar):
    with pytest.raises(CommandError, match="not an active administrator"):
        _run("ghost", "--role", "registrar", "--school", school_a.identifier, "--password", PASSWORD, by=registrar.username)
    with pytest.raises(CommandError, match="not an active administrator"):
        _run("ghost", "--role", "registrar", "--school", school_a.identifier, "--password", PASSWORD, by="nobody")

    assert not User.objects.filter(username="ghost").exists()


def test_the_first_administrator_is_recorded_as_creating_their_own_account(db):
    _run("root.admin", "--role", "admin", "--password", PASSWORD, by=None)

    assert _history("root.admin") == [("root.admin", "开通账号")]


def test_before_any_administrator_exists_only_an_administrator_can_be_created(school_a):
    with pytest.raises(CommandError, match="No administrator yet"):
        _run("ghost", "--role", "registrar", "--school", school_a.identifier, "--password", PASSWORD, by=None)

    assert not User.objects.filter(username="ghost").exists()


def test_script_marks_an_account_for_a_program_and_a_rerun_without_it_clears_it(school_a, admin_user):
    _run("sync.bot", "--role", "registrar", "--school", school_a.identifier, "--password", PASSWORD, "--script")
    membership = User.objects.get(username="sync.bot").membership
    assert membership.is_script_account and membership.must_change_password

    _run("sync.bot", "--role", "registrar", "--school", school_a.identifier, "--password", PASSWORD)

    assert not Membership.objects.get(user__username="sync.bot").is_script_account
