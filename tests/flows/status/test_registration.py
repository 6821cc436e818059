"""新生建档: a registrar (any class) or a class teacher (own class) enters the record and family;
the academic office verifies (or sends it back to the one who entered it); the bureau approves;
only then is the record created, numbered and placed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from flows.models import Request, WorkItem
from records.errors import Conflict
from flows.engine import task_decide
from flows.record_json import family_from_json, family_to_json, record_from_json, record_to_json
from flows.registration import registration_resubmit, registration_start
from records import services
from records.models import CodeTable, Student
from flows.selectors import user_may_act_on
from records.services import code_get
from tests.factories import citizen_id

from ..acting import REJECT, decide, inbox, open_step, steps_of, where
from .conftest import is_in_inbox, verify, verify_form

RETURN = WorkItem.Decision.RETURN
BIRTH = datetime.date(2017, 3, 15)
ID_NUMBER = citizen_id(area_code="330825", birth_date=BIRTH, sequence=7, male=False)


def record(**overrides) -> dict:
    """The record as the registrar types it from the household register."""
    data = {
        "name": "林晓雨",
        "gender": code_get(CodeTable.GENDER, "2"),
        "birth_date": BIRTH,
        "id_type": code_get(CodeTable.ID_TYPE, "1"),
        "id_number": ID_NUMBER,
        "ethnicity": code_get(CodeTable.ETHNICITY, "01"),
        "nationality": code_get(CodeTable.NATIONALITY, "156"),
        "overseas_chinese": code_get(CodeTable.OVERSEAS, "00"),
        "health": code_get(CodeTable.HEALTH, "1"),
        "household_type": code_get(CodeTable.HOUSEHOLD_TYPE, "1"),
        "entry_date": datetime.date(2023, 9, 1),
        "entry_way": code_get(CodeTable.ENTRY_WAY, "1"),
        "study_mode": code_get(CodeTable.STUDY_MODE, "1"),
        "student_type": code_get(CodeTable.STUDENT_TYPE, "1"),
        "disability_type": code_get(CodeTable.DISABILITY, "0"),
        "left_behind": code_get(CodeTable.LEFT_BEHIND, "1"),
        "household_place": "浙江省衢州市龙游县",
        "current_address": "浙江省衢州市龙游县龙洲街道荣昌路1号",
    }
    data.update(overrides)
    return data


def family() -> list[dict]:
    return [
        {
            "name": "林建华",
            "relationship": code_get(CodeTable.RELATIONSHIP, "1"),
            "is_guardian": True,
            "phone": "13900000002",
        },
        {
            "name": "陈美玲",
            "relationship": code_get(CodeTable.RELATIONSHIP, "2"),
            "is_guardian": False,
            "phone": "13900000003",
        },
    ]


def enter(to_class, by, **overrides):
    return registration_start(to_class=to_class, by=by, record=record(**overrides), family=family())


def existing_student(school_class, by, **overrides) -> Student:
    """A record that already exists, registered directly in the register."""
    data = record(**overrides)
    return services.student_register(
        school_class=school_class, data=data, family_members=family()[:1], by=by
    )


def family_of(student) -> list[tuple]:
    return [
        (member.position, member.name, member.relationship.code, member.is_guardian, member.phone)
        for member in student.family_members.order_by("position")
    ]


# --- The happy paths ------------------------------------------------------------------------------


def test_registrar_entry_verified_by_academic_office_and_approved_by_bureau_creates_the_placed_record(
    class_a, class_a2, registrar, academic_office, bureau_officer
):
    registration = enter(class_a2, registrar)

    assert registration.state == Request.State.OPEN
    assert not Student.objects.filter(id_number=ID_NUMBER).exists()
    assert inbox(academic_office) == [(registration.pk, "verify_by_academic_office")]
    assert inbox(registrar) == []
    assert inbox(bureau_officer) == []

    verify(academic_office, registration)

    assert inbox(academic_office) == []
    assert inbox(bureau_officer) == [(registration.pk, "approve_by_bureau")]
    assert not Student.objects.filter(id_number=ID_NUMBER).exists()

    decide(bureau_officer, registration)

    registration.refresh_from_db()
    assert registration.state == Request.State.COMPLETED
    student = registration.student
    assert student.student_number == "G" + ID_NUMBER
    assert (student.name, student.birth_date, student.gender.code) == ("林晓雨", BIRTH, "2")
    assert where(student) == (class_a2.school, class_a2, Student.Status.ENROLLED)
    assert family_of(student) == [(1, "林建华", "1", True, "13900000002"), (2, "陈美玲", "2", False, "13900000003")]
    created = student.history.get(history_type="+")
    assert created.history_user == bureau_officer
    assert student.open_placement.history.get(history_type="+").history_user == bureau_officer
    assert steps_of(registration) == [
        ("verify_by_academic_office", academic_office.username, "approve", ""),
        ("approve_by_bureau", bureau_officer.username, "approve", ""),
    ]
    assert inbox(bureau_officer) == [] and inbox(registrar) == [] and inbox(academic_office) == []


@pytest.mark.parametrize(
    ("id_type", "id_number", "prefix"),
    [("A", "E87654321", "L"), ("Z", "", "J")],
    ids=["passport gets a temporary L number", "no ID gets a J number"],
)
def test_student_without_citizen_id_gets_a_number_in_id_layout_of_the_school_county_and_birth_date(
    class_a, registrar, academic_office, bureau_officer, id_type, id_number, prefix
):
    registration = enter(class_a, registrar, id_type=code_get(CodeTable.ID_TYPE, id_type), id_number=id_number)
    verify(academic_office, registration)
    decide(bureau_officer, registration)

    registration.refresh_from_db()
    number = registration.student.student_number
    assert number.startswith(f"{prefix}330825{BIRTH:%Y%m%d}")
    assert len(number) == 19
    assert registration.student.id_number == id_number
    assert where(registration.student)[1:] == (class_a, Student.Status.ENROLLED)


def test_class_teacher_enters_a_new_student_of_own_class(class_a, class_teacher, academic_office, bureau_officer):
    registration = enter(class_a, class_teacher)

    assert inbox(academic_office) == [(registration.pk, "verify_by_academic_office")]
    verify(academic_office, registration)
    decide(bureau_officer, registration)

    registration.refresh_from_db()
    assert registration.started_by == class_teacher
    assert where(registration.student) == (class_a.school, class_a, Student.Status.ENROLLED)


def test_class_teacher_cannot_enter_a_student_for_another_class(class_a, class_a2, class_teacher):
    with pytest.raises(PermissionDenied) as refused:
        enter(class_a2, class_teacher)

    assert "本班" in str(refused.value)
    assert not Request.objects.filter(kind=Request.Kind.REGISTRATION).exists()


def test_registrar_of_another_school_cannot_enter_a_student_for_this_school(class_a, receiving_registrar):
    with pytest.raises(PermissionDenied):
        enter(class_a, receiving_registrar)


def test_academic_office_cannot_enter_a_student(class_a, academic_office):
    with pytest.raises(PermissionDenied):
        enter(class_a, academic_office)


def test_only_the_academic_office_of_the_school_may_verify(
    class_a, registrar, second_registrar, academic_office, other_academic_office, bureau_officer
):
    registration = enter(class_a, registrar)
    step = open_step(academic_office, registration)

    for outsider in (registrar, second_registrar, other_academic_office, bureau_officer):
        assert not is_in_inbox(outsider, registration)
        assert not user_may_act_on(outsider, step)
        with pytest.raises(PermissionDenied):
            task_decide(work_item=step, by=outsider, decision=WorkItem.Decision.APPROVE)

    registration.refresh_from_db()
    assert registration.state == Request.State.OPEN
    assert inbox(academic_office) == [(registration.pk, "verify_by_academic_office")]


# --- Sent back to the one who entered it --------------------------------------------------------------


def test_sent_back_registration_returns_only_to_its_enterer_with_the_entries_kept_and_goes_through_again(
    class_a, class_a2, registrar, second_registrar, academic_office, bureau_officer
):
    registration = enter(class_a, registrar, current_address="龙洲街道")

    verify(academic_office, registration, decision=RETURN, comment="现住址不完整，请补充门牌号")

    assert inbox(registrar) == [(registration.pk, "correct_by_enterer")]
    assert inbox(second_registrar) == []
    assert inbox(academic_office) == []
    correction = open_step(registrar, registration)
    assert correction.assignee == registrar
    assert not user_may_act_on(second_registrar, correction)
    with pytest.raises(PermissionDenied):
        registration_resubmit(
            work_item=correction, by=second_registrar, to_class=class_a, record=record(), family=family()
        )
    registration.refresh_from_db()
    # What the enterer typed is still on the request, for the correction page to show.
    assert registration.record["name"] == "林晓雨"
    assert registration.record["current_address"] == "龙洲街道"
    assert [member["name"] for member in registration.family] == ["林建华", "陈美玲"]
    assert registration.to_class == class_a
    assert not Student.objects.filter(id_number=ID_NUMBER).exists()

    registration_resubmit(
        work_item=correction,
        by=registrar,
        to_class=class_a2,
        record=record(current_address="浙江省衢州市龙游县龙洲街道荣昌路8号"),
        family=family(),
    )

    assert inbox(registrar) == []
    assert inbox(academic_office) == [(registration.pk, "verify_by_academic_office")]
    verify(academic_office, registration)
    decide(bureau_officer, registration)

    registration.refresh_from_db()
    assert registration.state == Request.State.COMPLETED
    student = registration.student
    assert student.current_address == "浙江省衢州市龙游县龙洲街道荣昌路8号"
    assert where(student) == (class_a2.school, class_a2, Student.Status.ENROLLED)
    assert steps_of(registration) == [
        ("verify_by_academic_office", academic_office.username, "return", "现住址不完整，请补充门牌号"),
        ("correct_by_enterer", registrar.username, "approve", "已修改，重新提交"),
        ("verify_by_academic_office", academic_office.username, "approve", ""),
        ("approve_by_bureau", bureau_officer.username, "approve", ""),
    ]


def test_registration_sent_back_to_a_class_teacher_is_not_in_the_registrars_inbox(
    class_a, class_teacher, registrar, academic_office
):
    registration = enter(class_a, class_teacher)

    verify(academic_office, registration, decision=RETURN, comment="出生日期请核对")

    assert inbox(class_teacher) == [(registration.pk, "correct_by_enterer")]
    assert inbox(registrar) == []
    with pytest.raises(PermissionDenied):
        task_decide(
            work_item=open_step(class_teacher, registration), by=registrar, decision=WorkItem.Decision.APPROVE,
            data={},
        )


def test_class_teacher_correcting_a_sent_back_registration_cannot_move_it_to_another_class(
    class_a, class_a2, class_teacher, academic_office
):
    registration = enter(class_a, class_teacher)
    verify(academic_office, registration, decision=RETURN, comment="出生日期请核对")

    with pytest.raises(PermissionDenied):
        registration_resubmit(
            work_item=open_step(class_teacher, registration), by=class_teacher, to_class=class_a2,
            record=record(), family=family(),
        )

    registration.refresh_from_db()
    assert registration.to_class == class_a
    assert inbox(class_teacher) == [(registration.pk, "correct_by_enterer")]
    assert inbox(academic_office) == []


def test_sending_back_needs_a_note_of_what_to_correct(class_a, registrar, academic_office):
    registration = enter(class_a, registrar)

    with pytest.raises(ValidationError):
        verify(academic_office, registration, decision=RETURN, comment="")

    assert inbox(academic_office) == [(registration.pk, "verify_by_academic_office")]
    assert inbox(registrar) == []


# --- One person, one record -----------------------------------------------------------------------------


def test_registration_with_the_id_number_of_an_existing_student_is_refused_naming_that_school(
    class_a, class_b, registrar, receiving_registrar
):
    existing_student(class_b, receiving_registrar)

    with pytest.raises(ValidationError) as refused:
        enter(class_a, registrar)

    assert "龙游县东华小学" in refused.value.message_dict["id_number"][0]
    assert not Request.objects.filter(kind=Request.Kind.REGISTRATION).exists()


def test_registration_with_the_id_number_of_an_open_registration_is_refused(
    class_a, class_a2, registrar, class_teacher
):
    enter(class_a, class_teacher)

    with pytest.raises(Conflict) as refused:
        enter(class_a2, registrar)

    assert "办理中" in refused.value.message_dict["id_number"][0]
    assert Request.objects.filter(kind=Request.Kind.REGISTRATION).count() == 1


def test_open_registration_blocks_the_same_id_number_typed_with_a_small_x(class_a, class_a2, registrar, class_teacher):
    id_with_x = citizen_id(area_code="330825", birth_date=BIRTH, sequence=4, male=False)
    assert id_with_x.endswith("X")
    first = enter(class_a, class_teacher, id_number=id_with_x.lower())

    with pytest.raises(Conflict):
        enter(class_a2, registrar, id_number=id_with_x)

    first.refresh_from_db()
    assert first.record["id_number"] == id_with_x
    assert Request.objects.filter(kind=Request.Kind.REGISTRATION).count() == 1


def test_possible_duplicate_must_be_acknowledged_by_the_academic_office_before_it_goes_on(
    class_a, class_b, registrar, receiving_registrar, academic_office, bureau_officer
):
    other_id = citizen_id(area_code="330825", birth_date=BIRTH, sequence=8, male=False)
    namesake = existing_student(class_b, receiving_registrar, id_number=other_id)

    registration = enter(class_a, registrar)

    assert registration.possible_duplicate == namesake
    with pytest.raises(ValidationError) as refused:
        verify(academic_office, registration)
    assert "acknowledge_duplicate" in refused.value.message_dict
    with pytest.raises(ValidationError):
        task_decide(
            work_item=open_step(academic_office, registration), by=academic_office,
            decision=WorkItem.Decision.APPROVE, form=verify_form(academic_office, registration),
        )
    assert inbox(academic_office) == [(registration.pk, "verify_by_academic_office")]
    assert inbox(bureau_officer) == []

    verify(academic_office, registration, acknowledge=True)
    decide(bureau_officer, registration)

    registration.refresh_from_db()
    assert registration.duplicate_acknowledged
    assert registration.student.possible_duplicate_of == namesake
    assert where(registration.student)[1] == class_a


def test_possible_duplicate_cannot_be_approved_without_the_verification_form(
    class_a, class_b, registrar, receiving_registrar, academic_office, bureau_officer
):
    """An approval sent without the page's form (as an API client might) must not skip the check."""
    other_id = citizen_id(area_code="330825", birth_date=BIRTH, sequence=8, male=False)
    existing_student(class_b, receiving_registrar, id_number=other_id)
    registration = enter(class_a, registrar)

    for data in (None, {}, {"acknowledge_duplicate": False}):
        with pytest.raises(ValidationError):
            task_decide(
                work_item=open_step(academic_office, registration), by=academic_office,
                decision=WorkItem.Decision.APPROVE, data=data,
            )

    assert inbox(academic_office) == [(registration.pk, "verify_by_academic_office")]
    assert inbox(bureau_officer) == []


