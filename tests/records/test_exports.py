"""Class exports (篇10 二.2): the roster, and the records in the national template's columns, for
whoever may see the class; opened with openpyxl as the bureau's clerk would open them."""

from __future__ import annotations

import datetime
from urllib.parse import unquote

import pytest

from records.models import CodeTable
from records.selectors import identity_shown_to
from records.record_form import STUDENT_FIELD_GROUPS
from records.services import code_get, family_members_replace, student_update
from records.student_sheets import EXPORT_HEADERS, RECORD_COLUMNS, ROSTER_HEADERS, TEMPLATE_HEADERS
from tests.factories import StudentFactory
from tests.intake_files import XLSX, as_dicts, read_sheet


@pytest.fixture
def pupils(class_a, registrar):
    first = StudentFactory(school_class=class_a, by=registrar, name="林晓雨", gender="2")
    student_update(
        student=first, by=registrar,
        data={"ethnicity": code_get(CodeTable.ETHNICITY, "02"), "only_child": True, "postal_code": "324400",
              "distance_km": "1.5", "transport": code_get(CodeTable.TRANSPORT, "3")},
    )
    family_members_replace(
        student=first, by=registrar,
        members=[
            {"name": "林建华", "relationship": code_get(CodeTable.RELATIONSHIP, "1"), "is_guardian": True, "phone": "13900000002"},
            {"name": "陈美玲", "relationship": code_get(CodeTable.RELATIONSHIP, "2"), "is_guardian": False,
             "id_type": code_get(CodeTable.ID_TYPE, "1"), "id_number": "330825198801010027"},
        ],
    )
    second = StudentFactory(school_class=class_a, by=registrar, name="王子涵", gender="1")
    return [first, second]


def test_the_column_list_follows_the_national_form_then_family_members_one_and_two():
    own = [c.field for c in RECORD_COLUMNS if not c.member]
    national = [name for _title, names in STUDENT_FIELD_GROUPS for name in names if name in own]
    assert own == national
    members = [c for c in RECORD_COLUMNS if c.member]
    assert [c.member for c in members] == [1] * 11 + [2] * 11
    assert [c.header.removeprefix("成员1") for c in members[:11]] == [c.header.removeprefix("成员2") for c in members[11:]]
    assert EXPORT_HEADERS[:2] == ("学籍号", "班级") and TEMPLATE_HEADERS[0] == "班级"


def test_the_roster_export_lists_the_class_as_its_page_does(client_for, registrar, class_a, pupils, django_assert_max_num_queries):
    client = client_for(registrar)
    # The session, the user and the membership, the class, the students with their codes, the families.
    with django_assert_max_num_queries(6):
        response = client.get(f"/classes/{class_a.pk}/roster.xlsx")

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert unquote(response["Content-Disposition"].split("''")[1]) == f"{class_a.code}_{class_a.name}_名册.xlsx"
    rows = read_sheet(response.content)
    assert tuple(rows[0]) == ROSTER_HEADERS
    body = as_dicts(rows)
    assert [(r["序号"], r["姓名"], r["学籍号"], r["性别"]) for r in body] == [
        (1, "林晓雨", pupils[0].student_number, "女"), (2, "王子涵", pupils[1].student_number, "男"),
    ]
    assert body[0]["民族"] == "蒙古族" and body[0]["学籍状态"] == "在籍"
    assert body[0]["出生日期"].date() == pupils[0].birth_date
    assert body[0]["编入本班日期"].date() == datetime.date.today()


def test_the_records_export_has_the_national_columns_with_codes_by_name(client_for, registrar, class_a, pupils):
    response = client_for(registrar).get(f"/classes/{class_a.pk}/records.xlsx")

    assert response.status_code == 200
    rows = read_sheet(response.content)
    assert tuple(rows[0]) == EXPORT_HEADERS
    first = as_dicts(rows)[0]
    student = pupils[0]
    assert first["学籍号"] == student.student_number and first["班级"] == class_a.name
    assert (first["姓名"], first["性别"], first["民族"], first["身份证件类型"]) == ("林晓雨", "女", "蒙古族", "居民身份证")
    assert first["身份证件号"] == student.id_number
    assert first["出生日期"].date() == student.birth_date
    assert first["入学年月"].date() == student.entry_date
    assert (first["是否独生子女"], first["是否受过学前教育"], first["是否孤儿"]) == ("是", "是", "否")
    assert (first["邮政编码"], first["上下学距离（公里）"], first["上下学方式"]) == ("324400", 1.5, "家长自行接送")
    assert (first["成员1姓名"], first["成员1关系"], first["成员1是否监护人"], first["成员1联系电话"]) == ("林建华", "父亲", "是", "13900000002")
    assert (first["成员2姓名"], first["成员2关系"], first["成员2是否监护人"]) == ("陈美玲", "母亲", "否")
    assert first["成员2身份证件号"] == "330825198801010027"
    second = as_dicts(rows)[1]
    assert second["成员2姓名"] is None


def test_an_export_reads_back_through_the_intake_and_only_one_person_one_record_stops_it(
    client_for, registrar, class_a, pupils
):
    """A registrar re-importing an export: every code and date reads back; the rows are refused only
    because the students have their records already."""
    from flows.intake.tasks import intake_import_run, intake_import_start
    from tests.intake_files import intake_file

    rows = as_dicts(read_sheet(client_for(registrar).get(f"/classes/{class_a.pk}/records.xlsx").content))
    intake_import = intake_import_start(file=intake_file(rows, headers=EXPORT_HEADERS), by=registrar)
    intake_import_run(intake_import_id=intake_import.pk)

    errors = {row.row: row.errors for row in intake_import.rows.all()}
    assert errors == {
        2: {"身份证件号": f"该证件号已有学籍，学籍在“{class_a.school.name}”。一人只能有一个学籍：请通过转学或复学办理。"},
        3: {"身份证件号": f"该证件号已有学籍，学籍在“{class_a.school.name}”。一人只能有一个学籍：请通过转学或复学办理。"},
    }


@pytest.mark.parametrize("export", ["roster.xlsx", "records.xlsx"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("registrar", 200), ("academic_office", 200), ("class_teacher", 200), ("bureau_officer", 200),
        ("city_officer", 200), ("receiving_registrar", 404), ("other_county_registrar", 404),
        ("other_bureau_officer", 404),
    ],
)
def test_whoever_may_see_the_class_may_export_it(client_for, request, pupils, class_a, export, who, status):
    response = client_for(request.getfixturevalue(who)).get(f"/classes/{class_a.pk}/{export}")
    assert response.status_code == status
    if status == 200:
        numbers = [row["学籍号"] for row in as_dicts(read_sheet(response.content))]
        # A teacher's export reads as the teacher's pages do: student numbers masked.
        shown = identity_shown_to(request.getfixturevalue(who))
        assert numbers == [shown.student_number(p.student_number) for p in pupils]


def test_a_teacher_exports_only_their_own_class(client_for, class_teacher, class_a2, registrar):
    StudentFactory(school_class=class_a2, by=registrar)
    assert client_for(class_teacher).get(f"/classes/{class_a2.pk}/roster.xlsx").status_code == 404


def test_the_class_page_offers_both_exports(client_for, class_teacher, class_a):
    page = client_for(class_teacher).get(f"/classes/{class_a.pk}/").content.decode()
    assert f"/classes/{class_a.pk}/roster.xlsx" in page and f"/classes/{class_a.pk}/records.xlsx" in page


def test_signed_out_users_are_sent_to_the_login(client, class_a):
    response = client.get(f"/classes/{class_a.pk}/roster.xlsx")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
