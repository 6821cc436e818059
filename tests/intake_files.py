"""Intake files as a registrar fills in the template, and reading back the spreadsheets Xueji sends."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from records.student_sheets import TEMPLATE_HEADERS
from tests.factories import GIVEN_NAMES, SURNAMES, citizen_id

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# First-graders of the 2024 intake, born September 2017 – August 2018.
FIRST_BIRTH = datetime.date(2017, 9, 1)


def new_pupil(school_class, n: int, **overrides) -> dict:
    """Row `n` of an intake as the registrar types it from the household register: names as the
    drop-down lists offer them, a valid citizen ID of the school's county."""
    birth = FIRST_BIRTH + datetime.timedelta(days=n % 300)
    male = n % 2 == 0
    row = {
        "班级": school_class.name,
        "姓名": SURNAMES[(n + 7) % len(SURNAMES)] + GIVEN_NAMES[(n * 7 + 3) % len(GIVEN_NAMES)] + "新",
        "性别": "男" if male else "女",
        "出生日期": birth,
        "民族": "汉族",
        "国籍/地区": "中国",
        "港澳台侨外": "否",
        "健康状况": "健康或良好",
        "身份证件类型": "居民身份证",
        # Ten pupils share a birthday in a file of 3,000: their order numbers differ.
        "身份证件号": citizen_id(area_code=school_class.school.region.code, birth_date=birth, sequence=400 + n // 300, male=male),
        "户口所在地": "浙江省衢州市龙游县",
        "户口性质": "非农业户口",
        "入学年月": "2024-09",
        "入学方式": "就近入学",
        "就读方式": "走读",
        "学生类别": "普通学生",
        "是否留守儿童": "非留守儿童",
        "残疾类型": "非残疾",
        "现住址": "浙江省衢州市龙游县龙洲街道荣昌路1号",
        "联系电话": "13900000001",
        "成员1姓名": "林建华",
        "成员1关系": "父亲",
        "成员1是否监护人": "是",
        "成员1联系电话": "13900000002",
        "成员2姓名": "陈美玲",
        "成员2关系": "母亲",
        "成员2是否监护人": "否",
    }
    row.update(overrides)
    return {key: value for key, value in row.items() if value is not None}


def workbook_bytes(rows: list[dict], headers=TEMPLATE_HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "新生信息"
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def intake_file(rows: list[dict], *, name: str = "2024级新生.xlsx", headers=TEMPLATE_HEADERS) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(rows, headers), content_type=XLSX)


def read_sheet(content: bytes, sheet: int = 0) -> list[list]:
    """Every row of a worksheet of an xlsx answer, header first, as openpyxl reads it."""
    workbook = load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]


def as_dicts(rows: list[list]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]
