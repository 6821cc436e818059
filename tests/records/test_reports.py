"""The statistics page, the dropout follow-up list (控辍保学) and the term report, as a bureau
officer and a registrar read them: the numbers on the page and in the xlsx, the filters, the
follow-ups written and who may write them, the report's rows and its filing, and the scope."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from records import services
from records.errors import Conflict
from records.models import DropoutFollowUp, Student, TermReportSubmission
from records.school_age import age_on, compulsory_birth_dates
from tests.factories import StudentFactory
from tests.report_world import TERM, province_officer, world  # noqa: F401 (fixtures)

SUSPENDED, DROPPED_OUT, ENROLLED = "休学", "流失", "在籍"


def table(page: str, table_id: str) -> dict[str, list[str]]:
    """A count table of the page as {first cell: [the other cells]}."""
    import re

    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def sheets(response) -> dict[str, list[list]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def sheet_rows(rows: list[list], first: str) -> dict:
    """The sheet's table below its caption, as {first cell: the other cells}."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == first)
    return {row[0]: row[1:] for row in rows[start:]}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


# --- Statistics --------------------------------------------------------------------------------------


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
    from records.services.rollover import rollover_apply, rollover_queue

    rollover = rollover_queue(school_year=timezone.localdate().year + 1, bureau=longyou_bureau, by=bureau_officer)
    rollover_apply(rollover_id=rollover.pk)
    html = page(client_for(bureau_officer), "/statistics/")
    assert table(html, "change-grade-table")["三年级"][-1] == "5"
    assert table(html, "grade-table")["四年级"][0] == "6"  # enrolled now, in their class now


# --- Dropout follow-up (控辍保学) -----------------------------------------------------------------------


def test_compulsory_education_age_is_six_to_fifteen_from_the_birth_date():
    day = datetime.date(2026, 9, 1)
    earliest, latest = compulsory_birth_dates(day)
    assert (age_on(earliest, day), age_on(latest, day)) == (15, 6)
    assert age_on(earliest - datetime.timedelta(days=1), day) == 16
    assert age_on(latest + datetime.timedelta(days=1), day) == 5


def test_the_dropout_list_shows_the_region_s_dropouts_of_compulsory_age_with_the_reason(
    world, bureau_officer, registrar, class_a, client_for
):
    too_old = StudentFactory(school_class=class_a, by=registrar, birth_date=timezone.localdate().replace(year=timezone.localdate().year - 17))
    services.student_drop_out(student=too_old, reason=services.code_get("dropout_reason", "2"), by=registrar)

    html = page(client_for(bureau_officer), "/dropouts/")
    rows = table(html, "dropout-table")
    assert world.dropped_out.student_number in rows and world.left_for_jiangsu.student_number in rows
    assert rows[world.dropped_out.student_number][4] == "流失（辍学）"
    assert rows[world.left_for_jiangsu.student_number][4:6] == ["转至市外/省外/境外", "省外：江苏省南京市"]
    assert too_old.student_number not in html
    assert world.dropped_out_c.student_number not in html  # 武义县

    only_left = table(page(client_for(bureau_officer), "/dropouts/?reason=3"), "dropout-table")
    assert list(only_left)[1:] == [world.left_for_jiangsu.student_number]


def test_follow_ups_are_written_by_the_school_and_the_bureau_and_shown_to_whoever_sees_the_student(
    world, registrar, bureau_officer, city_officer, academic_office, client_for
):
    student = world.dropped_out
    response = client_for(registrar).post(
        f"/dropouts/{student.pk}/",
        {"followed_up_on": timezone.localdate().isoformat(), "followed_up_by": "王学籍、班主任", "method": "phone",
         "result": "persuading", "note": "家长答应下周送回学校"},
    )
    assert response.status_code == 302
    services.follow_up_add(
        student=student, by=bureau_officer, followed_up_on=timezone.localdate(), followed_up_by="吴科长",
        method=DropoutFollowUp.Method.HOME_VISIT, result=DropoutFollowUp.Result.UNREACHABLE, note="家中无人",
    )

    for reader in (registrar, bureau_officer, city_officer, academic_office):
        html = page(client_for(reader), f"/dropouts/{student.pk}/")
        assert "家长答应下周送回学校" in html and "王学籍、班主任" in html and "家中无人" in html
    shown = page(client_for(academic_office), f"/dropouts/{student.pk}/")
    assert 'id="follow-up-form"' not in shown  # the academic office reads, does not write
    listed = table(page(client_for(bureau_officer), "/dropouts/?result=unreachable"), "dropout-table")
    assert student.student_number in listed and world.left_for_jiangsu.student_number not in listed
    never = table(page(client_for(bureau_officer), "/dropouts/?result=none"), "dropout-table")
    assert student.student_number not in never and world.left_for_jiangsu.student_number in never


