"""Term-work reminders: the teachers before a head count, grades or comments are due, the
registrars once a head count is overdue or does not match. Each once, to the right people."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from notifications.models import Notification
from notifications.services import emails_send
from notifications.term_reminders import (
    remind_comments_missing,
    remind_grades_missing,
    remind_head_counts_due,
    remind_term_work_due,
    report_head_count_mismatches,
    report_head_counts_overdue,
    report_term_work,
)
from records import services
from records.models import Role
from tests.factories import StudentFactory, UserFactory
from tests.records.term_work import (  # noqa: F401 (fixtures)
    chinese_teacher,
    class_teacher_a2,
    end_of_term,
    pupils,
    term_around_today,
)

from .conftest import mailed, told

Kind = Notification.Kind


@pytest.fixture
def people(everyone, subject_teacher, chinese_teacher, class_teacher_a2, receiving_registrar, class_b):
    """everyone of notifications/conftest.py, the teachers of class_a and class_a2, a class
    teacher at school_b; each with an e-mail address and their class with pupils."""
    extra = [
        subject_teacher,
        chinese_teacher,
        class_teacher_a2,
        UserFactory(username="teacher_b", role=Role.CLASS_TEACHER, school=class_b.school, school_class=class_b),
    ]
    for user in extra:
        user.email = f"{user.username}@example.edu.cn"
        user.save(update_fields=["email"])
    for school_class in (class_teacher_a2.membership.school_class, class_b):
        StudentFactory(school_class=school_class)
    return {**everyone, **{user.username: user for user in extra}}


def test_class_teachers_are_reminded_before_the_start_check_is_due_once(people, pupils, longyou_bureau, mailoutbox):
    # Begun ten days ago: the start check is due in three days.
    term = term_around_today(longyou_bureau, began_days_ago=10, ends_in_days=120)
    class_a2 = people["teacher_a2"].membership.school_class
    services.head_count_confirm(school_class=class_a2, term=term, point="start", actual_count=1, by=people["teacher_a2"])

    assert remind_head_counts_due() == 2
    assert remind_head_counts_due() == 0
    emails_send()

    # Not the class that has checked, not the subject teachers, not another county.
    assert told(Kind.HEAD_COUNT_DUE) == ["teacher_a", "teacher_b"]
    assert mailed(mailoutbox) == ["teacher_a@example.edu.cn", "teacher_b@example.edu.cn"]
    due = term.start + datetime.timedelta(days=13)
    notification = Notification.objects.get(recipient=people["teacher_a"])
    assert notification.title == "期初人数核对：三年级(1)班"
    assert notification.message == (
        f"请在 {due.month}月{due.day}日 前核对三年级(1)班的期初人数：系统名册现有 3 人，请与实际在班人数逐一核对，人数不符须说明原因。"
    )
    assert notification.target_url == reverse("class_term_work", args=[notification.school_class_id])


def test_no_reminder_long_before_the_due_date_nor_after_the_check(people, pupils, longyou_bureau, class_a):
    early = term_around_today(longyou_bureau, began_days_ago=2, ends_in_days=120)
    assert remind_head_counts_due() == 0

    early.start -= datetime.timedelta(days=8)
    early.save()
    services.head_count_confirm(school_class=class_a, term=early, point="start", actual_count=3, by=people["teacher_a"])
    assert told(Kind.HEAD_COUNT_DUE) == []
    remind_head_counts_due()
    assert "teacher_a" not in told(Kind.HEAD_COUNT_DUE)


def test_the_day_after_the_due_date_the_registrars_hear_which_classes_have_not_checked(people, pupils, longyou_bureau, class_a):
    # Begun fourteen days ago: the start check was due yesterday.
    term = term_around_today(longyou_bureau, began_days_ago=14, ends_in_days=120)
    assert remind_head_counts_due() == 0  # past due: the teachers' reminder is no more
    services.head_count_confirm(school_class=class_a, term=term, point="start", actual_count=3, by=people["teacher_a"])

    assert report_head_counts_overdue() == 3
    assert report_head_counts_overdue() == 0

    # Each school's own registrars; no teacher, no academic office, no bureau.
    assert told(Kind.HEAD_COUNT_OVERDUE) == ["registrar_a", "registrar_a2", "registrar_b"]
    due = term.start + datetime.timedelta(days=13)
    message = Notification.objects.get(recipient=people["registrar_a"]).message
    assert message == f"龙游县实验小学以下班级未在 {due.month}月{due.day}日 前完成期初人数核对：三年级(2)班。请督促班主任尽快核对。"
    assert Notification.objects.get(recipient=people["registrar_a"]).target_url == reverse("term_work")


def test_nothing_is_overdue_before_the_due_date(people, pupils, longyou_bureau):
    term_around_today(longyou_bureau, began_days_ago=13, ends_in_days=120)
    assert report_head_counts_overdue() == 0


def test_before_the_term_ends_missing_grades_remind_their_subject_teacher_and_missing_comments_the_class_teacher(
    people, pupils, end_of_term, class_a
):
    wang, li, zhang = pupils["王小明"], pupils["李小红"], pupils["张小刚"]
    services.grades_record(
        school_class=class_a, term=end_of_term, subject="math", levels={wang.pk: "优秀", li.pk: "良好"}, by=people["math_a"]
    )
    services.grades_record(
        school_class=class_a, term=end_of_term, subject="chinese",
        levels={wang.pk: "优秀", li.pk: "良好", zhang.pk: "合格"}, by=people["chinese_a"],
    )
    services.comments_record(
        school_class=class_a, term=end_of_term, texts={s.pk: "好" for s in pupils.values()}, by=people["teacher_a"]
    )

    assert remind_grades_missing() == 1
    assert remind_comments_missing() == 2
    # Now the end checks of the three classes; the grades and comments already told are not told again.
    assert remind_term_work_due() == 3

    assert told(Kind.GRADES_MISSING) == ["math_a"]
    assert Notification.objects.get(kind=Kind.GRADES_MISSING).message == (
        f"三年级(1)班还有 1 名学生没有数学等级成绩，请在 {end_of_term.end.month}月{end_of_term.end.day}日 学期结束前录入（优秀、良好、合格、待合格）。"
    )
    # class_a's comments are complete; class_a2's and class_b's are not.
    assert told(Kind.COMMENTS_MISSING) == ["teacher_a2", "teacher_b"]
    assert told(Kind.HEAD_COUNT_DUE) == ["teacher_a", "teacher_a2", "teacher_b"]
    grade_note = Notification.objects.get(kind=Kind.GRADES_MISSING)
    assert grade_note.target_url == reverse("class_grades", args=[class_a.pk])


def test_a_pupil_who_left_the_class_is_not_its_gap(people, pupils, end_of_term, class_a, class_a2):
    services.grades_record(
        school_class=class_a, term=end_of_term, subject="math",
        levels={pupils["王小明"].pk: "优秀", pupils["李小红"].pk: "良好"}, by=people["math_a"],
    )
    services.student_transfer(student=pupils["张小刚"], to_class=class_a2, by=people["registrar_a"])

    remind_grades_missing()
    # Maths is complete for the two pupils still in class_a; Chinese is not begun.
    assert told(Kind.GRADES_MISSING) == ["chinese_a"]


def test_a_head_count_that_does_not_match_is_reported_and_a_new_one_again(people, pupils, end_of_term, class_a):
    teacher = people["teacher_a"]
    services.head_count_confirm(
        school_class=class_a, term=end_of_term, point="end", actual_count=2, missing=[pupils["张小刚"]],
        explanation="张小刚已随父母去杭州，尚未办理转学。", by=teacher,
    )

    assert report_head_count_mismatches() == 2
    assert report_head_count_mismatches() == 0
    assert told(Kind.HEAD_COUNT_MISMATCH) == ["registrar_a", "registrar_a2"]
    assert Notification.objects.filter(kind=Kind.HEAD_COUNT_MISMATCH).first().message == (
        "三年级(1)班期末人数核对：名册 3 人，实到 2 人。未到班：张小刚。班主任说明：张小刚已随父母去杭州，尚未办理转学。"
    )

    services.head_count_confirm(
        school_class=class_a, term=end_of_term, point="end", actual_count=2, missing=[pupils["李小红"]],
        explanation="李小红病假。", by=teacher,
    )
    assert report_term_work() == 2
    assert Notification.objects.filter(kind=Kind.HEAD_COUNT_MISMATCH, recipient=people["registrar_a"]).count() == 2


def test_the_beat_schedule_runs_the_term_sweeps():
    from config.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"notifications.tasks.remind_term_work_due", "notifications.tasks.report_term_work"} <= tasks
    app.loader.import_default_modules()
    assert {"notifications.tasks.remind_term_work_due", "notifications.tasks.report_term_work"} <= set(app.tasks)
