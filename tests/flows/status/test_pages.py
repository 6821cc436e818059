"""The status-change pages as their users see them: the start page of each kind, registration and
its correction, the student page's buttons and timeline, and the student edit page.

Start pages are posted as a registrar fills them in; assertions read the rendered page
(tests/flows/page_reading.py) and what the register then says about the student.
"""

from __future__ import annotations

import datetime

import pytest
from django import forms as django_forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from flows.models import Cause, Evidence, Request, WorkItem
from flows.engine import request_withdraw
from records.forms import FamilyMemberForm, StudentEditForm
from records.models import CodeTable, Role, Student
from records.services import code_get
from tests.factories import StudentFactory, UserFactory

from ..acting import APPROVE, REJECT, decide, family, inbox, record, steps_of, where
from ..page_reading import page, part, record_post
from .conftest import (
    record_state,
    start_key_info_change,
    start_poverty,
    start_resumption,
    start_suspension,
)

SUSPENDED = Student.Status.SUSPENDED
ENROLLED = Student.Status.ENROLLED
PDF = b"%PDF-1.4\n% a scanned paper\n"


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


APPLICANT = {"applicant_name": "王建国", "applicant_relationship": "父亲", "applicant_phone": "13800000001"}


@pytest.fixture
def other_school_student(class_b):
    return StudentFactory(school_class=class_b, name="乙同学")


@pytest.fixture
def other_class_teacher(class_a2):
    return UserFactory(
        username="teacher_a2", role=Role.CLASS_TEACHER, school=class_a2.school, school_class=class_a2, full_name="韩老师"
    )


START_PAGES = ["suspension_start", "resumption_start", "dropout_start", "grade_change_start", "key_info_change_start",
               "poverty_start"]


# --- Who may open which page ------------------------------------------------------------------


@pytest.mark.parametrize("name", START_PAGES)
def test_each_start_page_opens_for_the_students_registrar_only(
    name, client_for, student, registrar, receiving_registrar, other_county_registrar, academic_office, class_teacher,
    bureau_officer, other_bureau_officer,
):
    url = reverse(name, args=[student.pk])

    assert client_for(registrar).get(url).status_code == 200
    for user in (receiving_registrar, other_county_registrar):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, {"reason": "x"}).status_code == 404
    for user in (academic_office, class_teacher, bureau_officer, other_bureau_officer):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).post(url, {"reason": "x"}).status_code == 403
    assert not Request.objects.exists()


def test_the_registration_page_opens_for_registrars_and_class_teachers(
    client_for, class_a, registrar, class_teacher, academic_office, subject_teacher, bureau_officer
):
    url = reverse("registration_start")

    registrar_page = page(client_for(registrar).get(url))
    teacher_page = page(client_for(class_teacher).get(url))

    assert len(registrar_page.field("to_class").options) > 1
    assert teacher_page.field("to_class").options == ["---------", f"{class_a.name}（{class_a.code}）"]
    for user in (academic_office, subject_teacher, bureau_officer):
        assert client_for(user).get(url).status_code == 403


def test_the_student_edit_page_opens_for_the_school_only(
    client_for, student, registrar, academic_office, class_teacher, receiving_registrar, other_county_registrar,
    bureau_officer, other_bureau_officer,
):
    url = reverse("student_edit", args=[student.pk])

    for user in (registrar, academic_office):
        assert client_for(user).get(url).status_code == 200
    for user in (class_teacher, bureau_officer):
        assert client_for(user).get(url).status_code == 403
    for user in (receiving_registrar, other_county_registrar, other_bureau_officer):
        assert client_for(user).get(url).status_code == 404


def test_a_deceased_students_record_cannot_be_edited(client_for, class_a, registrar):
    deceased = StudentFactory(school_class=class_a, by=registrar, deceased=True)

    assert client_for(registrar).get(reverse("student_edit", args=[deceased.pk])).status_code == 403


# --- Suspension, resumption, dropout and death ------------------------------------------------


