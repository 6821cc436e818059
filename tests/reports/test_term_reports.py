"""The term report of status changes (篇10 五.五) as a registrar and a bureau officer read it:
the school's rows, the xlsx, filing it, and a change after filing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from records.errors import Conflict
from reports import services
from reports.models import TermReportSubmission
from tests.factories import StudentFactory
from tests.flows.acting import decide
from tests.flows.status.conftest import start_dropout
from tests.report_reading import page, sheet_rows, sheets, table
from tests.report_world import TERM, world  # noqa: F401 (fixtures)


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

    services.term_report_submit(school=school_a, term_name=TERM, by=registrar)
    late = StudentFactory(school_class=class_a, by=registrar)
    decide(bureau_officer, start_dropout(late, registrar, "2"))
    assert "报送后有新的异动" in page(client_for(bureau_officer), f"/term-reports/?term={TERM}")
    again = services.term_report_submit(school=school_a, term_name=TERM, by=registrar)
    assert again.change_count == 5
