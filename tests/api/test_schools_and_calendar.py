"""GET /api/v1/schools/, GET /api/v1/schools/{identifier}/classes/, GET/PUT /api/v1/bureaus/{code}/calendar/."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import SchoolClass, Term, TransferWindow
from tests.factories import SchoolClassFactory, SchoolFactory, StudentFactory

from .calls import errors


def identifiers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["identifier"] for row in response.json()["results"]]


def test_each_user_lists_the_schools_they_may_see(
    api_for, registrar, bureau_officer, city_officer, other_bureau_officer, admin_user, school_a, school_b, school_c
):
    assert identifiers(api_for(registrar).get("/api/v1/schools/")) == [school_a.identifier]
    assert set(identifiers(api_for(bureau_officer).get("/api/v1/schools/"))) == {school_a.identifier, school_b.identifier}
    assert set(identifiers(api_for(city_officer).get("/api/v1/schools/"))) == {school_a.identifier, school_b.identifier}
    assert identifiers(api_for(other_bureau_officer).get("/api/v1/schools/")) == [school_c.identifier]
    everything = api_for(admin_user).get("/api/v1/schools/")
    assert {school_a.identifier, school_b.identifier, school_c.identifier} <= set(identifiers(everything))


def test_a_school_reads_with_its_codes(api_for, bureau_officer, school_a, longyou):
    rows = api_for(bureau_officer).get("/api/v1/schools/", {"q": school_a.name}).json()["results"]
    assert rows == [
        {
            "identifier": school_a.identifier,
            "name": "龙游县实验小学",
            "type": "primary",
            "bureau": "330825",
            "region": "330825",
        }
    ]


def test_schools_are_paginated_and_ordered(api_for, bureau_officer, school_a, school_b):
    first = api_for(bureau_officer).get("/api/v1/schools/", {"page_size": 1, "ordering": "-identifier"}).json()
    assert first["count"] == 2
    assert first["previous"] is None and "page=2" in first["next"]
    assert [row["identifier"] for row in first["results"]] == [max(school_a.identifier, school_b.identifier)]


def test_a_schools_classes_carry_code_grade_state_and_size(api_for, registrar, class_a, class_a2, student):
    StudentFactory(school_class=class_a)
    response = api_for(registrar).get(f"/api/v1/schools/{class_a.school.identifier}/classes/")

    assert response.status_code == 200
    assert [(c["code"], c["grade"], c["state"], c["size"]) for c in response.json()["results"]] == [
        (class_a.code, 3, "open", 2),
        (class_a2.code, 3, "open", 0),
    ]


def test_class_list_filters_by_grade_and_state(api_for, registrar, school_a, class_a):
    SchoolClassFactory(school=school_a, grade=5)
    client = api_for(registrar)
    url = f"/api/v1/schools/{school_a.identifier}/classes/"
    assert [c["grade"] for c in client.get(url, {"grade": 5}).json()["results"]] == [5]
    assert client.get(url, {"state": SchoolClass.State.DISSOLVED}).json()["count"] == 0
    assert client.get(url, {"grade": 13}).status_code == 400


def test_another_schools_classes_are_not_found(api_for, other_county_registrar, bureau_officer, school_a, school_c, class_a):
    assert api_for(other_county_registrar).get(f"/api/v1/schools/{school_a.identifier}/classes/").status_code == 404
    # An officer sees the classes of the county's schools, not of another county's.
    assert api_for(bureau_officer).get(f"/api/v1/schools/{school_a.identifier}/classes/").json()["count"] == 1
    assert api_for(bureau_officer).get(f"/api/v1/schools/{school_c.identifier}/classes/").status_code == 404


def test_the_class_list_makes_no_query_per_row(api_for, registrar, school_a):
    for _ in range(6):
        SchoolClassFactory(school=school_a, grade=3)
    client = api_for(registrar)
    # The token's first call records when it was used (once every few minutes), not per row.
    client.get("/api/v1/me/")
    url = f"/api/v1/schools/{school_a.identifier}/classes/"
    counts = []
    for size in (1, 6):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(url, {"page_size": size}).json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Calendar ----------------------------------------------------------------------------------


def calendar_body():
    return {
        "terms": [
            {"name": "2025-2026学年第二学期", "start": "2026-03-01", "end": "2026-07-10"},
            {"name": "2026-2027学年第一学期", "start": "2026-09-01", "end": "2027-01-20"},
        ],
        "transfer_windows": [{"start": "2026-09-01", "end": "2026-09-10"}],
    }


def test_the_bureaus_officer_replaces_its_calendar(api_for, bureau_officer, longyou_bureau):
    Term.objects.create(bureau=longyou_bureau, name="旧学期", start=datetime.date(2025, 9, 1), end=datetime.date(2026, 1, 20))

    response = api_for(bureau_officer).put("/api/v1/bureaus/330825/calendar/", calendar_body(), format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["terms"] == calendar_body()["terms"]
    assert body["transfer_windows"] == body["effective_transfer_windows"] == calendar_body()["transfer_windows"]
    assert body["can_edit"] is True
    assert list(longyou_bureau.terms.values_list("name", flat=True)) == ["2025-2026学年第二学期", "2026-2027学年第一学期"]


def test_without_windows_the_first_and_last_week_of_each_term_are_in_force(api_for, registrar, longyou_bureau):
    Term.objects.create(bureau=longyou_bureau, name="第一学期", start=datetime.date(2026, 9, 1), end=datetime.date(2027, 1, 20))

    body = api_for(registrar).get("/api/v1/bureaus/330825/calendar/").json()

    assert body["transfer_windows"] == []
    assert body["effective_transfer_windows"] == [
        {"start": "2026-09-01", "end": "2026-09-07"},
        {"start": "2027-01-14", "end": "2027-01-20"},
    ]
    assert body["can_edit"] is False


def test_only_the_bureaus_own_officers_change_its_calendar(
    api_for, registrar, other_bureau_officer, city_officer, longyou_bureau
):
    for user in (registrar, other_bureau_officer, city_officer):
        response = api_for(user).put("/api/v1/bureaus/330825/calendar/", calendar_body(), format="json")
        assert response.status_code == 403
        errors(response)
    assert not longyou_bureau.terms.exists()


def test_a_term_ending_before_it_starts_is_refused_and_nothing_changes(api_for, bureau_officer, longyou_bureau):
    TransferWindow.objects.create(bureau=longyou_bureau, start=datetime.date(2026, 9, 1), end=datetime.date(2026, 9, 5))
    body = calendar_body()
    body["terms"][0]["end"] = "2026-02-01"

    response = api_for(bureau_officer).put("/api/v1/bureaus/330825/calendar/", body, format="json")

    assert response.status_code == 400
    assert errors(response) == {"non_field_errors": ["学期“2025-2026学年第二学期”的结束日期须晚于开始日期。"]}
    assert longyou_bureau.transfer_windows.count() == 1


def test_a_malformed_calendar_names_the_field(api_for, bureau_officer, longyou_bureau):
    response = api_for(bureau_officer).put(
        "/api/v1/bureaus/330825/calendar/", {"terms": [{"name": "x", "start": "soon"}], "transfer_windows": []}, format="json"
    )
    assert response.status_code == 400
    assert set(errors(response)) == {"terms.0.start", "terms.0.end"}


def test_an_unknown_bureau_is_not_found(api_for, registrar):
    assert api_for(registrar).get("/api/v1/bureaus/999999/calendar/").status_code == 404


def test_schools_of_another_province_are_not_listed(api_for, registrar):
    SchoolFactory()
    assert api_for(registrar).get("/api/v1/schools/").json()["count"] == 1