def suspension_post(**overrides) -> dict:
    data = {**APPLICANT, "cause": Cause.ILLNESS, "start_date": "", "end_date": "", "reason": "肺炎住院治疗",
            "evidence_application": upload("休学申请.pdf"), "evidence_diagnosis": upload("诊断证明.pdf")}
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def test_suspension_is_started_with_the_diagnosis_file(client_for, student, registrar, academic_office):
    response = client_for(registrar).post(reverse("suspension_start", args=[student.pk]), suspension_post(), follow=True)

    request = Request.objects.get(student=student).coerced
    shown = page(response)
    assert shown.message == f"申请已提交（休学 #{request.pk}），等待下一环节办理。"
    assert "诊断证明.pdf" in shown.text and "医院诊断证明：" in shown.text
    assert sorted(e.kind for e in request.evidence.all()) == [Evidence.Kind.APPLICATION, Evidence.Kind.DIAGNOSIS]
    assert request.end_date > request.start_date == timezone.localdate()
    assert inbox(academic_office) == [(request.pk, "sign_by_academic_office")]


def test_suspension_for_illness_without_a_diagnosis_is_refused_naming_it(client_for, student, registrar):
    before = record_state(student)

    shown = page(client_for(registrar).post(
        reverse("suspension_start", args=[student.pk]), suspension_post(evidence_diagnosis=None)
    ))

    assert "因病休学须上传医院诊断证明。" in shown.form_errors
    assert not Request.objects.exists() and record_state(student) == before


def test_suspension_ending_before_it_starts_is_refused_on_the_end_date_field(client_for, student, registrar):
    shown = page(client_for(registrar).post(
        reverse("suspension_start", args=[student.pk]),
        suspension_post(start_date="2026-03-01", end_date="2026-02-01"),
    ))

    assert (shown.field("end_date").label, shown.field("end_date").error) == ("截止日期", "休学截止日期须晚于开始日期。")
    assert not Request.objects.exists()


def test_an_unreadable_suspension_date_is_named_on_its_field(client_for, student, registrar):
    shown = page(client_for(registrar).post(reverse("suspension_start", args=[student.pk]), suspension_post(end_date="明年")))

    assert shown.field("end_date").label == "截止日期"
    assert "有效的日期" in shown.field("end_date").error
    assert not Request.objects.exists()


def test_resumption_is_started_for_a_suspended_student(client_for, class_a, registrar, bureau_officer):
    suspended = StudentFactory(school_class=class_a, by=registrar, suspended=True)
    url = reverse("resumption_start", args=[suspended.pk])

    def data(**overrides):
        return {**APPLICANT, "cause": Cause.OTHER, "to_class": "", "reason": "身体康复，申请复学",
                "evidence_application": upload("复学申请.pdf"), **overrides}

    missing = page(client_for(registrar).post(url, data(applicant_phone="")))
    assert (missing.field("applicant_phone").label, missing.field("applicant_phone").error) == ("联系电话", "该字段是必填项。")
    assert not Request.objects.exists()

    client_for(registrar).post(url, data())

    request = Request.objects.get(student=suspended)
    assert request.kind == "resumption"
    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]


def test_resumption_of_an_enrolled_student_is_refused_with_its_reason(client_for, student, registrar):
    shown = page(client_for(registrar).post(
        reverse("resumption_start", args=[student.pk]),
        {**APPLICANT, "cause": Cause.OTHER, "reason": "复学", "evidence_application": upload("a.pdf")},
    ))

    assert "该生当前学籍状态为“在籍”，不能办理复学。" in shown.form_errors
    assert not Request.objects.exists()


def test_death_needs_the_certificate_file(client_for, student, registrar, bureau_officer):
    url = reverse("dropout_start", args=[student.pk])
    death = code_get(CodeTable.DROPOUT_REASON, "4").pk

    refused = page(client_for(registrar).post(url, {"reason_code": death, "remark": "车祸"}))
    assert "死亡登记须上传公安机关或医院出具的死亡证明。" in refused.form_errors
    assert not Request.objects.exists()

    client_for(registrar).post(url, {"reason_code": death, "remark": "车祸", "evidence_certificate": upload("死亡证明.pdf")})

    request = Request.objects.get(student=student)
    assert (request.kind, request.coerced.reason_code.name) == ("dropout", "死亡")
    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]


def test_dropout_without_a_reason_names_the_field(client_for, student, registrar):
    shown = page(client_for(registrar).post(reverse("dropout_start", args=[student.pk]), {"reason_code": "", "remark": ""}))

    assert (shown.field("reason_code").label, shown.field("reason_code").error) == ("原因", "该字段是必填项。")
    assert not Request.objects.exists()


