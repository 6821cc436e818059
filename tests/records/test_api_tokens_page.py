"""The page of a person's own API tokens (issue 14): each sees only their own and revokes them."""

from django.test import Client
from django.urls import reverse

from records import services
from records.models import ApiToken

URL = "/accounts/tokens/"


def test_the_account_menu_links_the_page_beside_the_password_change(client_for, registrar):
    html = client_for(registrar).get("/").content.decode()

    assert f'href="{reverse("password_change")}"' in html
    assert f'href="{URL}"' in html


def test_a_person_sees_only_their_own_tokens(client_for, registrar, receiving_registrar):
    mine, _key = services.api_token_issue(user=registrar, client="sync-script/1.0")
    theirs, _key = services.api_token_issue(user=receiving_registrar, client="other-script/2.0")

    page = client_for(registrar).get(URL)

    html = page.content.decode()
    assert page.status_code == 200
    assert f"{mine.prefix}…" in html and "sync-script/1.0" in html
    assert theirs.prefix not in html and "other-script/2.0" not in html


def test_tokens_that_no_longer_work_are_not_listed(client_for, registrar, settings):
    settings.XUEJI_API_TOKEN_HOURS = 0
    expired, _key = services.api_token_issue(user=registrar)

    html = client_for(registrar).get(URL).content.decode()

    assert expired.prefix not in html
    assert "您没有有效的 API 令牌。" in html


def test_revoking_a_token_on_the_page_ends_it(client_for, registrar):
    token, key = services.api_token_issue(user=registrar)
    kept, _key = services.api_token_issue(user=registrar)

    response = client_for(registrar).post(URL, {"revoke": token.prefix}, follow=True)

    assert f"令牌 {token.prefix}… 已撤销。" in response.content.decode()
    assert list(ApiToken.objects.filter(user=registrar)) == [kept]
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 401


def test_a_person_cannot_revoke_someone_elses_token_on_the_page(client_for, registrar, receiving_registrar):
    theirs, _key = services.api_token_issue(user=receiving_registrar)

    response = client_for(registrar).post(URL, {"revoke": theirs.prefix}, follow=True)

    assert "没有这个令牌，它可能已过期或已被撤销。" in response.content.decode()
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_revoking_all_on_the_page_ends_only_ones_own(client_for, registrar, receiving_registrar):
    for _n in range(2):
        services.api_token_issue(user=registrar)
    theirs, _key = services.api_token_issue(user=receiving_registrar)

    response = client_for(registrar).post(URL, {"revoke_all": "1"}, follow=True)

    assert "已撤销全部 2 个令牌。" in response.content.decode()
    assert list(ApiToken.objects.all()) == [theirs]


def test_the_page_in_english(client_for, registrar):
    services.api_token_issue(user=registrar)

    html = client_for(registrar).get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "My API tokens" in html and "Revoke all" in html
    assert "A token stops working 8 hours after it is issued" in html


def test_an_anonymous_visitor_is_sent_to_the_login_page(db):
    response = Client().get(URL)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_admin_revokes_a_persons_token(client_for, admin_user, registrar):
    token, _key = services.api_token_issue(user=registrar)
    admin = client_for(admin_user)

    assert token.prefix in admin.get("/admin/records/apitoken/").content.decode()
    admin.post(f"/admin/records/apitoken/{token.pk}/delete/", {"post": "yes"})

    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_the_admin_marks_an_account_as_a_script_account(client_for, admin_user, registrar, school_a):
    membership = registrar.membership
    response = client_for(admin_user).post(
        f"/admin/records/membership/{membership.pk}/change/",
        {
            "user": registrar.pk, "role": "registrar", "school": school_a.pk, "school_class": "", "subject": "",
            "bureau": "", "must_change_password": "on", "is_script_account": "on",
        },
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_script_account and membership.must_change_password
    assert membership.history.first().history_user == admin_user
