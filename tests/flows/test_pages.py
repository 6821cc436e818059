"""The requests' pages as their users see them: inbox and queue, the task page, the request page,
evidence, the transfer start pages, withdrawal, cancellation, the calendar and the home page's counts.

The world of tests/conftest.py (school_a and school_b under 龙游县, school_c under 武义县), plus a
third school of 龙游县 that no request touches. Assertions read the rendered page (tests/flows/
page_reading.py) and the register, never the number of task rows.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from flows.models import (
    Evidence,
    Request,
    Transfer,
    TransferCancellation,
    WholeClassTransfer,
    WorkItem,
)
from flows.transfer import transfer_start
from flows.poverty import poverty_start
from records.models import Role, School, Student, Term, TransferWindow
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
)

from .acting import (
    APPLICANT,
    APPROVE,
    REASON,
    decide,
    family,
    inbox,
    record,
    start_transfer,
    steps_of,
    where,
)
from .page_reading import page, record_post

pytestmark = pytest.mark.usefixtures("transfer_windows_open")

PDF = b"%PDF-1.4\n% a scanned household register\n"
ENROLLED = Student.Status.ENROLLED


def upload(name: str = "户口簿.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- More of the world ------------------------------------------------------------------------


@pytest.fixture
def school_d(longyou, longyou_bureau):
    """A third school of 龙游县: same county as both parties, party to nothing."""
    return SchoolFactory(region=longyou, bureau=longyou_bureau, name="龙游县西门小学", type=School.Type.PRIMARY)


@pytest.fixture
def third_registrar(school_d):
    return UserFactory(username="registrar_d", role=Role.REGISTRAR, school=school_d, full_name="何学籍")


@pytest.fixture
def other_class_teacher(class_a2):
    return UserFactory(
        username="teacher_a2", role=Role.CLASS_TEACHER, school=class_a2.school, school_class=class_a2, full_name="韩老师"
    )


@pytest.fixture
def outsiders(third_registrar, other_county_registrar, other_bureau_officer, third_county_officer, other_class_teacher):
    """People who may not see a request between school_a and school_b of 龙游县."""
    return {
        "third school's registrar": third_registrar,
        "other county's registrar": other_county_registrar,
        "other county's officer": other_bureau_officer,
        "third county's officer": third_county_officer,
        "teacher of another class": other_class_teacher,
    }


@pytest.fixture
def national_transfer(student, class_b, receiving_registrar):
    """school_b's registrar has logged the parent's request to move the student into class_b."""
    return transfer_start(
        student=student, by=receiving_registrar, to_class=class_b, applicant=APPLICANT, reason=REASON,
        evidence=[
            (Evidence.Kind.HOUSEHOLD_REGISTER, ContentFile(PDF, name="户口簿.pdf")),
            (Evidence.Kind.ACCEPTANCE, ContentFile(PDF, name="接收证明.pdf")),
        ],
    )


@pytest.fixture
def county_transfer(student, school_b, registrar):
    """school_a's registrar has started the transfer to school_b, which is to pick the class."""
    return transfer_start(student=student, by=registrar, to_school=school_b, applicant=APPLICANT, reason=REASON)


def task_url(request) -> str:
    item = WorkItem.objects.get(request=request, finished__isnull=True)
    return reverse("task", args=[item.pk])


# --- Inbox and queue --------------------------------------------------------------------------


