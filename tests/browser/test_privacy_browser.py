"""A teacher reads a pupil's ID numbers and guardians' phone numbers masked; the registrar whole."""

from __future__ import annotations

import pytest

from records.models import CodeTable
from records.selectors import mask_id_number, mask_phone, mask_student_number
from tests.factories import StudentFactory, code


@pytest.fixture
def pupil(class_a, registrar, class_teacher):
    return StudentFactory(
        school_class=class_a, by=registrar, name="林小雨",
        family_members=[{
            "name": "周丽", "relationship": code(CodeTable.RELATIONSHIP, "2"), "is_guardian": True,
            "phone": "13912345678", "address": "浙江省衢州市龙游县龙洲街道",
        }],
    )


@pytest.mark.browser
def test_the_class_teacher_reads_the_record_masked_and_the_registrar_whole(live_server, pupil, browser_for, screenshot):
    teacher = browser_for("teacher_a")
    teacher.goto(f"{live_server.url}/students/{pupil.pk}/")
    text = teacher.inner_text("main")
    assert pupil.id_number not in text and pupil.student_number not in text and "13912345678" not in text
    assert mask_id_number(pupil.id_number) in text and mask_student_number(pupil.student_number) in text
    assert mask_phone("13912345678") in text
    screenshot(teacher, "privacy-teacher-student.png")

    # Searching by the whole student number finds nobody; by the name, the pupil.
    teacher.goto(f"{live_server.url}/students/?q={pupil.student_number}")
    assert "林小雨" not in teacher.inner_text("main")
    teacher.goto(f"{live_server.url}/students/?q=林小雨")
    assert "林小雨" in teacher.inner_text("main")
    screenshot(teacher, "privacy-teacher-list.png")

    registrar = browser_for("registrar_a")
    registrar.goto(f"{live_server.url}/students/{pupil.pk}/")
    text = registrar.inner_text("main")
    assert pupil.id_number in text and "13912345678" in text
