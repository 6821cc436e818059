"""API tokens (issue 14): they expire, a new password, a lockout and a logout end them, their owner
lists and revokes them, and the first-login password change holds on the API too."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from records import services
from records.models import ApiToken
from tests.factories import DEFAULT_PASSWORD, UserFactory

from .calls import errors

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
NEW_PASSWORD = "Xin-Mima-2026!x"


def issue(api_for, user, password=DEFAULT_PASSWORD, **extra):
    return api_for().post(TOKEN_URL, {"username": user.username, "password": password}, format="json", **extra)


def with_key(api_for, key, language=None):
    client = api_for(language=language)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- Expiry ------------------------------------------------------------------------------------


def test_a_token_lasts_a_working_day_and_only_its_digest_is_stored(api_for, registrar):
    before = timezone.now()
    body = issue(api_for, registrar).json()

    expires = parse_datetime(body["expires_at"])
    assert before + datetime.timedelta(hours=8) <= expires <= timezone.now() + datetime.timedelta(hours=8)
    assert body["prefix"] == body["token"][:8]
    stored = ApiToken.objects.get(user=registrar)
    assert body["token"] not in {stored.digest, stored.prefix}
    assert with_key(api_for, body["token"]).get("/api/v1/me/").status_code == 200


def test_the_lifetime_is_set_by_xueji_api_token_hours(api_for, registrar, settings):
    settings.XUEJI_API_TOKEN_HOURS = 2
    body = issue(api_for, registrar).json()

    lifetime = parse_datetime(body["expires_at"]) - ApiToken.objects.get(user=registrar).created
    assert lifetime == datetime.timedelta(hours=2)


@pytest.mark.parametrize(
    "language,detail",
    [
        (None, "API 令牌已过期，请用用户名和密码重新获取（POST /api/v1/auth/token/）。"),
        ("en", "The API token has expired; request a new one with your username and password (POST /api/v1/auth/token/)."),
    ],
)
def test_an_expired_token_is_refused_with_401_saying_so(api_for, registrar, settings, language, detail):
    settings.XUEJI_API_TOKEN_HOURS = 0
    key = issue(api_for, registrar).json()["token"]

    response = with_key(api_for, key, language).get("/api/v1/students/")

    assert response.status_code == 401
    assert response.json() == {"detail": detail, "errors": {}}
    assert response["WWW-Authenticate"] == "Token"
    assert not ApiToken.objects.filter(user=registrar).exists()


def test_each_request_for_a_token_issues_a_new_one_and_clears_the_expired(api_for, registrar, settings):
    settings.XUEJI_API_TOKEN_HOURS = 0
    issue(api_for, registrar)
    settings.XUEJI_API_TOKEN_HOURS = 8
    first = issue(api_for, registrar).json()["token"]
    second = issue(api_for, registrar).json()["token"]

    assert first != second
    assert ApiToken.objects.filter(user=registrar).count() == 2
    assert with_key(api_for, first).get("/api/v1/me/").status_code == 200


# --- A new password, a lockout, a logout --------------------------------------------------------


def test_changing_the_password_on_the_page_ends_every_token(api_for, client_for, registrar):
    keys = [issue(api_for, registrar).json()["token"] for _ in range(2)]
    page = client_for(registrar)

    changed = page.post(
        "/accounts/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert changed.status_code == 302
    assert not ApiToken.objects.filter(user=registrar).exists()
    assert all(with_key(api_for, key).get("/api/v1/me/").status_code == 401 for key in keys)
    # The page's own session survives its password change.
    assert page.get("/api/v1/me/").status_code == 200


def test_a_password_set_by_an_administrator_in_the_admin_ends_the_tokens(api_for, client_for, registrar, admin_user):
    key = issue(api_for, registrar).json()["token"]

    client_for(admin_user).post(
        f"/admin/auth/user/{registrar.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    registrar.refresh_from_db()
    assert registrar.check_password(NEW_PASSWORD)
    response = with_key(api_for, key, "en").get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "The password has changed, so tokens issued before no longer work; request a new one."


def test_a_password_set_in_code_or_the_shell_ends_the_tokens(api_for, registrar):
    key = issue(api_for, registrar).json()["token"]
    user = get_user_model().objects.get(pk=registrar.pk)
    user.set_password(NEW_PASSWORD)
    user.save()

    response = with_key(api_for, key).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["detail"] == "密码已修改，此前签发的 API 令牌已失效，请重新获取。"
    assert not ApiToken.objects.filter(user=registrar).exists()


def test_provisioning_the_account_again_with_a_password_ends_its_tokens(api_for, registrar, school_a, admin_user):
    key = issue(api_for, registrar).json()["token"]

    services.user_provision(
        username=registrar.username, role="registrar", school=school_a, password=NEW_PASSWORD, by=admin_user
    )

    assert not ApiToken.objects.filter(user=registrar).exists()
    assert with_key(api_for, key).get("/api/v1/me/").status_code == 401


def test_a_lockout_ends_the_accounts_tokens(api_for, registrar, settings):
    key = issue(api_for, registrar).json()["token"]

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        issue(api_for, registrar, "wrong-password")

    assert not ApiToken.objects.filter(user=registrar).exists()
    assert with_key(api_for, key).get("/api/v1/me/").status_code == 401


def test_a_lockout_on_the_login_page_ends_the_tokens_too(api_for, registrar, settings):
    key = issue(api_for, registrar).json()["token"]
    page = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        page.post("/accounts/login/", {"username": registrar.username, "password": "wrong-password"})

    assert with_key(api_for, key).get("/api/v1/me/").status_code == 401


def test_failed_logins_below_the_limit_leave_the_tokens_alone(api_for, registrar, settings):
    key = issue(api_for, registrar).json()["token"]
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        issue(api_for, registrar, "wrong-password")

    assert with_key(api_for, key).get("/api/v1/me/").status_code == 200


def test_logging_out_of_the_pages_ends_the_tokens(api_for, registrar, receiving_registrar):
    key = issue(api_for, registrar).json()["token"]
    others = issue(api_for, receiving_registrar).json()["token"]
    page = Client()
    assert page.post("/accounts/login/", {"username": registrar.username, "password": DEFAULT_PASSWORD}).status_code == 302

    page.post("/accounts/logout/")

    assert with_key(api_for, key).get("/api/v1/me/").status_code == 401
    assert with_key(api_for, others).get("/api/v1/me/").status_code == 200


# --- The owner's list -------------------------------------------------------------------------


def test_a_person_lists_their_own_tokens_without_the_keys(api_for, registrar, receiving_registrar):
    mine = issue(api_for, registrar, HTTP_USER_AGENT="sync-script/1.0").json()
    current = issue(api_for, registrar).json()
    issue(api_for, receiving_registrar)

    listed = with_key(api_for, current["token"]).get(TOKENS_URL)

    assert listed.status_code == 200
    rows = listed.json()
    assert [(row["prefix"], row["current"]) for row in rows] == [(current["prefix"], True), (mine["prefix"], False)]
    assert rows[1]["client"] == "sync-script/1.0"
    assert mine["token"] not in listed.content.decode() and current["token"] not in listed.content.decode()
    assert set(rows[0]) == {"prefix", "client", "created", "expires_at", "last_used_at", "current"}


def test_a_person_revokes_one_of_their_tokens(api_for, registrar):
    old = issue(api_for, registrar).json()
    current = issue(api_for, registrar).json()
    client = with_key(api_for, current["token"])

    assert client.delete(f"{TOKENS_URL}{old['prefix']}/").status_code == 204

    assert with_key(api_for, old["token"]).get("/api/v1/me/").status_code == 401
    assert [row["prefix"] for row in client.get(TOKENS_URL).json()] == [current["prefix"]]


def test_nobody_revokes_another_persons_token(api_for, registrar, receiving_registrar):
    theirs = issue(api_for, receiving_registrar).json()

    refused = api_for(registrar).delete(f"{TOKENS_URL}{theirs['prefix']}/")

    assert refused.status_code == 404
    errors(refused)
    assert with_key(api_for, theirs["token"]).get("/api/v1/me/").status_code == 200


def test_a_person_revokes_all_their_tokens_at_once(api_for, registrar, receiving_registrar):
    keys = [issue(api_for, registrar).json()["token"] for _ in range(3)]
    others = issue(api_for, receiving_registrar).json()["token"]

    response = with_key(api_for, keys[0]).delete(TOKENS_URL)

    assert response.json() == {"revoked": 3}
    assert all(with_key(api_for, key).get("/api/v1/me/").status_code == 401 for key in keys)
    assert with_key(api_for, others).get("/api/v1/me/").status_code == 200


def test_a_session_lists_and_revokes_the_tokens_too(api_for, client_for, registrar):
    body = issue(api_for, registrar).json()
    page = client_for(registrar)

    rows = page.get(TOKENS_URL).json()
    assert [(row["prefix"], row["current"]) for row in rows] == [(body["prefix"], False)]


# --- The first-login password change --------------------------------------------------------------


@pytest.fixture
def newcomer(school_a):
    return UserFactory(username="newcomer", school=school_a, must_change_password=True)


PASSWORD_FIRST_ZH = "请先修改初始密码：登录网页，在账户菜单中选择“修改密码”设置新密码，然后再使用 API。"
PASSWORD_FIRST_EN = (
    "Change your initial password first: sign in to the site, choose “Change password” in the account menu "
    "and set a new one, then use the API."
)


def test_a_session_that_has_not_changed_the_initial_password_is_refused_by_the_api(client_for, newcomer):
    session = client_for(newcomer)

    refused = session.get("/api/v1/students/")
    english = session.get("/api/v1/students/", HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == english.status_code == 403
    assert refused.json() == {"detail": PASSWORD_FIRST_ZH, "errors": {}}
    assert english.json()["detail"] == PASSWORD_FIRST_EN
    # Who am I still answers, and says why.
    assert session.get("/api/v1/me/").json()["must_change_password"] is True


def test_no_token_is_issued_before_the_initial_password_is_changed(api_for, newcomer):
    refused = issue(api_for, newcomer)

    assert refused.status_code == 403
    assert refused.json()["detail"] == PASSWORD_FIRST_ZH
    assert not ApiToken.objects.filter(user=newcomer).exists()


def test_a_token_issued_before_the_account_was_reset_is_refused_until_the_password_is_changed(api_for, newcomer):
    # A token issued otherwise (by an administrator's shell, say) does not get around the rule.
    _token, key = services.api_token_issue(user=newcomer)

    refused = with_key(api_for, key).post("/api/v1/requests/", {}, format="json")

    assert refused.status_code == 403
    assert refused.json()["detail"] == PASSWORD_FIRST_ZH


def test_a_script_accounts_token_skips_the_change_but_its_session_does_not(api_for, client_for, school_a):
    script = UserFactory(username="sync.bot", school=school_a, must_change_password=True, is_script_account=True)
    key = issue(api_for, script).json()["token"]

    assert with_key(api_for, key).get("/api/v1/students/").status_code == 200
    assert client_for(script).get("/api/v1/students/").status_code == 403


def test_after_the_change_the_api_works_by_session_and_by_token(api_for, client_for, newcomer):
    page = client_for(newcomer)
    page.post(
        "/accounts/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert page.get("/api/v1/students/").status_code == 200
    key = issue(api_for, newcomer, NEW_PASSWORD).json()["token"]
    assert with_key(api_for, key).get("/api/v1/students/").status_code == 200
