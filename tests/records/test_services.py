import datetime

import pytest
from django.core.exceptions import ValidationError

from records import services
from records.id_numbers import check_character, parse_citizen_id
from records.models import FamilyMember, Placement, School, SchoolClass, Student
from tests.factories import SchoolClassFactory, SchoolFactory, StudentFactory, citizen_id


def _counts():
    return Student.objects.count(), FamilyMember.objects.count(), Placement.objects.count()


def _female_id_ending_in_x(area_code: str, birth_date: datetime.date) -> str:
    for sequence in range(500):
        number = citizen_id(area_code=area_code, birth_date=birth_date, sequence=sequence, male=False)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives an X check character")


# --- Registration and the student number -------------------------------------------------------


def test_registration_places_the_student_in_the_class_with_a_guardian(class_a, registrar):
    student = StudentFactory(school_class=class_a, by=registrar)

    assert student.status == Student.Status.ENROLLED
    assert student.school == class_a.school
    assert student.open_placement.school_class == class_a
    assert [guardian.name for guardian in student.guardians] == [f"{student.name[0]}建国"]
    assert student.possible_duplicate_of is None


def test_citizen_id_gives_a_g_number_of_19_characters(class_a):
    student = StudentFactory(school_class=class_a)

    assert student.student_number == "G" + student.id_number
    assert len(student.student_number) == 19


def test_citizen_id_with_x_check_character_is_registered(class_a):
    birth = datetime.date(2016, 5, 20)
    number = _female_id_ending_in_x(class_a.school.region.code, birth)

    student = StudentFactory(school_class=class_a, gender="2", birth_date=birth, id_number=number)

    assert student.student_number == f"G{number}"
    assert Student.objects.get(student_number=f"G{number}").id_number == number


def test_lowercase_x_is_stored_uppercase(class_a):
    birth = datetime.date(2016, 5, 20)
    number = _female_id_ending_in_x(class_a.school.region.code, birth)

    student = StudentFactory(school_class=class_a, gender="2", birth_date=birth, id_number=number.lower())

    assert student.id_number == number
    assert student.student_number == f"G{number}"


def test_passport_gives_a_temporary_l_number_in_id_layout(class_a):
    birth = datetime.date(2016, 4, 1)

    student = StudentFactory(school_class=class_a, id_type="A", id_number="E12345678", birth_date=birth)

    number = student.student_number
    assert len(number) == 19
    assert number.startswith(f"L{class_a.school.region.code}20160401")
    assert number[-1] == check_character(number[1:18])
    assert student.id_number == "E12345678"


def test_no_usable_id_gives_a_j_number_in_id_layout(class_a):
    birth = datetime.date(2016, 4, 1)

    student = StudentFactory(school_class=class_a, id_type="Z", birth_date=birth)

    number = student.student_number
    assert len(number) == 19
    assert number.startswith(f"J{class_a.school.region.code}20160401")
    assert parse_citizen_id(number[1:]).birth_date == birth
    assert student.id_number == ""


def test_two_j_students_of_the_same_area_and_birth_date_get_different_numbers(class_a, class_a2):
    birth = datetime.date(2016, 4, 1)

    first = StudentFactory(school_class=class_a, id_type="Z", birth_date=birth)
    second = StudentFactory(school_class=class_a2, id_type="Z", birth_date=birth)

    assert first.student_number != second.student_number
    assert first.student_number[:15] == second.student_number[:15]
    for number in (first.student_number, second.student_number):
        assert number[-1] == check_character(number[1:18])


def test_student_number_stays_after_transfer(student, class_b, receiving_registrar):
    number = student.student_number

    services.student_transfer(student=student, to_class=class_b, by=receiving_registrar)

    moved = Student.objects.get(pk=student.pk)
    assert moved.school == class_b.school
    assert moved.student_number == number


def test_student_number_stays_after_suspension_and_resumption(student, registrar):
    number = student.student_number

    services.student_suspend(student=student, until=datetime.date.today() + datetime.timedelta(days=90), by=registrar)
    services.student_resume(student=student, by=registrar)

    assert Student.objects.get(pk=student.pk).student_number == number


