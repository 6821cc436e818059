"""POST /api/v1/auth/token/ and GET /api/v1/me/: tokens, the shared lockout, the rate limit."""

import pytest
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, UserFactory

from .calls import errors

TOKEN_URL = "/api/v1/auth/token/"


def token_request(client, username, password=DEFAULT_PASSWORD, **extra):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


def test_a_token_from_username_and_password_authenticates_later_calls(api_for, registrar, school_a):
    client = api_for()
    response = token_request(client, registrar.username)
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    me = client.get("/api/v1/me/")

    assert me.status_code == 200
    assert me.json() == {
        "username": "registrar_a",
        "full_name": "王学籍",
        "role": "registrar",
        "school": school_a.identifier,
        "bureau": None,
        "class_code": None,
        "must_change_password": False,
    }


def test_me_names_the_bureau_of_an_officer_and_the_class_of_a_teacher(api_for, bureau_officer, class_teacher, admin_user):
    assert api_for(bureau_officer).get("/api/v1/me/").json()["bureau"] == bureau_officer.membership.bureau.code
    teacher = api_for(class_teacher).get("/api/v1/me/").json()
    assert (teacher["role"], teacher["class_code"]) == ("class_teacher", class_teacher.membership.school_class.code)
    assert api_for(admin_user).get("/api/v1/me/").json()["role"] == "admin"


def test_a_wrong_password_is_refused_in_the_request_language(api_for, registrar):
    chinese = token_request(api_for(), registrar.username, "wrong-password")
    english = token_request(api_for(language="en"), registrar.username, "wrong-password")

    assert chinese.status_code == english.status_code == 400
    assert errors(chinese) == {"non_field_errors": ["用户名或密码不正确。"]}
    assert errors(english) == {"non_field_errors": ["Incorrect username or password."]}


def test_failed_logins_on_the_api_lock_the_account_for_the_pages_too(api_for, registrar, settings):
    client = api_for()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert token_request(client, registrar.username, "wrong-password").status_code == 400

    last = token_request(client, registrar.username, "wrong-password")
    assert last.status_code == 403
    assert "锁定" in last.json()["detail"]
    # Now even the right password is refused, on the API and on the login page.
    assert token_request(client, registrar.username).status_code == 403
    page = Client().post("/accounts/login/", {"username": registrar.username, "password": DEFAULT_PASSWORD})
    assert page.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert "_auth_user_id" not in page.client.session


def test_the_token_endpoint_is_rate_limited(api_for, registrar, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute"}}
    client = api_for()
    assert [token_request(client, registrar.username).status_code for _ in range(3)] == [200, 200, 200]

    throttled = token_request(client, registrar.username)

    assert throttled.status_code == 429
    assert throttled.json()["errors"] == {}
    assert int(throttled["Retry-After"]) > 0


def test_a_script_account_uses_the_api_while_the_pages_still_ask_for_a_new_password(api_for, client, school_a):
    scripted = UserFactory(username="newcomer", school=school_a, must_change_password=True, is_script_account=True)

    issued = token_request(api_for(), scripted.username)
    assert issued.status_code == 200 and issued.json()["token"]
    client_api = api_for()
    client_api.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    assert client_api.get("/api/v1/me/").json()["username"] == "newcomer"
    assert client_api.get("/api/v1/students/").status_code == 200

    client.force_login(scripted)
    assert client.get("/students/")["Location"] == "/accounts/password/"


def test_without_a_token_the_api_answers_401_and_with_a_wrong_one_too(api_for, db):
    anonymous = api_for().get("/api/v1/students/")
    assert anonymous.status_code == 401
    errors(anonymous)
    client = api_for()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/me/").status_code == 401


def test_a_session_login_works_as_well(client_for, registrar):
    response = client_for(registrar).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == registrar.username


@pytest.mark.parametrize("language,detail", [(None, "身份认证信息未提供。"), ("en", "Authentication credentials were not provided.")])
def test_rest_framework_messages_follow_the_request_language(api_for, db, language, detail):
    assert api_for(language=language).get("/api/v1/me/").json()["detail"] == detail
