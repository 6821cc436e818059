"""The class teacher's head-count check (人数核对), on the pages: the roster against the real count."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from records import services
from records.models import HeadCount

from .term_work import (  # noqa: F401 (fixtures)
    class_teacher_a2,
    end_of_term,
    pupils,
    start_of_term,
    term_around_today,
    text_of,
)


def head_count_url(school_class, point="start"):
    return reverse("head_count", args=[school_class.pk, point])


def test_the_class_teacher_confirms_a_matching_count_and_the_class_page_shows_it(
    client_for, class_teacher, class_a, pupils, start_of_term
):
    client = client_for(class_teacher)
    page = client.get(head_count_url(class_a))
    assert page.status_code == 200
    assert all(name in text_of(page) for name in pupils)
    assert "系统名册（3 人）" in text_of(page)

    response = client.post(head_count_url(class_a), {"actual_count": "3"})

    assert response.status_code == 302 and response.url == reverse("class_term_work", args=[class_a.pk])
    term_page = text_of(client.get(response.url))
    assert "已核对，相符" in term_page
    assert "名册 3 人，实到 3 人" in term_page
    assert "陈老师" in term_page


def test_a_mismatch_is_refused_until_it_is_explained(client_for, class_teacher, class_a, pupils, start_of_term, registrar):
    client = client_for(class_teacher)
    absent = pupils["李小红"]
    form = {"actual_count": "2", "missing": [str(absent.pk)]}

    refused = client.post(head_count_url(class_a), form)

    assert refused.status_code == 200
    assert "实到人数与名册不符，请说明原因后再确认" in text_of(refused)
    assert not HeadCount.objects.exists()
    # What was entered is still there to complete.
    assert f'value="{absent.pk}" checked' in refused.content.decode()

    response = client.post(head_count_url(class_a), {**form, "explanation": "李小红因病住院，家长已请假。"})
    assert response.status_code == 302

    term_page = text_of(client.get(response.url))
    assert "已核对，不符已说明" in term_page
    assert "未到班：李小红" in term_page
    assert "李小红因病住院，家长已请假。" in term_page
    # The registrar sees the same on the school's overview.
    overview = text_of(client_for(registrar).get(reverse("term_work")))
    assert "已核对，不符已说明" in overview


def test_the_real_count_must_add_up_with_the_students_named(client_for, class_teacher, class_a, pupils, start_of_term):
    client = client_for(class_teacher)

    response = client.post(head_count_url(class_a), {"actual_count": "3", "missing": [str(pupils["王小明"].pk)], "explanation": "病假"})

    assert response.status_code == 200
    assert "应为 2 人" in text_of(response)
    assert not HeadCount.objects.exists()


def test_a_pupil_in_class_but_not_on_the_roster_is_named_and_explained(
    client_for, class_teacher, class_a, pupils, start_of_term
):
    client = client_for(class_teacher)

    client.post(
        head_count_url(class_a),
        {"actual_count": "4", "extras": "刘新来\n\n", "explanation": "刘新来上周随父母迁入，学籍尚未转入。"},
    )

    head_count = HeadCount.objects.get()
    assert (head_count.roster_count, head_count.actual_count, head_count.extras, head_count.matches) == (3, 4, ["刘新来"], False)
    assert "在班但不在名册上：刘新来" in text_of(client.get(reverse("class_term_work", args=[class_a.pk])))


def test_confirming_again_replaces_the_check_and_the_history_keeps_who_confirmed_what(
    client_for, class_teacher, class_a, pupils, start_of_term
):
    client = client_for(class_teacher)
    client.post(head_count_url(class_a), {"actual_count": "2", "missing": [str(pupils["张小刚"].pk)], "explanation": "病假"})
    client.post(head_count_url(class_a), {"actual_count": "3"})

    head_count = HeadCount.objects.get()
    assert head_count.matches and head_count.actual_count == 3
    earlier = head_count.history.order_by("history_date")
    assert [(h.actual_count, h.history_user.username, h.missing) for h in earlier] == [
        (2, "teacher_a", [{"id": pupils["张小刚"].pk, "name": "张小刚", "student_number": pupils["张小刚"].student_number}]),
        (3, "teacher_a", []),
    ]
    assert all(h.confirmed_at for h in earlier)
    assert earlier[0].history_change_reason == "期初人数核对"


def test_a_check_outside_its_days_is_refused(client_for, class_teacher, class_a, pupils, start_of_term):
    client = client_for(class_teacher)
    page = client.get(head_count_url(class_a, "end"))
    assert "今天不能核对" in text_of(page)
    assert 'id="head-count-form"' not in page.content.decode()

    response = client.post(head_count_url(class_a, "end"), {"actual_count": "3"})

    assert response.status_code == 200
    assert "期末人数核对在" in text_of(response)
    assert not HeadCount.objects.exists()


def test_a_late_start_check_is_taken_until_the_end_check_opens(longyou_bureau, class_teacher, class_a, pupils):
    term = term_around_today(longyou_bureau, began_days_ago=30, ends_in_days=90)
    head_count = services.head_count_confirm(
        school_class=class_a, term=term, point="start", actual_count=3, by=class_teacher
    )
    assert head_count.matches

    ending = term_around_today(longyou_bureau, began_days_ago=130, ends_in_days=10, name="已进入期末")
    with pytest.raises(ValidationError, match="期初人数核对在"):
        services.head_count_confirm(school_class=class_a, term=ending, point="start", actual_count=3, by=class_teacher)


@pytest.mark.parametrize("who", ["subject_teacher", "registrar", "academic_office", "bureau_officer"])
def test_only_the_class_teacher_checks_the_head_count(request, client_for, class_a, pupils, start_of_term, who):
    client = client_for(request.getfixturevalue(who))

    assert client.get(head_count_url(class_a)).status_code == 403
    assert client.post(head_count_url(class_a), {"actual_count": "3"}).status_code == 403
    assert not HeadCount.objects.exists()


def test_another_class_teacher_cannot_reach_the_class(client_for, class_teacher_a2, class_a, pupils, start_of_term):
    client = client_for(class_teacher_a2)

    assert client.get(head_count_url(class_a)).status_code == 404
    assert client.post(head_count_url(class_a), {"actual_count": "3"}).status_code == 404
    assert client.get(reverse("class_term_work", args=[class_a.pk])).status_code == 404
    assert not HeadCount.objects.exists()


def test_the_service_refuses_anyone_but_the_class_teacher(class_teacher_a2, registrar, class_a, pupils, start_of_term):
    for user in (class_teacher_a2, registrar):
        with pytest.raises(PermissionDenied):
            services.head_count_confirm(school_class=class_a, term=start_of_term, point="start", actual_count=3, by=user)
    assert not HeadCount.objects.exists()


def test_the_history_of_a_head_count_remembers_the_time(class_teacher, class_a, pupils, start_of_term):
    at = timezone.now() - datetime.timedelta(hours=5)
    head_count = services.head_count_confirm(
        school_class=class_a, term=start_of_term, point="start", actual_count=3, by=class_teacher, now=at
    )
    assert head_count.confirmed_at == at and head_count.confirmed_by == class_teacher


def test_a_pasted_control_character_in_the_explanation_is_refused(client_for, class_teacher, class_a, pupils, start_of_term):
    response = client_for(class_teacher).post(
        head_count_url(class_a), {"actual_count": "2", "missing": [str(pupils["王小明"].pk)], "explanation": "病假\x00"}
    )

    assert response.status_code == 200
    assert "含有无法保存的控制字符" in text_of(response)
    assert not HeadCount.objects.exists()
