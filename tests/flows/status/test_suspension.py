"""休学 and 续休: the registrar logs the parent's request with its evidence; the academic office
signs; the bureau approves; the student is suspended until the end date."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from flows.models import Cause, Evidence, Request
from flows.suspension import suspensions_begin
from records.errors import Conflict
from records.models import Role, Student
from tests.factories import SchoolClassFactory, StudentFactory, UserFactory

from ..acting import REJECT, decide, inbox, steps_of, where
from ..page_reading import page, part
from .conftest import last_change, start_suspension

ILLNESS = Cause.ILLNESS


def test_suspension_signed_by_academic_office_and_approved_by_bureau_suspends_until_the_end_date(
    student, class_a, registrar, academic_office, bureau_officer
):
    today = timezone.localdate()
    end = today + datetime.timedelta(days=120)

    suspension = start_suspension(
        student, registrar, cause=ILLNESS, end_date=end, kinds=(Evidence.Kind.APPLICATION, Evidence.Kind.DIAGNOSIS)
    )

    assert inbox(academic_office) == [(suspension.pk, "sign_by_academic_office")]
    assert inbox(bureau_officer) == [] and inbox(registrar) == []
    decide(academic_office, suspension, comment="情况属实")
    assert inbox(academic_office) == []
    assert inbox(bureau_officer) == [(suspension.pk, "approve_by_bureau")]
    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)

    decide(bureau_officer, suspension)

    assert where(student) == (class_a.school, None, Student.Status.SUSPENDED)
    assert student.suspended_until == end
    closed = student.placements.get(school_class=class_a)
    assert closed.ended_on == today
    suspension.refresh_from_db()
    assert suspension.state == Request.State.COMPLETED
    assert (suspension.start_date, suspension.end_date, suspension.extension) == (today, end, False)
    assert sorted(suspension.evidence.values_list("kind", flat=True)) == ["application", "diagnosis"]
    assert steps_of(suspension) == [
        ("sign_by_academic_office", academic_office.username, "approve", "情况属实"),
        ("approve_by_bureau", bureau_officer.username, "approve", ""),
    ]
    new, old = last_change(student)
    assert new.history_user == bureau_officer
    assert (old.status, old.suspended_until) == (Student.Status.ENROLLED, None)
    assert (new.status, new.suspended_until) == (Student.Status.SUSPENDED, end)
    assert "身体原因需在家休养" in new.history_change_reason


def test_suspension_end_date_defaults_to_three_months_after_the_start(student, registrar):
    today = timezone.localdate()

    suspension = start_suspension(student, registrar)

    assert suspension.start_date == today
    assert suspension.end_date == today + relativedelta(months=3)


def test_suspension_longer_than_one_school_year_is_refused(student, registrar):
    start = timezone.localdate()

    with pytest.raises(ValidationError) as refused:
        start_suspension(student, registrar, start_date=start, end_date=start + datetime.timedelta(days=366))

    assert "一学年" in refused.value.message_dict["end"][0]
    assert not Request.objects.filter(student=student).exists()


def test_suspension_for_illness_without_a_hospital_diagnosis_is_refused(student, registrar):
    with pytest.raises(ValidationError) as refused:
        start_suspension(student, registrar, cause=ILLNESS, kinds=(Evidence.Kind.APPLICATION, Evidence.Kind.OTHER))

    assert "诊断证明" in refused.value.message_dict["evidence"][0]
    assert not Request.objects.filter(student=student).exists()


def test_suspension_for_another_cause_without_any_evidence_is_refused(student, registrar):
    with pytest.raises(ValidationError) as refused:
        start_suspension(student, registrar, cause=Cause.OTHER, kinds=())

    assert "证明材料" in refused.value.message_dict["evidence"][0]
    assert not Request.objects.filter(student=student).exists()


# --- 续休 ---------------------------------------------------------------------------------------


def test_extension_for_a_suspended_student_moves_the_end_date_later(
    class_a, registrar, academic_office, bureau_officer
):
    student = StudentFactory(school_class=class_a, by=registrar, suspended=True)
    current_end = student.suspended_until

    extension = start_suspension(student, registrar)

    assert extension.extension
    assert extension.start_date == current_end
    assert extension.end_date == current_end + relativedelta(months=3)
    decide(academic_office, extension)
    decide(bureau_officer, extension)

    assert where(student) == (class_a.school, None, Student.Status.SUSPENDED)
    assert student.suspended_until == current_end + relativedelta(months=3)
    new, old = last_change(student)
    assert (old.suspended_until, new.suspended_until) == (current_end, current_end + relativedelta(months=3))
    assert new.history_user == bureau_officer


def test_extension_ending_before_the_current_end_date_is_refused(class_a, registrar):
    student = StudentFactory(school_class=class_a, by=registrar, suspended=True)

    with pytest.raises(ValidationError) as refused:
        start_suspension(
            student, registrar, start_date=timezone.localdate(), end_date=student.suspended_until - datetime.timedelta(days=1)
        )

    assert "原休学截止日期" in refused.value.message_dict["end"][0]
    assert not Request.objects.filter(student=student).exists()


@pytest.mark.parametrize(("trait", "status"), [("dropped_out", "流失"), ("deceased", "死亡")])
def test_suspension_of_a_student_who_left_is_refused_saying_why(class_a, registrar, trait, status):
    student = StudentFactory(school_class=class_a, by=registrar, **{trait: True})

    with pytest.raises(Conflict) as refused:
        start_suspension(student, registrar)

    assert refused.value.messages == [f"该生当前学籍状态为“{status}”，不能办理休学。"]
    assert not Request.objects.filter(student=student).exists()


# --- Rejections -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rejected_at", ["academic_office", "bureau_officer"])
def test_rejected_suspension_changes_nothing(
    student, class_a, registrar, academic_office, bureau_officer, rejected_at
):
    versions_before = student.history.count()
    suspension = start_suspension(student, registrar)

    if rejected_at == "bureau_officer":
        decide(academic_office, suspension)
        decide(bureau_officer, suspension, REJECT, "理由不充分")
    else:
        decide(academic_office, suspension, REJECT, "理由不充分")

    suspension.refresh_from_db()
    assert suspension.state == Request.State.REJECTED
    assert suspension.close_comment == "理由不充分"
    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)
    assert student.suspended_until is None
    assert student.history.count() == versions_before
    assert inbox(academic_office) == [] and inbox(bureau_officer) == []
    # The student is free for the next request.
    assert start_suspension(student, registrar).state == Request.State.OPEN


# --- A graduating grade (篇10 五.五): the class teacher and the principal sign too --------------------


@pytest.fixture
def sixth_grader(school_a, registrar):
    return StudentFactory(school_class=SchoolClassFactory(school=school_a, grade=6), by=registrar)


@pytest.fixture
def sixth_teacher(sixth_grader):
    placement = sixth_grader.open_placement
    return UserFactory(
        username="teacher_6", role=Role.CLASS_TEACHER, school=placement.school, school_class=placement.school_class,
        full_name="孙老师",
    )


@pytest.fixture
def principal(school_a):
    return UserFactory(username="principal_a", role=Role.PRINCIPAL, school=school_a, full_name="周校长")


def test_a_graduating_grades_suspension_is_signed_by_its_class_teacher_and_the_principal(
    sixth_grader, sixth_teacher, principal, class_teacher, registrar, academic_office, bureau_officer
):
    suspension = start_suspension(sixth_grader, registrar)
    decide(academic_office, suspension)

    # Only the class's own teacher has it in the inbox, then the principal.
    assert inbox(bureau_officer) == [] and inbox(class_teacher) == [] and inbox(principal) == []
    assert inbox(sixth_teacher) == [(suspension.pk, "sign_by_class_teacher")]
    decide(sixth_teacher, suspension, comment="家长已当面说明")
    assert inbox(principal) == [(suspension.pk, "sign_by_principal")]
    decide(principal, suspension)
    assert inbox(bureau_officer) == [(suspension.pk, "approve_by_bureau")]
    decide(bureau_officer, suspension)

    assert sixth_grader.__class__.objects.get(pk=sixth_grader.pk).status == Student.Status.SUSPENDED
    assert [step for step, *_rest in steps_of(suspension)] == [
        "sign_by_academic_office", "sign_by_class_teacher", "sign_by_principal", "approve_by_bureau",
    ]
    assert steps_of(suspension)[1] == ("sign_by_class_teacher", "teacher_6", "approve", "家长已当面说明")


def test_another_grades_suspension_needs_no_principal(student, principal, registrar, academic_office, bureau_officer):
    suspension = start_suspension(student, registrar)
    decide(academic_office, suspension)

    assert inbox(principal) == []
    assert inbox(bureau_officer) == [(suspension.pk, "approve_by_bureau")]


def test_the_principals_refusal_ends_the_graduating_grades_suspension(
    sixth_grader, sixth_teacher, principal, registrar, academic_office
):
    suspension = start_suspension(sixth_grader, registrar)
    decide(academic_office, suspension)
    decide(sixth_teacher, suspension)
    decide(principal, suspension, REJECT, comment="毕业在即，建议坚持到毕业")

    suspension.refresh_from_db()
    assert (suspension.state, suspension.close_comment) == (Request.State.REJECTED, "毕业在即，建议坚持到毕业")
    assert where(sixth_grader)[2] == Student.Status.ENROLLED


def test_a_graduating_grades_suspension_without_a_principal_account_is_refused_at_the_start(
    sixth_grader, sixth_teacher, registrar
):
    with pytest.raises(Conflict) as refused:
        start_suspension(sixth_grader, registrar)

    assert refused.value.messages == ["毕业年级休学须班主任、校长签字，但本校没有校长账号：请先由教导处开通账号。"]
    assert not Request.objects.filter(student=sixth_grader).exists()


# --- A suspension that starts later takes effect on its start date ------------------------------------


def test_a_suspension_approved_before_its_start_date_leaves_the_student_in_class_until_then(
    student, class_a, class_b, registrar, academic_office, bureau_officer, receiving_registrar
):
    today = timezone.localdate()
    starts = today + datetime.timedelta(days=10)
    suspension = start_suspension(student, registrar, start_date=starts, end_date=starts + datetime.timedelta(days=90))
    decide(academic_office, suspension)
    decide(bureau_officer, suspension)

    suspension.refresh_from_db()
    assert suspension.state == Request.State.COMPLETED
    assert suspension.close_comment == f"已批准，{starts.isoformat()}起休学"
    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)
    # Until it starts the student is held by it: nothing else may be started.
    with pytest.raises(Conflict) as refused:
        start_suspension(student, registrar)
    assert f"休学 #{suspension.pk}" in refused.value.messages[0]

    assert suspensions_begin(today=starts - datetime.timedelta(days=1)) == 0
    assert where(student) == (class_a.school, class_a, Student.Status.ENROLLED)

    assert suspensions_begin(today=starts) == 1
    assert suspensions_begin(today=starts) == 0
    assert where(student) == (class_a.school, None, Student.Status.SUSPENDED)
    assert student.suspended_until == starts + datetime.timedelta(days=90)
    new, _old = last_change(student)
    assert new.history_user == bureau_officer
    # Free again: e.g. for the extension (续休) later.
    assert start_suspension(student, registrar, end_date=starts + datetime.timedelta(days=150)).extension


def test_a_suspension_starting_today_takes_effect_at_its_approval(student, registrar, academic_office, bureau_officer):
    suspension = start_suspension(student, registrar, start_date=timezone.localdate())
    decide(academic_office, suspension)
    decide(bureau_officer, suspension)

    assert where(student)[1:] == (None, Student.Status.SUSPENDED)
    assert suspensions_begin() == 0


def test_the_student_page_says_the_approved_suspension_is_not_in_effect_yet(
    client_for, student, registrar, academic_office, bureau_officer
):
    starts = timezone.localdate() + datetime.timedelta(days=3)
    suspension = start_suspension(student, registrar, start_date=starts)
    decide(academic_office, suspension)
    decide(bureau_officer, suspension)

    shown = part(page(client_for(registrar).get(reverse("student_detail", args=[student.pk]))), "student-actions")

    assert shown.link_to(reverse("request_detail", args=[suspension.pk])) == "休学已批准，尚未生效（查看申请）"
    assert "重新分班" not in shown.link_texts() and "转学（本校转出）" not in shown.link_texts()
