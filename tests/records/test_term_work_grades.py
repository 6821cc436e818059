"""Level grades (等级制成绩) and term comments (期末评语) on the pages, and the subjects they are for."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from records import selectors, services
from records.models import LevelGrade, Role, TermComment
from tests.factories import StudentFactory, UserFactory

from .term_work import (  # noqa: F401 (fixtures)
    chinese_teacher,
    class_teacher_a2,
    end_of_term,
    math_teacher_a2,
    pupils,
    start_of_term,
    term_around_today,
    text_of,
)


def grades_url(school_class, **query):
    url = reverse("class_grades", args=[school_class.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def levels_form(pupils, **levels) -> dict:
    return {f"level_{pupils[name].pk}": value for name, value in levels.items()}


def levels_now(class_a) -> dict[str, str]:
    return {g.student.name: g.get_level_display() for g in LevelGrade.objects.filter(school_class=class_a).select_related("student")}


# --- Grades ----------------------------------------------------------------------------------------


def test_the_subject_teacher_enters_the_whole_class_and_sees_the_levels(
    client_for, subject_teacher, class_a, pupils, end_of_term, registrar
):
    client = client_for(subject_teacher)
    page = client.get(grades_url(class_a))
    assert "三年级(1)班 数学成绩录入" in text_of(page)
    assert "严禁录入考试分数" in text_of(page)

    response = client.post(grades_url(class_a), levels_form(pupils, 王小明="优秀", 李小红="良", 张小刚="待合格"))

    assert response.status_code == 302
    page = client.get(grades_url(class_a)).content.decode()
    assert f'name="level_{pupils["王小明"].pk}" value="优秀"' in page
    assert f'name="level_{pupils["李小红"].pk}" value="良好"' in page
    assert "数学 3/3" in text_of(client_for(registrar).get(reverse("term_work")))
    student_page = text_of(client_for(registrar).get(reverse("student_detail", args=[pupils["张小刚"].pk])))
    assert "数学： 待合格" in student_page or "数学：待合格" in student_page


@pytest.mark.parametrize("score", ["95", "95分", "A+", "满分"])
def test_a_score_is_refused_naming_the_student_and_nothing_is_saved(client_for, subject_teacher, class_a, pupils, end_of_term, score):
    client = client_for(subject_teacher)

    response = client.post(grades_url(class_a), levels_form(pupils, 王小明="优秀", 李小红=score, 张小刚="合格"))

    assert response.status_code == 200
    assert f"李小红：“{score}”是分数。成绩只录入等级（优秀、良好、合格、待合格），严禁录入考试分数。" in text_of(response)
    assert levels_now(class_a) == {}
    # The row keeps what was typed, so the teacher sees what to correct.
    assert f'value="{score}"' in response.content.decode()


def test_a_word_that_is_no_level_is_refused(client_for, subject_teacher, class_a, pupils, end_of_term):
    response = client_for(subject_teacher).post(grades_url(class_a), levels_form(pupils, 张小刚="很好"))

    assert "张小刚：“很好”不是等级，请填写优秀、良好、合格、待合格之一。" in text_of(response)
    assert levels_now(class_a) == {}


def test_a_blank_clears_a_level_and_unchanged_levels_stay_as_entered(client_for, subject_teacher, class_a, pupils, end_of_term):
    client = client_for(subject_teacher)
    client.post(grades_url(class_a), levels_form(pupils, 王小明="优秀", 李小红="良好"))
    first = LevelGrade.objects.get(student=pupils["王小明"])

    client.post(grades_url(class_a), levels_form(pupils, 王小明="优秀", 李小红=""))

    assert levels_now(class_a) == {"王小明": "优秀"}
    assert LevelGrade.objects.get(student=pupils["王小明"]).entered_at == first.entered_at


def test_each_subject_teacher_enters_their_own_subject(client_for, subject_teacher, chinese_teacher, class_a, pupils, end_of_term):
    client_for(subject_teacher).post(grades_url(class_a), levels_form(pupils, 王小明="优秀"))
    client_for(chinese_teacher).post(grades_url(class_a), levels_form(pupils, 王小明="合格"))

    grades = {g.subject: g.get_level_display() for g in LevelGrade.objects.filter(student=pupils["王小明"])}
    assert grades == {"math": "优秀", "chinese": "合格"}


@pytest.mark.parametrize("who", ["class_teacher", "registrar", "academic_office", "bureau_officer"])
def test_only_subject_teachers_write_grades(request, client_for, class_a, pupils, end_of_term, who):
    client = client_for(request.getfixturevalue(who))

    page = client.get(grades_url(class_a))
    assert page.status_code == 200 and 'id="grade-form"' not in page.content.decode()
    assert client.post(grades_url(class_a), levels_form(pupils, 王小明="优秀")).status_code == 403
    assert not LevelGrade.objects.exists()


def test_a_subject_teacher_of_another_class_cannot_reach_this_one(client_for, math_teacher_a2, class_a, pupils, end_of_term):
    client = client_for(math_teacher_a2)

    assert client.get(grades_url(class_a)).status_code == 404
    assert client.post(grades_url(class_a), levels_form(pupils, 王小明="优秀")).status_code == 404
    with pytest.raises(PermissionDenied):
        services.grades_record(
            school_class=class_a, term=end_of_term, subject="math", levels={pupils["王小明"].pk: "优秀"}, by=math_teacher_a2
        )
    assert not LevelGrade.objects.exists()


def test_the_service_refuses_a_student_of_another_class(subject_teacher, class_a, class_a2, pupils, end_of_term):
    stranger = StudentFactory(school_class=class_a2, name="外班生")
    with pytest.raises(ValidationError, match="外班生不在三年级\\(1\\)班的名册上"):
        services.grades_record(
            school_class=class_a, term=end_of_term, subject="math", levels={stranger.pk: "优秀"}, by=subject_teacher
        )


def test_after_the_term_the_grades_are_read_only(client_for, subject_teacher, longyou_bureau, class_a, pupils):
    ended = term_around_today(longyou_bureau, began_days_ago=140, ends_in_days=-1)
    services.grades_record(
        school_class=class_a, term=ended, subject="math", levels={pupils["王小明"].pk: "良好"}, by=subject_teacher,
        now=timezone.now() - datetime.timedelta(days=3),
    )
    client = client_for(subject_teacher)

    page = client.get(grades_url(class_a))
    assert 'id="grade-form"' not in page.content.decode()
    assert "良好" in text_of(page)
    assert client.post(grades_url(class_a), levels_form(pupils, 王小明="优秀")).status_code == 403
    with pytest.raises(ValidationError, match="不能再修改"):
        services.grades_record(
            school_class=class_a, term=ended, subject="math", levels={pupils["王小明"].pk: "优秀"}, by=subject_teacher
        )
    assert levels_now(class_a) == {"王小明": "良好"}


def test_the_school_reads_every_subject_of_the_class(client_for, subject_teacher, chinese_teacher, registrar, class_a, pupils, end_of_term):
    client_for(subject_teacher).post(grades_url(class_a), levels_form(pupils, 王小明="优秀", 李小红="合格"))
    client_for(chinese_teacher).post(grades_url(class_a), levels_form(pupils, 王小明="良好"))

    page = text_of(client_for(registrar).get(grades_url(class_a)))

    assert "语文 数学" in page
    assert "王小明 " + pupils["王小明"].student_number + " 良好 优秀" in page
    assert "李小红 " + pupils["李小红"].student_number + " — 合格" in page


# --- Subjects ---------------------------------------------------------------------------------------


def test_a_subject_teacher_teaches_a_compulsory_subject_of_the_class_grade(class_a, db):
    def provision(subject):
        return UserFactory(role=Role.SUBJECT_TEACHER, school=class_a.school, school_class=class_a, subject=subject)

    with pytest.raises(ValidationError, match="“奥数”不是义务教育阶段的学科。可选：道德与法治、语文、数学"):
        provision("奥数")
    with pytest.raises(ValidationError, match="三年级不开设化学"):
        provision("化学")
    with pytest.raises(ValidationError, match="任课教师须指定任教学科"):
        provision("")
    assert provision("外语").membership.get_subject_display() == "英语"
    assert provision("science").membership.subject == "science"


# --- Comments ---------------------------------------------------------------------------------------


def comments_url(school_class, **query):
    url = reverse("class_comments", args=[school_class.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_class_teacher_writes_comments_edits_them_and_the_student_page_shows_them(
    client_for, class_teacher, class_a, pupils, end_of_term, registrar
):
    client = client_for(class_teacher)
    wang = pupils["王小明"]
    client.post(comments_url(class_a), {f"comment_{wang.pk}": "上课专心听讲，作业认真。"})
    client.post(comments_url(class_a), {f"comment_{wang.pk}": "上课专心听讲，作业认真，乐于助人。"})

    assert TermComment.objects.get(student=wang).text == "上课专心听讲，作业认真，乐于助人。"
    page = text_of(client_for(registrar).get(reverse("student_detail", args=[wang.pk])))
    assert "评语：上课专心听讲，作业认真，乐于助人。" in page
    assert "1/3" in text_of(client.get(reverse("class_term_work", args=[class_a.pk])))


def test_a_comment_over_the_cap_is_refused_naming_the_student(client_for, class_teacher, class_a, pupils, end_of_term):
    li = pupils["李小红"]

    response = client_for(class_teacher).post(comments_url(class_a), {f"comment_{li.pk}": "好" * 301})

    assert "李小红的评语有 301 字，最多 300 字。" in text_of(response)
    assert not TermComment.objects.exists()


@pytest.mark.parametrize("who", ["subject_teacher", "registrar", "academic_office", "bureau_officer"])
def test_only_the_class_teacher_writes_comments(request, client_for, class_a, pupils, end_of_term, who):
    client = client_for(request.getfixturevalue(who))

    assert "保存评语" not in text_of(client.get(comments_url(class_a)))
    assert client.post(comments_url(class_a), {f"comment_{pupils['王小明'].pk}": "好"}).status_code == 403
    assert not TermComment.objects.exists()


def test_another_class_teacher_cannot_write_this_class_comments(client_for, class_teacher_a2, class_a, pupils, end_of_term):
    client = client_for(class_teacher_a2)

    assert client.post(comments_url(class_a), {f"comment_{pupils['王小明'].pk}": "好"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.comments_record(school_class=class_a, term=end_of_term, texts={pupils["王小明"].pk: "好"}, by=class_teacher_a2)
    assert not TermComment.objects.exists()


def test_comments_close_when_the_term_ends(client_for, class_teacher, longyou_bureau, class_a, pupils):
    ended = term_around_today(longyou_bureau, began_days_ago=140, ends_in_days=-2)

    assert "保存评语" not in text_of(client_for(class_teacher).get(comments_url(class_a)))
    with pytest.raises(ValidationError, match="期末评语不能再修改"):
        services.comments_record(school_class=class_a, term=ended, texts={pupils["王小明"].pk: "好"}, by=class_teacher)


# --- A student's terms ---------------------------------------------------------------------------------


def test_a_students_grades_and_comments_come_term_by_term(
    longyou_bureau, subject_teacher, chinese_teacher, class_teacher, class_a, pupils
):
    last = term_around_today(longyou_bureau, began_days_ago=300, ends_in_days=-150, name="上学期")
    this = term_around_today(longyou_bureau, began_days_ago=30, ends_in_days=90, name="本学期")
    wang = pupils["王小明"]
    back_then = timezone.now() - datetime.timedelta(days=200)
    services.grades_record(school_class=class_a, term=last, subject="math", levels={wang.pk: "合格"}, by=subject_teacher, now=back_then)
    services.comments_record(school_class=class_a, term=last, texts={wang.pk: "继续努力。"}, by=class_teacher, now=back_then)
    services.grades_record(school_class=class_a, term=this, subject="math", levels={wang.pk: "优秀"}, by=subject_teacher)
    services.grades_record(school_class=class_a, term=this, subject="chinese", levels={wang.pk: "良"}, by=chinese_teacher)

    records = selectors.student_term_records(wang)

    assert [
        (r.term.name, r.class_name, [(g.get_subject_display(), g.get_level_display()) for g in r.grades], r.comment and r.comment.text)
        for r in records
    ] == [
        ("上学期", "三年级(1)班", [("数学", "合格")], "继续努力。"),
        ("本学期", "三年级(1)班", [("语文", "良好"), ("数学", "优秀")], None),
    ]


def test_a_pasted_control_character_is_refused_not_a_server_error(client_for, class_teacher, class_a, pupils, end_of_term):
    response = client_for(class_teacher).post(comments_url(class_a), {f"comment_{pupils['王小明'].pk}": "认真\x00负责"})

    assert response.status_code == 200
    assert "王小明的评语含有无法保存的控制字符。" in text_of(response)
    assert not TermComment.objects.exists()
