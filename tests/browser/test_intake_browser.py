"""A registrar downloads the intake template, fills it in, uploads it, follows the progress bar,
downloads the error report and imports the valid rows; the office sees the request."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from flows.intake.tasks import intake_import_run
from flows.models import Intake
from records.models import IntakeImport
from tests.intake_files import new_pupil


@pytest.mark.browser
def test_upload_progress_and_error_report(live_server, registrar, academic_office, class_a, browser_for, screenshot, tmp_path):
    page = browser_for("registrar_a")
    page.get_by_role("link", name="批量导入新生").click()
    page.wait_for_url(f"{live_server.url}/intake/")

    with page.expect_download() as download:
        page.click("#template-download")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook["新生信息"]
    headers = [cell.value for cell in sheet[1]]
    rows = [new_pupil(class_a, n) for n in range(4)]
    rows[2]["身份证件号"] = rows[2]["身份证件号"][:-1] + ("0" if rows[2]["身份证件号"][-1] != "0" else "1")
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    filled = tmp_path / "2024级一年级新生.xlsx"
    workbook.save(filled)

    page.set_input_files("input[name=file]", str(filled))
    screenshot(page, "intake-upload.png")
    page.click("#intake-upload-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/intake/*/")
    # No worker takes the job yet: the bar is empty and the page says the file waits.
    assert page.get_attribute("#intake-bar", "value") == "0"
    assert "排队等待校验" in page.inner_text("#intake-progress")
    screenshot(page, "intake-queued.png")

    # A worker checks the file; the page's polling sees it finish and shows the result.
    intake_import = IntakeImport.objects.get()
    intake_import_run(intake_import_id=intake_import.pk)
    page.wait_for_selector("#intake-counts", timeout=15_000)
    assert page.get_attribute("#intake-bar", "value") == page.get_attribute("#intake-bar", "max") == "4"
    assert "身份证件号：居民身份证号校验位错误" in page.inner_text("#intake-errors")
    screenshot(page, "intake-result.png")

    with page.expect_download() as download:
        page.click("#error-report")
    report_path = tmp_path / download.value.suggested_filename
    download.value.save_as(report_path)
    assert report_path.name == "2024级一年级新生_错误报告.xlsx"
    report = load_workbook(report_path).active
    header = [cell.value for cell in report[1]]
    line = report[2]
    assert line[0].value == 4
    bad = line[header.index("身份证件号")]
    assert bad.fill.fill_type == "solid" and bad.value == rows[2]["身份证件号"]
    assert line[header.index("错误说明")].value == "第4行 身份证件号：居民身份证号校验位错误，请核对号码。"

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#intake-submit button[type=submit]")
    page.wait_for_url(f"{live_server.url}/requests/*/")
    assert "批量新生：3 人" in page.inner_text("#intake-entries")
    screenshot(page, "intake-request.png")
    intake = Intake.objects.get()
    assert sorted(intake.entries.values_list("row__row", flat=True)) == [2, 3, 5]

    office = browser_for("office_a")
    office.goto(f"{live_server.url}/tasks/")
    assert "教导处核准批量新生信息" in office.inner_text("main")