def test_student_number_stays_after_graduation_and_promotion(longyou, longyou_bureau, registrar):
    primary = SchoolFactory(region=longyou, bureau=longyou_bureau, type=School.Type.PRIMARY)
    junior = SchoolFactory(region=longyou, bureau=longyou_bureau, type=School.Type.JUNIOR)
    student = StudentFactory(school_class=SchoolClassFactory(school=primary, grade=6), graduated=True)
    number = student.student_number

    services.student_promote(student=student, to_class=SchoolClassFactory(school=junior, grade=7), by=registrar)

    promoted = Student.objects.get(pk=student.pk)
    assert promoted.status == Student.Status.ENROLLED
    assert promoted.school == junior
    assert promoted.student_number == number


# --- Key information must agree with the citizen ID ---------------------------------------------


def test_birth_date_differing_from_the_citizen_id_is_refused_naming_the_field(class_a):
    number = citizen_id(area_code="330825", birth_date=datetime.date(2016, 3, 9), sequence=1, male=True)
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_a, gender="1", birth_date=datetime.date(2016, 3, 10), id_number=number)

    assert "出生日期与居民身份证号不一致" in raised.value.message_dict["birth_date"][0]
    assert "2016-03-09" in raised.value.message_dict["birth_date"][0]
    assert _counts() == before


def test_gender_differing_from_the_17th_digit_is_refused_naming_the_field(class_a):
    male_number = citizen_id(area_code="330825", birth_date=datetime.date(2016, 3, 9), sequence=1, male=True)

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_a, gender="2", birth_date=datetime.date(2016, 3, 9), id_number=male_number)

    assert raised.value.message_dict["gender"] == ["性别与居民身份证号不一致。"]
    assert not Student.objects.filter(id_number=male_number).exists()


def test_invalid_citizen_id_is_refused_on_the_id_number_field(class_a):
    valid = citizen_id(area_code="330825", birth_date=datetime.date(2016, 3, 9), sequence=1, male=True)
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_a, gender="1", birth_date=datetime.date(2016, 3, 9), id_number=wrong_check)

    assert "校验位错误" in raised.value.message_dict["id_number"][0]


def test_another_document_type_without_a_number_is_refused(class_a):
    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_a, id_type="A", id_number="")

    assert "请填写身份证件号" in raised.value.message_dict["id_number"][0]


# --- One person, one record (一人一籍) ------------------------------------------------------------


def test_second_registration_with_the_same_id_is_refused_naming_the_existing_school(student, class_c):
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        StudentFactory(
            school_class=class_c,
            name=student.name,
            gender=student.gender,
            birth_date=student.birth_date,
            id_number=student.id_number,
        )

    message = raised.value.message_dict["id_number"][0]
    assert "龙游县实验小学" in message
    assert "转学或复学" in message
    assert _counts() == before
    assert not class_c.placements.exists()


def test_second_registration_with_the_lowercase_x_form_of_an_id_is_refused(class_a, class_b):
    birth = datetime.date(2016, 5, 20)
    number = _female_id_ending_in_x(class_a.school.region.code, birth)
    StudentFactory(school_class=class_a, gender="2", birth_date=birth, id_number=number)

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_b, gender="2", birth_date=birth, id_number=number.lower())

    assert "该证件号已有学籍" in raised.value.message_dict["id_number"][0]
    assert Student.objects.filter(id_number=number).count() == 1


def test_same_passport_number_twice_is_refused(class_a, class_b):
    StudentFactory(school_class=class_a, id_type="A", id_number="E99887766")

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_b, id_type="A", id_number="E99887766")

    assert "该证件号已有学籍" in raised.value.message_dict["id_number"][0]