def test_id_number_is_checked_again_at_the_bureaus_approval_and_nothing_is_half_created(
    class_a, class_b, registrar, receiving_registrar, academic_office, bureau_officer
):
    registration = enter(class_a, registrar)
    verify(academic_office, registration)
    # Meanwhile the same child was registered at 东华小学.
    other = existing_student(class_b, receiving_registrar)

    with pytest.raises(ValidationError) as refused:
        decide(bureau_officer, registration)

    assert "龙游县东华小学" in refused.value.message_dict["id_number"][0]
    assert list(Student.objects.filter(id_number=ID_NUMBER)) == [other]
    assert not Student.objects.filter(school=class_a.school, name="林晓雨").exists()
    assert not class_a.placements.exists()
    registration.refresh_from_db()
    assert registration.state == Request.State.OPEN
    assert registration.student is None
    assert inbox(bureau_officer) == [(registration.pk, "approve_by_bureau")]
    assert steps_of(registration)[-1] == ("approve_by_bureau", None, "", "")


def test_the_record_kept_on_the_request_reads_its_codes_in_one_query_a_record(db, django_assert_num_queries):
    kept, members = record_to_json(record(transport=code_get(CodeTable.TRANSPORT, "1"))), family_to_json(family())

    with django_assert_num_queries(1 + len(members)):
        data, family_members = record_from_json(kept), family_from_json(members)

    assert data == record(transport=code_get(CodeTable.TRANSPORT, "1"))
    assert family_members == family()
    assert [data[name].table for name in ("gender", "ethnicity", "transport")] == ["gender", "ethnicity", "transport"]


