"""The dropout follow-up list (控辍保学) as a bureau officer and a registrar read it: who is on
it, the follow-ups written and who may write them, the xlsx, and a student who came back."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from records import services
from records.errors import Conflict
from records.models import DropoutFollowUp, Student
from records.school_age import age_on, compulsory_birth_dates
from tests.factories import StudentFactory
from tests.flows.acting import decide
from tests.flows.status.conftest import start_resumption
from tests.report_reading import page, sheet_rows, sheets, table
from tests.report_world import world  # noqa: F401 (fixture)


def test_compulsory_education_age_is_six_to_fifteen_from_the_birth_date():
    day = datetime.date(2026, 9, 1)
    earliest, latest = compulsory_birth_dates(day)
    assert (age_on(earliest, day), age_on(latest, day)) == (15, 6)
    assert age_on(earliest - datetime.timedelta(days=1), day) == 16
    assert age_on(latest + datetime.timedelta(days=1), day) == 5


def test_the_dropout_list_shows_the_region_s_dropouts_of_compulsory_age_with_the_reason(
    world, bureau_officer, registrar, class_a, client_for
):
    too_old = StudentFactory(school_class=class_a, by=registrar, birth_date=timezone.localdate().replace(year=timezone.localdate().year - 17))
    services.student_drop_out(student=too_old, reason=services.code_get("dropout_reason", "2"), by=registrar)

    html = page(client_for(bureau_officer), "/dropouts/")
    rows = table(html, "dropout-table")
    assert world.dropped_out.student_number in rows and world.left_for_jiangsu.student_number in rows
    assert rows[world.dropped_out.student_number][4] == "流失（辍学）"
    assert rows[world.left_for_jiangsu.student_number][4:6] == ["转至市外/省外/境外", "省外：江苏省南京市"]
    assert too_old.student_number not in html
    assert world.dropped_out_c.student_number not in html  # 武义县

    only_left = table(page(client_for(bureau_officer), "/dropouts/?reason=3"), "dropout-table")
    assert list(only_left)[1:] == [world.left_for_jiangsu.student_number]


def test_follow_ups_are_written_by_the_school_and_the_bureau_and_shown_to_whoever_sees_the_student(
    world, registrar, bureau_officer, city_officer, academic_office, client_for
):
    student = world.dropped_out
    response = client_for(registrar).post(
        f"/dropouts/{student.pk}/",
        {"followed_up_on": timezone.localdate().isoformat(), "followed_up_by": "王学籍、班主任", "method": "phone",
         "result": "persuading", "note": "家长答应下周送回学校"},
    )
    assert response.status_code == 302
    services.follow_up_add(
        student=student, by=bureau_officer, followed_up_on=timezone.localdate(), followed_up_by="吴科长",
        method=DropoutFollowUp.Method.HOME_VISIT, result=DropoutFollowUp.Result.UNREACHABLE, note="家中无人",
    )

    for reader in (registrar, bureau_officer, city_officer, academic_office):
        html = page(client_for(reader), f"/dropouts/{student.pk}/")
        assert "家长答应下周送回学校" in html and "王学籍、班主任" in html and "家中无人" in html
    shown = page(client_for(academic_office), f"/dropouts/{student.pk}/")
    assert 'id="follow-up-form"' not in shown  # the academic office reads, does not write
    listed = table(page(client_for(bureau_officer), "/dropouts/?result=unreachable"), "dropout-table")
    assert student.student_number in listed and world.left_for_jiangsu.student_number not in listed
    never = table(page(client_for(bureau_officer), "/dropouts/?result=none"), "dropout-table")
    assert student.student_number not in never and world.left_for_jiangsu.student_number in never


def test_only_the_school_s_registrar_and_the_region_s_officers_may_write_a_follow_up(
    world, receiving_registrar, academic_office, other_bureau_officer, other_county_registrar, client_for
):
    student = world.dropped_out
    note = {"followed_up_on": timezone.localdate(), "followed_up_by": "某人", "method": "phone", "result": "persuading"}
    for stranger in (receiving_registrar, academic_office, other_bureau_officer):
        with pytest.raises(PermissionDenied):
            services.follow_up_add(student=student, by=stranger, **note)
    assert client_for(academic_office).post(f"/dropouts/{student.pk}/", {**note, "followed_up_on": "2026-01-01"}).status_code == 403
    # Other schools and counties do not even find the student.
    assert client_for(other_county_registrar).get(f"/dropouts/{student.pk}/").status_code == 404
    assert client_for(receiving_registrar).get(f"/dropouts/{student.pk}/").status_code == 404
    assert not DropoutFollowUp.objects.exists()


def test_a_follow_up_with_bad_input_is_refused_field_by_field(world, registrar, client_for):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.follow_up_add(
            student=world.dropped_out, by=registrar, followed_up_on=tomorrow, followed_up_by=" ", method="x", result="other"
        )
    assert set(refused.value.message_dict) == {"followed_up_on", "followed_up_by", "method", "note"}
    assert refused.value.message_dict["followed_up_on"] == ["跟踪日期不能晚于今天。"]
    html = client_for(registrar).post(
        f"/dropouts/{world.dropped_out.pk}/",
        {"followed_up_on": tomorrow.isoformat(), "followed_up_by": "王", "method": "phone", "result": "persuading"},
    ).content.decode()
    assert "跟踪日期不能晚于今天。" in html
    assert not DropoutFollowUp.objects.exists()


def test_the_dropout_xlsx_is_the_filtered_list(world, bureau_officer, client_for):
    book = sheets(client_for(bureau_officer).get("/dropouts/?reason=2&format=xlsx"))
    rows = sheet_rows(book["控辍保学名单"], "学籍号")
    assert list(rows) == ["学籍号", world.dropped_out.student_number]
    assert rows[world.dropped_out.student_number][6] == "流失（辍学）"
    assert rows[world.dropped_out.student_number][-1] == "尚未跟踪"


def test_a_student_who_returned_leaves_the_list_and_keeps_the_follow_ups(world, registrar, bureau_officer, client_for):

    student = world.dropped_out
    services.follow_up_add(
        student=student, by=registrar, followed_up_on=timezone.localdate(), followed_up_by="王学籍",
        method="home_visit", result="returned", note="已回校上课",
    )
    decide(bureau_officer, start_resumption(student, registrar))
    student.refresh_from_db()
    assert student.status == Student.Status.ENROLLED
    assert student.student_number not in page(client_for(bureau_officer), "/dropouts/")
    assert "已回校上课" in page(client_for(bureau_officer), f"/dropouts/{student.pk}/")
    with pytest.raises(Conflict):
        services.follow_up_add(
            student=student, by=registrar, followed_up_on=timezone.localdate(), followed_up_by="王", method="phone",
            result="returned",
        )
