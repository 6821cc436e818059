"""Who sees what: a school its records, a class teacher the class, a bureau its region and below."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from records import services
from records.models import Role
from records.selectors import (
    classes_visible_to,
    schools_visible_to,
    student_find_for_transfer_in,
    student_search,
    students_visible_to,
)
from tests.factories import BureauFactory, StudentFactory, UserFactory


def _next_year() -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=365)


@pytest.fixture
def students(class_a, class_a2, class_b, class_c):
    """One student in each class: two in school_a, one in school_b (both 龙游), one in school_c (武义)."""
    return {
        "a": StudentFactory(school_class=class_a),
        "a2": StudentFactory(school_class=class_a2),
        "b": StudentFactory(school_class=class_b),
        "c": StudentFactory(school_class=class_c),
    }


def _seen(user, students) -> set[str]:
    visible = set(students_visible_to(user).values_list("pk", flat=True))
    return {key for key, student in students.items() if student.pk in visible}


def test_registrar_sees_the_records_of_the_own_school(registrar, students):
    assert _seen(registrar, students) == {"a", "a2"}


def test_academic_office_sees_the_records_of_the_own_school(academic_office, students):
    assert _seen(academic_office, students) == {"a", "a2"}


def test_class_teacher_sees_only_the_own_class(class_teacher, students):
    assert _seen(class_teacher, students) == {"a"}


def test_subject_teacher_sees_only_the_own_class(subject_teacher, students):
    assert _seen(subject_teacher, students) == {"a"}


def test_county_bureau_sees_the_schools_of_its_county(bureau_officer, students):
    assert _seen(bureau_officer, students) == {"a", "a2", "b"}


def test_another_county_bureau_sees_none_of_this_county(other_bureau_officer, students):
    assert _seen(other_bureau_officer, students) == {"c"}


def test_registrar_of_another_county_sees_none_of_this_county(other_county_registrar, students):
    assert _seen(other_county_registrar, students) == {"c"}


def test_city_officer_sees_the_counties_below(city_officer, students):
    assert _seen(city_officer, students) == {"a", "a2", "b"}


def test_province_officer_sees_every_city_below(zhejiang, students):
    officer = UserFactory(role=Role.BUREAU_OFFICER, bureau=BureauFactory(region=zhejiang, name="浙江省教育厅"))

    assert _seen(officer, students) == {"a", "a2", "b", "c"}


def test_admin_sees_every_record_including_other_provinces(admin_user, students):
    elsewhere = StudentFactory()  # a school under the factories' default region, 安徽省

    visible = set(students_visible_to(admin_user).values_list("pk", flat=True))

    assert {s.pk for s in students.values()} | {elsewhere.pk} <= visible


def test_account_without_a_membership_sees_nothing(students):
    nobody = get_user_model().objects.create_user("nobody", password="x-unused-x")

    assert _seen(nobody, students) == set()
    assert not schools_visible_to(nobody).exists()


def test_anonymous_visitor_sees_nothing(students):
    assert _seen(AnonymousUser(), students) == set()


def test_transferred_record_moves_to_the_receiving_school(
    registrar, receiving_registrar, class_teacher, students, class_b
):
    services.student_transfer(student=students["a"], to_class=class_b, by=receiving_registrar)

    assert _seen(registrar, students) == {"a2"}
    assert _seen(receiving_registrar, students) == {"a", "b"}
    assert _seen(class_teacher, students) == set()


def test_student_with_several_placements_is_listed_once(class_teacher, registrar, students):
    services.student_suspend(student=students["a"], until=_next_year(), by=registrar)
    services.student_resume(student=students["a"], by=registrar)

    assert list(students_visible_to(class_teacher)) == [students["a"]]
    assert sorted(s.pk for s in student_search(registrar, grade=3)) == sorted([students["a"].pk, students["a2"].pk])


# --- Schools and classes -----------------------------------------------------------------------


def test_schools_visible_to_each_role(
    registrar, bureau_officer, city_officer, other_bureau_officer, admin_user, school_a, school_b, school_c
):
    assert set(schools_visible_to(registrar)) == {school_a}
    assert set(schools_visible_to(bureau_officer)) == {school_a, school_b}
    assert set(schools_visible_to(city_officer)) == {school_a, school_b}
    assert set(schools_visible_to(other_bureau_officer)) == {school_c}
    assert {school_a, school_b, school_c} <= set(schools_visible_to(admin_user))


def test_classes_visible_to_a_class_teacher_and_a_registrar(class_teacher, registrar, class_a, class_a2, class_b):
    assert list(classes_visible_to(class_teacher)) == [class_a]
    assert set(classes_visible_to(registrar)) == {class_a, class_a2}


# --- The student list and the transfer-in lookup ------------------------------------------------


def test_search_finds_by_part_of_the_name_within_what_the_user_sees(
    registrar, other_county_registrar, class_a, students
):
    target = StudentFactory(school_class=class_a, name="欧阳子轩")

    assert list(student_search(registrar, q="子轩")) == [target]
    assert list(student_search(other_county_registrar, q="欧阳子轩")) == []


def test_search_finds_by_student_number_in_any_case(bureau_officer, students):
    target = students["b"]

    assert list(student_search(bureau_officer, q=target.student_number.lower())) == [target]


def test_search_filters_by_class_and_status(registrar, students, class_a2):
    services.student_suspend(
        student=students["a"], until=_next_year(), by=registrar
    )

    assert list(student_search(registrar, class_code=class_a2.code)) == [students["a2"]]
    assert list(student_search(registrar, status="suspended")) == [students["a"]]


def test_receiving_school_finds_a_student_only_by_number_and_exact_name(students):
    target = students["c"]

    assert student_find_for_transfer_in(student_number=target.student_number.lower(), name=f" {target.name} ") == target
    assert student_find_for_transfer_in(student_number=target.student_number, name=target.name[:1]) is None
    assert student_find_for_transfer_in(student_number=students["b"].student_number, name=target.name) is None


def test_regions_under_a_province_city_and_county(zhejiang, quzhou, longyou, jinhua):
    from records.selectors import regions_under
    from tests.factories import RegionFactory

    RegionFactory()  # a county of 安徽省, under another province

    assert regions_under(zhejiang) == tuple(sorted([zhejiang.pk, quzhou.pk, longyou.pk, jinhua.pk]))
    assert regions_under(quzhou.pk) == tuple(sorted([quzhou.pk, longyou.pk]))
    assert regions_under(longyou) == (longyou.pk,)


def test_province_officer_of_the_only_province_with_schools_sees_every_record_unfiltered(zhejiang, students):
    """When the officer's regions hold every school, the list needs no region filter (PostgreSQL
    misestimates the IN list of all of them); what they see is the same."""
    officer = UserFactory(role=Role.BUREAU_OFFICER, bureau=BureauFactory(region=zhejiang, name="浙江省教育厅"))

    visible = students_visible_to(officer)

    assert "WHERE" not in str(visible.query)
    assert _seen(officer, students) == {"a", "a2", "b", "c"}


def test_province_officer_does_not_see_another_province_once_it_has_schools(zhejiang, students):
    officer = UserFactory(role=Role.BUREAU_OFFICER, bureau=BureauFactory(region=zhejiang, name="浙江省教育厅"))
    elsewhere = StudentFactory()  # a school under the factories' default region, 安徽省

    visible = set(students_visible_to(officer).values_list("pk", flat=True))

    assert elsewhere.pk not in visible
    assert {student.pk for student in students.values()} <= visible
