"""批量新生建档: an intake file is validated row by row as a background job; its valid rows become
one request that the academic office verifies (acknowledging each possible duplicate) and the
bureau approves; only then are the records created, numbered and placed, all together."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flows.engine import task_decide
from flows.intake import VerifyIntakeForm, intake_start
from flows.intake.tasks import intake_import_run, intake_import_start, validate_intake_import
from flows.models import Intake, Request
from records.errors import Conflict
from records.models import FamilyMember, IntakeImport, Placement, Student
from records.student_sheets import TEMPLATE_HEADERS
from tests.factories import StudentFactory, citizen_id
from tests.intake_files import as_dicts, intake_file, new_pupil, read_sheet

from .acting import REJECT, decide, open_step

MESSAGE = "错误说明"


def upload(registrar, rows, **kwargs) -> IntakeImport:
    """The registrar uploads the file; the worker runs the validation job."""
    intake_import = intake_import_start(file=intake_file(rows, **kwargs), by=registrar)
    validate_intake_import.apply(args=(intake_import.pk,), throw=True)
    intake_import.refresh_from_db()
    return intake_import


def error_report(intake_import) -> list[dict]:
    with intake_import.error_file.open("rb") as report:
        return as_dicts(read_sheet(report.read()))


def errors_by_row(intake_import) -> dict[int, dict[str, str]]:
    return {row.row: row.errors for row in intake_import.rows.exclude(errors={})}


def verify(user, request, acknowledged=()):
    form = VerifyIntakeForm({"decision": "approve", "acknowledged": [str(pk) for pk in acknowledged]}, request=request)
    assert form.is_valid(), form.errors
    return decide(user, request, form=form)


@pytest.fixture
def existing(class_a, registrar):
    """A third-grader already in the register."""
    return StudentFactory(school_class=class_a, by=registrar)


# --- The validation ------------------------------------------------------------------------------------


def test_a_clean_file_is_validated_and_nothing_is_saved_before_it_is_submitted(registrar, class_a, class_a2):
    rows = [new_pupil(class_a, n) for n in range(3)] + [new_pupil(class_a2, 3, 班级=class_a2.code)]
    intake_import = upload(registrar, rows)

    assert intake_import.state == IntakeImport.State.VALIDATED
    assert (intake_import.total_rows, intake_import.valid_rows, intake_import.error_rows) == (4, 4, 0)
    assert not intake_import.error_file
    assert not Intake.objects.exists()
    assert not Student.objects.filter(name__endswith="新").exists()


def test_every_kind_of_bad_row_is_named_by_row_column_and_what_is_wrong(registrar, class_a, existing):
    good = new_pupil(class_a, 0)
    birth = datetime.date(2018, 1, 2)
    bad = [
        new_pupil(class_a, 1, 身份证件号=good["身份证件号"][:-1] + ("1" if good["身份证件号"][-1] != "1" else "2")),
        new_pupil(class_a, 2, 民族="火星族"),
        new_pupil(class_a, 3, 姓名=None),
        new_pupil(class_a, 4, 出生日期="2018-13-40"),
        new_pupil(class_a, 5, 入学年月="九月"),
        new_pupil(class_a, 6, 出生日期=birth),  # the ID says another birth date
        new_pupil(class_a, 7, 性别="女" if new_pupil(class_a, 7)["性别"] == "男" else "男"),
        new_pupil(class_a, 8, 身份证件号=330825201709090011),  # a number cell: Excel lost the last digits
        new_pupil(class_a, 9, 班级="九年级(9)班"),
        new_pupil(class_a, 10, 成员2姓名=None, 成员2关系=None, 成员2是否监护人=None, 成员2联系电话="13900000009"),
        new_pupil(class_a, 11, 成员1是否监护人="否"),
        new_pupil(class_a, 12, 邮政编码="32400"),
        new_pupil(class_a, 13, 联系电话="电话13900"),
        new_pupil(class_a, 14, 是否孤儿="也许"),
        new_pupil(class_a, 15, 曾用名="很" * 201),
        new_pupil(class_a, 16, 身份证件号=existing.id_number, 出生日期=existing.birth_date, 性别=existing.gender.name),
        new_pupil(class_a, 17, 身份证件类型="护照", 身份证件号=None),
    ]
    intake_import = upload(registrar, [good, *bad])

    assert intake_import.state == IntakeImport.State.HAS_ERRORS
    assert (intake_import.total_rows, intake_import.valid_rows, intake_import.error_rows) == (18, 1, 17)
    found = errors_by_row(intake_import)
    expected = {
        3: ("身份证件号", "校验位错误"),
        4: ("民族", "“火星族”不在民族代码表中"),
        5: ("姓名", "必填"),
        6: ("出生日期", "“2018-13-40”不是有效日期"),
        7: ("入学年月", "不是有效的年月"),
        8: ("出生日期", "出生日期与居民身份证号不一致"),
        9: ("性别", "性别与居民身份证号不一致"),
        10: ("身份证件号", "被 Excel 存成了数字"),
        11: ("班级", "“九年级(9)班”不是本校在读的班级"),
        12: ("成员2姓名", "须同时填写成员2的姓名和关系"),
        13: ("成员1是否监护人", "至少一人须为监护人"),
        14: ("邮政编码", "6位数字"),
        15: ("联系电话", "只能有数字"),
        16: ("是否孤儿", "请填写“是”或“否”"),
        17: ("曾用名", "不能超过200个字"),
        18: ("身份证件号", f"该证件号已有学籍，学籍在“{existing.school.name}”"),
        19: ("身份证件号", "请填写身份证件号"),
    }
    for row, (column, words) in expected.items():
        assert column in found[row], (row, found[row])
        assert words in found[row][column], (row, found[row])

    # The error report: the bad rows as uploaded, the bad cell marked, a message naming row and column.
    report = error_report(intake_import)
    assert [r["原行号"] for r in report] == sorted(expected)
    assert list(report[0])[: len(TEMPLATE_HEADERS) + 1] == ["原行号", *TEMPLATE_HEADERS]
    for line in report:
        column, words = expected[line["原行号"]]
        assert f"第{line['原行号']}行 {column}：" in line[MESSAGE] and words in line[MESSAGE]
    assert report[1]["民族"] == "火星族"


def test_the_bad_cells_of_the_error_report_are_marked(registrar, class_a):
    intake_import = upload(registrar, [new_pupil(class_a, 0, 民族="火星族", 邮政编码="1")])
    from openpyxl import load_workbook

    with intake_import.error_file.open("rb") as report:
        sheet = load_workbook(report).active
    header = [cell.value for cell in sheet[1]]
    row = sheet[2]
    marked = {header[i] for i, cell in enumerate(row) if cell.fill.fill_type == "solid"}
    assert marked == {"民族", "邮政编码"}
    assert "不在民族代码表中" in row[header.index("民族")].comment.text


def test_codes_are_taken_by_code_or_by_name(registrar, class_a):
    by_code = new_pupil(
        class_a, 0, 性别="1" if new_pupil(class_a, 0)["性别"] == "男" else "2", 民族=1, 健康状况="1", 身份证件类型="1", 户口性质=2, 入学方式="1", 就读方式="1", 学生类别="1", 是否留守儿童="1",
        残疾类型=0, 成员1关系="1", 成员2关系="2",
    )
    intake_import = upload(registrar, [by_code])

    assert intake_import.state == IntakeImport.State.VALIDATED, errors_by_row(intake_import)
    record = intake_import.rows.get().record
    assert (record["ethnicity"], record["household_type"], record["disability_type"]) == ("01", "2", "0")


def test_one_person_one_record_within_the_file(registrar, class_a):
    first = new_pupil(class_a, 0)
    again = new_pupil(class_a, 1, 身份证件号=first["身份证件号"], 出生日期=first["出生日期"], 性别=first["性别"])
    intake_import = upload(registrar, [first, new_pupil(class_a, 2), again])

    found = errors_by_row(intake_import)
    assert found[2]["身份证件号"] == "与第4行的证件号相同：一人只能有一个学籍。"
    assert found[4]["身份证件号"] == "与第2行的证件号相同：一人只能有一个学籍。"
    assert intake_import.valid_rows == 1


def test_an_id_number_an_open_registration_carries_is_refused(registrar, class_a):
    from tests.flows.status.test_registration import enter

    registration = enter(class_a, registrar)
    row = new_pupil(
        class_a, 0, 身份证件号=registration.record["id_number"], 出生日期=datetime.date.fromisoformat(registration.record["birth_date"]),
        性别="女",
    )
    intake_import = upload(registrar, [row, new_pupil(class_a, 1)])

    assert errors_by_row(intake_import)[2]["身份证件号"] == "该证件号已有办理中的建档或转入申请。"


def test_possible_duplicates_are_flagged_not_refused(registrar, class_a, existing):
    twin = new_pupil(
        class_a, 0, 姓名=existing.name, 性别=existing.gender.name, 出生日期=existing.birth_date,
        身份证件号=citizen_id(area_code="330825", birth_date=existing.birth_date, sequence=480, male=existing.gender.code == "1"),
    )
    same_a = new_pupil(class_a, 1, 姓名="周一新")
    same_b = new_pupil(
        class_a, 2, 姓名="周一新", 性别=same_a["性别"], 出生日期=same_a["出生日期"],
        身份证件号=citizen_id(area_code="330825", birth_date=same_a["出生日期"], sequence=490, male=same_a["性别"] == "男"),
    )
    intake_import = upload(registrar, [twin, same_a, same_b])

    assert intake_import.state == IntakeImport.State.VALIDATED
    assert intake_import.flagged_rows == 3
    rows = {row.row: row for row in intake_import.rows.all()}
    assert rows[2].possible_duplicate == existing
    assert (rows[3].duplicate_row, rows[4].duplicate_row) == (4, 3)


def test_an_unreadable_file_fails_with_its_reason(registrar):
    from django.core.files.uploadedfile import SimpleUploadedFile

    intake_import = intake_import_start(file=SimpleUploadedFile("a.xlsx", b"not a workbook"), by=registrar)
    intake_import_run(intake_import_id=intake_import.pk)
    intake_import.refresh_from_db()
    assert intake_import.state == IntakeImport.State.FAILED
    assert "无法读取该文件" in intake_import.error


def test_a_file_without_the_required_columns_says_which(registrar, class_a):
    headers = [h for h in TEMPLATE_HEADERS if h not in ("身份证件类型", "民族")]
    intake_import = upload(registrar, [new_pupil(class_a, 0)], headers=headers)
    assert intake_import.state == IntakeImport.State.FAILED
    assert "缺少必填的列" in intake_import.error and "民族" in intake_import.error and "身份证件类型" in intake_import.error


def test_columns_are_found_by_header_in_any_order_and_others_are_ignored(registrar, class_a):
    headers = ["序号", "学籍号", *reversed(TEMPLATE_HEADERS)]
    intake_import = upload(registrar, [{"序号": 1, "学籍号": "", **new_pupil(class_a, 0)}], headers=headers)
    assert intake_import.state == IntakeImport.State.VALIDATED, errors_by_row(intake_import)


def test_a_second_delivery_of_the_job_does_nothing(registrar, class_a):
    intake_import = upload(registrar, [new_pupil(class_a, 0)])
    assert intake_import_run(intake_import_id=intake_import.pk) is None
    assert intake_import.rows.count() == 1


# --- Submitting ---------------------------------------------------------------------------------------


def test_nothing_is_submitted_from_a_file_with_errors_unless_the_valid_rows_are_chosen(registrar, class_a):
    intake_import = upload(registrar, [new_pupil(class_a, 0), new_pupil(class_a, 1, 民族="火星族"), new_pupil(class_a, 2)])

    with pytest.raises(ValidationError) as refused:
        intake_start(intake_import=intake_import, by=registrar)
    assert "文件有1行错误" in refused.value.messages[0]
    assert not Intake.objects.exists()

    request = intake_start(intake_import=intake_import, by=registrar, import_valid_rows=True)
    assert sorted(request.entries.values_list("row__row", flat=True)) == [2, 4]
    intake_import.refresh_from_db()
    assert intake_import.state == IntakeImport.State.SUBMITTED
    with pytest.raises(Conflict):
        intake_start(intake_import=intake_import, by=registrar, import_valid_rows=True)


def test_a_registration_started_after_the_validation_stops_the_submission(registrar, class_a):
    from tests.flows.status.test_registration import ID_NUMBER, enter

    intake_import = upload(
        registrar, [new_pupil(class_a, 0, 身份证件号=ID_NUMBER, 出生日期=datetime.date(2017, 3, 15), 性别="女")]
    )
    enter(class_a, registrar)
    with pytest.raises(Conflict) as refused:
        intake_start(intake_import=intake_import, by=registrar)
    assert "第2行" in refused.value.messages[0] and "办理中的建档或转入申请" in refused.value.messages[0]
    assert not Intake.objects.exists()


def test_a_single_registration_is_refused_for_an_id_number_an_open_intake_carries(registrar, class_a):
    from tests.flows.status.test_registration import ID_NUMBER, enter

    intake_import = upload(
        registrar, [new_pupil(class_a, 0, 身份证件号=ID_NUMBER, 出生日期=datetime.date(2017, 3, 15), 性别="女")]
    )
    intake_start(intake_import=intake_import, by=registrar)
    with pytest.raises(Conflict) as refused:
        enter(class_a, registrar)
    assert refused.value.message_dict["id_number"] == ["该证件号已有办理中的建档或转入申请。"]


# --- Verification and approval -------------------------------------------------------------------------


@pytest.fixture
def submitted(registrar, class_a, class_a2, existing):
    """An intake of five new pupils, the first of whom looks like an existing record."""
    twin = new_pupil(
        class_a, 0, 姓名=existing.name, 性别=existing.gender.name, 出生日期=existing.birth_date,
        身份证件号=citizen_id(area_code="330825", birth_date=existing.birth_date, sequence=481, male=existing.gender.code == "1"),
    )
    rows = [twin, *(new_pupil(class_a, n) for n in range(1, 3)), *(new_pupil(class_a2, n) for n in range(3, 5))]
    intake_import = upload(registrar, rows)
    return intake_start(intake_import=intake_import, by=registrar)


def test_the_office_must_acknowledge_each_possible_duplicate(submitted, academic_office):
    form = VerifyIntakeForm({"decision": "approve"}, request=submitted)
    assert not form.is_valid()
    assert "第2行有疑似重复学籍尚未核实" in form.errors["acknowledged"][0]

    # The step's data without the acknowledgement (as the API could send it) is refused too.
    with pytest.raises(ValidationError):
        task_decide(work_item=open_step(academic_office, submitted), by=academic_office, decision="approve", data={})
    flagged = submitted.flagged_entries().get()
    verify(academic_office, submitted, acknowledged=[flagged.pk])
    flagged.refresh_from_db()
    assert flagged.duplicate_acknowledged


def test_the_approved_intake_creates_every_student_numbered_and_placed(
    submitted, academic_office, bureau_officer, class_a, class_a2, existing
):
    verify(academic_office, submitted, acknowledged=submitted.flagged_entries().values_list("pk", flat=True))
    assert not Student.objects.filter(name__endswith="新").exists()  # not before the bureau approves
    decide(bureau_officer, submitted)

    submitted.refresh_from_db()
    assert submitted.state == Request.State.COMPLETED
    rows = list(submitted.source.rows.select_related("student").order_by("row"))
    assert all(row.student is not None for row in rows)
    for row in rows:
        student = row.student
        assert student.student_number == "G" + row.id_number
        assert student.status == Student.Status.ENROLLED
        placement = student.open_placement
        assert placement.school_class_id == row.school_class_id
        assert student.school == class_a.school
        assert [m.name for m in student.family_members.order_by("position")] == ["林建华", "陈美玲"]
        assert student.guardians.get().name == "林建华"
    assert [r.student.open_placement.school_class for r in rows].count(class_a2) == 2
    # The possible duplicate is flagged on the new record for the registrar, as a single registration is.
    assert rows[0].student.possible_duplicate_of == existing
    # History: the records, placements and family members were created by the approving officer.
    created = Student.history.filter(id__in=[r.student_id for r in rows], history_type="+")
    assert {h.history_user for h in created} == {bureau_officer}
    assert Placement.history.filter(student_id__in=[r.student_id for r in rows], history_type="+").count() == 5
    assert FamilyMember.history.filter(student_id__in=[r.student_id for r in rows], history_type="+").count() == 10


def test_a_rejected_intake_creates_nothing(submitted, academic_office, bureau_officer):
    verify(academic_office, submitted, acknowledged=submitted.flagged_entries().values_list("pk", flat=True))
    decide(bureau_officer, submitted, REJECT, comment="入学年月有误，请核对")

    submitted.refresh_from_db()
    assert submitted.state == Request.State.REJECTED
    assert submitted.close_comment == "入学年月有误，请核对"
    assert not Student.objects.filter(name__endswith="新").exists()
    assert not submitted.source.rows.exclude(student=None).exists()


def test_a_record_created_since_the_submission_fails_the_whole_approval(submitted, academic_office, bureau_officer, class_b):
    verify(academic_office, submitted, acknowledged=submitted.flagged_entries().values_list("pk", flat=True))
    row = submitted.source.rows.get(row=3)
    # Another school registers the same child directly meanwhile (e.g. a transfer-in approved first).
    StudentFactory(
        school_class=class_b, name="抢先", gender=row.record["gender"],
        birth_date=datetime.date.fromisoformat(row.record["birth_date"]), id_number=row.id_number,
    )
    with pytest.raises(ValidationError) as refused:
        decide(bureau_officer, submitted)
    assert "第3行" in refused.value.messages[0] and "该证件号已有学籍" in refused.value.messages[0]
    assert not Student.objects.filter(name__endswith="新").exists()
    submitted.refresh_from_db()
    assert submitted.state == Request.State.OPEN


def test_pupils_without_a_citizen_id_get_l_and_j_numbers(registrar, academic_office, bureau_officer, class_a):
    passport = new_pupil(class_a, 0, 身份证件类型="护照", 身份证件号="E12345678")
    none = new_pupil(class_a, 1, 身份证件类型="其他", 身份证件号=None)
    intake_import = upload(registrar, [passport, none])
    assert intake_import.state == IntakeImport.State.VALIDATED, errors_by_row(intake_import)
    request = intake_start(intake_import=intake_import, by=registrar)
    verify(academic_office, request)
    decide(bureau_officer, request)

    numbers = sorted(r.student.student_number for r in intake_import.rows.select_related("student"))
    assert numbers[0].startswith("J330825") and numbers[1].startswith("L330825")


def _approval_queries(registrar, academic_office, bureau_officer, school_class, count: int, start: int) -> int:
    intake_import = upload(registrar, [new_pupil(school_class, n) for n in range(start, start + count)])
    request = intake_start(intake_import=intake_import, by=registrar)
    verify(academic_office, request)
    with CaptureQueriesContext(connection) as queries:
        decide(bureau_officer, request)
    assert Student.objects.filter(pk__in=intake_import.rows.values("student")).count() == count
    return len(queries)


def test_the_approval_costs_the_same_queries_for_few_or_many_students(
    registrar, academic_office, bureau_officer, class_a
):
    few = _approval_queries(registrar, academic_office, bureau_officer, class_a, 2, 0)
    many = _approval_queries(registrar, academic_office, bureau_officer, class_a, 20, 10)
    assert many == few
