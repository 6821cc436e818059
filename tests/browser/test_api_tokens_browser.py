"""A person's API tokens in the browser: the page lists their own, and revoking one takes it off."""

from __future__ import annotations

import pytest

from records import services


@pytest.mark.browser
def test_a_registrar_revokes_an_api_token_on_the_page(registrar, receiving_registrar, live_server, browser_for, screenshot):
    old, _key = services.api_token_issue(user=registrar, client="python-requests/2.32 (学籍同步脚本)")
    kept, _key = services.api_token_issue(user=registrar, client="curl/8.5")
    theirs, _key = services.api_token_issue(user=receiving_registrar, client="other-school-script")

    page = browser_for("registrar_a")
    # The account menu, beside 修改密码, opens the page.
    page.click(".vf-page__menu-toggle-button")
    page.locator(".vf-page__menu-secondary a", has_text="API 令牌").click()
    page.wait_for_url(f"{live_server.url}/accounts/tokens/")
    page.wait_for_selector("#token-table")
    table = page.inner_text("#token-table")
    assert f"{old.prefix}…" in table and f"{kept.prefix}…" in table
    assert theirs.prefix not in table and "other-school-script" not in table
    screenshot(page, "api-tokens.png")

    page.click(f"#token-table tr[data-prefix='{old.prefix}'] button")
    page.wait_for_selector(f"text=令牌 {old.prefix}… 已撤销。")
    assert old.prefix not in page.inner_text("#token-table")
    assert kept.prefix in page.inner_text("#token-table")
    screenshot(page, "api-tokens-revoked.png")