def test_only_the_school_s_registrar_and_the_region_s_officers_may_write_a_follow_up(
    world, receiving_registrar, academic_office, other_bureau_officer, other_county_registrar, client_for
):
    student = world.dropped_out
    note = {"followed_up_on": timezone.localdate(), "followed_up_by": "某人", "method": "phone", "result": "persuading"}
    for stranger in (receiving_registrar, academic_office, other_bureau_officer):
        with pytest.raises(PermissionDenied):
            services.follow_up_add(student=student, by=stranger, **note)
    assert client_for(academic_office).post(f"/dropouts/{student.pk}/", {**note, "followed_up_on": "2026-01-01"}).status_code == 403
    # Other schools and counties do not even find the student.
    assert client_for(other_county_registrar).get(f"/dropouts/{student.pk}/").status_code == 404
    assert client_for(receiving_registrar).get(f"/dropouts/{student.pk}/").status_code == 404
    assert not DropoutFollowUp.objects.exists()


def test_a_follow_up_with_bad_input_is_refused_field_by_field(world, registrar, client_for):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.follow_up_add(
            student=world.dropped_out, by=registrar, followed_up_on=tomorrow, followed_up_by=" ", method="x", result="other"
        )
    assert set(refused.value.message_dict) == {"followed_up_on", "followed_up_by", "method", "note"}
    assert refused.value.message_dict["followed_up_on"] == ["跟踪日期不能晚于今天。"]
    html = client_for(registrar).post(
        f"/dropouts/{world.dropped_out.pk}/",
        {"followed_up_on": tomorrow.isoformat(), "followed_up_by": "王", "method": "phone", "result": "persuading"},
    ).content.decode()
    assert "跟踪日期不能晚于今天。" in html
    assert not DropoutFollowUp.objects.exists()


def test_the_dropout_xlsx_is_the_filtered_list(world, bureau_officer, client_for):
    book = sheets(client_for(bureau_officer).get("/dropouts/?reason=2&format=xlsx"))
    rows = sheet_rows(book["控辍保学名单"], "学籍号")
    assert list(rows) == ["学籍号", world.dropped_out.student_number]
    assert rows[world.dropped_out.student_number][6] == "流失（辍学）"
    assert rows[world.dropped_out.student_number][-1] == "尚未跟踪"


# --- The term report --------------------------------------------------------------------------------


def test_the_term_report_lists_the_school_s_changes_of_the_term(world, registrar, client_for, school_a):
    html = page(client_for(registrar), f"/term-reports/{school_a.identifier}/")
    rows = table(html, "term-report-rows")
    by_name = {cells[1]: cells for number, cells in rows.items() if number != "序号" and len(cells) > 4}
    assert by_name[world.suspended.name][4] == "休学"
    assert by_name[world.dropped_out.name][4:6] == ["流失/退学", "长期不到校"]
    assert by_name[world.transferred.name][4] == "转出" and by_name[world.transferred.name][6] == "龙游县东华小学"
    assert by_name[world.left_for_jiangsu.name][4] == "转至市外/省外/境外"
    assert by_name[world.left_for_jiangsu.name][6] == "江苏省南京市"
    assert len(by_name) == 4
    assert "上学期" in html  # the other term is a choice
    assert "本学期没有办结的学籍异动" in page(client_for(registrar), f"/term-reports/{school_a.identifier}/?term=上学期")

    book = sheets(client_for(registrar).get(f"/term-reports/{school_a.identifier}/?term={TERM}&format=xlsx"))
    sheet = sheet_rows(book["学籍异动登记表"], "序号")
    assert [row[4] for key, row in sheet.items() if key != "序号"] == ["休学", "流失/退学", "转出", "转至市外/省外/境外"]


def test_the_registrar_files_the_report_and_the_bureau_sees_who_has_filed(
    world, registrar, receiving_registrar, academic_office, bureau_officer, client_for, school_a, school_b
):
    with pytest.raises(PermissionDenied):
        services.term_report_submit(school=school_a, term_name=TERM, by=academic_office)
    with pytest.raises(PermissionDenied):
        services.term_report_submit(school=school_a, term_name=TERM, by=receiving_registrar)

    response = client_for(registrar).post(f"/term-reports/{school_a.identifier}/submit/", {"term": TERM, "note": "已核对"})
    assert response.status_code == 302
    filed = TermReportSubmission.objects.get()
    assert (filed.school, filed.term_name, filed.change_count, filed.submitted_by, filed.note) == (
        school_a, TERM, 4, registrar, "已核对"
    )
    with pytest.raises(Conflict, match="无需重复报送"):
        services.term_report_submit(school=school_a, term_name=TERM, by=registrar)

    overview = table(page(client_for(bureau_officer), f"/term-reports/?term={TERM}"), "term-report-schools")
    assert overview[school_a.identifier][2] == "4"
    assert overview[school_a.identifier][3].startswith("已报送：王学籍")
    assert overview[school_b.identifier][2:] == ["1", "未报送"]
    assert "已报送 1 所，共 2 所学校" in page(client_for(bureau_officer), f"/term-reports/?term={TERM}")


