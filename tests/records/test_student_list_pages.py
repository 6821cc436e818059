"""The student list at scale: who sees which rows, pages after a row (?after=), the search by
number and by name on the indexes, and the count shown as an estimate above a threshold."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records import forms, services
from records.models import Role
from records.selectors import (
    student_list_cursor,
    student_list_page,
    student_search,
    students_with_current_class,
)
from records.selectors import pages
from records.views import students as student_views
from tests.factories import (
    BureauFactory,
    RegionFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
    citizen_id,
    code,
)


def _names(response) -> list[str]:
    return [student.name for student in response.context["students"]]


@pytest.fixture
def county_rows(class_a, class_a2, class_b, class_c, registrar):
    """Ties in name within a school and across schools: 张伟 three times at school_a, twice at
    school_b; one suspended; one more student in another county."""
    return {
        "a1": StudentFactory(school_class=class_a, name="张伟"),
        "a2": StudentFactory(school_class=class_a2, name="张伟"),
        "a3": StudentFactory(school_class=class_a, name="张伟", suspended=True),
        "a4": StudentFactory(school_class=class_a, name="安琪"),
        "a5": StudentFactory(school_class=class_a2, name="王学籍"),
        "b1": StudentFactory(school_class=class_b, name="张伟"),
        "b2": StudentFactory(school_class=class_b, name="张伟"),
        "b3": StudentFactory(school_class=class_b, name="何天佑"),
        "c1": StudentFactory(school_class=class_c, name="张伟"),
    }


# --- Who sees which rows --------------------------------------------------------------------------


def test_each_role_lists_exactly_the_students_it_may_see(
    client_for, county_rows, registrar, class_teacher, bureau_officer, city_officer, other_bureau_officer,
    admin_user, zhejiang, class_a,
):
    province_officer = UserFactory(
        username="province_officer", role=Role.BUREAU_OFFICER, bureau=BureauFactory(region=zhejiang),
    )
    other_province = SchoolClassFactory(school=SchoolFactory(region=RegionFactory()))
    elsewhere = StudentFactory(school_class=other_province, name="张伟")
    a = {k: v.pk for k, v in county_rows.items()}

    def listed(user):
        return {student.pk for student in client_for(user).get(reverse("student_list")).context["students"]}

    county = {a["a1"], a["a2"], a["a3"], a["a4"], a["a5"], a["b1"], a["b2"], a["b3"]}
    assert listed(registrar) == {a["a1"], a["a2"], a["a3"], a["a4"], a["a5"]}
    assert listed(class_teacher) == {pk for key, pk in a.items() if county_rows[key].open_placement
                                     and county_rows[key].open_placement.school_class_id == class_a.pk}
    assert listed(bureau_officer) == county
    assert listed(city_officer) == county
    assert listed(other_bureau_officer) == {a["c1"]}
    assert listed(province_officer) == county | {a["c1"]}
    assert elsewhere.pk not in listed(province_officer)
    assert {a["c1"], elsewhere.pk} <= listed(admin_user)


# --- Pages after a row ---------------------------------------------------------------------------


def _walk(user, page_size=2, **search):
    """Every row by following 下一页 from page 1, then every row by following 上一页 back."""
    students = student_search(user, **search)
    options = {"page_size": page_size, "searching": bool(search.get("q"))}
    page = student_list_page(students, students_with_current_class, **options)
    forward, links = list(page.rows), []
    while page.next:
        links.append(page.next)
        page = student_list_page(students, students_with_current_class, **options, **page.next)
        forward += page.rows
    backward = list(page.rows)
    while page.previous:
        page = student_list_page(students, students_with_current_class, **options, **page.previous)
        backward = page.rows + backward
    return forward, backward, links


@pytest.mark.parametrize("sort_whole_up_to", [0, 100], ids=["walked", "sorted whole"])
@pytest.mark.parametrize("search", [{}, {"status": "enrolled"}, {"q": "张伟"}, {"q": "张"}], ids=["all", "enrolled", "name", "surname"])
def test_pages_after_a_row_walk_the_list_in_its_order_both_ways(
    monkeypatch, bureau_officer, county_rows, search, sort_whole_up_to
):
    monkeypatch.setattr(pages, "NUMBERED_PAGES", 1)  # every 下一页 is a page after a row
    monkeypatch.setattr(pages, "SORT_WHOLE_UP_TO", sort_whole_up_to)
    in_order = list(student_search(bureau_officer, **search))

    forward, backward, links = _walk(bureau_officer, **search)

    assert forward == in_order and backward == in_order
    assert len(in_order) > 4 and all("after" in link for link in links)
    # Ties in name: the 张伟 of one school follow each other by id, school_a's before school_b's.
    ties = [s for s in in_order if s.name == "张伟"]
    assert [(s.school.identifier, s.pk) for s in ties] == sorted((s.school.identifier, s.pk) for s in ties)


def test_the_first_pages_keep_their_numbers_and_a_deep_one_goes_on_after_its_last_row(
    monkeypatch, bureau_officer, county_rows
):
    monkeypatch.setattr(pages, "NUMBERED_PAGES", 2)
    students = student_search(bureau_officer)
    in_order = list(students)

    first = student_list_page(students, students_with_current_class, page_size=3)
    second = student_list_page(students, students_with_current_class, page_size=3, page="2")
    third = student_list_page(students, students_with_current_class, page_size=3, **second.next)

    assert (first.next, second.previous) == ({"page": "2"}, {"page": "1"})
    assert (second.start_index, second.end_index, second.num_pages) == (4, 6, 3)
    assert second.next == {"after": student_list_cursor(in_order[5])}
    assert third.rows == in_order[6:] and third.next is None and third.number is None


def test_a_page_opens_right_after_the_student_of_its_cursor(client_for, bureau_officer, county_rows):
    in_order = list(student_search(bureau_officer))

    response = client_for(bureau_officer).get(reverse("student_list"), {"after": student_list_cursor(in_order[2])})

    assert [s.pk for s in response.context["students"]] == [s.pk for s in in_order[3:]]
    page = response.content.decode()
    assert 'rel="prev"' in page and "第 4–8 条，共 8 条" in page  # a short list: where the page is, counted


def test_a_cursor_that_is_no_place_in_the_list_is_not_found(client_for, bureau_officer, county_rows):
    for bad in ("nonsense", "W10", student_list_cursor(list(student_search(bureau_officer))[-1])):
        assert client_for(bureau_officer).get(reverse("student_list"), {"after": bad}).status_code == 404


def test_the_next_link_keeps_the_filters(client_for, monkeypatch, registrar, class_a):
    monkeypatch.setattr(pages, "NUMBERED_PAGES", 1)
    for _n in range(51):
        StudentFactory(school_class=class_a)

    page = client_for(registrar).get(reverse("student_list"), {"status": "enrolled"}).content.decode()

    assert "?status=enrolled&amp;after=" in page


# --- The search ----------------------------------------------------------------------------------


@pytest.fixture
def renamed(county_rows, registrar, class_a):
    """A student with a J number given a citizen ID (the J number is a former one now), and a
    student whose name changed (the old one is a former name)."""
    numbered = StudentFactory(school_class=class_a, by=registrar, id_type="Z", name="林小雨")
    old_number = numbered.student_number
    new_id = citizen_id(area_code="330825", birth_date=numbered.birth_date, sequence=977, male=numbered.gender.code == "1")
    services.student_change_key_info(
        student=numbered, changes={"id_type": code("id_type", "1"), "id_number": new_id}, by=registrar,
    )
    numbered.refresh_from_db()
    services.student_change_key_info(student=county_rows["a4"], changes={"name": "安雨桐"}, by=registrar)
    return {"numbered": numbered, "old_number": old_number, "id_number": new_id}


def test_search_by_whole_number_id_number_and_former_number(bureau_officer, renamed):
    numbered = renamed["numbered"]

    for typed in (numbered.student_number, numbered.student_number.lower(), renamed["id_number"],
                  f" {renamed['id_number'][:6]} {renamed['id_number'][6:]} ", renamed["old_number"],
                  renamed["old_number"][1:], numbered.student_number[-8:]):
        assert list(student_search(bureau_officer, q=typed)) == [numbered], typed


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("张", {"a1", "a2", "a3", "b1", "b2"}), ("张伟", {"a1", "a2", "a3", "b1", "b2"}), ("伟", {"a1", "a2", "a3", "b1", "b2"}),
     ("王学籍", {"a5"}), ("学籍", {"a5"}), ("何 天佑", {"b3"}), ("安琪", {"a4"}), ("安雨桐", {"a4"}), ("雨", {"a4", "numbered"})],
)
def test_search_by_one_two_or_three_characters_of_a_name_or_former_name(bureau_officer, county_rows, renamed, typed, expected):
    rows = {**county_rows, "numbered": renamed["numbered"]}

    found = {student.pk for student in student_search(bureau_officer, q=typed)}

    assert found == {rows[key].pk for key in expected}


def test_a_teacher_cannot_find_a_student_by_any_number(class_teacher, renamed):
    numbered = renamed["numbered"]

    for typed in (numbered.student_number, renamed["id_number"], renamed["old_number"], numbered.student_number[-8:]):
        assert list(student_search(class_teacher, q=typed)) == [], typed
    assert list(student_search(class_teacher, q="林小雨")) == [numbered]


# --- The count -----------------------------------------------------------------------------------


def test_a_long_list_shows_an_estimate_as_one_and_the_exact_count_on_demand(monkeypatch, client_for, bureau_officer, county_rows):
    monkeypatch.setattr(pages, "EXACT_COUNT_UP_TO", 3)
    monkeypatch.setattr(student_views, "PAGE_SIZE", 2)
    client = client_for(bureau_officer)

    estimated = client.get(reverse("student_list")).content.decode()
    exact = client.get(reverse("student_list"), {"exact": "1"}).content.decode()

    if connection.vendor == "postgresql":
        # PostgreSQL's estimate, or "more than" the rows counted when the estimate is lower.
        assert re.search(r"共约 \d+ 名学生|超过 3 名学生", estimated), estimated
        assert "统计准确人数" in estimated and "?exact=1" in estimated and "共 8 名学生" not in estimated
    assert "共 8 名学生" in exact and "共约" not in exact and "统计准确人数" not in exact


def test_a_short_list_is_counted_exactly(client_for, bureau_officer, county_rows):
    page = client_for(bureau_officer).get(reverse("student_list"), {"q": "张伟"}).content.decode()

    assert "共 5 名学生" in page and "共约" not in page


def test_the_list_costs_the_same_queries_for_one_page_or_many(monkeypatch, client_for, bureau_officer, class_a, class_b):
    monkeypatch.setattr(pages, "EXACT_COUNT_UP_TO", 30)
    monkeypatch.setattr(student_views, "PAGE_SIZE", 10)
    client = client_for(bureau_officer)
    StudentFactory(school_class=class_a)
    client.get(reverse("student_list"))  # warm up: session, content types

    counts = []
    for _round in range(2):
        for _n in range(30):
            StudentFactory(school_class=class_a if _n % 2 else class_b)
        cursor = student_list_cursor(list(student_search(bureau_officer))[10])
        for query in ({}, {"page": "2"}, {"after": cursor}, {"q": "张"}):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("student_list"), query).status_code == 200
            counts.append(len(queries.captured_queries))
    assert counts[:4] == counts[4:], counts
    # The request's statement_timeout (set and reset), session, user, membership, regions, the
    # school choices, the rows, the count and its estimate, the bureau, the side menu's two counts.
    assert max(counts) <= 13, counts


def test_a_province_types_the_school_instead_of_choosing_among_thousands(
    monkeypatch, client_for, bureau_officer, county_rows, school_b
):
    monkeypatch.setattr(forms, "SCHOOL_CHOICES_UP_TO", 1)  # the county's two schools are "too many"
    client = client_for(bureau_officer)

    by_identifier = client.get(reverse("student_list"), {"school": school_b.identifier})
    by_name = client.get(reverse("student_list"), {"school": school_b.name})
    unknown = client.get(reverse("student_list"), {"school": "第九百小学"})

    at_school_b = {county_rows[key].pk for key in ("b1", "b2", "b3")}
    assert {s.pk for s in by_identifier.context["students"]} == at_school_b
    assert {s.pk for s in by_name.context["students"]} == at_school_b
    assert "输入学校标识码或学校全称" in by_name.content.decode()
    assert len(unknown.context["students"]) == 8  # not a school the officer sees: no filter, and a message
    assert "没有找到这所学校" in unknown.content.decode()
