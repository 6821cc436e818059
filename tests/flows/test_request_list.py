"""The request list (/requests/ and GET /api/v1/requests/): who sees which requests, newest first.

A bureau's list names its schools (or, for a region that holds every school, has no condition at
all, and past LISTED_SCHOOLS_MAX schools goes through a subquery): each way must show every role
exactly the requests of its school, class or region, in the same order.

浙江省 330000 (bureau: province_officer)
├── 衢州市 330800 (city_officer)
│   ├── 龙游县 330825 (bureau_officer): school_a (class_a), school_b
│   └── 常山县 330822 (third_county_officer): school_d
└── 金华市 330700 (jinhua_officer)
    └── 武义县 330723 (other_bureau_officer): school_c
江西省 360000, only in the world with a second province: school_x
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from flows import selectors as flow_selectors
from flows.models import Request
from flows.poverty import poverty_start
from records.models import Role
from tests.factories import BureauFactory, RegionFactory, SchoolClassFactory, SchoolFactory, StudentFactory, UserFactory

from .acting import start_transfer


def poverty(student, by) -> Request:
    return poverty_start(student=student, by=by, action="identify", note="低保家庭")


@pytest.fixture
def school_d(changshan_bureau):
    return SchoolFactory(region=changshan_bureau.region, bureau=changshan_bureau, name="常山县天马小学")


@pytest.fixture
def province_officer(zhejiang):
    bureau = BureauFactory(region=zhejiang, name="浙江省教育厅")
    return UserFactory(username="officer_zhejiang", role=Role.BUREAU_OFFICER, bureau=bureau, full_name="省科员")


@pytest.fixture
def jinhua_officer(jinhua):
    bureau = BureauFactory(region=jinhua, name="金华市教育局")
    return UserFactory(username="officer_jinhua", role=Role.BUREAU_OFFICER, bureau=bureau, full_name="金科员")


@pytest.fixture
def requests(
    transfer_windows_open, class_a, class_c, school_d, registrar, other_county_registrar, changshan_bureau
) -> dict[str, Request]:
    """Four requests, created in this order:
    a:  school_a's poverty request for a pupil of class_a;
    ac: school_c receives a pupil of class_a (school_c's, with school_a the other party);
    c:  school_c's poverty request;
    d:  school_d's poverty request."""
    registrar_d = UserFactory(username="registrar_d", role=Role.REGISTRAR, school=school_d, full_name="钱学籍")
    return {
        "a": poverty(StudentFactory(school_class=class_a, by=registrar), registrar),
        "ac": start_transfer(StudentFactory(school_class=class_a, by=registrar), other_county_registrar, to_class=class_c),
        "c": poverty(StudentFactory(school_class=class_c, by=other_county_registrar), other_county_registrar),
        "d": poverty(StudentFactory(school_class=SchoolClassFactory(school=school_d, grade=3), by=registrar_d), registrar_d),
    }


@pytest.fixture
def second_province_request(db):
    """A school of another province root, and its request: no officer of 浙江省 sees it."""
    jiangxi = RegionFactory.province(code="360000", name="江西省")
    county = RegionFactory.county(code="360124", name="进贤县", parent=RegionFactory.city(code="360100", name="南昌市", parent=jiangxi))
    school = SchoolFactory(region=county, bureau=BureauFactory(region=county, name="进贤县教育局"), name="进贤县第一小学")
    registrar_x = UserFactory(username="registrar_x", role=Role.REGISTRAR, school=school, full_name="赣学籍")
    return poverty(StudentFactory(school_class=SchoolClassFactory(school=school, grade=3), by=registrar_x), registrar_x)


# Who sees which of the four (newest first: d, c, ac, a).
SEES = {
    "province_officer": ["d", "c", "ac", "a"],
    "city_officer": ["d", "ac", "a"],
    "jinhua_officer": ["c", "ac"],
    "bureau_officer": ["ac", "a"],
    "other_bureau_officer": ["c", "ac"],
    "third_county_officer": ["d"],
    "registrar": ["ac", "a"],
    "academic_office": ["ac", "a"],
    "other_county_registrar": ["c", "ac"],
    "receiving_registrar": [],
    "class_teacher": ["ac", "a"],
    "subject_teacher": ["ac", "a"],
    "admin_user": ["d", "c", "ac", "a"],
}


def listed(client, query: str = "") -> tuple[list[int], list[int]]:
    """The ids on the first page of /requests/ and of the API's list, in their order."""
    response = client.get(f"/requests/{query}")
    assert response.status_code == 200
    api = client.get(f"/api/v1/requests/{query}")
    assert api.status_code == 200
    return [req.pk for req in response.context["requests"]], [row["id"] for row in api.json()["results"]]


@pytest.mark.parametrize("way", ["named schools", "through a subquery"])
@pytest.mark.parametrize("who", SEES)
def test_every_role_lists_the_requests_of_its_school_class_or_region_newest_first(
    who, way, request, requests, client_for, monkeypatch
):
    if way == "through a subquery":
        monkeypatch.setattr(flow_selectors, "LISTED_SCHOOLS_MAX", 1)
    user = request.getfixturevalue(who)
    expected = [requests[name].pk for name in SEES[who]]

    page, api = listed(client_for(user))

    assert page == api == expected
    assert sorted(flow_selectors.requests_visible_to(user).values_list("pk", flat=True)) == sorted(expected)


@pytest.mark.parametrize("who", ["province_officer", "city_officer", "admin_user"])
def test_a_second_province_is_listed_to_nobody_of_the_first(who, request, requests, second_province_request, client_for):
    user = request.getfixturevalue(who)
    expected = [requests[name].pk for name in SEES[who]]
    if who == "admin_user":
        expected = [second_province_request.pk, *expected]

    assert listed(client_for(user)) == (expected, expected)


def test_the_order_is_by_start_time_then_number_and_the_filters_keep_it(
    requests, city_officer, bureau_officer, client_for
):
    # a and d started at the same moment, ac the day before, c (not the city's) later than all.
    noon = timezone.now().replace(microsecond=0) - datetime.timedelta(days=3)
    for name, started in {"a": noon, "d": noon, "ac": noon - datetime.timedelta(days=1), "c": noon + datetime.timedelta(hours=1)}.items():
        Request.objects.filter(pk=requests[name].pk).update(created=started)
    ids = {name: req.pk for name, req in requests.items()}
    city = client_for(city_officer)

    assert listed(city) == ([ids["d"], ids["a"], ids["ac"]],) * 2
    assert listed(city, "?kind=poverty") == ([ids["d"], ids["a"]],) * 2
    assert listed(city, "?kind=transfer&state=open") == ([ids["ac"]],) * 2
    assert listed(city, "?state=completed") == ([], [])
    assert listed(client_for(bureau_officer), f"?student={requests['a'].student_id}") == ([ids["a"]],) * 2
