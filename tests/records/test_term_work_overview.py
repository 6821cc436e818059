"""Which classes have done their term work: the school's and the bureaus' overview, the home and
class pages, and the term calendar that the work hangs on."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records import services
from records.models import Term
from tests.factories import SchoolClassFactory, StudentFactory

from .term_work import (  # noqa: F401 (fixtures)
    class_teacher_a2,
    end_of_term,
    pupils,
    start_of_term,
    term_around_today,
    text_of,
)


def classes_listed(response) -> list[str]:
    return [f"{row.school_class.school.name} {row.school_class.name}" for row in response.context["rows"]]


@pytest.fixture
def classes_with_pupils(class_a, class_a2, class_b, class_c, registrar):
    for school_class in (class_a, class_a2, class_b, class_c):
        StudentFactory(school_class=school_class, by=registrar if school_class.school == class_a.school else None)
    return class_a, class_a2, class_b, class_c


def test_the_registrar_sees_which_of_the_schools_classes_have_not_checked(
    client_for, registrar, academic_office, class_teacher, classes_with_pupils, start_of_term
):
    class_a, class_a2, *_others = classes_with_pupils
    services.head_count_confirm(school_class=class_a, term=start_of_term, point="start", actual_count=1, by=class_teacher)

    for user in (registrar, academic_office):
        everything = client_for(user).get(reverse("term_work"))
        assert classes_listed(everything) == ["龙游县实验小学 三年级(1)班", "龙游县实验小学 三年级(2)班"]
        assert "已核对，相符" in text_of(everything)
        unchecked = client_for(user).get(reverse("term_work"), {"show": "unchecked"})
        assert classes_listed(unchecked) == ["龙游县实验小学 三年级(2)班"]
        assert unchecked.context["totals"] == {
            "all": 2, "classes": 2, "unchecked": 1, "start_missing": 1, "end_missing": 0, "mismatches": 0,
        }


def test_a_bureau_officer_sees_the_classes_of_every_school_in_the_region(
    client_for, bureau_officer, city_officer, other_bureau_officer, classes_with_pupils, start_of_term
):
    longyou = ["龙游县实验小学 三年级(1)班", "龙游县实验小学 三年级(2)班", "龙游县东华小学 三年级(1)班"]
    assert classes_listed(client_for(bureau_officer).get(reverse("term_work"))) == longyou
    assert classes_listed(client_for(city_officer).get(reverse("term_work"))) == longyou
    assert classes_listed(client_for(other_bureau_officer).get(reverse("term_work"))) == ["武义县壶山小学 三年级(1)班"]
    # A school of another region is no filter the officer can use.
    school_c = classes_with_pupils[3].school
    assert classes_listed(client_for(bureau_officer).get(reverse("term_work"), {"school": school_c.identifier})) == longyou


def test_the_region_list_is_paged_with_the_same_queries_for_any_number_of_classes(
    client_for, city_officer, registrar, school_a, school_b, start_of_term, monkeypatch
):
    from records.views import term_work

    monkeypatch.setattr(term_work, "PAGE_SIZE", 3)
    client = client_for(city_officer)

    def listed():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("term_work"), {"show": "unchecked"})
        return response, len(queries)

    for school in (school_a, school_b):
        StudentFactory(school_class=SchoolClassFactory(school=school, grade=4), by=None)
    few, few_queries = listed()
    for school in (school_a, school_b):
        for grade in (5, 6):
            StudentFactory(school_class=SchoolClassFactory(school=school, grade=grade), by=None)
    many, many_queries = listed()

    assert len(classes_listed(few)) == 2
    assert len(classes_listed(many)) == 3 and many.context["page_obj"].paginator.count == 6
    assert many_queries == few_queries
    second = client.get(reverse("term_work"), {"show": "unchecked", "page": 2})
    assert len(classes_listed(second)) == 3


def test_a_teachers_term_work_is_their_class(client_for, class_teacher, subject_teacher, class_a):
    for user in (class_teacher, subject_teacher):
        response = client_for(user).get(reverse("term_work"))
        assert response.status_code == 302 and response.url == reverse("class_term_work", args=[class_a.pk])


def test_the_home_page_shows_the_teachers_term_and_what_is_theirs_to_do(
    client_for, class_teacher, subject_teacher, registrar, class_a, pupils, end_of_term
):
    teacher_home = text_of(client_for(class_teacher).get(reverse("home")))
    assert "本学期工作" in teacher_home and "期末人数核对" in teacher_home and "填写期末评语" in teacher_home
    assert "0/3 期末评语已填写" in teacher_home
    math_home = text_of(client_for(subject_teacher).get(reverse("home")))
    assert "0/3 数学成绩已录入" in math_home and "录入成绩" in math_home
    registrar_home = text_of(client_for(registrar).get(reverse("home")))
    assert "1 期初未核对人数的班级" in registrar_home


def test_the_class_page_links_to_its_term_work(client_for, registrar, class_a, pupils, start_of_term):
    page = client_for(registrar).get(reverse("class_detail", args=[class_a.pk]))

    assert reverse("class_term_work", args=[class_a.pk]) in page.content.decode()
    assert "待核对" in text_of(page)


def test_the_menu_leads_to_term_work(client_for, registrar):
    assert f'href="{reverse("term_work")}"' in client_for(registrar).get(reverse("home")).content.decode()


def test_between_terms_a_class_page_says_so(client_for, class_teacher, class_a):
    page = text_of(client_for(class_teacher).get(reverse("class_term_work", args=[class_a.pk])))
    assert "尚未公布本学年的学期" in page


# --- The calendar keeps a term's work -------------------------------------------------------------


def test_a_bureau_moves_a_terms_end_and_its_work_stays(longyou_bureau, bureau_officer, class_teacher, class_a, pupils, start_of_term):
    services.head_count_confirm(school_class=class_a, term=start_of_term, point="start", actual_count=3, by=class_teacher)
    later = start_of_term.end + datetime.timedelta(days=7)

    services.calendar_replace(
        bureau=longyou_bureau,
        terms=[{"name": start_of_term.name, "start": start_of_term.start, "end": later}],
        windows=[],
        by=bureau_officer,
    )

    term = Term.objects.get(bureau=longyou_bureau)
    assert (term.pk, term.end) == (start_of_term.pk, later)
    assert term.head_counts.count() == 1


def test_a_term_with_work_cannot_be_dropped_from_the_calendar(
    client_for, longyou_bureau, bureau_officer, class_teacher, class_a, pupils, start_of_term
):
    services.head_count_confirm(school_class=class_a, term=start_of_term, point="start", actual_count=3, by=class_teacher)

    with pytest.raises(ValidationError, match="已有人数核对、成绩或评语，不能删除或改名"):
        services.calendar_replace(bureau=longyou_bureau, terms=[], windows=[], by=bureau_officer)
    assert Term.objects.filter(pk=start_of_term.pk).exists()


def test_between_terms_the_overview_lists_the_classes_as_not_in_a_term(client_for, registrar, bureau_officer, classes_with_pupils):
    response = client_for(registrar).get(reverse("term_work"))

    assert classes_listed(response) == ["龙游县实验小学 三年级(1)班", "龙游县实验小学 三年级(2)班"]
    assert "不在学期中" in text_of(response)
    assert response.context["totals"]["classes"] == 0
    assert classes_listed(client_for(bureau_officer).get(reverse("term_work"))) == []
