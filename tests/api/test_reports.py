"""The statistics and the term report on the API: the numbers a bureau officer checks, the
filters, who may file, and that everyone sees only their own region or school."""

from __future__ import annotations

from reports.models import TermReportSubmission
from tests.report_world import TERM, province_officer, world  # noqa: F401 (fixtures)

from .calls import errors


def rows(body) -> dict:
    return {row["name"]: row for row in body["rows"]}


def test_the_statistics_give_the_numbers_of_the_page(world, api_for, bureau_officer, school_a):
    body = api_for(bureau_officer).get("/api/v1/statistics/").json()

    assert (body["focus"]["region"], body["unit"], body["term"]) == ("330825", "school", TERM)
    assert body["students"] == {"enrolled": 8, "suspended": 1, "dropped_out": 2}
    assert body["changes"] == {"transfer_in": 1, "transfer_out": 1, "left_system": 1, "suspension": 1, "dropout": 1}
    a = rows(body)["龙游县实验小学"]
    assert a["key"] == school_a.identifier
    assert a["students"] == {"enrolled": 5, "suspended": 1, "dropped_out": 2, "graduated": 0, "deceased": 0}
    assert a["changes"] == {"transfer_out": 1, "left_system": 1, "suspension": 1, "dropout": 1}
    assert rows(body)["龙游县东华小学"]["changes"] == {"transfer_in": 1}
    assert {row["key"]: row["students"]["enrolled"] for row in body["grades"]} == {"1": 2, "3": 6}


def test_the_statistics_filters_and_their_refusals(world, api_for, bureau_officer, city_officer, school_b):
    officer = api_for(bureau_officer)
    assert officer.get(f"/api/v1/statistics/?school={school_b.identifier}").json()["students"] == {"enrolled": 3}
    assert officer.get("/api/v1/statistics/?grade=1").json()["changes"] == {}
    assert officer.get("/api/v1/statistics/?term=上学期").json()["changes"] == {}

    city = api_for(city_officer)
    body = city.get("/api/v1/statistics/").json()
    assert (body["unit"], list(rows(body))) == ("county", ["龙游县"])
    assert rows(body)["龙游县"]["key"] == "330825"
    assert city.get("/api/v1/statistics/?region=330825").json()["unit"] == "school"
    refused = city.get("/api/v1/statistics/?region=330723")  # 武义县 is 金华市's
    assert refused.status_code == 400 and "region" in errors(refused)


def test_scope_of_the_statistics(world, api_for, other_bureau_officer, registrar, province_officer, class_teacher):
    wuyi = api_for(other_bureau_officer).get("/api/v1/statistics/").json()
    assert list(rows(wuyi)) == ["武义县壶山小学"] and wuyi["changes"] == {"dropout": 1}
    school = api_for(registrar).get("/api/v1/statistics/").json()
    assert school["unit"] == "grade" and school["students"] == {"enrolled": 5, "suspended": 1, "dropped_out": 2}
    province = api_for(province_officer).get("/api/v1/statistics/").json()
    assert {name: row["students"]["enrolled"] for name, row in rows(province).items()} == {"金华市": 2, "衢州市": 8}
    assert api_for(class_teacher).get("/api/v1/statistics/").status_code == 403


def test_the_term_report_and_its_filing_on_the_api(world, api_for, registrar, bureau_officer, academic_office, school_a, school_b):
    report = api_for(bureau_officer).get(f"/api/v1/term-reports/{school_a.identifier}/?term={TERM}").json()
    assert [(row["name"], row["change"]) for row in report["rows"]] == [
        (world.suspended.name, "suspension"), (world.dropped_out.name, "dropout"),
        (world.transferred.name, "transfer_out"), (world.left_for_jiangsu.name, "left_system"),
    ]
    assert report["submissions"] == []

    assert api_for(academic_office).post(f"/api/v1/term-reports/{school_a.identifier}/submit/", {"term": TERM}).status_code == 403
    filed = api_for(registrar).post(f"/api/v1/term-reports/{school_a.identifier}/submit/", {"term": TERM, "note": "请审核"}, format="json")
    assert filed.status_code == 201 and filed.json()["change_count"] == 4
    again = api_for(registrar).post(f"/api/v1/term-reports/{school_a.identifier}/submit/", {"term": TERM}, format="json")
    assert again.status_code == 409
    assert TermReportSubmission.objects.count() == 1

    overview = api_for(bureau_officer).get(f"/api/v1/term-reports/?term={TERM}").json()["results"]
    assert {row["school"]: (row["submitted"], row["change_count"]) for row in overview} == {
        school_a.identifier: (True, 4), school_b.identifier: (False, 1)
    }
    unknown = api_for(registrar).get(f"/api/v1/term-reports/{school_a.identifier}/?term=没有的学期")
    assert unknown.status_code == 400 and "term" in errors(unknown)


def test_scope_of_the_term_reports(world, api_for, other_bureau_officer, city_officer, receiving_registrar, school_a, school_c):
    assert api_for(other_bureau_officer).get(f"/api/v1/term-reports/{school_a.identifier}/").status_code == 404
    assert [row["school"] for row in api_for(other_bureau_officer).get("/api/v1/term-reports/").json()["results"]] == [school_c.identifier]
    assert api_for(receiving_registrar).get(f"/api/v1/term-reports/{school_a.identifier}/").status_code == 404
    submit = f"/api/v1/term-reports/{school_a.identifier}/submit/"
    assert api_for(receiving_registrar).post(submit, {"term": TERM}, format="json").status_code == 404
    assert api_for(other_bureau_officer).post(submit, {"term": TERM}, format="json").status_code == 404
    assert not TermReportSubmission.objects.exists()
    city = api_for(city_officer).get(f"/api/v1/term-reports/?term={TERM}").json()["results"]
    assert school_c.identifier not in {row["school"] for row in city} and len(city) == 2