def test_the_citizen_id_a_student_number_was_made_from_is_refused_after_its_holder_s_id_was_corrected(
    student, class_b, registrar
):
    old_number = student.id_number
    corrected = citizen_id(
        area_code=class_b.school.region.code, birth_date=student.birth_date, sequence=400, male=student.gender.code == "1"
    )
    services.student_change_key_info(student=student, changes={"id_number": corrected}, by=registrar)
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_b, gender=student.gender, birth_date=student.birth_date, id_number=old_number)

    assert "曾用于“龙游县实验小学”一名学生的学籍号" in raised.value.message_dict["id_number"][0]
    assert _counts() == before


def test_a_registration_that_loses_the_race_for_an_id_is_refused_and_saves_nothing(student, class_b, monkeypatch):
    """Another registration of the same ID commits between the check and the INSERT: the unique
    constraint refuses it, and the transaction goes on (a savepoint rolled back)."""
    from records.services import identity

    monkeypatch.setattr(identity, "id_holders", lambda *a, **k: identity.IdHolders(by_id={}, by_number={}))
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_b, gender=student.gender, birth_date=student.birth_date, id_number=student.id_number)

    assert raised.value.message_dict["id_number"] == ["该证件号已有学籍，一人只能有一个学籍。"]
    assert _counts() == before
    assert not class_b.placements.exists()


def test_a_code_of_another_table_is_refused_on_its_field(class_a, code_of):
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_a, health=code_of("ethnicity", "01"))

    assert list(raised.value.error_dict) == ["health"]
    assert raised.value.error_dict["health"][0].code == "invalid"
    assert _counts() == before


def _registration(school_class, code_of, *, sequence, id_type="1", id_number=None, **changes):
    birth = datetime.date(2016, 3, 1) + datetime.timedelta(days=sequence)
    data = {
        "name": f"查{sequence}", "gender": code_of("gender", "1"), "birth_date": birth, "id_type": code_of("id_type", id_type),
        "id_number": citizen_id(area_code="330825", birth_date=birth, sequence=sequence, male=True)
        if id_number is None else id_number,
        "ethnicity": code_of("ethnicity", "01"), "nationality": code_of("nationality", "156"),
        "overseas_chinese": code_of("overseas", "00"), "health": code_of("health", "1"),
        "household_type": code_of("household_type", "1"), "entry_date": datetime.date(2023, 9, 1),
        "entry_way": code_of("entry_way", "1"), "study_mode": code_of("study_mode", "1"),
        "student_type": code_of("student_type", "1"), "disability_type": code_of("disability", "0"),
        "left_behind": code_of("left_behind", "1"),
    } | changes
    family = [
        {"name": "查建国", "relationship": code_of("relationship", "1"), "is_guardian": True, "phone": "13800000000",
         "id_type": code_of("id_type", "1"),
         "id_number": citizen_id(area_code="330825", birth_date=datetime.date(1988, 1, 1), sequence=sequence, male=True)},
        {"name": "查秀英", "relationship": code_of("relationship", "2"), "is_guardian": False, "ethnicity": code_of("ethnicity", "01")},
    ]
    return {"school_class": school_class, "data": data, "family_members": family}


@pytest.mark.parametrize(
    ("kind", "statements"),
    [
        # The class locked (with its school and region), the ID's holders, the possible duplicates;
        # the student, two family members, the placement and the history of each: one INSERT
        # per table; the savepoint of the registration's own transaction, and its release.
        ("citizen ID", 11),
        ("passport", 12),  # + the temporary numbers taken for the area and birth date
        ("no ID", 11),  # no ID to look up, the numbers taken instead
        ("possible duplicate", 12),  # + the record it may duplicate
    ],
)
def test_a_registration_costs_a_statement_per_table_it_writes(
    kind, statements, student, class_a, code_of, registrar, django_assert_max_num_queries
):
    changes = {
        "citizen ID": {},
        "passport": {"id_type": "A", "id_number": "E55667788"},
        "no ID": {"id_type": "Z", "id_number": ""},
        "possible duplicate": {"name": student.name, "birth_date": student.birth_date, "gender": student.gender},
    }[kind]
    id_type = changes.pop("id_type", "1")
    if kind == "possible duplicate":
        changes["id_number"] = citizen_id(
            area_code="330825", birth_date=student.birth_date, sequence=401, male=student.gender.code == "1"
        )
    call = _registration(class_a, code_of, sequence=7, id_type=id_type, **changes)

    with django_assert_max_num_queries(statements):
        created = services.student_register(**call, by=registrar)

    assert created.open_placement.school_class == class_a
    assert [(m.position, m.is_guardian) for m in created.family_members.all()] == [(1, True), (2, False)]
    assert (created.possible_duplicate_of == student) == (kind == "possible duplicate")
    histories = [created.history.get(), created.placements.get().history.get()]
    histories += [member.history.get() for member in created.family_members.all()]
    assert [(h.history_type, h.history_user) for h in histories] == [("+", registrar)] * 4
    assert [h.history_change_reason for h in histories] == ["新生建档", "新生建档", None, None]


