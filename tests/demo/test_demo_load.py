"""The demo register that `make run` loads: what someone trying Xueji would look for."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from flows import selectors as flow_selectors
from flows.models import Request, WorkItem
from notifications.models import Notification
from records.demo import DEMO_PASSWORD, DEMO_USERS, school_year_start
from records.id_numbers import check_character
from records.models import Bureau, Membership, Placement, School, SchoolClass, Student
from records.selectors import dropouts_visible_to, follow_ups_of, home_focus
from records.term_calendar import transfer_windows
from reports.selectors import current_term_name, period_of_term, statistics


LOADED = {}


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for this module, inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        LOADED["since"] = timezone.now()
        call_command("demo_load", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def _counts() -> dict[str, int]:
    return {
        "students": Student.objects.count(),
        "history": Student.history.count(),
        "placements": Placement.objects.count(),
        "classes": SchoolClass.objects.count(),
        "schools": School.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships_to_change_password": Membership.objects.filter(must_change_password=True).count(),
        "requests": Request.objects.count(),
        "steps": WorkItem.objects.count(),
        "notifications": Notification.objects.count(),
    }


def test_longyou_has_xikou_two_more_primary_and_two_junior_middle_schools(demo):
    longyou = School.objects.filter(region__code="330825", bureau__name="龙游县教育局")
    assert longyou.filter(name__contains="溪口小学", type=School.Type.PRIMARY).exists()
    assert longyou.filter(type=School.Type.PRIMARY).exclude(name__contains="溪口小学").count() >= 2
    assert longyou.filter(type=School.Type.JUNIOR).count() == 2
    wuyi = School.objects.filter(region__code="330723", region__parent__name="金华市")
    assert wuyi.filter(type=School.Type.PRIMARY).count() >= 2


def test_school_identifiers_say_type_and_province(demo):
    for school in School.objects.all():
        assert school.identifier[:2] == {School.Type.PRIMARY: "21", School.Type.JUNIOR: "31"}[school.type]
        assert school.identifier[2:4] == "33"


def test_every_grade_of_every_school_has_classes_of_the_current_school_year(demo):
    for school in School.objects.all():
        classes = school.classes.filter(state=SchoolClass.State.OPEN)
        assert sorted(set(classes.values_list("grade", flat=True))) == list(school.grades)
        year = school_year_start(timezone.localdate())
        for school_class in classes:
            assert school_class.entry_year == year - (school_class.grade - school.grades[0])


def test_every_open_class_has_20_to_40_enrolled_students(demo):
    enrolled = Q(placements__ended_on__isnull=True, placements__student__status=Student.Status.ENROLLED)
    open_classes = SchoolClass.objects.filter(state=SchoolClass.State.OPEN)
    sizes = open_classes.annotate(enrolled=Count("placements", filter=enrolled))
    assert sizes.exists()
    for school_class in sizes:
        assert 20 <= school_class.enrolled <= 40, school_class


def test_every_student_has_one_open_placement_a_guardian_and_a_history(demo):
    students = Student.objects.annotate(
        open_placements=Count("placements", filter=Q(placements__ended_on__isnull=True), distinct=True),
        guardian_count=Count("family_members", filter=Q(family_members__is_guardian=True), distinct=True),
    )
    with_history = set(Student.history.values_list("id", flat=True))
    assert students.count() > 700
    # The demo's few status changes (test_the_statistics_show_the_demos_status_changes) aside.
    left = {Student.Status.SUSPENDED: 0, Student.Status.DROPPED_OUT: 0, Student.Status.GRADUATED: 0}
    for student in students:
        if student.status in left:
            left[student.status] += 1
            assert student.open_placements == 0, student
        else:
            assert student.status == Student.Status.ENROLLED
            assert student.open_placements == 1, student
        assert student.guardian_count >= 1, student
        assert student.pk in with_history, student
    assert left == {Student.Status.SUSPENDED: 1, Student.Status.DROPPED_OUT: 4, Student.Status.GRADUATED: 22}


def test_citizen_ids_validate_and_match_birth_date_and_gender(demo):
    citizens = Student.objects.filter(id_type__code="1")
    assert citizens.count() > 700
    for student in citizens.select_related("gender"):
        number = student.id_number
        assert check_character(number[:17]) == number[17], number
        assert number[6:14] == f"{student.birth_date:%Y%m%d}"
        assert ("1" if int(number[16]) % 2 else "2") == student.gender.code
        assert student.student_number == "G" + number


def test_ages_fit_the_grade(demo):
    year = school_year_start(timezone.localdate())
    placements = Placement.objects.filter(ended_on__isnull=True).select_related("student", "school_class")
    for placement in placements:
        born = placement.student.birth_date
        first_grade_year = year - (placement.school_class.grade - 1)
        # Six by 31 August of the year the child started first grade, give or take a year.
        age_then = first_grade_year - born.year - (born.month >= 9)
        assert age_then in (6, 7), placement


def test_some_students_have_j_or_l_numbers_and_some_are_migrant_or_left_behind(demo):
    assert Student.objects.filter(student_number__startswith="J").exists()
    assert Student.objects.filter(student_number__startswith="L").exists()
    assert Student.objects.filter(migrant_worker_child=True).exists()
    assert Student.objects.exclude(left_behind__code="1").exists()


def test_each_demo_user_logs_in_with_the_printed_password(demo):
    assert DEMO_PASSWORD in demo
    for user in DEMO_USERS:
        assert user.username in demo
        client = Client()
        # The axes backend needs the request to count failed attempts.
        assert client.login(request=HttpRequest(), username=user.username, password=DEMO_PASSWORD), user.username
        membership = Membership.objects.get(user__username=user.username)
        assert membership.role == user.role
        assert not membership.must_change_password


def test_teachers_belong_to_a_third_grade_class_of_xikou(demo):
    for username in ("xikou_teacher", "xikou_math"):
        membership = Membership.objects.select_related("school_class__school").get(user__username=username)
        assert membership.school_class.grade == 3
        assert "溪口小学" in membership.school_class.school.name
    assert Membership.objects.get(user__username="xikou_math").get_subject_display() == "数学"


def test_a_second_run_changes_nothing(demo):
    before = _counts()
    out = StringIO()
    call_command("demo_load", stdout=out)
    assert "already loaded" in out.getvalue()
    assert _counts() == before


def test_the_demo_opens_a_transfer_window_around_the_day_it_is_loaded(demo):
    today = timezone.localdate()
    for bureau in Bureau.objects.filter(schools__isnull=False).distinct():
        assert any(today in window for window in transfer_windows(bureau)), bureau.name
        assert bureau.terms.count() == 2


def test_demo_accounts_need_no_first_login_change_and_leave_no_password_history(demo):
    assert not Membership.objects.filter(must_change_password=True).exists()
    assert not Membership.history.filter(history_change_reason="修改初始密码").exists()


def test_the_demo_teachers_have_this_terms_work_open_and_some_of_it_left_to_do(demo):
    from records import selectors

    today = timezone.localdate()
    teacher = get_user_model().objects.get(username="xikou_teacher")
    math = get_user_model().objects.get(username="xikou_math")
    school_class = teacher.membership.school_class
    term = school_class.school.bureau.terms.get(start__lte=today, end__gte=today)
    work = selectors.class_term_work(school_class, term, day=today)

    # The start check was done, with one pupil off sick; the end check is the teacher's to do now.
    assert [check.status for check in work.checks] == ["mismatch", "open"]
    assert "因病请假" in work.check("start").head_count.explanation
    assert work.entry_open
    # Maths is entered for all but three pupils, comments for five.
    assert [(s.subject, s.entered, s.size) for s in work.subjects] == [("math", work.size - 3, work.size)]
    assert work.comments == 5
    assert selectors.subject_taught_by(math, school_class) == "math"
    # The school's other classes have checked nothing: the registrar's list shows them.
    registrar = get_user_model().objects.get(username="xikou_registrar")
    totals = selectors.term_work_totals(registrar, day=today)
    assert totals["start_missing"] == totals["classes"] - 1 > 0


@pytest.mark.parametrize(
    "day", ["2026-09-03", "2026-12-02", "2027-01-25", "2027-02-10", "2027-03-01", "2027-07-20", "2027-08-31"]
)
def test_the_demo_is_always_loaded_in_a_term_with_both_checks_in_it(day):
    from records.demo import demo_terms

    today = datetime.date.fromisoformat(day)
    first, second = demo_terms(today)
    current = next(t for t in (first, second) if t["start"] <= today <= t["end"])
    assert current["end"] - current["start"] >= datetime.timedelta(weeks=6)
    assert first["end"] < second["start"]
def test_the_statistics_show_the_demos_status_changes_and_dropouts_with_follow_ups(demo):
    officer = get_user_model().objects.get(username="longyou_officer")
    registrar = get_user_model().objects.get(username="xikou_registrar")
    for user, changes in (
        (officer, {
            "dropout": 3, "graduation": 22, "left_system": 1, "suspension": 1, "transfer_in": 1, "transfer_out": 1,
        }),
        (registrar, {"dropout": 2, "graduation": 22, "left_system": 1, "suspension": 1, "transfer_out": 1}),
    ):
        numbers = statistics(user, focus=home_focus(user), period=period_of_term(user, current_term_name(user)))
        assert numbers.change_totals == changes
    dropouts = dropouts_visible_to(registrar)
    assert dropouts.count() == 3
    assert {s.dropout_reason.code for s in dropouts} == {"1", "2", "3"}
    assert all(follow_ups_of(registrar, s).exists() for s in dropouts)
    assert dropouts_visible_to(officer).count() == 4


# --- The demo in motion: every account finds work on first login ------------------------------------

# What each README account sees first: the steps in its inbox or queue (by title) and the kinds of
# notification in its notification centre. A role with no steps of its own has none listed.
FIRST_LOGIN = {
    "xikou_registrar": (["转出学校确认转出"], ["request_completed", "request_rejected", "task_waiting"]),
    "xikou_office": (["教导处签署意见", "教导处核准新生信息"], ["task_waiting", "task_reminder"]),
    "xikou_principal": (["校长签字"], ["task_waiting"]),
    "xikou_teacher": (["录入人修改后重新提交"], ["task_waiting", "head_count_due", "comments_missing"]),
    "xikou_math": ([], ["grades_missing"]),
    "xikou_head6": (["班主任签字"], ["task_waiting", "head_count_due"]),
    "shiyan_registrar": (["转入学校确认接收并选择班级"], ["task_reminder", "request_completed"]),
    "erzhong_registrar": (["转入学校确认接收并选择班级"], ["request_rejected", "task_waiting"]),
    "hengshan_registrar": (["转出学校确认转出"], ["task_waiting"]),
    "longyou_officer": (["转入地教育局审批", "教育局审批"], ["task_escalated", "task_reminder", "task_waiting"]),
    "quzhou_officer": ([], ["task_escalated"]),
    "wuyi_registrar": (["转出学校确认转出"], ["request_completed", "task_waiting"]),
    "wuyi_officer": (["转出地教育局审批"], ["task_waiting"]),
    "admin": ([], []),
}


def test_the_readme_lists_every_demo_account():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    listed = re.findall(r"^\| `(\w+)` \|", readme, flags=re.MULTILINE)
    assert listed == [user.username for user in DEMO_USERS] == list(FIRST_LOGIN)


@pytest.mark.parametrize("username", list(FIRST_LOGIN))
def test_every_demo_account_finds_work_on_first_login(demo, username):
    steps, kinds = FIRST_LOGIN[username]
    client = Client()
    assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)

    inbox = client.get("/tasks/")
    assert inbox.status_code == 200
    titles = {item.title for item in inbox.context["items"]}
    assert titles >= set(steps), titles
    for title in steps:
        assert title in inbox.content.decode()
    if not steps:
        assert not inbox.context["items"]

    requests = client.get("/requests/")
    assert requests.status_code == 200
    assert requests.context["requests"], "the request list is empty"
    if steps:
        # What waits in the inbox is in the request list too, still open.
        waiting = {item.request_id for item in inbox.context["items"]}
        listed = {r.pk for r in flow_selectors.request_search(get_user_model().objects.get(username=username))}
        assert waiting <= listed

    notices = client.get("/notifications/").content.decode()
    for kind in kinds:
        assert f'data-kind="{kind}"' in notices, kind


def test_overdue_steps_were_reminded_and_escalated_to_the_bureau_above(demo):
    quzhou = get_user_model().objects.get(username="quzhou_officer")
    escalated = Notification.objects.get(recipient=quzhou, kind=Notification.Kind.TASK_ESCALATED)
    step = escalated.work_item
    assert step.bureau.name == "龙游县教育局" and step.title == "转入地教育局审批"
    assert step.due < timezone.localdate() and step.finished is None
    assert "超过办理时限" in escalated.message
    # The receiving school's confirmation, waiting since long before today, went to the county.
    longyou = get_user_model().objects.get(username="longyou_officer")
    school_step = Notification.objects.get(recipient=longyou, kind=Notification.Kind.TASK_ESCALATED).work_item
    assert school_step.school.name == "龙游县实验小学" and school_step.due < timezone.localdate()
    shiyan = get_user_model().objects.get(username="shiyan_registrar")
    reminders = Notification.objects.filter(recipient=shiyan, kind=Notification.Kind.TASK_REMINDER)
    assert reminders.filter(work_item=school_step).exists()
    # The request list says when it was started: weeks ago, not today.
    assert school_step.request.created.date() < timezone.localdate() - datetime.timedelta(days=10)


def test_requests_of_every_kind_are_in_motion_completed_and_rejected(demo):
    open_kinds = set(Request.objects.filter(state=Request.State.OPEN).values_list("kind", flat=True))
    assert open_kinds >= {"transfer", "suspension", "key_info_change", "resumption", "registration", "poverty"}
    assert Request.objects.filter(state=Request.State.REJECTED).count() >= 2
    # A transfer from 武义县 to 龙游县 waits at a bureau.
    assert WorkItem.objects.filter(
        finished__isnull=True, request__kind="transfer", student__school__region__code="330723", bureau__isnull=False
    ).exists()


def test_last_years_sixth_grade_graduated_through_the_graduation_flow(demo):
    graduation = Request.objects.get(kind=Request.Kind.GRADUATION)
    assert graduation.state == Request.State.COMPLETED
    school_class = graduation.coerced.school_class
    assert school_class.state == SchoolClass.State.GRADUATED
    assert school_class.entry_year == school_year_start(timezone.localdate()) - 6
    graduates = Student.objects.filter(status=Student.Status.GRADUATED)
    assert graduates.count() == 22
    assert all(student.graduation_certificates.exists() for student in graduates)


def test_placements_start_when_the_student_entered_not_when_the_demo_was_loaded(demo):
    registered = Placement.objects.filter(reason="新生建档").select_related("student")
    assert registered.count() > 900
    for placement in registered:
        assert placement.started_on == placement.student.entry_date, placement
    # Only a completed transfer placed anyone today.
    today = Placement.objects.filter(started_on=timezone.localdate())
    assert [p.reason for p in today] == ["转学"]


def test_the_load_analyzes_the_tables_it_filled(demo):
    """PostgreSQL plans the first pages with the demo's row counts, not with an empty table's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname IN ('records_student', 'records_placement') "
            "AND last_analyze >= %s ORDER BY relname",
            [LOADED["since"]],
        )
        assert [row[0] for row in cursor.fetchall()] == ["records_placement", "records_student"]


def test_the_demo_breaks_none_of_the_registers_or_the_requests_rules(demo):
    out = StringIO()
    call_command("xueji_check", stdout=out)  # raises CommandError, listing them, if any row breaks one
    assert out.getvalue().endswith("rule(s) checked, no violation 未发现不一致\n")
