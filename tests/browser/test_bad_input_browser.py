"""Bad input in the browser: a note over its cap is named on its field, a body over the size limit gets the site's own page in Chinese, and a renamed file is
refused on its evidence field."""

from __future__ import annotations

import pytest

from flows.models import Request


@pytest.fixture
def poverty_page(student, registrar, live_server, browser_for):
    page = browser_for(registrar.username)
    page.goto(f"{live_server.url}/students/{student.pk}/poverty/")
    page.wait_for_selector("textarea[name=note]")
    return page


@pytest.mark.browser
def test_a_note_over_its_cap_is_named_on_its_field(poverty_page, screenshot):
    page = poverty_page
    assert "不超过500字" in page.inner_text("vf-field-textarea[name=note]")
    page.fill("textarea[name=note]", "低" * 501)
    page.click("#start-form button[type=submit]")
    page.wait_for_selector("text=说明不能超过500个字（现有501个）。")
    screenshot(page, "bad-input-note-too-long.png")
    assert not Request.objects.exists()


@pytest.mark.browser
def test_a_body_over_the_size_limit_gets_the_sites_page(poverty_page, settings, screenshot):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    page = poverty_page
    page.fill("textarea[name=note]", "低" * 5_000)
    page.click("#start-form button[type=submit]")
    page.wait_for_selector("text=请求内容太大")
    assert "无法提交" in page.inner_text("body")
    screenshot(page, "bad-input-body-too-large.png")
    assert not Request.objects.exists()


@pytest.mark.browser
def test_a_renamed_file_is_refused_on_its_evidence_field(student, registrar, live_server, browser_for, screenshot, tmp_path):
    fake = tmp_path / "诊断证明.pdf"
    fake.write_bytes(b"MZ\x90\x00 a program renamed")
    page = browser_for(registrar.username)
    page.goto(f"{live_server.url}/students/{student.pk}/suspend/")
    page.click("vf-field-select[name=cause] .mdc-select__anchor")
    page.locator("vf-field-select[name=cause] li[role=option]", has_text="疾病").click()
    page.fill("input[name=applicant_name]", "王建国")
    page.fill("input[name=applicant_relationship]", "父亲")
    page.fill("input[name=applicant_phone]", "13800000001")
    page.fill("textarea[name=reason]", "住院治疗")
    page.set_input_files("input[name=evidence_diagnosis]", str(fake))
    page.click("#start-form button[type=submit]")
    page.wait_for_selector("text=内容不是PDF、JPG或PNG")
    screenshot(page, "bad-input-renamed-evidence.png")
    assert not Request.objects.exists()
