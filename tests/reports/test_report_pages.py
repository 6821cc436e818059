"""What every report page shares (statistics, dropout follow-ups, term reports): each user sees
only their own region or school, teachers none, the menu and the bureau's home page link them,
and they count in a fixed number of queries however big the region."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from records import services
from reports.models import TermReportSubmission
from tests.factories import SchoolClassFactory, SchoolFactory, StudentFactory
from tests.flows.acting import decide
from tests.flows.status.conftest import start_dropout
from tests.report_reading import page, table
from tests.report_world import TERM, world  # noqa: F401 (fixtures)


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


def test_the_pages_count_with_a_fixed_number_of_queries_however_many_schools(world, bureau_officer, client_for, longyou, longyou_bureau, registrar):
    """Grouped aggregate queries: more schools, students and changes add no query."""
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