def test_a_change_after_filing_shows_and_may_be_filed_again(world, registrar, bureau_officer, client_for, school_a, class_a):
    from tests.flows.acting import decide
    from tests.flows.status.conftest import start_dropout

    services.term_report_submit(school=school_a, term_name=TERM, by=registrar)
    late = StudentFactory(school_class=class_a, by=registrar)
    decide(bureau_officer, start_dropout(late, registrar, "2"))
    assert "报送后有新的异动" in page(client_for(bureau_officer), f"/term-reports/?term={TERM}")
    again = services.term_report_submit(school=school_a, term_name=TERM, by=registrar)
    assert again.change_count == 5


# --- Scope: every page ---------------------------------------------------------------------------------


def test_scope_another_county_sees_nothing_of_this_one(world, other_bureau_officer, other_county_registrar, client_for, school_a):
    for user in (other_bureau_officer, other_county_registrar):
        client = client_for(user)
        for url in ("/statistics/", "/dropouts/", "/term-reports/"):
            html = client.get(url, follow=True).content.decode()
            assert "龙游" not in html.split("<main", 1)[-1].split('class="vf-page__menu', 1)[0]
            assert world.dropped_out.student_number not in html
        assert client.get(f"/term-reports/{school_a.identifier}/").status_code == 404
        assert client.get(f"/dropouts/{world.dropped_out.pk}/").status_code == 404
    wuyi = table(page(client_for(other_bureau_officer), "/statistics/"), "enrolment-table")
    assert list(wuyi) == ["学校", "武义县壶山小学", "合计"]


def test_scope_a_registrar_sees_only_the_own_school(world, receiving_registrar, client_for, school_a, school_b):
    client = client_for(receiving_registrar)
    assert client.get("/term-reports/").url == f"/term-reports/{school_b.identifier}/"
    assert client.get(f"/term-reports/{school_a.identifier}/").status_code == 404
    assert client.post(f"/term-reports/{school_a.identifier}/submit/", {"term": TERM}).status_code == 404
    assert not TermReportSubmission.objects.exists()
    assert world.dropped_out.student_number not in page(client, "/dropouts/")
    assert "龙游县实验小学" not in page(client, "/statistics/").split('id="enrolment-table"', 1)[1]


def test_teachers_have_no_statistics(world, class_teacher, client_for, school_a):
    client = client_for(class_teacher)
    for url in ("/statistics/", "/dropouts/", "/term-reports/", f"/term-reports/{school_a.identifier}/"):
        assert client.get(url).status_code in (403, 404), url


def test_the_menu_and_the_bureau_home_page_link_the_reports(world, bureau_officer, class_teacher, client_for):
    home = page(client_for(bureau_officer), "/")
    assert 'href="/statistics/"' in home and 'href="/dropouts/"' in home and 'href="/term-reports/"' in home
    assert 'id="home-reports"' in home
    assert 'href="/statistics/"' not in page(client_for(class_teacher), "/")


def test_a_student_who_returned_leaves_the_list_and_keeps_the_follow_ups(world, registrar, bureau_officer, client_for):
    from tests.flows.acting import decide
    from tests.flows.status.conftest import start_resumption

    student = world.dropped_out
    services.follow_up_add(
        student=student, by=registrar, followed_up_on=timezone.localdate(), followed_up_by="王学籍",
        method="home_visit", result="returned", note="已回校上课",
    )
    decide(bureau_officer, start_resumption(student, registrar))
    student.refresh_from_db()
    assert student.status == Student.Status.ENROLLED
    assert student.student_number not in page(client_for(bureau_officer), "/dropouts/")
    assert "已回校上课" in page(client_for(bureau_officer), f"/dropouts/{student.pk}/")
    with pytest.raises(Conflict):
        services.follow_up_add(
            student=student, by=registrar, followed_up_on=timezone.localdate(), followed_up_by="王", method="phone",
            result="returned",
        )


def test_the_pages_count_with_a_fixed_number_of_queries_however_many_schools(world, bureau_officer, client_for, longyou, longyou_bureau, registrar):
    """Grouped aggregate queries: more schools, students and changes add no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import SchoolClassFactory, SchoolFactory
    from tests.flows.acting import decide
    from tests.flows.status.conftest import start_dropout

    client = client_for(bureau_officer)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = ("/statistics/", "/statistics/?format=xlsx", "/dropouts/", f"/term-reports/?term={TERM}")
    before = [queries(url) for url in urls]
    for _ in range(3):
        school = SchoolFactory(region=longyou, bureau=longyou_bureau)
        school_class = SchoolClassFactory(school=school, grade=2)
        other_registrar = services.user_provision(
            username=f"registrar_{school.identifier}", role="registrar", password="Xueji-Test-2024!", school=school
        )
        students = [StudentFactory(school_class=school_class, by=other_registrar) for _ in range(3)]
        decide(bureau_officer, start_dropout(students[0], other_registrar, "2"))
    after = [queries(url) for url in urls]
    assert after == before
    assert table(page(client, "/statistics/"), "enrolment-table")["合计"][-1] == "20"