# --- Rejections ---------------------------------------------------------------------------------------


def test_academic_office_rejection_ends_the_registration_and_creates_no_student(
    class_a, registrar, academic_office, bureau_officer
):
    registration = enter(class_a, registrar)

    verify(academic_office, registration, decision=REJECT, comment="非本学区适龄儿童")

    registration.refresh_from_db()
    assert registration.state == Request.State.REJECTED
    assert registration.close_comment == "非本学区适龄儿童"
    assert not Student.objects.filter(id_number=ID_NUMBER).exists()
    assert inbox(bureau_officer) == [] and inbox(registrar) == [] and inbox(academic_office) == []
    # Rejected: the same child may be entered again.
    assert enter(class_a, registrar).state == Request.State.OPEN


def test_bureau_rejection_ends_the_registration_and_creates_no_student(
    class_a, registrar, academic_office, bureau_officer
):
    registration = enter(class_a, registrar)
    verify(academic_office, registration)

    with pytest.raises(ValidationError):
        decide(bureau_officer, registration, REJECT, "")
    decide(bureau_officer, registration, REJECT, "材料不全")

    registration.refresh_from_db()
    assert registration.state == Request.State.REJECTED
    assert registration.student is None
    assert not Student.objects.filter(id_number=ID_NUMBER).exists()
    assert steps_of(registration) == [
        ("verify_by_academic_office", academic_office.username, "approve", ""),
        ("approve_by_bureau", bureau_officer.username, "reject", "材料不全"),
    ]
    assert inbox(bureau_officer) == []
