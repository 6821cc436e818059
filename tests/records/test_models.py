"""The database's own rules: they hold even for code that goes around records.services."""

import contextlib
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from records import services
from records.models import Bureau, FamilyMember, Membership, Placement, Region, Role, School, SchoolClass, Student
from tests.factories import SchoolClassFactory, StudentFactory


@contextlib.contextmanager
def _refused(constraint: str):
    """The statement inside must be refused by the named constraint (rolling back only itself)."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        yield


def _copy_of(student: Student, **overrides) -> Student:
    """An unsaved Student row with the same field values, bypassing the services."""
    skip = {"id", "status", "created_at"}
    fields = {f.attname: getattr(student, f.attname) for f in Student._meta.concrete_fields if f.attname not in skip}
    return Student(**(fields | overrides))


# --- Students -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "G33082520160309007",  # 18 characters
        "Q330825201603090071",  # unknown prefix
        "g330825201603090071",  # lowercase prefix
        "G33082520160309007x",  # lowercase check character
        "G3308252016030900X1",  # X not at the end
        "G３３０８２５２０１６０３０９００７",  # full-width digits
    ],
)
def test_student_number_with_a_wrong_format_is_refused_by_the_database(student, number):
    with _refused("student_number_format"):
        _copy_of(student, student_number=number, id_number="330825201603090071").save()


def test_second_row_with_the_same_id_number_is_refused_by_the_database(student):
    with _refused("student_id_number_unique"):
        _copy_of(student, student_number="J330825201603090071").save()


def test_students_without_an_id_number_do_not_collide(class_a):
    first = StudentFactory(school_class=class_a, id_type="Z")

    _copy_of(first, student_number="J330825201001010011").save()

    assert Student.objects.filter(id_type=first.id_type, id_number="").count() == 2


def test_student_number_is_unique_in_the_database(student):
    with _refused("student_number"):
        _copy_of(student, id_number="330825201603090071").save()


def test_unknown_status_is_refused_by_the_database(student):
    with _refused("student_status_valid"):
        Student.objects.filter(pk=student.pk).update(status="expelled")


def test_dropped_out_without_a_reason_is_refused_by_the_database(student):
    with _refused("student_dropout_has_reason"):
        Student.objects.filter(pk=student.pk).update(status=Student.Status.DROPPED_OUT)


# --- Placements and family members --------------------------------------------------------------


def test_second_open_placement_is_refused_by_the_database(student, class_a2):
    with _refused("placement_one_open_per_student"):
        Placement.objects.create(
            student=student, school=class_a2.school, school_class=class_a2, started_on=datetime.date.today()
        )


def test_placement_ending_before_it_started_is_refused_by_the_database(student):
    placement = student.open_placement

    with _refused("placement_ends_after_start"):
        Placement.objects.filter(pk=placement.pk).update(ended_on=placement.started_on - datetime.timedelta(days=1))


def test_third_family_member_is_refused_by_the_database(student, code_of):
    with _refused("family_member_at_most_two"):
        FamilyMember.objects.create(student=student, position=3, name="王芳", relationship=code_of("relationship", "2"))


def test_two_family_members_in_one_position_are_refused_by_the_database(student, code_of):
    with _refused("family_member_position_unique"):
        FamilyMember.objects.create(student=student, position=1, name="王芳", relationship=code_of("relationship", "2"))


# --- Regions, bureaus, schools, classes ---------------------------------------------------------


@pytest.mark.parametrize("code", ["33082", "33082A", "33-825"])
def test_region_code_must_be_six_digits(zhejiang, code):
    with _refused("region_code_six_digits"):
        Region.objects.create(code=code, name="某县", level=Region.Level.CITY, parent=zhejiang)


def test_city_or_county_without_a_parent_is_refused(db):
    with _refused("region_parent_matches_level"):
        Region.objects.create(code="330800", name="衢州市", level=Region.Level.CITY, parent=None)


def test_province_with_a_parent_is_refused(zhejiang):
    with _refused("region_parent_matches_level"):
        Region.objects.create(code="320000", name="江苏省", level=Region.Level.PROVINCE, parent=zhejiang)


def test_bureau_code_must_be_six_digits(quzhou):
    kecheng = Region.objects.create(code="330802", name="柯城区", level=Region.Level.COUNTY, parent=quzhou)

    with _refused("bureau_code_six_digits"):
        Bureau.objects.create(code="33080", name="柯城区教育局", region=kecheng)


@pytest.mark.parametrize("identifier", ["213300012", "21330001AB", "2133 00012"])
def test_school_identifier_must_be_ten_digits(longyou, longyou_bureau, identifier):
    with _refused("school_identifier_ten_digits"):
        School.objects.create(
            identifier=identifier, name="某小学", type=School.Type.PRIMARY, region=longyou, bureau=longyou_bureau
        )


@pytest.mark.parametrize("code", ["13000000100", "13000000100A"])
def test_class_code_must_be_twelve_digits(class_a, code):
    with _refused("class_code_twelve_digits"):
        SchoolClass.objects.filter(pk=class_a.pk).update(code=code)


def test_class_grade_outside_1_to_12_is_refused(class_a):
    with _refused("class_grade_1_to_12"):
        SchoolClass.objects.filter(pk=class_a.pk).update(grade=13)


def test_class_sequence_zero_is_refused(class_a):
    with _refused("class_sequence_1_to_999"):
        SchoolClass.objects.filter(pk=class_a.pk).update(sequence=0)


def test_two_open_classes_with_one_name_in_a_school_are_refused(class_a, class_a2):
    with _refused("class_open_name_unique_in_school"):
        SchoolClass.objects.filter(pk=class_a2.pk).update(name=class_a.name)


def test_a_dissolved_class_name_may_be_used_again(school_a):
    old = SchoolClassFactory(school=school_a, grade=1, name="一年级(1)班")
    services.class_dissolve(school_class=old, by=None)

    again = SchoolClassFactory(school=school_a, grade=1, name="一年级(1)班")

    assert SchoolClass.objects.filter(school=school_a, name="一年级(1)班").count() == 2
    assert again.state == SchoolClass.State.OPEN


# --- Memberships --------------------------------------------------------------------------------


@pytest.fixture
def account(db):
    return get_user_model().objects.create_user("someone", password="x-unused-x")


def test_school_role_without_a_school_is_refused(account):
    with _refused("membership_place_matches_role"):
        Membership.objects.create(user=account, role=Role.REGISTRAR)


def test_bureau_officer_with_a_school_is_refused(account, school_a, longyou_bureau):
    with _refused("membership_place_matches_role"):
        Membership.objects.create(user=account, role=Role.BUREAU_OFFICER, bureau=longyou_bureau, school=school_a)


def test_class_teacher_without_a_class_is_refused(account, school_a):
    with _refused("membership_teacher_has_class"):
        Membership.objects.create(user=account, role=Role.CLASS_TEACHER, school=school_a)


def test_one_membership_per_account(registrar, school_b):
    with _refused("membership_user_id"):
        Membership.objects.create(user=registrar, role=Role.REGISTRAR, school=school_b)