# --- Grade change, key information, poverty -------------------------------------------------


def test_grade_change_is_refused_while_the_bureau_does_not_allow_it(client_for, student, class_a_grade2, registrar):
    url = reverse("grade_change_start", args=[student.pk])

    buttons = part(page(client_for(registrar).get(reverse("student_detail", args=[student.pk]))), "student-actions")
    refused = page(client_for(registrar).post(url, {"to_class": class_a_grade2.pk, "justification": "学业跟不上"}))

    assert not buttons.has_link(url)
    assert "龙游县教育局未开放留级/跳级办理。" in refused.form_errors
    assert not Request.objects.exists()


def test_grade_change_is_started_when_the_bureau_allows_it(
    client_for, student, class_a_grade2, class_a_grade5, registrar, bureau_officer, repeat_or_skip_allowed
):
    url = reverse("grade_change_start", args=[student.pk])
    client = client_for(registrar)
    buttons = part(page(client.get(reverse("student_detail", args=[student.pk]))), "student-actions")
    assert buttons.link_to(url) == "留级/跳级"

    form = page(client.get(url))
    assert not any(class_a_grade5.code in option for option in form.field("to_class").options)
    missing = page(client.post(url, {"to_class": class_a_grade2.pk, "justification": ""}))
    assert (missing.field("justification").label, missing.field("justification").error) == ("理由", "该字段是必填项。")
    assert not Request.objects.exists()

    client.post(url, {"to_class": class_a_grade2.pk, "justification": "长期病假，学业跟不上，家长申请留级"})

    request = Request.objects.get(student=student).coerced
    assert request.to_class == class_a_grade2
    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]


def key_info_post(student, **changes) -> dict:
    data = {
        "name": student.name, "gender": student.gender_id, "birth_date": student.birth_date.isoformat(),
        "id_type": student.id_type_id, "id_number": student.id_number, "reason": "户口簿已变更",
        "evidence_household_register": upload("户口簿.pdf"),
    }
    data.update(changes)
    return data


def test_key_information_change_is_started_with_its_evidence(client_for, student, registrar, bureau_officer):
    url = reverse("key_info_change_start", args=[student.pk])
    client = client_for(registrar)
    form = page(client.get(url))
    assert form.field("name").value == student.name and form.field("id_number").value == student.id_number
    assert form.field("birth_date").value == student.birth_date.isoformat()  # the date picker shows ISO only

    client.post(url, key_info_post(student, name="王一鸣"))

    request = Request.objects.get(student=student).coerced
    assert request.changes == {"name": "王一鸣"}
    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "没有要变更的内容。"),
        ({"name": "王一鸣", "evidence_household_register": None}, "关键信息变更须上传证明材料（如户口簿、公安机关证明）。"),
    ],
)
def test_a_key_information_change_without_change_or_evidence_is_refused(changes, message, client_for, student, registrar):
    data = {k: v for k, v in key_info_post(student, **changes).items() if v is not None}

    shown = page(client_for(registrar).post(reverse("key_info_change_start", args=[student.pk]), data))

    assert message in shown.form_errors
    assert not Request.objects.exists()


def test_a_bad_new_id_number_is_named_on_its_field(client_for, student, registrar):
    shown = page(client_for(registrar).post(
        reverse("key_info_change_start", args=[student.pk]), key_info_post(student, id_number="330825201804070000")
    ))

    field = shown.field("id_number")
    assert field.label == "身份证件号" and "身份证" in field.error
    assert not Request.objects.exists()


def test_poverty_status_is_asked_for_with_a_note(client_for, student, registrar, bureau_officer):
    url = reverse("poverty_start", args=[student.pk])
    client = client_for(registrar)

    missing = page(client.post(url, {"action": "identify", "note": ""}))
    assert (missing.field("note").label, missing.field("note").error) == ("说明", "该字段是必填项。")
    assert not Request.objects.exists()

    client.post(url, {"action": "identify", "note": "低保家庭，经村委会证明"})

    request = Request.objects.get(student=student).coerced
    assert (request.action, request.note) == ("identify", "低保家庭，经村委会证明")
    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]


