"""外地转入: the receiving registrar enters the record; the bureau's approval creates and places it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from flows.models import Request
from records.errors import Conflict
from flows.transfer_in import transfer_in_start
from records.models import Student
from tests.factories import citizen_id

from .acting import APPLICANT, BIRTH, OUTSIDE_ID, REJECT, decide, family, inbox, record, steps_of

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

def start_transfer_in(to_class, by, **record_overrides):
    return transfer_in_start(
        to_class=to_class,
        by=by,
        record=record(**record_overrides),
        family=family(),
        previous_school="上饶市信州区第一小学",
        applicant=APPLICANT,
        reason="随父母工作调动转入",
    )


def test_approved_transfer_in_creates_the_record_placed_in_the_class_with_entry_way_transfer(
    class_b, receiving_registrar, bureau_officer, other_bureau_officer, code_of
):
    transfer_in = start_transfer_in(class_b, receiving_registrar)

    assert not Student.objects.filter(id_number=OUTSIDE_ID).exists()
    assert inbox(bureau_officer) == [(transfer_in.pk, "approve_by_bureau")]
    assert inbox(other_bureau_officer) == []

    decide(bureau_officer, transfer_in)

    student = Student.objects.get(id_number=OUTSIDE_ID)
    assert student.name == "林晓雨"
    assert student.entry_way == code_of("entry_way", "5")
    assert student.status == Student.Status.ENROLLED
    assert student.school == class_b.school
    assert student.open_placement.school_class == class_b
    assert student.student_number == f"G{OUTSIDE_ID}"
    assert [guardian.name for guardian in student.guardians] == ["林建华"]
    assert student.history.get(history_type="+").history_user == bureau_officer
    transfer_in.refresh_from_db()
    assert transfer_in.state == Request.State.COMPLETED
    assert transfer_in.student == student
    assert steps_of(transfer_in) == [("approve_by_bureau", bureau_officer.username, "approve", "")]


def test_rejected_transfer_in_creates_no_record(class_b, receiving_registrar, bureau_officer):
    transfer_in = start_transfer_in(class_b, receiving_registrar)

    decide(bureau_officer, transfer_in, REJECT, "缺少原学校学籍证明")

    assert not Student.objects.filter(id_number=OUTSIDE_ID).exists()
    transfer_in.refresh_from_db()
    assert (transfer_in.state, transfer_in.close_comment) == (Request.State.REJECTED, "缺少原学校学籍证明")
    assert start_transfer_in(class_b, receiving_registrar).state == Request.State.OPEN


def test_transfer_in_of_an_id_number_that_has_a_record_is_refused_naming_its_school(
    student, class_b, receiving_registrar, bureau_officer
):
    with pytest.raises(ValidationError) as refused:
        start_transfer_in(
            class_b,
            receiving_registrar,
            id_number=student.id_number,
            gender=student.gender,
            birth_date=student.birth_date,
        )

    assert student.school.name in refused.value.message_dict["id_number"][0]
    assert inbox(bureau_officer) == []


def test_second_open_transfer_in_for_the_same_id_number_is_refused(
    class_b, class_c, receiving_registrar, other_county_registrar, other_bureau_officer
):
    start_transfer_in(class_b, receiving_registrar)

    with pytest.raises(Conflict) as refused:
        start_transfer_in(class_c, other_county_registrar)

    assert refused.value.message_dict["id_number"] == ["该证件号已有办理中的建档或转入申请。"]
    assert inbox(other_bureau_officer) == []


def test_second_open_transfer_in_is_refused_whatever_the_case_of_the_check_character(
    class_b, class_c, receiving_registrar, other_county_registrar
):
    number = next(
        n
        for n in (citizen_id(area_code="361100", birth_date=BIRTH, sequence=s, male=False) for s in range(500))
        if n.endswith("X")
    )
    start_transfer_in(class_b, receiving_registrar, id_number=number.lower())

    with pytest.raises(Conflict):
        start_transfer_in(class_c, other_county_registrar, id_number=number)


def test_transfer_in_goes_only_into_a_class_of_the_registrars_school(class_a, receiving_registrar):
    with pytest.raises(PermissionDenied):
        start_transfer_in(class_a, receiving_registrar)


def test_transfer_in_with_a_birth_date_differing_from_the_id_is_refused(class_b, receiving_registrar):
    with pytest.raises(ValidationError) as refused:
        start_transfer_in(class_b, receiving_registrar, birth_date=datetime.date(2017, 3, 16))

    assert "birth_date" in refused.value.message_dict