def test_inbox_and_queue_redirect_anonymous_visitors_to_login(client, db):
    response = client.get(reverse("inbox"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_queue_lists_the_bureaus_step_with_its_columns(client_for, national_transfer, student, bureau_officer):
    shown = page(client_for(bureau_officer).get(reverse("inbox")))

    assert "审批队列" in shown.text
    [row] = shown.table_rows("inbox-items")
    student_cell, kind, step, school, since, due = row
    assert student.name in student_cell and student.student_number in student_cell
    assert kind == f"转学 #{national_transfer.pk}"
    assert step == "转入地教育局审批"
    assert school == "龙游县东华小学"
    assert since == timezone.localtime(national_transfer.created).strftime("%Y-%m-%d %H:%M")
    assert due == WorkItem.objects.get(request=national_transfer).due.strftime("%Y-%m-%d")
    assert shown.has_link(task_url(national_transfer))


def test_the_sending_school_sees_the_release_only_once_the_bureau_has_approved(
    client_for, national_transfer, student, registrar, bureau_officer
):
    before = page(client_for(registrar).get(reverse("inbox")))
    decide(bureau_officer, national_transfer)
    after = page(client_for(registrar).get(reverse("inbox")))

    assert before.table_rows("inbox-items") == [["没有等待您办理的任务。"]]
    [row] = after.table_rows("inbox-items")
    assert student.name in row[0] and row[2] == "转出学校确认转出"


def test_a_third_school_and_other_counties_see_nothing_in_their_inbox(client_for, national_transfer, student, outsiders):
    for who, user in outsiders.items():
        shown = page(client_for(user).get(reverse("inbox")))

        assert shown.table_rows("inbox-items") == [["没有等待您办理的任务。"]], who
        assert student.name not in shown.text, who
        assert "共 0 项等待办理" in shown.text, who


def _inbox_queries(client) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("inbox"))
    assert response.status_code == 200
    return len(queries), page(response).table_rows("inbox-items")


def _poverty_requests(students, registrar):
    for student in students:
        poverty_start(student=student, by=registrar, action="identify", note="低保家庭")


def _county_transfers(students, registrar, school_b):
    for student in students:
        transfer_start(student=student, by=registrar, to_school=school_b, applicant=APPLICANT, reason=REASON)


@pytest.mark.parametrize("inbox_of", ["bureau_officer", "receiving_registrar"])
def test_the_inbox_costs_the_same_queries_for_5_and_60_tasks(
    inbox_of, client_for, class_a, registrar, school_b, bureau_officer, receiving_registrar
):
    students = [StudentFactory(school_class=class_a, by=registrar) for _ in range(60)]
    if inbox_of == "bureau_officer":
        user, start = bureau_officer, lambda batch: _poverty_requests(batch, registrar)
    else:
        user, start = receiving_registrar, lambda batch: _county_transfers(batch, registrar, school_b)
    client = client_for(user)

    start(students[:5])
    few, few_rows = _inbox_queries(client)
    start(students[5:])
    many, many_rows = _inbox_queries(client)

    assert len(few_rows) == 5 and len(many_rows) == 50  # one page of 50
    assert many <= few, f"{few} queries for 5 tasks, {many} for 60"


# --- The task page ----------------------------------------------------------------------------


def test_the_task_page_shows_the_student_request_evidence_earlier_steps_and_chart(
    client_for, national_transfer, student, registrar, bureau_officer
):
    decide(bureau_officer, national_transfer, comment="材料齐全，同意转入")
    approved = WorkItem.objects.get(request=national_transfer, step="approve_by_receiving_bureau")

    shown = page(client_for(registrar).get(task_url(national_transfer)))

    assert "转出学校确认转出" in shown.text
    assert student.name in shown.text and student.student_number in shown.text
    assert "龙游县实验小学" in shown.text and "龙游县东华小学" in shown.text
    assert "王建国（父亲）13800000001" in shown.text and REASON in shown.text
    evidence = national_transfer.evidence.get(kind=Evidence.Kind.HOUSEHOLD_REGISTER)
    assert shown.link_to(reverse("evidence_download", args=[evidence.pk])) == "户口簿.pdf"
    first, current = shown.table_rows("request-steps")
    assert first == [
        "转入地教育局审批", "龙游县教育局", timezone.localtime(approved.created).strftime("%Y-%m-%d %H:%M"),
        "吴科长", "同意", "材料齐全，同意转入", timezone.localtime(approved.finished).strftime("%Y-%m-%d %H:%M"),
    ]
    assert current[0] == "转出学校确认转出" and current[3] == "—" and current[4].startswith("待办理")
    chart = shown.chart_classes()
    assert chart["approve_by_receiving_bureau"] == "done"
    assert chart["confirm_release_by_sending_school"] in ("new", "assigned")
    assert not chart["approve_by_sending_bureau"]  # skipped: both schools are under 龙游县教育局
    assert shown.chart_edge_labels() == {"是", "否", "不同意"}
    # A title longer than a box (13 characters) is drawn on two lines instead of running out of it.
    assert shown.chart_node_lines("confirm_by_receiving_school") == ["转入学校确认接", "收并选择班级"]
    assert shown.chart_node_lines("approve_by_receiving_bureau") == ["转入地教育局审批"]
    assert shown.fields["decision"].label == "办理意见"


def test_the_task_page_is_404_for_people_outside_the_request(client_for, national_transfer, outsiders):
    url = task_url(national_transfer)

    for who, user in outsiders.items():
        assert client_for(user).get(url).status_code == 404, who
        assert client_for(user).post(url, {"decision": APPROVE}).status_code == 404, who
    assert WorkItem.objects.get(request=national_transfer).finished is None


def test_a_party_who_cannot_act_reads_the_task_without_a_decision_form(client_for, national_transfer, registrar, city_officer):
    url = task_url(national_transfer)

    for user in (registrar, city_officer):
        shown = page(client_for(user).get(url))

        assert "此环节由其他单位或其他岗位办理" in shown.text
        assert "decision" not in shown.fields


def test_evidence_downloads_for_the_parties_and_is_404_for_everyone_else(
    client_for, national_transfer, registrar, receiving_registrar, bureau_officer, city_officer, outsiders
):
    url = reverse("evidence_download", args=[national_transfer.evidence.get(kind=Evidence.Kind.HOUSEHOLD_REGISTER).pk])

    for user in (registrar, receiving_registrar, bureau_officer, city_officer):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    for who, user in outsiders.items():
        assert client_for(user).get(url).status_code == 404, who


def test_the_receiving_school_confirms_on_the_page_and_picks_a_class_of_the_same_grade(
    client_for, county_transfer, student, class_a, class_b, school_b, receiving_registrar, bureau_officer
):
    fourth_grade = SchoolClassFactory(school=school_b, grade=4)
    client = client_for(receiving_registrar)
    url = task_url(county_transfer)

    form = page(client.get(url))
    assert form.field("to_class").label == "转入班级"
    assert f"{class_b.name}（{class_b.code}）" in form.field("to_class").options
    assert not any(fourth_grade.code in option for option in form.field("to_class").options)

    without_class = page(client.post(url, {"decision": APPROVE, "comment": ""}))
    assert without_class.field("to_class").error == "同意接收时请选择转入班级。"
    assert inbox(receiving_registrar) == [(county_transfer.pk, "confirm_by_receiving_school")]

    response = client.post(url, {"decision": APPROVE, "comment": "同意接收", "to_class": class_b.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inbox")
    assert page(response).message == "已同意：转入学校确认接收并选择班级。"
    county_transfer.refresh_from_db()
    assert county_transfer.to_class == class_b
    assert inbox(receiving_registrar) == []
    assert inbox(bureau_officer) == [(county_transfer.pk, "approve_by_receiving_bureau")]
    assert where(student) == (class_a.school, class_a, ENROLLED)


def test_rejecting_without_a_reason_shows_the_field_error_and_changes_nothing(
    client_for, national_transfer, student, class_a, bureau_officer
):
    client = client_for(bureau_officer)
    url = task_url(national_transfer)

    shown = page(client.post(url, {"decision": WorkItem.Decision.REJECT, "comment": "  "}))

    assert shown.field("comment").error == "不同意时请填写理由。"
    assert shown.field("comment").label == "说明"
    national_transfer.refresh_from_db()
    assert national_transfer.state == Request.State.OPEN
    assert steps_of(national_transfer) == [("approve_by_receiving_bureau", None, "", "")]
    assert where(student) == (class_a.school, class_a, ENROLLED)


def test_rejecting_with_a_reason_ends_the_request_and_leaves_the_student(client_for, national_transfer, student, class_a, bureau_officer):
    client = client_for(bureau_officer)

    response = client.post(
        task_url(national_transfer), {"decision": "reject", "comment": "不在学区范围内"}, follow=True
    )

    assert page(response).message == "已退回申请：转入地教育局审批。"
    national_transfer.refresh_from_db()
    assert national_transfer.state == Request.State.REJECTED
    assert where(student) == (class_a.school, class_a, ENROLLED)
    detail = page(client.get(reverse("request_detail", args=[national_transfer.pk])))
    assert "已驳回" in detail.text and "不在学区范围内" in detail.text


def test_posting_the_same_decision_twice_gets_a_clear_message_and_duplicates_nothing(
    client_for, national_transfer, registrar, bureau_officer, second_bureau_officer
):
    url = task_url(national_transfer)
    data = {"decision": APPROVE, "comment": "同意"}

    client_for(bureau_officer).post(url, data)
    again = client_for(bureau_officer).post(url, data, follow=True)
    colleague = client_for(second_bureau_officer).post(url, data, follow=True)

    assert page(again).message == "该环节已由吴科长办理，无需重复办理。"
    assert page(colleague).message == "该环节已由吴科长办理，无需重复办理。"
    assert steps_of(national_transfer) == [
        ("approve_by_receiving_bureau", "officer_longyou", APPROVE, "同意"),
        ("confirm_release_by_sending_school", None, "", ""),
    ]
    assert inbox(registrar) == [(national_transfer.pk, "confirm_release_by_sending_school")]


def test_the_last_approval_on_the_page_moves_the_student(client_for, national_transfer, student, class_b, registrar, bureau_officer):
    decide(bureau_officer, national_transfer)

    client_for(registrar).post(task_url(national_transfer), {"decision": APPROVE, "comment": ""})

    assert where(student) == (class_b.school, class_b, ENROLLED)
    national_transfer.refresh_from_db()
    assert national_transfer.state == Request.State.COMPLETED


# --- The request page and the request list ----------------------------------------------------


def test_the_request_page_opens_for_every_party_and_is_404_for_outsiders(
    client_for, national_transfer, registrar, receiving_registrar, bureau_officer, city_officer, class_teacher, outsiders
):
    url = reverse("request_detail", args=[national_transfer.pk])

    for user in (registrar, receiving_registrar, bureau_officer, city_officer, class_teacher):
        shown = page(client_for(user).get(url))
        assert f"转学 #{national_transfer.pk}" in shown.text and "办理中" in shown.text
        assert "approve_by_receiving_bureau" in shown.chart_classes()
    for who, user in outsiders.items():
        assert client_for(user).get(url).status_code == 404, who


def test_the_request_list_shows_a_schools_requests_only(client_for, national_transfer, student, receiving_registrar, registrar, outsiders):
    for user in (receiving_registrar, registrar):
        shown = page(client_for(user).get(reverse("request_list")))
        assert shown.link_to(reverse("request_detail", args=[national_transfer.pk])) == str(national_transfer.pk)
        assert student.name in shown.text
    for who, user in outsiders.items():
        shown = page(client_for(user).get(reverse("request_list")))
        assert "没有申请。" in shown.text and student.name not in shown.text, who


def test_the_starting_school_withdraws_from_the_request_page_and_nothing_changes(
    client_for, national_transfer, student, class_a, receiving_registrar, bureau_officer
):
    client = client_for(receiving_registrar)
    detail_url = reverse("request_detail", args=[national_transfer.pk])
    assert "撤回申请" in page(client.get(detail_url)).text

    response = client.post(reverse("request_withdraw", args=[national_transfer.pk]), follow=True)

    shown = page(response)
    assert shown.message == "申请已撤回，学籍未作任何变更。"
    assert "已撤回" in shown.text and "撤回申请" not in shown.text
    assert inbox(bureau_officer) == []
    assert where(student) == (class_a.school, class_a, ENROLLED)


def test_only_the_starting_school_may_withdraw(client_for, national_transfer, registrar, outsiders):
    url = reverse("request_withdraw", args=[national_transfer.pk])

    assert "撤回申请" not in page(client_for(registrar).get(reverse("request_detail", args=[national_transfer.pk]))).text
    assert client_for(registrar).post(url).status_code == 403
    for who, user in outsiders.items():
        assert client_for(user).post(url).status_code == 404, who
    national_transfer.refresh_from_db()
    assert national_transfer.state == Request.State.OPEN


def test_a_party_uploads_more_evidence_on_the_request_page(client_for, national_transfer, registrar, third_registrar):
    client = client_for(registrar)
    url = reverse("evidence_upload", args=[national_transfer.pk])

    response = client.post(url, {"kind": Evidence.Kind.RESIDENCE, "file": upload("居住证.pdf")}, follow=True)
    refused = client.post(url, {"kind": Evidence.Kind.RESIDENCE, "file": upload("照片.gif", b"GIF89a")}, follow=True)

    assert page(response).message == "材料已上传。"
    assert page(refused).message == "只接受PDF、JPG、PNG格式的扫描件。"
    assert sorted(e.filename for e in national_transfer.evidence.all()) == ["居住证.pdf", "户口簿.pdf", "接收证明.pdf"]
    assert "居住证明：" in page(response).text
    assert client_for(third_registrar).post(url, {"kind": "other", "file": upload()}).status_code == 404
    assert national_transfer.evidence.count() == 3  # nothing from the third school


# --- Starting a transfer from the student page (sending school) --------------------------------


def sending_form(school, **overrides) -> dict:
    data = {
        "to_school": school.pk,
        "applicant_name": "王建国",
        "applicant_relationship": "父亲",
        "applicant_phone": "13800000001",
        "reason": REASON,
        "evidence_household_register": upload(),
        "evidence_acceptance": upload("接收证明.pdf"),
    }
    data.update(overrides)
    return data


def test_the_sending_school_starts_a_transfer_from_the_student_page(
    client_for, student, school_b, school_c, registrar, receiving_registrar
):
    client = client_for(registrar)
    student_page = page(client.get(reverse("student_detail", args=[student.pk])))
    url = reverse("transfer_send", args=[student.pk])
    assert student_page.link_to(url) == "转学（本校转出）"

    form = page(client.get(url))
    assert set(form.field("to_school").options) == {"---------", "龙游县东华小学", "武义县壶山小学"}

    response = client.post(url, sending_form(school_b), follow=True)

    transfer = Request.objects.get(student=student).coerced
    assert response.redirect_chain[-1][0] == reverse("request_detail", args=[transfer.pk])
    assert page(response).message == f"申请已提交（转学 #{transfer.pk}），等待下一环节办理。"
    assert transfer.to_school == school_b and transfer.order == "sending"
    assert [e.filename for e in transfer.evidence.all()] == ["户口簿.pdf"]
    assert inbox(receiving_registrar) == [(transfer.pk, "confirm_by_receiving_school")]


@pytest.mark.parametrize(
    ("field", "overrides", "label", "error"),
    [
        ("applicant_phone", {"applicant_phone": ""}, "联系电话", "该字段是必填项。"),
        ("to_school", {"to_school": ""}, "转入学校", "该字段是必填项。"),
        ("evidence_household_register", {"evidence_household_register": upload("户口簿.docx")}, "户口簿（扫描件）",
         "只接受PDF、JPG、PNG格式的扫描件。"),
    ],
)
def test_a_bad_sending_form_names_the_field_and_saves_nothing(
    field, overrides, label, error, client_for, student, school_b, registrar
):
    shown = page(client_for(registrar).post(reverse("transfer_send", args=[student.pk]), sending_form(school_b, **overrides)))

    assert (shown.field(field).label, shown.field(field).error) == (label, error)
    assert not Request.objects.exists()


def test_the_transfer_start_pages_answer_only_the_students_registrar(
    client_for, student, class_a, registrar, receiving_registrar, academic_office, class_teacher, bureau_officer,
    other_bureau_officer,
):
    pages = [reverse("transfer_send", args=[student.pk]), reverse("transfer_out", args=[student.pk]),
             reverse("whole_class_transfer", args=[class_a.pk])]

    for url in pages:
        assert client_for(registrar).get(url).status_code == 200
        assert client_for(receiving_registrar).get(url).status_code == 404
        for user in (academic_office, class_teacher, bureau_officer, other_bureau_officer):
            assert client_for(user).get(url).status_code == 403
    for url in (reverse("transfer_receive"), reverse("transfer_in")):
        assert client_for(receiving_registrar).get(url).status_code == 200
        for user in (academic_office, class_teacher, bureau_officer):
            assert client_for(user).get(url).status_code == 403


# --- 转入学生: the receiving school finds the student by number and name ------------------------


def receiving_form(student, to_class, **overrides) -> dict:
    data = {
        "student_number": student.student_number,
        "name": student.name,
        "to_class": to_class.pk,
        "applicant_name": "王建国",
        "applicant_relationship": "父亲",
        "applicant_phone": "13800000001",
        "reason": REASON,
        "evidence_household_register": upload(),
        "evidence_acceptance": upload("接收证明.pdf"),
    }
    data.update(overrides)
    return data


def test_the_exact_number_and_name_find_the_student_and_offer_the_classes_of_the_grade(
    client_for, student, class_b, school_b, receiving_registrar
):
    SchoolClassFactory(school=school_b, grade=4)

    shown = page(client_for(receiving_registrar).get(
        reverse("transfer_receive"), {"student_number": student.student_number.lower(), "name": student.name}
    ))

    assert "找到的学生" in shown.text
    assert student.name in shown.text and "龙游县实验小学" in shown.text and "三年级" in shown.text
    assert shown.field("to_class").options == ["---------", f"{class_b.name}（{class_b.code}）"]


def test_a_wrong_name_finds_nothing_and_reveals_nothing(client_for, student, class_a, receiving_registrar):
    client = client_for(receiving_registrar)
    wrong = {"student_number": student.student_number, "name": "王小明"}

    looked_up = page(client.get(reverse("transfer_receive"), wrong))
    posted = page(client.post(reverse("transfer_receive"), receiving_form(student, class_a, name="王小明")))

    for shown in (looked_up, posted):
        assert shown.form_errors == ["没有找到学籍号与姓名都相符的学生，请核对家长提供的信息。"] * len(shown.form_errors)
        assert shown.form_errors
        assert "找到的学生" not in shown.text
        for secret in (student.name, "龙游县实验小学", class_a.name, class_a.code):
            assert secret not in shown.html
        assert "to_class" not in shown.fields
    assert not Request.objects.exists()


def test_a_student_of_the_own_school_is_not_transferred_in(client_for, student, registrar):
    shown = page(client_for(registrar).get(
        reverse("transfer_receive"), {"student_number": student.student_number, "name": student.name}
    ))

    assert "该生已在本校，无需转入。" in shown.form_errors
    assert "to_class" not in shown.fields


def test_the_receiving_school_starts_the_transfer_with_class_applicant_reason_and_evidence(
    client_for, student, class_b, receiving_registrar, bureau_officer
):
    response = client_for(receiving_registrar).post(reverse("transfer_receive"), receiving_form(student, class_b), follow=True)

    transfer = Request.objects.get(student=student).coerced
    shown = page(response)
    assert response.redirect_chain[-1][0] == reverse("request_detail", args=[transfer.pk])
    assert "转学 #" in shown.text and "龙游县东华小学 · " + class_b.name in shown.text
    assert shown.link_to(reverse("evidence_download", args=[transfer.evidence.get(kind=Evidence.Kind.HOUSEHOLD_REGISTER).pk])) == "户口簿.pdf"
    assert (transfer.order, transfer.to_class, transfer.applicant_name) == ("receiving", class_b, "王建国")
    assert inbox(bureau_officer) == [(transfer.pk, "approve_by_receiving_bureau")]


def test_a_bad_receiving_form_names_the_field_and_saves_nothing(client_for, student, class_b, receiving_registrar):
    shown = page(client_for(receiving_registrar).post(
        reverse("transfer_receive"), {**receiving_form(student, class_b), "reason": "", "to_class": ""}
    ))

    assert (shown.field("reason").label, shown.field("reason").error) == ("申请理由", "该字段是必填项。")
    assert (shown.field("to_class").label, shown.field("to_class").error) == ("转入班级", "该字段是必填项。")
    assert "找到的学生" in shown.text  # the lookup stays, the registrar corrects the form
    assert not Request.objects.exists()


def test_a_transfer_outside_the_window_is_refused_with_the_calendar_message(
    client_for, student, class_b, receiving_registrar, longyou_bureau
):
    TransferWindow.objects.filter(bureau=longyou_bureau).delete()

    shown = page(client_for(receiving_registrar).post(reverse("transfer_receive"), receiving_form(student, class_b)))

    assert any("不在龙游县教育局规定的转学办理时间内" in error for error in shown.form_errors)
    assert not Request.objects.exists()


# --- Transfer out, transfer in from outside, whole class --------------------------------------


def test_transfer_out_is_started_on_its_page_and_a_missing_destination_is_named(
    client_for, student, registrar, bureau_officer
):
    client = client_for(registrar)
    url = reverse("transfer_out", args=[student.pk])
    data = {"scope": "province", "destination": "", "applicant_name": "王建国", "applicant_relationship": "父亲",
            "applicant_phone": "13800000001", "reason": "随父母迁居江西"}

    missing = page(client.post(url, data))
    assert (missing.field("destination").label, missing.field("destination").error) == ("转往地（省市或国家）", "该字段是必填项。")
    assert not Request.objects.exists()

    client.post(url, {**data, "destination": "江西省上饶市"})

    request = Request.objects.get(student=student).coerced
    assert (request.kind, request.scope, request.destination) == ("transfer_out", "province", "江西省上饶市")
    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]


def transfer_in_post(to_class, **record_overrides) -> dict:
    return {
        **record_post(record(**record_overrides), "record"),
        **record_post(family()[0], "family1"),
        "to_class": to_class.pk,
        "previous_school": "江西省上饶市信州区第一小学",
        "applicant_name": "林建华",
        "applicant_relationship": "父亲",
        "applicant_phone": "13900000002",
        "reason": "随父母工作调动",
        "evidence_other": upload("转学联系函.pdf"),
    }


def test_transfer_in_from_outside_is_entered_with_the_record_form(client_for, class_b, receiving_registrar, bureau_officer):
    response = client_for(receiving_registrar).post(reverse("transfer_in"), transfer_in_post(class_b), follow=True)

    request = Request.objects.get(kind="transfer_in").coerced
    shown = page(response)
    assert shown.message == f"转入申请已提交（#{request.pk}），等待教育局审批。"
    assert "林晓雨" in shown.text and "江西省上饶市信州区第一小学" in shown.text
    assert request.record["name"] == "林晓雨" and request.record["entry_way"] == "5"
    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]


def test_a_bad_id_number_on_the_transfer_in_form_is_named_and_nothing_is_saved(client_for, class_b, receiving_registrar):
    shown = page(client_for(receiving_registrar).post(
        reverse("transfer_in"), transfer_in_post(class_b, id_number="36110020170315001X")
    ))

    field = shown.field("record-id_number")
    assert field.label == "身份证件号" and field.error and "身份证" in field.error
    assert not Request.objects.exists()


def test_whole_class_transfer_is_started_from_the_class_page(
    client_for, class_a, student, school_b, registrar, academic_office, receiving_registrar
):
    other = StudentFactory(school_class=class_a, by=registrar)
    url = reverse("whole_class_transfer", args=[class_a.pk])
    client = client_for(registrar)

    assert page(client.get(reverse("class_detail", args=[class_a.pk]))).link_to(url) == "整班转学"
    assert not page(client_for(academic_office).get(reverse("class_detail", args=[class_a.pk]))).has_link(url)

    missing = page(client.post(url, {"to_school": "", "reason": "学校撤并"}))
    assert (missing.field("to_school").label, missing.field("to_school").error) == ("转入学校", "该字段是必填项。")
    assert not Request.objects.exists()

    client.post(url, {"to_school": school_b.pk, "reason": "学校撤并"})

    request = WholeClassTransfer.objects.get()
    assert sorted(request.students.values_list("student_id", flat=True)) == sorted([student.pk, other.pk])
    assert inbox(receiving_registrar) == [(request.pk, "confirm_by_receiving_school")]


# --- Cancelling a completed transfer ----------------------------------------------------------


@pytest.fixture
def completed_transfer(national_transfer, registrar, bureau_officer):
    decide(bureau_officer, national_transfer)
    decide(registrar, national_transfer)
    national_transfer.refresh_from_db()
    assert national_transfer.state == Request.State.COMPLETED
    return national_transfer


def test_a_completed_transfer_is_cancelled_from_its_request_page_within_10_days(
    client_for, completed_transfer, student, class_a, registrar, receiving_registrar
):
    client = client_for(registrar)
    cancel_url = reverse("transfer_cancel", args=[completed_transfer.pk])
    detail = page(client.get(reverse("request_detail", args=[completed_transfer.pk])))
    assert detail.link_to(cancel_url) == "申请撤销转学"

    missing = page(client.post(cancel_url, {"reason": ""}))
    assert (missing.field("reason").label, missing.field("reason").error) == ("撤销理由", "该字段是必填项。")
    assert not TransferCancellation.objects.exists()

    client.post(cancel_url, {"reason": "家长改变主意，留在原校就读"})

    cancellation = TransferCancellation.objects.get()
    assert cancellation.original_id == completed_transfer.pk
    assert inbox(receiving_registrar) == [(cancellation.pk, cancellation.work_items.get().step)]


def test_after_10_days_the_cancel_button_is_gone_and_a_post_is_refused(
    client_for, completed_transfer, registrar, third_registrar
):
    Transfer.objects.filter(pk=completed_transfer.pk).update(
        completed_on=timezone.localdate() - datetime.timedelta(days=11)
    )
    client = client_for(registrar)
    cancel_url = reverse("transfer_cancel", args=[completed_transfer.pk])

    detail = page(client.get(reverse("request_detail", args=[completed_transfer.pk])))
    refused = page(client.post(cancel_url, {"reason": "家长改变主意"}))

    assert not detail.has_link(cancel_url)
    assert any("超过10天，不能撤销" in error for error in refused.form_errors)
    assert not TransferCancellation.objects.exists()
    assert client_for(third_registrar).get(cancel_url).status_code == 404


# --- The calendar -----------------------------------------------------------------------------


def calendar_post(terms: list[tuple], windows: list[tuple]) -> dict:
    data = {
        "terms-TOTAL_FORMS": len(terms), "terms-INITIAL_FORMS": 0, "terms-MIN_NUM_FORMS": 0, "terms-MAX_NUM_FORMS": 1000,
        "windows-TOTAL_FORMS": len(windows), "windows-INITIAL_FORMS": 0, "windows-MIN_NUM_FORMS": 0,
        "windows-MAX_NUM_FORMS": 1000,
    }
    for n, (name, start, end) in enumerate(terms):
        data.update({f"terms-{n}-name": name, f"terms-{n}-start": start, f"terms-{n}-end": end})
    for n, (start, end) in enumerate(windows):
        data.update({f"windows-{n}-start": start, f"windows-{n}-end": end})
    return data


def calendar_of(bureau) -> tuple:
    return (
        sorted((t.name, t.start.isoformat(), t.end.isoformat()) for t in bureau.terms.all()),
        sorted((w.start.isoformat(), w.end.isoformat()) for w in bureau.transfer_windows.all()),
    )


def test_a_bureau_officer_edits_terms_and_windows(client_for, bureau_officer, longyou_bureau):
    response = client_for(bureau_officer).post(
        reverse("calendar"),
        calendar_post([("2025学年第一学期", "2025-09-01", "2026-01-20")], [("2025-09-01", "2025-09-07")]),
        follow=True,
    )

    assert page(response).message == "校历已保存。"
    assert calendar_of(longyou_bureau) == ([("2025学年第一学期", "2025-09-01", "2026-01-20")], [("2025-09-01", "2025-09-07")])
    assert "2025-09-01 – 2025-09-07" in page(response).text


def test_saving_the_calendar_as_shown_keeps_every_date(client_for, bureau_officer, longyou_bureau):
    Term.objects.create(bureau=longyou_bureau, name="2025学年第一学期", start=datetime.date(2025, 9, 1), end=datetime.date(2026, 1, 20))
    before = calendar_of(longyou_bureau)
    client = client_for(bureau_officer)

    shown = page(client.get(reverse("calendar")))
    response = client.post(reverse("calendar"), shown.form_data(), follow=True)

    # A date picker (<input type="date">) shows a value only in ISO form.
    assert (shown.field("terms-0-start").value, shown.field("terms-0-end").value) == ("2025-09-01", "2026-01-20")
    assert page(response).message == "校历已保存。"
    assert calendar_of(longyou_bureau) == before


@pytest.mark.parametrize(
    ("terms", "windows", "message"),
    [
        ([("2025学年第一学期", "2026-01-20", "2025-09-01")], [], "学期“2025学年第一学期”的结束日期须晚于开始日期。"),
        ([], [("2025-09-07", "2025-09-01")], "转学办理时间 2025-09-07 的结束日期不能早于开始日期。"),
    ],
)
def test_bad_calendar_dates_are_refused_with_a_message_and_nothing_is_saved(
    terms, windows, message, client_for, bureau_officer, longyou_bureau
):
    before = calendar_of(longyou_bureau)

    shown = page(client_for(bureau_officer).post(reverse("calendar"), calendar_post(terms, windows)))

    assert message in shown.form_errors
    assert calendar_of(longyou_bureau) == before


def test_an_unreadable_calendar_date_is_named_on_its_field(client_for, bureau_officer, longyou_bureau):
    before = calendar_of(longyou_bureau)

    shown = page(client_for(bureau_officer).post(reverse("calendar"), calendar_post([("春季学期", "2026-02-30", "2026-07-01")], [])))

    # The editor's fields are viewflow's: the error is on the start date's own field.
    assert "有效的日期" in shown.field("terms-0-start").error
    assert calendar_of(longyou_bureau) == before


def test_school_users_read_the_calendar_of_their_bureau_without_editing(
    client_for, registrar, class_teacher, longyou_bureau, wuyi_bureau
):
    Term.objects.create(bureau=longyou_bureau, name="2025学年第一学期", start=datetime.date(2025, 9, 1), end=datetime.date(2026, 1, 20))
    before = calendar_of(longyou_bureau)

    for user in (registrar, class_teacher):
        client = client_for(user)
        shown = page(client.get(reverse("calendar")))
        assert "龙游县教育局" in shown.text and "2025学年第一学期" in shown.text
        assert not any(name.startswith(("terms-", "windows-")) for name in shown.fields)
        assert "保存校历" not in shown.text
        assert client.post(reverse("calendar"), calendar_post([("x", "2025-09-01", "2025-10-01")], [])).status_code == 403
    assert calendar_of(longyou_bureau) == before


def test_another_countys_officer_edits_only_their_own_bureau(client_for, other_bureau_officer, longyou_bureau, wuyi_bureau):
    longyou_before = calendar_of(longyou_bureau)
    client = client_for(other_bureau_officer)

    shown = page(client.get(reverse("calendar")))
    client.post(reverse("calendar"), calendar_post([("武义春季学期", "2026-02-16", "2026-07-01")], []))

    assert "武义县教育局" in shown.text and "龙游县教育局" not in shown.text
    assert calendar_of(wuyi_bureau) == ([("武义春季学期", "2026-02-16", "2026-07-01")], [])
    assert calendar_of(longyou_bureau) == longyou_before


# --- The home page's counts -------------------------------------------------------------------


def home_counts(client) -> tuple[str, str]:
    shown = page(client.get(reverse("home")))
    waiting = next(text for href, text in shown.links if href == reverse("inbox") and ("待审批" in text or "待办理" in text))
    overdue = next(text for href, text in shown.links if href == reverse("inbox") and "已超期" in text)
    return waiting, overdue


def test_the_home_page_counts_the_waiting_and_the_overdue_tasks(
    client_for, class_a, registrar, bureau_officer, third_county_officer
):
    students = [StudentFactory(school_class=class_a, by=registrar) for _ in range(3)]
    _poverty_requests(students, registrar)
    WorkItem.objects.filter(student=students[0]).update(due=timezone.localdate() - datetime.timedelta(days=1))

    assert home_counts(client_for(bureau_officer)) == ("3 待审批", "1 已超期")
    assert home_counts(client_for(third_county_officer)) == ("0 待审批", "0 已超期")
    assert home_counts(client_for(registrar)) == ("0 待办理", "0 已超期")


def test_english_pages_name_the_kind_in_english_while_the_register_keeps_chinese_reasons(
    client_for, student, class_b, registrar, receiving_registrar, bureau_officer
):
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    queue = client_for(bureau_officer).get(reverse("inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Transfer #{transfer.pk}" in queue
    decide(bureau_officer, transfer)

    # The last step, taken on an English page, still writes the register's reasons in Chinese.
    release = transfer.work_items.get(finished__isnull=True)
    response = client_for(registrar).post(
        reverse("task", args=[release.pk]), {"decision": APPROVE}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    placement = Student.objects.get(pk=student.pk).placements.get(ended_on__isnull=True)
    assert (placement.school_class, placement.reason) == (class_b, "转学")