def test_suspension_on_the_pages_start_to_end(client_for, student, class_a, registrar, academic_office, bureau_officer):
    """Started on the start page, signed and approved on the task pages: the student is suspended."""
    client_for(registrar).post(reverse("suspension_start", args=[student.pk]), suspension_post())
    request = Request.objects.get(student=student)

    for user in (academic_office, bureau_officer):
        item = WorkItem.objects.get(request=request, finished__isnull=True)
        client_for(user).post(reverse("task", args=[item.pk]), {"decision": APPROVE, "comment": "同意"})

    shown = page(client_for(registrar).get(reverse("student_detail", args=[student.pk])))
    assert where(student) == (class_a.school, None, SUSPENDED)
    assert "休学至" in shown.text
    assert [step[:3] for step in steps_of(request)] == [
        ("sign_by_academic_office", "office_a", APPROVE), ("approve_by_bureau", "officer_longyou", APPROVE),
    ]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("suspension", {"休学原因": "其他原因", "休学开始日期": "{today}", "休学截止日期": "{in_three_months}"}),
        ("resumption", {"原休学/离校原因": "其他原因", "复学班级": "原班级"}),
        ("dropout", {"原因": "退学", "备注": "—"}),
        ("grade_change", {"留级": "三年级(1)班 → 二年级(1)班"}),
        ("key_info_change", {"姓名": "{name} → 王一鸣"}),
        ("poverty", {"操作": "认定"}),
    ],
)
def test_the_bureaus_task_page_shows_what_the_request_asks_for(kind, expected, starter, client_for, registrar, academic_office, bureau_officer):
    student, start = starter(kind)
    name = student.name
    request = start(registrar)
    if kind == "suspension":
        decide(academic_office, request)
    item = WorkItem.objects.get(request=request, finished__isnull=True)
    today = timezone.localdate()

    shown = page(client_for(bureau_officer).get(reverse("task", args=[item.pk])))

    values = {
        "today": f"{today:%Y-%m-%d}", "name": name,
        "in_three_months": f"{getattr(request.coerced, 'end_date', today):%Y-%m-%d}",
    }
    definitions = part(shown, "request-card").definitions()
    for label, value in expected.items():
        assert definitions[label] == value.format(**values), label
    if kind == "suspension":
        assert (request.coerced.end_date - today).days in range(89, 93)


# --- Registration by a class teacher, sent back, corrected ------------------------------------


def registration_post(to_class, **record_overrides) -> dict:
    entered = record(entry_way=code_get(CodeTable.ENTRY_WAY, "1"), **record_overrides)
    return {"to_class": to_class.pk, **record_post(entered, "record"),
            **record_post(family()[0], "family1")}


def test_a_class_teacher_registers_a_student_for_their_class(client_for, class_a, class_teacher, academic_office):
    response = client_for(class_teacher).post(reverse("registration_start"), registration_post(class_a))

    request = Request.objects.get(kind="registration")
    assert response.status_code == 302 and response.url == reverse("request_detail", args=[request.pk])
    assert request.started_by == class_teacher and request.coerced.record["name"] == "林晓雨"
    assert inbox(academic_office) == [(request.pk, "verify_by_academic_office")]
    shown = page(client_for(academic_office).get(reverse("request_detail", args=[request.pk])))
    assert "林晓雨" in shown.text and "录入的学籍信息" in shown.text


def test_the_class_teacher_follows_their_registration_on_its_request_page(client_for, class_a, class_teacher):
    response = client_for(class_teacher).post(reverse("registration_start"), registration_post(class_a), follow=True)

    shown = page(response)
    assert response.status_code == 200
    assert shown.message == "新生信息已提交，等待教导处核准。"
    assert "林晓雨" in shown.text and "教导处核准新生信息" in shown.text


@pytest.mark.parametrize(
    ("overrides", "field", "label"),
    [
        ({"id_number": "330825201703150070"}, "record-id_number", "身份证件号"),
        ({"name": ""}, "record-name", "姓名"),
    ],
)
def test_a_bad_registration_names_the_field_and_saves_nothing(overrides, field, label, client_for, class_a, class_teacher):
    shown = page(client_for(class_teacher).post(reverse("registration_start"), registration_post(class_a, **overrides)))

    assert shown.field(field).label == label and shown.field(field).error
    assert not Request.objects.exists()


def test_a_class_teacher_cannot_register_into_another_class(client_for, class_a2, class_teacher):
    shown = page(client_for(class_teacher).post(reverse("registration_start"), registration_post(class_a2)))

    assert shown.field("to_class").error
    assert not Request.objects.exists()


