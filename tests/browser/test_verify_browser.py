"""Someone outside the system checks a graduation certificate on /verify/, as a browser does it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from records.services import class_graduate
from tests.factories import SchoolClassFactory, StudentFactory


@pytest.fixture
def certified(school_a, registrar):
    cache.clear()  # the page's rate limit counts in the cache
    sixth = SchoolClassFactory(school=school_a, grade=6)
    pupil = StudentFactory(school_class=sixth, by=registrar, name="钱小文")
    class_graduate(school_class=sixth, certificates={pupil.pk: "330825202500007"}, year=2025, by=None)
    return pupil


@pytest.mark.browser
def test_a_visitor_checks_a_certificate_with_the_form(live_server, certified, browser_page, screenshot):
    page = browser_page
    page.goto(f"{live_server.url}/verify/?number=330825202500007&name=钱小文")
    # The address answers nothing: the form is empty and there is no result.
    assert page.locator("#verify-result").count() == 0
    assert page.input_value("input[name=number]") == ""
    assert "毕业证书查验" in page.inner_text("body")
    screenshot(page, "verify-form.png")

    page.fill("input[name=number]", "330825202500007")
    page.fill("input[name=name]", "钱小文")
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verify-result")
    result = page.inner_text("#verify-result")
    assert "证书有效" in result and "龙游县实验小学" in result and "2025" in result
    assert certified.student_number not in page.inner_text("body")
    screenshot(page, "verify-valid.png")

    page.fill("input[name=name]", "钱小武")
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verify-result.xj-verify--invalid")
    assert "证书无效" in page.inner_text("#verify-result")
    screenshot(page, "verify-invalid.png")
