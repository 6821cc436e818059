"""The statistics page (学籍统计) as a bureau officer and a registrar read it: the numbers on the
page and in the xlsx, the filters, the grade a change counts in, and the scope."""

from __future__ import annotations

from django.utils import timezone

from records.services.rollover import rollover_apply, rollover_queue
from tests.report_reading import page, sheet_rows, sheets, table
from tests.report_world import province_officer, world  # noqa: F401 (fixtures)


def test_a_county_officer_sees_students_by_status_and_changes_by_kind_per_school(world, bureau_officer, client_for):
    html = page(client_for(bureau_officer), "/statistics/")

    students = table(html, "enrolment-table")
    # Columns: 在籍 休学 流失 毕业 死亡 合计
    assert students["龙游县实验小学"] == ["5", "1", "2", "0", "0", "8"]
    assert students["龙游县东华小学"] == ["3", "0", "0", "0", "0", "3"]
    assert students["合计"] == ["8", "1", "2", "0", "0", "11"]
    assert "武义县壶山小学" not in html

    changes = table(html, "change-table")
    assert changes["学校"] == ["转入", "转出", "转至市外/省外/境外", "休学", "流失/退学", "合计"]
    assert changes["龙游县实验小学"] == ["0", "1", "1", "1", "1", "4"]
    assert changes["龙游县东华小学"] == ["1", "0", "0", "0", "0", "1"]
    assert changes["合计"] == ["1", "1", "1", "1", "1", "5"]

    grades = table(html, "grade-table")
    assert grades["一年级"] == ["2", "0", "0", "0", "0", "2"]
    assert grades["三年级"] == ["6", "1", "2", "0", "0", "9"]


def test_the_xlsx_holds_the_numbers_of_the_page(world, bureau_officer, client_for):
    book = sheets(client_for(bureau_officer).get("/statistics/?format=xlsx"))

    assert list(book) == ["学生人数（按学校）", "学生人数（按年级）", "学籍异动（按学校）", "学籍异动（按年级）"]
    assert book["学生人数（按学校）"][0][0] == "学籍统计：龙游县"
    students = sheet_rows(book["学生人数（按学校）"], "学校")
    assert students["学校"] == ["在籍", "休学", "流失", "毕业", "死亡", "合计"]
    assert students["龙游县实验小学"] == [5, 1, 2, 0, 0, 8]
    assert students["合计"] == [8, 1, 2, 0, 0, 11]
    changes = sheet_rows(book["学籍异动（按学校）"], "学校")
    assert changes["龙游县东华小学"] == [1, 0, 0, 0, 0, 1]
    assert changes["合计"] == [1, 1, 1, 1, 1, 5]


def test_a_city_officer_sees_its_counties_and_can_open_one_down_to_its_schools(world, city_officer, client_for):
    client = client_for(city_officer)
    html = page(client, "/statistics/")
    assert table(html, "enrolment-table")["龙游县"] == ["8", "1", "2", "0", "0", "11"]
    assert table(html, "change-table")["龙游县"] == ["1", "1", "1", "1", "1", "5"]
    assert "武义县" not in html  # 金华市, not 衢州市

    county = page(client, "/statistics/?region=330825")
    assert table(county, "enrolment-table")["龙游县东华小学"] == ["3", "0", "0", "0", "0", "3"]
    # Another city's county is not a choice: the page stays the officer's own region.
    refused = page(client, "/statistics/?region=330723")
    assert "武义县壶山小学" not in refused and table(refused, "enrolment-table")["龙游县"][0] == "8"


def test_a_province_officer_sees_its_cities(world, province_officer, client_for):
    html = page(client_for(province_officer), "/statistics/")
    students = table(html, "enrolment-table")
    assert students["衢州市"] == ["8", "1", "2", "0", "0", "11"]
    assert students["金华市"] == ["2", "0", "1", "0", "0", "3"]
    assert table(html, "change-table")["金华市"] == ["0", "0", "0", "0", "1", "1"]


def test_a_registrar_sees_only_the_school_by_grade(world, registrar, client_for):
    html = page(client_for(registrar), "/statistics/")
    students = table(html, "enrolment-table")
    assert students["年级"][0] == "在籍"
    assert students["一年级"] == ["2", "0", "0", "0", "0", "2"]
    assert students["三年级"] == ["3", "1", "2", "0", "0", "6"]
    changes = table(html, "change-table")
    assert changes["三年级"] == ["1", "1", "1", "1", "4"]  # 转出 转至市外 休学 流失 合计
    assert "龙游县东华小学" not in html


def test_the_filters_narrow_by_school_grade_and_term(world, bureau_officer, client_for, school_b):
    client = client_for(bureau_officer)
    by_school = page(client, f"/statistics/?school={school_b.identifier}")
    assert table(by_school, "enrolment-table")["三年级"] == ["3", "0", "0", "0", "0", "3"]
    assert table(by_school, "change-table")["三年级"] == ["1", "1"]

    first_grade = page(client, "/statistics/?grade=1")
    assert table(first_grade, "enrolment-table")["龙游县实验小学"] == ["2", "0", "0", "0", "0", "2"]
    assert "所选期间没有办结的学籍异动" in first_grade

    # Last term had no changes; "all time" has them all.
    assert "所选期间没有办结的学籍异动" in page(client, "/statistics/?term=上学期")
    assert table(page(client, "/statistics/?term="), "change-table")["合计"][-1] == "5"


def test_a_change_of_last_school_year_counts_in_the_grade_the_student_was_in(world, bureau_officer, client_for, admin_user, longyou_bureau):
    """After the rollover class_a is a fourth grade; the changes of this term were in the third."""
    rollover = rollover_queue(school_year=timezone.localdate().year + 1, bureau=longyou_bureau, by=bureau_officer)
    rollover_apply(rollover_id=rollover.pk)
    html = page(client_for(bureau_officer), "/statistics/")
    assert table(html, "change-grade-table")["三年级"][-1] == "5"
    assert table(html, "grade-table")["四年级"][0] == "6"  # enrolled now, in their class now