def test_possible_duplicate_is_flagged_and_the_registration_proceeds(student, class_b):
    twin = StudentFactory(school_class=class_b, name=student.name, gender=student.gender, birth_date=student.birth_date)

    assert twin.id_number != student.id_number
    assert twin.possible_duplicate_of == student
    assert twin.status == Student.Status.ENROLLED
    assert twin.open_placement.school_class == class_b


def test_same_name_and_birth_date_but_other_gender_is_not_a_possible_duplicate(student, class_b):
    other_gender = "2" if student.gender.code == "1" else "1"

    other = StudentFactory(school_class=class_b, name=student.name, gender=other_gender, birth_date=student.birth_date)

    assert other.possible_duplicate_of is None


def test_registrar_clears_a_possible_duplicate_after_checking(student, class_b, receiving_registrar):
    twin = StudentFactory(school_class=class_b, name=student.name, gender=student.gender, birth_date=student.birth_date)

    services.student_resolve_duplicate(student=twin, by=receiving_registrar)

    assert Student.objects.get(pk=twin.pk).possible_duplicate_of is None


# --- Family members -----------------------------------------------------------------------------


def _member(code_of, name, *, guardian, relationship="2"):
    return {"name": name, "relationship": code_of("relationship", relationship), "is_guardian": guardian}


def test_registration_without_family_members_is_refused_and_nothing_saved(class_a):
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_a, family_members=[])

    assert "至少填写一名家庭成员" in raised.value.message_dict["family_members"][0]
    assert _counts() == before


def test_registration_without_a_guardian_is_refused_and_nothing_saved(class_a, code_of):
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_a, family_members=[_member(code_of, "李梅", guardian=False)])

    assert "至少一人须为监护人" in raised.value.message_dict["family_members"][0]
    assert _counts() == before


def test_more_than_two_family_members_is_refused(class_a, code_of):
    members = [_member(code_of, name, guardian=True) for name in ("李梅", "王强", "王芳")]

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_a, family_members=members)

    assert "最多填写两名" in raised.value.message_dict["family_members"][0]


def test_family_member_with_an_invalid_citizen_id_is_refused_naming_the_member(class_a, code_of):
    wrong_check = "330825198001011234"  # the check character would be 2
    member = _member(code_of, "李梅", guardian=True) | {"id_type": code_of("id_type", "1"), "id_number": wrong_check}
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=class_a, family_members=[member])

    assert raised.value.message_dict["family_members"][0].startswith("家庭成员1：")
    assert _counts() == before


def test_replacing_family_members_keeps_at_most_two(student, code_of, registrar):
    services.family_members_replace(
        student=student,
        members=[_member(code_of, "李梅", guardian=True), _member(code_of, "王强", guardian=False, relationship="1")],
        by=registrar,
    )

    assert [(m.position, m.name, m.is_guardian) for m in student.family_members.all()] == [
        (1, "李梅", True),
        (2, "王强", False),
    ]


# --- Direct edits -------------------------------------------------------------------------------


def test_school_edits_contact_details_directly(student, registrar):
    services.student_update(student=student, data={"contact_phone": "0570-7012345"}, by=registrar)

    assert Student.objects.get(pk=student.pk).contact_phone == "0570-7012345"


