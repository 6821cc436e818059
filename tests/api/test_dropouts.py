"""The dropout follow-ups (控辍保学) on the API: the list a bureau officer checks, its filters, the
follow-ups and who may write them, and that everyone sees only their own region or school."""

from __future__ import annotations

from django.utils import timezone

from records.models import DropoutFollowUp
from tests.report_world import world  # noqa: F401 (fixture)

from .calls import errors


def test_the_dropout_list_and_its_follow_ups(world, api_for, bureau_officer, registrar, city_officer, academic_office):
    listed = api_for(bureau_officer).get("/api/v1/dropouts/").json()
    assert {row["student_number"]: row["dropout_reason"] for row in listed["results"]} == {
        world.dropped_out.student_number: "2", world.left_for_jiangsu.student_number: "3"
    }
    only = api_for(bureau_officer).get("/api/v1/dropouts/?reason=3").json()["results"]
    assert [row["dropout_destination"] for row in only] == ["省外：江苏省南京市"]

    url = f"/api/v1/dropouts/{world.dropped_out.pk}/follow-ups/"
    note = {"followed_up_on": str(timezone.localdate()), "followed_up_by": "王学籍", "method": "home_visit", "result": "persuading", "note": "家长同意返校"}
    created = api_for(registrar).post(url, note, format="json")
    assert created.status_code == 201 and created.json()["recorded_by"] == registrar.username
    assert api_for(bureau_officer).post(url, {**note, "result": "returned"}, format="json").status_code == 201
    for reader in (registrar, bureau_officer, city_officer, academic_office):
        assert [item["result"] for item in api_for(reader).get(url).json()] == ["returned", "persuading"]
    latest = api_for(bureau_officer).get("/api/v1/dropouts/?result=returned").json()["results"]
    assert [(row["name"], row["follow_up_count"]) for row in latest] == [(world.dropped_out.name, 2)]


def test_who_may_write_a_follow_up_on_the_api(
    world, api_for, academic_office, receiving_registrar, other_bureau_officer, registrar
):
    url = f"/api/v1/dropouts/{world.dropped_out.pk}/follow-ups/"
    note = {"followed_up_on": str(timezone.localdate()), "followed_up_by": "某人", "method": "phone", "result": "persuading"}
    assert api_for(academic_office).post(url, note, format="json").status_code == 403
    assert api_for(receiving_registrar).post(url, note, format="json").status_code == 404
    assert api_for(other_bureau_officer).get(url).status_code == 404
    bad = api_for(registrar).post(url, {**note, "result": "other"}, format="json")
    assert bad.status_code == 400 and "note" in errors(bad)
    assert not DropoutFollowUp.objects.exists()


def test_scope_of_the_dropout_list(world, api_for, other_bureau_officer, receiving_registrar):
    wuyi = api_for(other_bureau_officer).get("/api/v1/dropouts/").json()["results"]
    assert [row["student_number"] for row in wuyi] == [world.dropped_out_c.student_number]
    assert api_for(receiving_registrar).get("/api/v1/dropouts/").json()["count"] == 0
