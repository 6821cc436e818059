"""The xueji_user management command: accounts for administrators to hand out."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from records.models import Membership, Role

User = get_user_model()
PASSWORD = "Chushi-Mima-2025"


def _run(*args, by="admin") -> str:
    """Run the command as a script would (stdin is no terminal here), as the administrator named
    with --by (by=None: without); returns what it printed."""
    out = io.StringIO()
    call_command("xueji_user", *args, *(["--by", by] if by else []), stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def password_in_env(monkeypatch):
    monkeypatch.setenv("XUEJI_USER_PASSWORD", PASSWORD)


@pytest.fixture
def terminal(monkeypatch):
    """A person at a terminal, typing the answers to the password prompts in turn."""
    answers = []
    stdin = io.StringIO()
    stdin.isatty = lambda: True
    monkeypatch.setattr("sys.stdin", stdin)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    return answers


def test_creates_a_registrar_with_membership_group_and_initial_password(school_a, admin_user, password_in_env):
    _run("wang.fang", "--role", "registrar", "--school", school_a.identifier, "--name", "王芳")

    user = User.objects.get(username="wang.fang")
    assert user.first_name == "王芳"
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert (user.membership.role, user.membership.school, user.membership.bureau) == (Role.REGISTRAR, school_a, None)
    assert user.membership.must_change_password
    assert [group.name for group in user.groups.all()] == ["registrar"]
    assert user.has_perm("records.add_student")


def test_updates_an_existing_user_to_a_new_role_and_password(school_a, admin_user, class_a, monkeypatch):
    _run("li.lei", "--role", "registrar", "--school", school_a.identifier)

    monkeypatch.setenv("XUEJI_USER_PASSWORD", "Xin-Mima-2025")
    _run("li.lei", "--role", "class_teacher", "--class", class_a.code)

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
    _run("zhao.kz", "--role", "bureau_officer", "--bureau", longyou_bureau.code)

    membership = User.objects.get(username="zhao.kz").membership
    assert (membership.role, membership.bureau, membership.school) == (Role.BUREAU_OFFICER, longyou_bureau, None)


def test_admin_is_staff_and_superuser(db):
    _run("root.admin", "--role", "admin", by=None)

    user = User.objects.get(username="root.admin")
    assert user.is_staff and user.is_superuser
    assert user.membership.role == Role.ADMIN


def test_unknown_school_is_refused_with_a_clear_error(school_a, admin_user):
    with pytest.raises(CommandError, match="未找到"):
        _run("ghost", "--role", "registrar", "--school", "2199999999")

    assert not User.objects.filter(username="ghost").exists()


def test_unknown_class_is_refused(school_a, admin_user):
    with pytest.raises(CommandError, match="未找到"):
        _run("ghost", "--role", "class_teacher", "--class", "130999999001")

    assert not User.objects.filter(username="ghost").exists()


def test_bureau_officer_needs_a_bureau(school_a, admin_user):
    with pytest.raises(CommandError, match="--bureau"):
        _run("ghost", "--role", "bureau_officer")

    assert not User.objects.filter(username="ghost").exists()


def test_school_role_needs_a_school(admin_user):
    with pytest.raises(CommandError, match="--school"):
        _run("ghost", "--role", "academic_office")

    assert not User.objects.filter(username="ghost").exists()


@pytest.mark.parametrize("role", ["class_teacher", "subject_teacher"])
def test_teacher_needs_a_class(school_a, admin_user, role):
    with pytest.raises(CommandError, match="须指定任教班级"):
        _run("ghost", "--role", role, "--school", school_a.identifier)

    assert not User.objects.filter(username="ghost").exists()


def test_class_of_another_school_is_refused(school_a, admin_user, class_b):
    with pytest.raises(CommandError, match="班级不属于该学校"):
        _run(
            "ghost", "--role", "class_teacher", "--school", school_a.identifier, "--class", class_b.code,
        )

    assert not User.objects.filter(username="ghost").exists()


def test_school_and_bureau_together_are_refused(school_a, admin_user, longyou_bureau):
    with pytest.raises(CommandError):
        _run(
            "ghost", "--role", "registrar", "--school", school_a.identifier, "--bureau", longyou_bureau.code,
        )


def test_unknown_role_is_refused(school_a, admin_user):
    with pytest.raises(CommandError, match="invalid choice"):
        _run("ghost", "--role", "headmaster", "--school", school_a.identifier)


# --- The password never on the command line ---------------------------------------------------------


def test_the_password_argument_is_refused_and_says_what_to_do_instead(school_a, admin_user):
    with pytest.raises(CommandError, match="--initial-password"):
        _run("wang.fang", "--role", "registrar", "--school", school_a.identifier, "--password", PASSWORD)

    assert not User.objects.filter(username="wang.fang").exists()


def _printed_password(out: str) -> str:
    return re.search(r"初始密码[^:]*: (\S+)", out).group(1)


def test_without_a_terminal_a_one_time_password_is_printed_once(school_a, admin_user, client):
    out = _run("wang.fang", "--role", "registrar", "--school", school_a.identifier)

    password = _printed_password(out)
    user = User.objects.get(username="wang.fang")
    assert user.check_password(password)
    assert user.membership.must_change_password
    assert client.post("/accounts/login/", {"username": "wang.fang", "password": password}).status_code == 302
    assert client.get("/").url == "/accounts/password/"


def test_initial_password_flag_generates_one_even_at_a_terminal(school_a, admin_user, terminal):
    out = _run("wang.fang", "--role", "registrar", "--school", school_a.identifier, "--initial-password")

    assert User.objects.get(username="wang.fang").check_password(_printed_password(out))


def test_at_a_terminal_the_password_is_asked_twice_and_not_printed(school_a, admin_user, terminal):
    terminal.extend([PASSWORD, PASSWORD])

    out = _run("wang.fang", "--role", "registrar", "--school", school_a.identifier)

    assert PASSWORD not in out and "初始密码" not in out
    user = User.objects.get(username="wang.fang")
    assert user.check_password(PASSWORD)
    assert user.membership.must_change_password


def test_at_a_terminal_a_mistyped_or_weak_password_is_asked_again(school_a, admin_user, terminal):
    terminal.extend(["Chushi-Mima-2025", "Chushi-Mima-2026", "12345678", "12345678", PASSWORD, PASSWORD])

    _run("wang.fang", "--role", "registrar", "--school", school_a.identifier)

    assert User.objects.get(username="wang.fang").check_password(PASSWORD)


def test_at_a_terminal_three_failures_set_nothing(school_a, admin_user, terminal):
    terminal.extend(["a", "b"] * 3)

    with pytest.raises(CommandError, match="未设置密码"):
        _run("wang.fang", "--role", "registrar", "--school", school_a.identifier)

    assert not User.objects.filter(username="wang.fang").exists()


def test_a_password_from_the_environment_is_taken_with_a_warning(school_a, admin_user, password_in_env):
    err = io.StringIO()
    call_command(
        "xueji_user", "wang.fang", "--role", "registrar", "--school", school_a.identifier, "--by", "admin",
        stdout=io.StringIO(), stderr=err,
    )

    assert "XUEJI_USER_PASSWORD" in err.getvalue()
    assert User.objects.get(username="wang.fang").check_password(PASSWORD)


# --- Who did it (issue 14) ----------------------------------------------------------------------


def _history(username):
    return [
        (entry.history_user.username if entry.history_user else None, entry.history_change_reason)
        for entry in Membership.history.filter(user__username=username).order_by("history_date")
    ]


def test_the_administrator_named_by_by_is_in_the_new_accounts_history(school_a, admin_user, password_in_env):
    _run("wang.fang", "--role", "registrar", "--school", school_a.identifier)
    _run("wang.fang", "--role", "academic_office", "--school", school_a.identifier)

    assert _history("wang.fang") == [("admin", "开通账号"), ("admin", "开通账号")]


def test_without_by_the_command_refuses_once_an_administrator_exists(school_a, admin_user, password_in_env):
    with pytest.raises(CommandError, match="--by USERNAME is required"):
        _run("ghost", "--role", "registrar", "--school", school_a.identifier, by=None)

    assert not User.objects.filter(username="ghost").exists()


def test_by_must_name_an_active_administrator(school_a, registrar, password_in_env):
    with pytest.raises(CommandError, match="not an active administrator"):
        _run("ghost", "--role", "registrar", "--school", school_a.identifier, by=registrar.username)
    with pytest.raises(CommandError, match="not an active administrator"):
        _run("ghost", "--role", "registrar", "--school", school_a.identifier, by="nobody")

    assert not User.objects.filter(username="ghost").exists()


def test_the_first_administrator_is_recorded_as_creating_their_own_account(db, password_in_env):
    _run("root.admin", "--role", "admin", by=None)

    assert _history("root.admin") == [("root.admin", "开通账号")]


def test_before_any_administrator_exists_only_an_administrator_can_be_created(school_a, password_in_env):
    with pytest.raises(CommandError, match="No administrator yet"):
        _run("ghost", "--role", "registrar", "--school", school_a.identifier, by=None)

    assert not User.objects.filter(username="ghost").exists()


def test_script_marks_an_account_for_a_program_and_a_rerun_without_it_clears_it(school_a, admin_user, password_in_env):
    _run("sync.bot", "--role", "registrar", "--school", school_a.identifier, "--script")
    membership = User.objects.get(username="sync.bot").membership
    assert membership.is_script_account and membership.must_change_password

    _run("sync.bot", "--role", "registrar", "--school", school_a.identifier)

    assert not Membership.objects.get(user__username="sync.bot").is_script_account
