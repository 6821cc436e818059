"""Term work on the API: head counts, level grades and comments for the class at once or per
student, the overview of classes, a student's terms; and who may do what."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from records import services
from records.models import HeadCount, LevelGrade, TermComment
from records.selectors import mask_student_number
from tests.records.term_work import (  # noqa: F401 (fixtures)
    chinese_teacher,
    class_teacher_a2,
    end_of_term,
    math_teacher_a2,
    pupils,
    start_of_term,
    term_around_today,
)

from .calls import errors


def numbers(pupils, *names):
    return [pupils[name].student_number for name in names]


# --- Head counts -------------------------------------------------------------------------------------


def test_the_class_teacher_confirms_a_head_count(api_for, class_teacher, class_a, pupils, start_of_term):
    response = api_for(class_teacher).post(
        f"/api/v1/classes/{class_a.code}/head-counts/",
        {"point": "start", "actual_count": 2, "missing": numbers(pupils, "张小刚"), "explanation": "张小刚病假。"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["roster_count"], body["actual_count"], body["matches"]) == (3, 2, False)
    # The class teacher reads the student number masked (records.selectors.privacy); the id identifies.
    assert body["missing"] == [
        {"id": pupils["张小刚"].pk, "student_number": mask_student_number(pupils["张小刚"].student_number), "name": "张小刚"}
    ]
    assert (body["confirmed_by"], body["term"]["name"]) == ("teacher_a", "2026—2027学年第一学期")

    listed = api_for(class_teacher).get(f"/api/v1/classes/{class_a.code}/head-counts/").json()
    assert [(row["point"], row["explanation"]) for row in listed] == [("start", "张小刚病假。")]


def test_a_mismatch_without_explanation_is_refused(api_for, class_teacher, class_a, pupils, start_of_term):
    response = api_for(class_teacher).post(
        f"/api/v1/classes/{class_a.code}/head-counts/",
        {"point": "start", "actual_count": 2, "missing": numbers(pupils, "张小刚")},
        format="json",
    )

    assert response.status_code == 400
    assert "请说明原因" in errors(response)["explanation"][0]
    assert not HeadCount.objects.exists()


def test_a_student_number_not_on_the_roster_is_named(api_for, class_teacher, class_a, class_a2, pupils, start_of_term):
    from tests.factories import StudentFactory

    stranger = StudentFactory(school_class=class_a2)
    response = api_for(class_teacher).post(
        f"/api/v1/classes/{class_a.code}/head-counts/",
        {"point": "start", "actual_count": 2, "missing": [stranger.student_number], "explanation": "?"},
        format="json",
    )

    assert response.status_code == 400
    assert stranger.student_number in errors(response)["missing"][0]


def test_a_check_that_is_not_open_is_a_conflict(api_for, class_teacher, class_a, pupils, start_of_term):
    response = api_for(class_teacher).post(
        f"/api/v1/classes/{class_a.code}/head-counts/", {"point": "end", "actual_count": 3}, format="json"
    )

    assert response.status_code == 409
    assert "期末人数核对在" in response.json()["detail"]


@pytest.mark.parametrize("who", ["subject_teacher", "registrar", "bureau_officer"])
def test_only_the_class_teacher_posts_a_head_count(request, api_for, class_a, pupils, start_of_term, who):
    response = api_for(request.getfixturevalue(who)).post(
        f"/api/v1/classes/{class_a.code}/head-counts/", {"point": "start", "actual_count": 3}, format="json"
    )

    assert response.status_code == 403
    assert not HeadCount.objects.exists()


def test_another_classs_teacher_and_another_county_do_not_see_the_class(
    api_for, class_teacher_a2, other_bureau_officer, class_a, pupils, start_of_term
):
    for user in (class_teacher_a2, other_bureau_officer):
        client = api_for(user)
        assert client.get(f"/api/v1/classes/{class_a.code}/head-counts/").status_code == 404
        assert client.get(f"/api/v1/classes/{class_a.code}/term-work/").status_code == 404
        assert client.get(f"/api/v1/classes/{class_a.code}/grades/").status_code == 404
        assert client.post(
            f"/api/v1/classes/{class_a.code}/head-counts/", {"point": "start", "actual_count": 3}, format="json"
        ).status_code == 404
    assert not HeadCount.objects.exists()


# --- Grades ------------------------------------------------------------------------------------------


def test_the_subject_teacher_puts_the_whole_class_and_reads_it_back(api_for, subject_teacher, registrar, class_a, pupils, end_of_term):
    body = {"grades": [{"student": n, "level": level} for n, level in zip(numbers(pupils, "王小明", "李小红"), ["优秀", "pass"])]}

    response = api_for(subject_teacher).put(f"/api/v1/classes/{class_a.code}/grades/", body, format="json")

    assert response.status_code == 200, response.content
    rows = {row["name"]: row["grades"] for row in response.json()["students"]}
    assert rows["王小明"] == [{"subject": "math", "level": "excellent", "level_name": "优秀"}]
    assert rows["李小红"] == [{"subject": "math", "level": "pass", "level_name": "合格"}]
    assert rows["张小刚"] == [{"subject": "math", "level": None, "level_name": None}]
    # The registrar reads the same, every subject taught.
    read = api_for(registrar).get(f"/api/v1/classes/{class_a.code}/grades/").json()
    assert read["subjects"] == ["math"]
    assert {row["name"]: row["grades"][0]["level"] for row in read["students"]} == {"王小明": "excellent", "李小红": "pass", "张小刚": None}


def test_a_score_in_the_class_entry_is_refused_naming_the_student_and_nothing_is_saved(
    api_for, subject_teacher, class_a, pupils, end_of_term
):
    body = {"grades": [{"student": n, "level": level} for n, level in zip(numbers(pupils, "王小明", "李小红"), ["优秀", "95"])]}

    response = api_for(subject_teacher).put(f"/api/v1/classes/{class_a.code}/grades/", body, format="json")

    assert response.status_code == 400
    assert errors(response) == {"grades.1.level": ["李小红：“95”是分数。成绩只录入等级（优秀、良好、合格、待合格），严禁录入考试分数。"]}
    assert not LevelGrade.objects.exists()


def test_one_students_level_is_put_and_deleted(api_for, subject_teacher, class_a, pupils, end_of_term):
    client = api_for(subject_teacher)
    url = f"/api/v1/students/{pupils['王小明'].pk}/grades/math/"

    put = client.put(url, {"level": "良"}, format="json")
    assert put.status_code == 200 and put.json() == {"subject": "math", "level": "good", "level_name": "良好"}
    refused = client.put(url, {"level": "95分"}, format="json")
    assert refused.status_code == 400 and "王小明：“95分”是分数" in errors(refused)["level"][0]
    assert LevelGrade.objects.get().level == "good"
    assert client.delete(url).status_code == 204
    assert not LevelGrade.objects.exists()


def test_grades_are_written_only_by_the_subjects_teacher_of_the_class(
    api_for, subject_teacher, chinese_teacher, class_teacher, registrar, math_teacher_a2, class_a, pupils, end_of_term
):
    body = {"grades": [{"student": pupils["王小明"].student_number, "level": "优秀"}]}
    grades_url = f"/api/v1/classes/{class_a.code}/grades/"
    student_url = f"/api/v1/students/{pupils['王小明'].pk}/grades/math/"

    assert api_for(chinese_teacher).put(grades_url, {**body, "subject": "math"}, format="json").status_code == 403
    assert api_for(chinese_teacher).put(student_url, {"level": "优秀"}, format="json").status_code == 403
    assert api_for(class_teacher).put(grades_url, body, format="json").status_code == 403
    assert api_for(registrar).put(student_url, {"level": "优秀"}, format="json").status_code == 403
    assert api_for(math_teacher_a2).put(grades_url, body, format="json").status_code == 404
    assert api_for(math_teacher_a2).put(student_url, {"level": "优秀"}, format="json").status_code == 404
    assert not LevelGrade.objects.exists()
    # The Chinese teacher's own subject is theirs.
    assert api_for(chinese_teacher).put(grades_url, body, format="json").json()["subjects"] == ["chinese"]


def test_after_the_term_no_grade_is_written(api_for, subject_teacher, longyou_bureau, class_a, pupils):
    term_around_today(longyou_bureau, began_days_ago=140, ends_in_days=-1)

    response = api_for(subject_teacher).put(f"/api/v1/students/{pupils['王小明'].pk}/grades/math/", {"level": "优秀"}, format="json")

    assert response.status_code == 409
    assert not LevelGrade.objects.exists()


# --- Comments ----------------------------------------------------------------------------------------


def test_the_class_teacher_writes_comments_for_the_class_and_for_one_student(api_for, class_teacher, class_a, pupils, end_of_term):
    client = api_for(class_teacher)
    wang, li = pupils["王小明"], pupils["李小红"]

    response = client.put(
        f"/api/v1/classes/{class_a.code}/comments/",
        {"comments": [{"student": wang.student_number, "text": "乐于助人。"}]},
        format="json",
    )
    assert response.status_code == 200
    assert {row["name"]: row["text"] for row in response.json()["students"]} == {"王小明": "乐于助人。", "李小红": None, "张小刚": None}

    one = client.put(f"/api/v1/students/{li.pk}/comment/", {"text": "字写得更工整了。"}, format="json")
    assert one.json() == {"id": li.pk, "student": mask_student_number(li.student_number), "name": "李小红", "text": "字写得更工整了。"}
    too_long = client.put(
        f"/api/v1/classes/{class_a.code}/comments/", {"comments": [{"student": wang.student_number, "text": "好" * 301}]}, format="json"
    )
    assert errors(too_long) == {"comments.0.text": ["王小明的评语有 301 字，最多 300 字。"]}
    assert client.delete(f"/api/v1/students/{li.pk}/comment/").status_code == 204
    assert list(TermComment.objects.values_list("text", flat=True)) == ["乐于助人。"]


@pytest.mark.parametrize("who", ["subject_teacher", "registrar", "academic_office"])
def test_only_the_class_teacher_writes_comments(request, api_for, class_a, pupils, end_of_term, who):
    client = api_for(request.getfixturevalue(who))
    wang = pupils["王小明"]

    assert client.put(
        f"/api/v1/classes/{class_a.code}/comments/", {"comments": [{"student": wang.student_number, "text": "好"}]}, format="json"
    ).status_code == 403
    assert client.put(f"/api/v1/students/{wang.pk}/comment/", {"text": "好"}, format="json").status_code == 403
    assert client.get(f"/api/v1/classes/{class_a.code}/comments/").status_code == 200
    assert not TermComment.objects.exists()


# --- The overview, a class, a student ------------------------------------------------------------------


def test_the_overview_lists_each_visible_class_with_its_term_work(
    api_for, registrar, city_officer, other_bureau_officer, class_teacher, class_a, class_a2, class_b, class_c, pupils, start_of_term
):
    from tests.factories import StudentFactory

    for school_class in (class_a2, class_b, class_c):
        StudentFactory(school_class=school_class)
    services.head_count_confirm(school_class=class_a, term=start_of_term, point="start", actual_count=3, by=class_teacher)

    rows = api_for(registrar).get("/api/v1/term-work/").json()["results"]
    assert [(r["class_code"], r["size"], [c["status"] for c in r["head_counts"]]) for r in rows] == [
        (class_a.code, 3, ["done", "not_yet"]),
        (class_a2.code, 1, ["open", "not_yet"]),
    ]
    unchecked = api_for(city_officer).get("/api/v1/term-work/", {"unchecked": "true", "page_size": 1}).json()
    assert unchecked["count"] == 2 and "page=2" in unchecked["next"]
    assert [r["class_code"] for r in api_for(other_bureau_officer).get("/api/v1/term-work/").json()["results"]] == [class_c.code]


def test_a_class_term_and_a_students_terms(api_for, subject_teacher, class_teacher, registrar, class_a, pupils, end_of_term):
    wang = pupils["王小明"]
    services.grades_record(school_class=class_a, term=end_of_term, subject="math", levels={wang.pk: "优秀"}, by=subject_teacher)
    services.comments_record(school_class=class_a, term=end_of_term, texts={wang.pk: "很棒。"}, by=class_teacher)

    work = api_for(registrar).get(f"/api/v1/classes/{class_a.code}/term-work/").json()
    assert (work["size"], work["comments"], work["entry_open"]) == (3, 1, True)
    assert work["grades"] == [{"subject": "math", "subject_name": "数学", "entered": 1, "size": 3}]
    assert [c["status"] for c in work["head_counts"]] == ["missed", "open"]

    records = api_for(registrar).get(f"/api/v1/students/{wang.pk}/term-records/").json()
    assert records == [
        {
            "term": {"id": end_of_term.pk, "name": end_of_term.name, "start": end_of_term.start.isoformat(), "end": end_of_term.end.isoformat()},
            "school_name": "龙游县实验小学",
            "class_name": "三年级(1)班",
            "grades": [{"subject": "math", "level": "excellent", "level_name": "优秀"}],
            "comment": "很棒。",
        }
    ]


def test_a_students_terms_are_not_for_another_county(api_for, other_bureau_officer, pupils):
    assert api_for(other_bureau_officer).get(f"/api/v1/students/{pupils['王小明'].pk}/term-records/").status_code == 404


def test_an_earlier_term_is_read_by_its_id(api_for, registrar, subject_teacher, longyou_bureau, class_a, pupils, end_of_term):
    last = term_around_today(longyou_bureau, began_days_ago=400, ends_in_days=-250, name="去年")
    services.grades_record(
        school_class=class_a, term=last, subject="math", levels={pupils["王小明"].pk: "合格"}, by=subject_teacher,
        now=timezone.now() - datetime.timedelta(days=300),
    )

    body = api_for(registrar).get(f"/api/v1/classes/{class_a.code}/grades/", {"term": last.pk, "subject": "math"}).json()

    assert body["term"]["name"] == "去年"
    assert {row["name"]: row["grades"][0]["level"] for row in body["students"]}["王小明"] == "pass"
    assert api_for(registrar).get(f"/api/v1/classes/{class_a.code}/grades/", {"term": 999999}).status_code == 404
