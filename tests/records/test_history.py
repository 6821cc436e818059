"""Every change keeps who, when, and the values before and after."""

import datetime

from django.utils import timezone

from records import services
from records.models import Student
from tests.factories import StudentFactory


def _changes(record) -> dict:
    """{field: (old, new)} between a history record and the one before it."""
    delta = record.diff_against(record.prev_record)
    return {change.field: (change.old, change.new) for change in delta.changes}


def test_registration_is_the_first_history_entry_with_the_registrar(class_a, registrar):
    student = StudentFactory(school_class=class_a, by=registrar)

    entries = list(student.history.all())
    assert len(entries) == 1
    created = entries[0]
    assert created.history_type == "+"
    assert created.history_user == registrar
    assert created.history_change_reason == "新生建档"
    assert created.student_number == student.student_number
    assert timezone.now() - created.history_date < datetime.timedelta(minutes=1)


def test_edit_records_the_user_and_the_old_and_new_values(student, academic_office):
    old_phone = student.contact_phone

    services.student_update(student=student, data={"contact_phone": "0570-7012345"}, by=academic_office)

    latest = student.history.first()
    assert latest.history_user == academic_office
    assert _changes(latest) == {"contact_phone": (old_phone, "0570-7012345")}


def test_transfer_records_the_school_change_and_who_completed_it(student, school_a, class_b, receiving_registrar):
    services.student_transfer(student=student, to_class=class_b, by=receiving_registrar, reason="随父母工作调动")

    latest = student.history.first()
    assert latest.history_user == receiving_registrar
    assert latest.history_change_reason == "随父母工作调动"
    assert _changes(latest) == {"school": (school_a.pk, class_b.school.pk)}


def test_transfer_keeps_the_closed_placement_and_its_history(student, class_a, class_b, receiving_registrar):
    services.student_transfer(student=student, to_class=class_b, by=receiving_registrar)

    old = student.placements.get(school_class=class_a)
    closing = old.history.first()
    assert closing.history_user == receiving_registrar
    assert _changes(closing) == {
        "ended_on": (None, timezone.localdate()),
        "end_reason": ("", "转学"),
    }
    assert [p.school_class for p in student.placements.all()] == [class_a, class_b]


def test_status_change_records_old_and_new_status(student, bureau_officer):
    until = timezone.localdate() + datetime.timedelta(days=120)

    services.student_suspend(student=student, until=until, by=bureau_officer, reason="因病休学")

    latest = student.history.first()
    assert latest.history_user == bureau_officer
    assert latest.history_change_reason == "因病休学"
    assert _changes(latest) == {
        "status": (Student.Status.ENROLLED, Student.Status.SUSPENDED),
        "suspended_until": (None, until),
    }


def test_whole_life_of_a_record_is_in_its_history(class_a, registrar, bureau_officer):
    student = StudentFactory(school_class=class_a, by=registrar)
    services.student_suspend(
        student=student, until=timezone.localdate() + datetime.timedelta(days=90), by=bureau_officer
    )
    services.student_resume(student=student, by=bureau_officer)

    statuses = [entry.status for entry in student.history.order_by("history_date", "history_id")]
    assert statuses == [Student.Status.ENROLLED, Student.Status.SUSPENDED, Student.Status.ENROLLED]
    assert [entry.history_user for entry in student.history.order_by("history_date", "history_id")] == [
        registrar,
        bureau_officer,
        bureau_officer,
    ]


def test_family_member_change_keeps_the_old_name(student, registrar, code_of):
    old_name = student.family_members.get().name

    services.family_members_replace(
        student=student,
        members=[{"name": "李梅", "relationship": code_of("relationship", "2"), "is_guardian": True}],
        by=registrar,
    )

    member = student.family_members.get()
    latest = member.history.first()
    assert latest.history_user == registrar
    assert _changes(latest)["name"] == (old_name, "李梅")

