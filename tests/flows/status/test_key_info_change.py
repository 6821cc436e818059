"""关键信息变更: name, gender, birth date, ID type and number change only through an approved
request with evidence; the old values stay (曾用名, 原学籍号, history)."""

import pytest
from django.core.exceptions import ValidationError

from flows.models import Request
from records.models import CodeTable
from records.selectors import student_search
from records.services import code_get
from tests.factories import StudentFactory, citizen_id

from ..acting import REJECT, decide, inbox, steps_of
from .conftest import last_change, start_key_info_change


def citizen(code: str = "1"):
    return code_get(CodeTable.ID_TYPE, code)


def new_citizen_id_for(student, sequence: int = 321) -> str:
    """A valid citizen ID agreeing with the student's birth date and gender."""
    return citizen_id(
        area_code="330825", birth_date=student.birth_date, sequence=sequence, male=student.gender.code == "1"
    )


def test_name_change_keeps_the_old_name_as_former_name_and_in_history(student, registrar, bureau_officer):
    old_name = student.name
    number = student.student_number

    change = start_key_info_change(student, registrar, {"name": "王一鸣"})

    assert inbox(bureau_officer) == [(change.pk, "approve_by_bureau")]
    student.refresh_from_db()
    assert student.name == old_name

    decide(bureau_officer, change)

    student.refresh_from_db()
    assert student.name == "王一鸣"
    assert student.former_names == old_name
    assert student.student_number == number
    new, old = last_change(student)
    assert (old.name, new.name) == (old_name, "王一鸣")
    assert new.history_user == bureau_officer
    assert new.history_change_reason == "户口簿已变更"
    change.refresh_from_db()
    assert change.state == Request.State.COMPLETED
    assert (change.previous, change.changes) == ({"name": old_name}, {"name": "王一鸣"})
    assert steps_of(change) == [("approve_by_bureau", bureau_officer.username, "approve", "")]
    assert list(student_search(registrar, q=old_name)) == [student]


def test_key_information_change_without_evidence_is_refused(student, registrar):
    with pytest.raises(ValidationError) as refused:
        start_key_info_change(student, registrar, {"name": "王一鸣"}, kinds=())

    assert "证明材料" in refused.value.message_dict["evidence"][0]
    assert not Request.objects.filter(student=student).exists()


def test_a_field_that_is_not_key_information_is_refused(student, registrar):
    with pytest.raises(ValidationError) as refused:
        start_key_info_change(student, registrar, {"current_address": "龙游县东华街道"})

    assert "current_address" in refused.value.message_dict
    assert not Request.objects.filter(student=student).exists()


def test_new_citizen_id_with_a_wrong_check_character_is_refused(student, registrar):
    valid = new_citizen_id_for(student)
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")

    with pytest.raises(ValidationError) as refused:
        start_key_info_change(student, registrar, {"id_number": wrong})

    assert "校验位" in refused.value.message_dict["id_number"][0]
    assert not Request.objects.filter(student=student).exists()


def test_new_citizen_id_of_another_student_is_refused_naming_that_school(student, class_b, registrar, receiving_registrar):
    other = StudentFactory(school_class=class_b, by=receiving_registrar)

    with pytest.raises(ValidationError) as refused:
        start_key_info_change(
            student,
            registrar,
            {"id_number": other.id_number, "birth_date": other.birth_date, "gender": other.gender},
        )

    assert "龙游县东华小学" in refused.value.message_dict["id_number"][0]
    assert not Request.objects.filter(student=student).exists()


def test_new_citizen_id_taken_meanwhile_is_refused_at_the_approval_and_nothing_changes(
    student, class_b, registrar, receiving_registrar, bureau_officer
):
    new_id = new_citizen_id_for(student)
    old_id = student.id_number
    change = start_key_info_change(student, registrar, {"id_number": new_id})
    StudentFactory(
        school_class=class_b, by=receiving_registrar, id_number=new_id, birth_date=student.birth_date,
        gender=student.gender, name="赵小明",
    )

    with pytest.raises(ValidationError) as refused:
        decide(bureau_officer, change)

    assert "龙游县东华小学" in refused.value.message_dict["id_number"][0]
    student.refresh_from_db()
    assert student.id_number == old_id
    change.refresh_from_db()
    assert change.state == Request.State.OPEN
    assert inbox(bureau_officer) == [(change.pk, "approve_by_bureau")]


@pytest.mark.parametrize(("id_type", "prefix"), [("Z", "J"), ("A", "L")], ids=["no ID", "passport"])
def test_student_with_a_j_or_l_number_given_a_citizen_id_gets_a_g_number_and_stays_findable_by_the_old_one(
    class_a, registrar, bureau_officer, id_type, prefix
):
    student = StudentFactory(school_class=class_a, by=registrar, id_type=id_type)
    old_number = student.student_number
    assert old_number.startswith(prefix)
    new_id = new_citizen_id_for(student)

    change = start_key_info_change(student, registrar, {"id_type": citizen(), "id_number": new_id})
    decide(bureau_officer, change)

    student.refresh_from_db()
    assert student.student_number == "G" + new_id
    assert (student.id_type.code, student.id_number) == ("1", new_id)
    assert student.former_student_numbers == old_number
    assert list(student_search(registrar, q=old_number)) == [student]
    assert list(student_search(bureau_officer, q=old_number)) == [student]
    new, old = last_change(student)
    assert (old.student_number, new.student_number) == (old_number, "G" + new_id)
    assert new.history_user == bureau_officer


def test_citizen_id_disagreeing_with_the_students_gender_is_refused(class_a, registrar):
    student = StudentFactory(school_class=class_a, by=registrar, id_type="Z")
    wrong_gender = citizen_id(
        area_code="330825", birth_date=student.birth_date, sequence=321, male=student.gender.code != "1"
    )

    with pytest.raises(ValidationError) as refused:
        start_key_info_change(student, registrar, {"id_type": citizen(), "id_number": wrong_gender})

    assert "gender" in refused.value.message_dict
    assert not Request.objects.filter(student=student).exists()


def test_rejected_key_information_change_changes_nothing(student, registrar, bureau_officer):
    old_name = student.name
    versions_before = student.history.count()

    change = start_key_info_change(student, registrar, {"name": "王一鸣"})
    decide(bureau_officer, change, REJECT, "户口簿未见变更记录")

    student.refresh_from_db()
    assert (student.name, student.former_names) == (old_name, "")
    assert student.history.count() == versions_before
    change.refresh_from_db()
    assert change.state == Request.State.REJECTED
