"""控辍保学 in the browser: a registrar opens a dropped-out student from the list, records a
follow-up with viewflow's fields, and finds its result on the list."""

from __future__ import annotations

import pytest

from tests.report_world import world  # noqa: F401 (fixture)


@pytest.mark.browser
def test_a_registrar_records_a_follow_up_of_a_dropout(world, live_server, browser_for, screenshot):
    page = browser_for("registrar_a")
    page.goto(f"{live_server.url}/dropouts/")
    page.click(f"#dropout-table a:has-text('{world.dropped_out.name}')")
    page.wait_for_selector("#follow-up-form")
    page.fill("input[name=followed_up_by]", "王学籍、陈老师")
    page.click("vf-field-select[name=method] .mdc-select__anchor")
    page.locator("vf-field-select[name=method] li[role=option]", has_text="上门家访").click()
    page.click("vf-field-select[name=result] .mdc-select__anchor")
    page.locator("vf-field-select[name=result] li[role=option]", has_text="劝返中").click()
    page.fill("textarea[name=note]", "与村委会一起上门，家长答应下周送孩子回校")
    page.click("#follow-up-form button[type=submit]")
    page.wait_for_selector("#follow-ups li:has-text('家长答应下周送孩子回校')")
    assert "王学籍、陈老师" in page.inner_text("#follow-ups")
    screenshot(page, "dropout-follow-up.png")

    page.goto(f"{live_server.url}/dropouts/")
    assert "劝返中" in page.locator("#dropout-table tr", has_text=world.dropped_out.name).inner_text()
