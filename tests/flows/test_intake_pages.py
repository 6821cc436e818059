"""The intake pages: the template, the upload, the file's page with its progress bar and results,
the error report, the submission; who may open each; and the pages while Redis is down."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection
from openpyxl import load_workbook

from flows.intake import intake_start
from flows.intake.tasks import intake_import_run, intake_import_start, run_waiting_intake_imports
from flows.models import Intake, WorkItem
from records.models import IntakeImport
from records.student_sheets import TEMPLATE_HEADERS
from tests.factories import citizen_id
from tests.intake_files import as_dicts, intake_file, new_pupil, read_sheet
from tests.notifications.test_broker_down import broker_unreachable

from .acting import open_step


def uploaded(client, rows, **kwargs):
    return client.post("/intake/", {"file": intake_file(rows, **kwargs)})


@pytest.fixture
def checked(registrar, class_a):
    """A file of two good rows and one bad, uploaded and checked."""
    intake_import = intake_import_start(
        file=intake_file([new_pupil(class_a, 0), new_pupil(class_a, 1, 民族="火星族"), new_pupil(class_a, 2)]),
        by=registrar,
    )
    intake_import_run(intake_import_id=intake_import.pk)
    intake_import.refresh_from_db()
    return intake_import


# --- The template ---------------------------------------------------------------------------------------


def test_the_template_has_the_columns_the_school_classes_and_the_code_lists(client_for, registrar, class_a, class_a2):
    import io

    response = client_for(registrar).get("/intake/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["新生信息", "代码表", "填表说明"]
    sheet = workbook["新生信息"]
    assert tuple(cell.value for cell in sheet[1]) == TEMPLATE_HEADERS
    assert sheet.max_row == 1  # nothing to delete before filling it in
    lists = as_dicts(read_sheet(response.content, sheet=1))
    assert [row["班级名称"] for row in lists if row["班级名称"]] == [class_a.name, class_a2.name]
    assert [row["民族名称"] for row in lists][:2] == ["汉族", "蒙古族"]
    validations = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations["A2"] == "'代码表'!$A$2:$A$3"  # the class column offers the school's classes
    guide = as_dicts(read_sheet(response.content, sheet=2))
    assert [row["列名"] for row in guide] == list(TEMPLATE_HEADERS)
    assert next(row for row in guide if row["列名"] == "身份证件号")["是否必填"] == "否"
    assert next(row for row in guide if row["列名"] == "姓名")["是否必填"] == "是"


@pytest.mark.parametrize("who", ["academic_office", "class_teacher", "bureau_officer"])
def test_only_a_registrar_downloads_the_template(client_for, request, who):
    assert client_for(request.getfixturevalue(who)).get("/intake/template.xlsx").status_code == 403


# --- Uploading and following the check -----------------------------------------------------------------


def test_the_upload_queues_the_check_and_the_page_follows_its_progress(client_for, registrar, class_a):
    client = client_for(registrar)
    assert "批量导入新生" in client.get("/intake/").content.decode()
    response = uploaded(client, [new_pupil(class_a, n) for n in range(3)])
    intake_import = IntakeImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intake/{intake_import.pk}/"

    page = client.get(f"/intake/{intake_import.pk}/").content.decode()
    assert 'id="intake-bar"' in page and "排队等待校验" in page
    assert client.get(f"/intake/{intake_import.pk}/progress/").json() == {
        "id": intake_import.pk, "state": "queued", "state_display": "排队中", "done": 0, "total": 0,
        "valid_rows": 0, "error_rows": 0, "flagged_rows": 0, "finished": False, "error": "",
    }

    intake_import_run(intake_import_id=intake_import.pk)
    progress = client.get(f"/intake/{intake_import.pk}/progress/").json()
    assert (progress["state"], progress["done"], progress["total"], progress["finished"]) == ("validated", 3, 3, True)
    page = client.get(f"/intake/{intake_import.pk}/").content.decode()
    assert "提交审核（3 人）" in page and "下载错误报告" not in page


@pytest.mark.django_db(transaction=True)
def test_the_progress_moves_while_the_rows_are_checked(client_for, registrar, class_a):
    """The page polls while a worker checks a file of 1,500 rows: it reads the rows done so far."""
    rows = [new_pupil(class_a, n) for n in range(1500)]
    intake_import = intake_import_start(file=intake_file(rows), by=registrar)
    client = client_for(registrar)

    def work():  # as a worker process would, with a database connection of its own
        try:
            intake_import_run(intake_import_id=intake_import.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    seen = []
    worker.start()
    while worker.is_alive():
        progress = client.get(f"/intake/{intake_import.pk}/progress/").json()
        seen.append((progress["state"], progress["done"], progress["total"]))
        time.sleep(0.05)
    worker.join()
    final = client.get(f"/intake/{intake_import.pk}/progress/").json()
    assert (final["state"], final["done"], final["total"]) == ("validated", 1500, 1500)
    halfway = [done for state, done, total in seen if state == "running" and 0 < done < 1500]
    assert halfway and all(total >= done for _state, done, total in seen)


def test_a_file_that_is_not_xlsx_is_refused_at_the_upload(client_for, registrar):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client_for(registrar).post("/intake/", {"file": SimpleUploadedFile("新生.xls", b"\xd0\xcf\x11\xe0")})
    assert page.status_code == 200 and "请上传 .xlsx 格式的 Excel 文件" in page.content.decode()
    assert not IntakeImport.objects.exists()


def test_the_page_shows_the_errors_the_report_and_the_choice_of_valid_rows(client_for, registrar, checked):
    page = client_for(registrar).get(f"/intake/{checked.pk}/").content.decode()
    assert "“火星族”不在民族代码表中" in page
    assert f"/intake/{checked.pk}/errors.xlsx" in page
    assert "导入无误的行（2 人）" in page
    assert "不会保存任何一名学生" in page

    report = client_for(registrar).get(f"/intake/{checked.pk}/errors.xlsx")
    assert report.status_code == 200
    (row,) = as_dicts(read_sheet(report.content))
    assert row["原行号"] == 3 and row["民族"] == "火星族"
    assert row["错误说明"].startswith("第3行 民族：“火星族”不在民族代码表中")


def test_importing_the_valid_rows_from_the_page_submits_only_those(client_for, registrar, checked, academic_office):
    client = client_for(registrar)
    response = client.post(f"/intake/{checked.pk}/submit/")  # without the choice: refused
    assert response.status_code == 302 and response["Location"] == f"/intake/{checked.pk}/"
    assert not Intake.objects.exists()

    response = client.post(f"/intake/{checked.pk}/submit/", {"import_valid_rows": "1"})
    intake = Intake.objects.get()
    assert response["Location"] == f"/requests/{intake.pk}/"
    assert sorted(intake.entries.values_list("row__row", flat=True)) == [2, 4]
    page = client.get(f"/requests/{intake.pk}/").content.decode()
    assert "批量新生：2 人" in page and "教导处核准批量新生信息" in page
    assert open_step(academic_office, intake).title == "教导处核准批量新生信息"


def test_the_office_acknowledges_each_possible_duplicate_on_the_task_page(
    client_for, registrar, class_a, academic_office, student
):
    twin = new_pupil(
        class_a, 0, 姓名=student.name, 性别=student.gender.name, 出生日期=student.birth_date,
        身份证件号=citizen_id(area_code="330825", birth_date=student.birth_date, sequence=482, male=student.gender.code == "1"),
    )
    intake_import = intake_import_start(file=intake_file([twin, new_pupil(class_a, 1)]), by=registrar)
    intake_import_run(intake_import_id=intake_import.pk)
    intake = intake_start(intake_import=IntakeImport.objects.get(), by=registrar)
    step = open_step(academic_office, intake)
    entry = intake.flagged_entries().get()
    client = client_for(academic_office)

    page = client.get(f"/tasks/{step.pk}/").content.decode()
    assert f'name="acknowledged" value="{entry.pk}"' in page
    assert f"第2行 {student.name}：与已有学籍“{student.name}”（{student.school.name}）的姓名、性别、出生日期相同" in page

    page = client.post(f"/tasks/{step.pk}/", {"decision": "approve", "comment": ""})
    assert page.status_code == 200 and "第2行有疑似重复学籍尚未核实" in page.content.decode()
    response = client.post(f"/tasks/{step.pk}/", {"decision": "approve", "comment": "", "acknowledged": [entry.pk]})
    assert response.status_code == 302
    assert WorkItem.objects.get(pk=step.pk).decision == "approve"
    entry.refresh_from_db()
    assert entry.duplicate_acknowledged


# --- Who may open what -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["academic_office", "class_teacher", "bureau_officer", "admin_user"])
def test_only_a_registrar_opens_the_upload_page(client_for, request, who):
    assert client_for(request.getfixturevalue(who)).get("/intake/").status_code == 403


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("registrar", 200), ("academic_office", 200), ("bureau_officer", 200), ("city_officer", 200),
        ("receiving_registrar", 404), ("other_county_registrar", 404), ("class_teacher", 404),
        ("other_bureau_officer", 404),
    ],
)
@pytest.mark.parametrize("page", ["", "progress/", "errors.xlsx"])
def test_a_file_is_seen_by_its_school_and_its_region_only(client_for, request, checked, who, status, page):
    assert client_for(request.getfixturevalue(who)).get(f"/intake/{checked.pk}/{page}").status_code == status


@pytest.mark.parametrize("who", ["receiving_registrar", "other_county_registrar", "class_teacher", "other_bureau_officer"])
def test_nobody_else_submits_a_schools_file(client_for, request, checked, who):
    assert client_for(request.getfixturevalue(who)).post(f"/intake/{checked.pk}/submit/", {"import_valid_rows": "1"}).status_code == 404
    assert not Intake.objects.exists()


@pytest.mark.parametrize("who", ["academic_office", "bureau_officer"])
def test_who_sees_a_file_but_is_not_its_registrar_cannot_submit_it(client_for, request, checked, who):
    response = client_for(request.getfixturevalue(who)).post(f"/intake/{checked.pk}/submit/", {"import_valid_rows": "1"})
    assert response.status_code == 403
    assert not Intake.objects.exists()


def test_the_upload_page_lists_only_the_schools_own_files(client_for, checked, receiving_registrar, registrar):
    assert checked.original_name in client_for(registrar).get("/intake/").content.decode()
    assert checked.original_name not in client_for(receiving_registrar).get("/intake/").content.decode()


# --- Redis down ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_upload_and_its_page_work_while_the_broker_is_down(client_for, registrar, class_a, settings):
    """The broker cannot take the job: the upload succeeds, the page says the file waits, its
    progress is read from PostgreSQL even with the cache down as well, and the sweep runs the job
    once the broker is back."""
    client = client_for(registrar)
    with broker_unreachable():
        response = uploaded(client, [new_pupil(class_a, n) for n in range(2)])
        intake_import = IntakeImport.objects.get()
        assert response.status_code == 302
        assert "排队等待校验" in client.get(f"/intake/{intake_import.pk}/").content.decode()
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
        assert client.get(f"/intake/{intake_import.pk}/progress/").json()["state"] == "queued"

    # Five minutes later the broker is back and beat's sweep finds the file nobody has checked.
    IntakeImport.objects.filter(pk=intake_import.pk).update(created_at=intake_import.created_at - datetime.timedelta(minutes=5))
    assert run_waiting_intake_imports.apply().get() == 1
    assert client.get(f"/intake/{intake_import.pk}/progress/").json()["state"] == "validated"
    assert run_waiting_intake_imports.apply().get() == 0
