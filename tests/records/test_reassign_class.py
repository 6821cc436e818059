"""重新分班 (篇2 第十九条): the school's registrar moves a student to another class of the same
grade, with no approval; the page and the API, with the same rules and scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from records import services
from records.models import Placement, TransferWindow
from tests.factories import SchoolClassFactory, StudentFactory
from tests.flows.acting import start_transfer
from tests.flows.page_reading import page, part


@pytest.fixture
def pupil(class_a, registrar):
    return StudentFactory(school_class=class_a, by=registrar, name="韩小满")


def placements_of(student):
    return [
        (p.school_class.name, p.ended_on is None, p.reason, p.end_reason)
        for p in Placement.objects.filter(student=student).select_related("school_class").order_by("started_on", "pk")
    ]


def test_the_registrar_moves_a_student_to_another_class_of_the_grade(client_for, pupil, class_a, class_a2, registrar):
    client = client_for(registrar)
    shown = page(client.get(reverse("student_detail", args=[pupil.pk])))
    assert part(shown, "student-actions").link_to(reverse("student_reassign", args=[pupil.pk])) == "重新分班"

    form = page(client.get(reverse("student_reassign", args=[pupil.pk])))
    assert form.field("to_class").options[1:] == [f"{class_a2.name}（{class_a2.code}）"]  # the grade's other class
    done = client.post(reverse("student_reassign", args=[pupil.pk]), {"to_class": class_a2.pk, "reason": "分班调整"}, follow=True)

    assert f"已调入{class_a2.name}" in page(done).message
    assert pupil.open_placement.school_class == class_a2
    assert placements_of(pupil) == [
        (class_a.name, False, "新生建档", "重新分班：分班调整"),
        (class_a2.name, True, "重新分班：分班调整", ""),
    ]
    # The student page's placements show it, with who did it in the history.
    assert "重新分班：分班调整" in page(client.get(reverse("student_detail", args=[pupil.pk]))).text
    assert Placement.history.filter(student_id=pupil.pk, history_user=registrar).exists()


@pytest.mark.parametrize(
    "target, message",
    [
        ("other_grade", "重新分班不改变年级：请选择三年级的班级；升降年级请办理留级/跳级。"),
        ("other_school", "重新分班只能调到本校的班级。"),
        ("same", "该生已在这个班级。"),
    ],
)
def test_the_service_refuses_another_grade_school_or_the_same_class(
    pupil, class_a, class_b, school_a, registrar, target, message
):
    to_class = {
        "other_grade": SchoolClassFactory(school=school_a, grade=4),
        "other_school": class_b,
        "same": class_a,
    }[target]

    with pytest.raises(ValidationError) as refused:
        services.student_reassign_class(student=pupil, to_class=to_class, by=registrar)

    assert refused.value.message_dict["to_class"] == [message]
    assert pupil.open_placement.school_class == class_a


def test_a_suspended_student_is_not_placed_anywhere(class_a, class_a2, registrar):
    suspended = StudentFactory(school_class=class_a, by=registrar, suspended=True)

    with pytest.raises(ValidationError) as refused:
        services.student_reassign_class(student=suspended, to_class=class_a2, by=registrar)

    assert refused.value.messages == ["该生当前学籍状态为“休学”，不能办理重新分班。"]


def test_no_button_while_a_request_is_open(client_for, pupil, class_b, receiving_registrar, registrar, longyou_bureau):
    today = timezone.localdate()
    TransferWindow.objects.create(bureau=longyou_bureau, start=today, end=today)
    start_transfer(pupil, receiving_registrar, to_class=class_b)

    shown = part(page(client_for(registrar).get(reverse("student_detail", args=[pupil.pk]))), "student-actions")

    assert "重新分班" not in shown.link_texts()


def test_only_the_schools_registrar_may_reassign(
    client_for, pupil, class_a2, academic_office, class_teacher, receiving_registrar, bureau_officer
):
    url = reverse("student_reassign", args=[pupil.pk])
    assert client_for(academic_office).get(url).status_code == 403
    assert client_for(class_teacher).post(url, {"to_class": class_a2.pk}).status_code == 403
    assert client_for(bureau_officer).get(url).status_code == 403
    assert client_for(receiving_registrar).get(url).status_code == 404
    assert pupil.open_placement.school_class != class_a2
