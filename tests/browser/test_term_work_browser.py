"""Term work through the browser: the subject teacher enters the class's levels (a score is
refused), the class teacher checks the head count against the roster (a mismatch is explained)."""

from __future__ import annotations

import re

import pytest

from records.models import HeadCount, LevelGrade
from tests.records.term_work import end_of_term, pupils, start_of_term  # noqa: F401 (fixtures)


def level_input(page, student):
    return page.locator(f"input[name=level_{student.pk}]")


@pytest.mark.browser
def test_the_subject_teacher_enters_the_class_levels_and_a_score_is_refused(
    live_server, subject_teacher, class_a, pupils, end_of_term, browser_for, screenshot
):
    wang, li, zhang = pupils["王小明"], pupils["李小红"], pupils["张小刚"]
    page = browser_for("math_a")
    assert "0/3" in page.inner_text("#home-term-work")
    page.locator("#home-term-work").get_by_role("link", name="录入成绩").click()
    page.wait_for_url(f"{live_server.url}/classes/{class_a.pk}/grades/")
    assert "数学成绩录入" in page.inner_text("main")

    level_input(page, wang).fill("优秀")
    level_input(page, li).fill("95")
    level_input(page, zhang).fill("良")
    page.click("#grade-form button[type=submit]")

    page.wait_for_selector("#grade-errors")
    assert "李小红：“95”是分数。成绩只录入等级（优秀、良好、合格、待合格），严禁录入考试分数。" in page.inner_text("#grade-errors")
    assert "严禁录入考试分数" in page.inner_text(f"tr[data-student='{li.pk}']")
    assert level_input(page, li).input_value() == "95"
    assert level_input(page, wang).input_value() == "优秀"
    screenshot(page, "grades-score-refused.png")
    assert not LevelGrade.objects.exists()

    level_input(page, li).fill("良好")
    page.click("#grade-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/classes/{class_a.pk}/grades/")
    page.wait_for_selector("#grade-errors", state="detached")
    assert [level_input(page, s).input_value() for s in (wang, li, zhang)] == ["优秀", "良好", "良好"]
    screenshot(page, "grades-entered.png")

    page.goto(f"{live_server.url}/classes/{class_a.pk}/term/")
    assert "3/3" in page.inner_text("#grades-progress")


@pytest.mark.browser
def test_the_class_teacher_checks_the_head_count_and_explains_the_mismatch(
    live_server, class_teacher, class_a, pupils, start_of_term, browser_for, screenshot
):
    li = pupils["李小红"]
    page = browser_for("teacher_a")
    page.locator("#home-term-work").get_by_role("link", name="期初人数核对").click()
    page.wait_for_url(f"{live_server.url}/classes/{class_a.pk}/head-count/start/")
    roster = page.inner_text("#head-count-roster")
    assert all(name in roster for name in pupils)

    page.check(f"#missing-{li.pk}")
    page.fill("input[name=actual_count]", "2")
    page.click("#head-count-form button[type=submit]")

    page.wait_for_selector("#head-count-errors")
    assert "实到人数与名册不符，请说明原因后再确认" in page.inner_text("#head-count-errors")
    assert page.is_checked(f"#missing-{li.pk}")
    assert not HeadCount.objects.exists()
    screenshot(page, "head-count-mismatch-refused.png")

    page.fill("textarea[name=explanation]", "李小红发烧请假，家长已电话告知。")
    page.click("#head-count-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/classes/{class_a.pk}/term/$"))

    row = page.inner_text("#head-counts tr[data-point=start]")
    assert "已核对，不符已说明" in row
    assert "名册 3 人，实到 2 人" in row and "未到班：李小红" in row
    assert "李小红发烧请假，家长已电话告知。" in row
    screenshot(page, "head-count-confirmed.png")