@pytest.mark.parametrize("field", ["name", "birth_date", "id_number", "status", "school"])
def test_key_information_and_status_cannot_be_edited_directly(student, registrar, field):
    with pytest.raises(ValidationError) as raised:
        services.student_update(student=student, data={field: "x"}, by=registrar)

    assert raised.value.message_dict[field] == ["该项为关键信息或由审批流程维护，不能直接修改。"]
    unchanged = Student.objects.get(pk=student.pk)
    assert (unchanged.name, unchanged.id_number, unchanged.status) == (student.name, student.id_number, student.status)


def test_suspension_end_must_be_after_today(student, registrar):
    with pytest.raises(ValidationError):
        services.student_suspend(student=student, until=datetime.date.today(), by=registrar)

    assert Student.objects.get(pk=student.pk).status == Student.Status.ENROLLED


# --- Classes ------------------------------------------------------------------------------------


@pytest.fixture
def school(longyou, longyou_bureau):
    return SchoolFactory(region=longyou, bureau=longyou_bureau, identifier="2133900123", type=School.Type.PRIMARY)


def test_class_code_is_grade_code_school_code_and_sequence(school):
    school_class = services.class_create(school=school, grade=3, entry_year=2023, by=None)

    assert school_class.code == "130900123001"
    assert school_class.name == "三年级(1)班"


def test_class_sequence_increments_per_grade(school):
    first = services.class_create(school=school, grade=1, entry_year=2025, by=None)
    second = services.class_create(school=school, grade=1, entry_year=2025, by=None)
    other_grade = services.class_create(school=school, grade=6, entry_year=2020, by=None)

    assert (first.code, second.code, other_grade.code) == ("110900123001", "110900123002", "160900123001")
    assert second.name == "一年级(2)班"


def test_class_code_of_a_dissolved_class_is_not_reused(school):
    first = services.class_create(school=school, grade=1, entry_year=2025, by=None)
    services.class_dissolve(school_class=first, by=None)

    after = services.class_create(school=school, grade=1, entry_year=2025, by=None)

    assert after.code == "110900123002"


def test_new_class_after_a_dissolved_one_gets_a_free_name(school):
    first = services.class_create(school=school, grade=1, entry_year=2025, by=None)
    second = services.class_create(school=school, grade=1, entry_year=2025, by=None)
    services.class_dissolve(school_class=first, by=None)

    third = services.class_create(school=school, grade=1, entry_year=2025, by=None)

    assert (second.name, third.name) == ("一年级(2)班", "一年级(3)班")


def test_class_for_a_grade_the_school_does_not_have_is_refused(school):
    with pytest.raises(ValidationError) as raised:
        services.class_create(school=school, grade=7, entry_year=2025, by=None)

    assert "没有七年级" in raised.value.message_dict["grade"][0]
    assert not SchoolClass.objects.filter(school=school).exists()


def test_class_with_a_name_already_open_in_the_school_is_refused(school):
    services.class_create(school=school, grade=2, entry_year=2024, by=None, name="二年级(1)班")

    with pytest.raises(ValidationError) as raised:
        services.class_create(school=school, grade=2, entry_year=2024, by=None, name="二年级(1)班")

    assert "已有名为“二年级(1)班”的班级" in raised.value.message_dict["name"][0]


def test_class_with_students_cannot_be_dissolved(student, class_a, registrar):
    with pytest.raises(ValidationError) as raised:
        services.class_dissolve(school_class=class_a, by=registrar)

    assert "还有在读学生" in raised.value.messages[0]
    assert SchoolClass.objects.get(pk=class_a.pk).state == SchoolClass.State.OPEN


def test_no_student_can_be_registered_into_a_class_dissolved_after_the_form_was_opened(school):
    school_class = services.class_create(school=school, grade=1, entry_year=2025, by=None)
    services.class_dissolve(school_class=SchoolClass.objects.get(pk=school_class.pk), by=None)

    with pytest.raises(ValidationError) as raised:
        StudentFactory(school_class=school_class)

    assert "已毕业或撤销" in raised.value.message_dict["school_class"][0]