def test_the_academic_office_sends_it_back_and_the_enterer_corrects_it_with_entries_kept(
    client_for, class_a, class_teacher, academic_office, registrar
):
    client_for(class_teacher).post(reverse("registration_start"), registration_post(class_a, current_address="龙洲街道"))
    request = Request.objects.get(kind="registration")
    verify = WorkItem.objects.get(request=request, finished__isnull=True)

    no_remark = page(client_for(academic_office).post(reverse("task", args=[verify.pk]), {"decision": "return", "comment": ""}))
    assert no_remark.field("comment").error == "退回修改时请写明需要修改的地方。"
    client_for(academic_office).post(
        reverse("task", args=[verify.pk]), {"decision": "return", "comment": "现住址请写完整门牌号"}
    )

    [(request_pk, step)] = inbox(class_teacher)
    correction = WorkItem.objects.get(request=request, finished__isnull=True)
    correct_url = reverse("registration_correct", args=[correction.pk])
    task_page = page(client_for(class_teacher).get(reverse("task", args=[correction.pk])))
    assert (request_pk, step) == (request.pk, "correct_by_enterer")
    assert task_page.link_to(correct_url) == "修改并重新提交"
    for user in (registrar, academic_office):
        assert client_for(user).get(correct_url).status_code == 404

    form = page(client_for(class_teacher).get(correct_url))
    assert "现住址请写完整门牌号" in form.text
    assert form.field("record-name").value == "林晓雨"
    assert form.field("record-current_address").value == "龙洲街道"
    assert form.field("record-id_number").value == record()["id_number"]
    assert form.field("record-birth_date").value == record()["birth_date"].isoformat()
    assert form.field("family1-name").value == "林建华"
    assert form.field("to_class").value == str(class_a.pk)

    emptied = page(client_for(class_teacher).post(correct_url, registration_post(class_a, name="")))
    assert (emptied.field("record-name").label, emptied.field("record-name").error) == ("姓名", "该字段是必填项。")
    assert inbox(class_teacher) == [(request.pk, "correct_by_enterer")]

    response = client_for(class_teacher).post(
        correct_url, registration_post(class_a, current_address="浙江省衢州市龙游县龙洲街道荣昌路1号"), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("request_detail", args=[request.pk])
    assert page(response).message == "已重新提交，等待教导处核准。"
    request.refresh_from_db()
    assert request.coerced.record["current_address"] == "浙江省衢州市龙游县龙洲街道荣昌路1号"
    assert inbox(academic_office) == [(request.pk, "verify_by_academic_office")]
    assert inbox(class_teacher) == []


# --- The student page: buttons and timeline ---------------------------------------------------


def actions_on_student_page(client, student) -> list[str]:
    shown = page(client.get(reverse("student_detail", args=[student.pk])))
    return part(shown, "student-actions").link_texts()


def test_an_enrolled_students_registrar_sees_the_changes_the_state_machine_allows(client_for, student, registrar):
    assert actions_on_student_page(client_for(registrar), student) == [
        "修改信息（无需审批）", "重新分班", "转学（本校转出）", "转出（市外/省外/境外）", "休学", "流失/退学/死亡", "关键信息变更",
        "贫困生认定/取消",
    ]


def test_a_suspended_student_shows_resumption_and_extension_but_no_transfer(client_for, class_a, registrar):
    suspended = StudentFactory(school_class=class_a, by=registrar, suspended=True)

    actions = actions_on_student_page(client_for(registrar), suspended)

    assert "续休" in actions and "复学" in actions
    assert "转学（本校转出）" not in actions and "休学" not in actions


def test_a_dropped_out_student_shows_resumption_and_death_only_among_status_changes(client_for, class_a, registrar):
    dropped = StudentFactory(school_class=class_a, by=registrar, dropped_out=True)

    actions = actions_on_student_page(client_for(registrar), dropped)

    assert actions == ["修改信息（无需审批）", "复学", "死亡登记", "关键信息变更", "贫困生认定/取消"]


def test_a_deceased_student_shows_no_action(client_for, class_a, registrar):
    deceased = StudentFactory(school_class=class_a, by=registrar, deceased=True)

    shown = part(page(client_for(registrar).get(reverse("student_detail", args=[deceased.pk]))), "student-actions")

    assert shown.links == []
    assert "该生学籍已注销（死亡），不能再办理任何业务。" in shown.text


def test_other_roles_see_no_request_buttons(
    client_for, student, academic_office, class_teacher, bureau_officer, receiving_registrar
):
    assert actions_on_student_page(client_for(academic_office), student) == ["修改信息（无需审批）"]
    assert actions_on_student_page(client_for(class_teacher), student) == []
    assert actions_on_student_page(client_for(bureau_officer), student) == []
    assert client_for(receiving_registrar).get(reverse("student_detail", args=[student.pk])).status_code == 404


def test_while_a_request_is_open_the_page_links_to_it_instead(client_for, student, registrar):
    request = start_poverty(student, registrar)

    shown = part(page(client_for(registrar).get(reverse("student_detail", args=[student.pk]))), "student-actions")

    assert shown.links == [
        (reverse("student_edit", args=[student.pk]), "修改信息（无需审批）"),
        (reverse("request_detail", args=[request.pk]), "查看办理中的申请"),
    ]


def test_the_timeline_lists_requests_of_every_state_and_the_status_changes(
    client_for, student, registrar, academic_office, bureau_officer
):
    rejected = start_poverty(student, registrar)
    decide(bureau_officer, rejected, REJECT, "证明材料不足")
    withdrawn = start_key_info_change(student, registrar, {"name": "王一鸣"})
    request_withdraw(request=withdrawn, by=registrar)
    completed = start_suspension(student, registrar)
    decide(academic_office, completed)
    decide(bureau_officer, completed)
    still_open = start_resumption(Student.objects.get(pk=student.pk), registrar)

    shown = page(client_for(registrar).get(reverse("student_detail", args=[student.pk])))

    rows = shown.table_rows("student-timeline")
    requests = [(row[1].split(" ")[0], row[2].split(" ")[0]) for row in rows if "#" in row[1]]
    assert requests == [
        ("复学", "办理中"), ("休学", "已办结"), ("关键信息变更", "已撤回"), ("贫困生认定/取消", "已驳回"),
    ]
    assert any(row[1].startswith("学籍状态变更") and row[2].startswith("在籍 → 休学 吴科长") for row in rows)
    assert "证明材料不足" in shown.text
    for req in (rejected, withdrawn, completed, still_open):
        assert shown.has_link(reverse("request_detail", args=[req.pk]))


# --- The student edit page --------------------------------------------------------------------


def edit_post(student, **changes) -> dict:
    """The edit page's form as it comes pre-filled, with `changes` typed over it."""
    data = {}
    forms = [(StudentEditForm(instance=student), "")]
    forms += [(FamilyMemberForm(instance=member, prefix=f"family{member.position}"), "")
              for member in student.family_members.all()]
    for form, _prefix in forms:
        for name, field in form.fields.items():
            if isinstance(field, django_forms.FileField):
                continue
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field, django_forms.BooleanField):
                if value:
                    data[key] = "on"
            elif value is not None:
                data[key] = value.isoformat() if isinstance(value, datetime.date) else value
    data.update(changes)
    return data


