"""学籍统计 in the browser: a county officer opens the statistics from the menu, sees the counts and
both charts drawn by Chart.js (served from our static files), narrows to a school, and downloads
the xlsx."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.report_world import world  # noqa: F401 (fixture)


def drawn_bars(page, canvas_id: str) -> list[int]:
    """The numbers Chart.js drew on the canvas, and that it painted something."""
    return page.evaluate(
        """id => {
            const canvas = document.getElementById(id);
            const chart = Chart.getChart(canvas);
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
            if (!painted) return [];
            return chart.data.datasets.flatMap(d => d.data);
        }""",
        canvas_id,
    )


@pytest.mark.browser
def test_an_officer_reads_the_statistics_with_their_charts(world, school_b, live_server, browser_for, screenshot):
    page = browser_for("officer_longyou")
    page.click("a.vf-page__menu-list-item:has-text('学籍统计')")
    page.wait_for_url(f"{live_server.url}/statistics/")
    page.wait_for_selector("#chart-enrolment[data-drawn]")
    page.wait_for_selector("#chart-changes[data-drawn]")

    assert "学籍统计 · 龙游县" in page.inner_text("#statistics-title")
    totals = page.inner_text("#statistics-totals")
    assert "8\n在籍" in totals and "1\n休学" in totals and "2\n流失" in totals and "5\n学籍异动（人次）" in totals
    # 在籍, 休学, 流失 for 实验小学 and 东华小学; the changes by kind.
    assert drawn_bars(page, "chart-enrolment") == [5, 3, 1, 0, 2, 0]
    assert sorted(drawn_bars(page, "chart-changes")) == [1, 1, 1, 1, 1]
    screenshot(page, "statistics-county.png")

    page.click("#enrolment-table a:has-text('龙游县东华小学')")
    page.wait_for_url(f"**school={school_b.identifier}**")
    page.wait_for_selector("#statistics-title:has-text('龙游县东华小学')")
    page.wait_for_selector("#chart-enrolment[data-drawn]")
    assert drawn_bars(page, "chart-enrolment") == [3, 0, 0]

    with page.expect_download() as download:
        page.click("#statistics-xlsx")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert book.sheetnames == ["学生人数（按年级）", "学籍异动（按年级）"]
    assert book["学生人数（按年级）"]["A1"].value == "学籍统计：龙游县东华小学"