def test_the_school_edits_a_record_on_the_edit_page_and_the_edit_is_in_the_history(client_for, student, academic_office):
    response = client_for(academic_office).post(
        reverse("student_edit", args=[student.pk]), edit_post(student, current_address="龙游县东华街道新城路8号"), follow=True
    )

    shown = page(response)
    assert shown.message == "学生信息已保存，修改已记入变更记录。"
    student.refresh_from_db()
    assert student.current_address == "龙游县东华街道新城路8号"
    [latest] = shown.table_rows("student-history")[:1]
    assert latest[1] == "赵教导" and "龙游县东华街道新城路8号" in latest[4]


def test_the_edit_page_shows_the_entry_date_to_its_date_picker(client_for, student, registrar):
    shown = page(client_for(registrar).get(reverse("student_edit", args=[student.pk])))

    assert shown.field("entry_date").value == student.entry_date.isoformat()


def test_a_bad_edit_names_the_field_and_saves_nothing(client_for, student, registrar):
    before = record_state(student)

    shown = page(client_for(registrar).post(reverse("student_edit", args=[student.pk]), edit_post(student, distance_km="三公里")))

    assert shown.field("distance_km").label == "上下学距离（公里）"
    assert shown.field("distance_km").error == "输入一个数字。"
    assert record_state(student) == before
