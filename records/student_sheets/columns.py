"""The national template's columns (学生基础信息), in its order, and the headers of each sheet.

Headers are Chinese whatever the page's language: they are the national template's, and an import
finds its columns by them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from django.db import models

from ..models import Code, FamilyMember, Student

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of the template: its header and the record item it holds."""

    header: str
    field: str
    member: int = 0  # 0: the student's own item; 1 or 2: that family member's

    @cached_property
    def model_field(self) -> models.Field:
        return (FamilyMember if self.member else Student)._meta.get_field(self.field)

    @cached_property
    def table(self) -> str | None:
        """The code table of a coded item (民族, 身份证件类型 …), None for any other."""
        field = self.model_field
        if isinstance(field, models.ForeignKey) and field.related_model is Code:
            return field.get_limit_choices_to()["table"]
        return None

    @property
    def is_text(self) -> bool:
        return isinstance(self.model_field, models.CharField) and self.table is None


def _member_columns(n: int) -> tuple[Column, ...]:
    items = (
        ("姓名", "name"), ("关系", "relationship"), ("民族", "ethnicity"), ("工作单位", "work_unit"),
        ("现住址", "address"), ("户口所在地", "household_place"), ("联系电话", "phone"),
        ("是否监护人", "is_guardian"), ("身份证件类型", "id_type"), ("身份证件号", "id_number"), ("职务", "job_title"),
    )
    return tuple(Column(f"成员{n}{label}", field, n) for label, field in items)


# The national new-student template (学生基础信息), column by column: the student form's items in
# its order — basic information, ID document, household, school record, family and special flags,
# contact and transport (records/record_form.py groups the record the same way) — then family
# members 1 and 2, each with the form's items of a family member. What the system issues or keeps
# (学籍号, status, school, poverty status) is not entered: the class export puts the 学籍号 in
# front, the intake template puts the class (班级) in front.
RECORD_COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name"), Column("曾用名", "former_names"), Column("性别", "gender"),
    Column("出生日期", "birth_date"), Column("出生地", "birthplace"), Column("籍贯", "native_place"),
    Column("民族", "ethnicity"), Column("国籍/地区", "nationality"), Column("港澳台侨外", "overseas_chinese"),
    Column("健康状况", "health"),
    Column("身份证件类型", "id_type"), Column("身份证件号", "id_number"),
    Column("户口所在地", "household_place"), Column("户口性质", "household_type"),
    Column("入学年月", "entry_date"), Column("入学方式", "entry_way"), Column("就读方式", "study_mode"),
    Column("学生类别", "student_type"),
    Column("是否独生子女", "only_child"), Column("是否受过学前教育", "preschool"), Column("是否留守儿童", "left_behind"),
    Column("是否进城务工人员随迁子女", "migrant_worker_child"), Column("是否孤儿", "orphan"),
    Column("是否烈士或优抚子女", "martyr_child"), Column("是否需要申请资助", "needs_aid"),
    Column("是否享受一补", "enjoys_subsidy"), Column("残疾类型", "disability_type"),
    Column("现住址", "current_address"), Column("家庭地址", "home_address"), Column("联系电话", "contact_phone"),
    Column("邮政编码", "postal_code"), Column("上下学距离（公里）", "distance_km"), Column("上下学方式", "transport"),
    Column("是否需要乘坐校车", "school_bus"),
    *_member_columns(1),
    *_member_columns(2),
)
STUDENT_NUMBER_HEADER = "学籍号"
CLASS_HEADER = "班级"
EXPORT_HEADERS = (STUDENT_NUMBER_HEADER, CLASS_HEADER, *(c.header for c in RECORD_COLUMNS))
TEMPLATE_HEADERS = (CLASS_HEADER, *(c.header for c in RECORD_COLUMNS))

# The class roster (班级名册): what the class page lists, and since when each student is in the class.
ROSTER_HEADERS = ("序号", "学籍号", "姓名", "性别", "出生日期", "民族", "学籍状态", "编入本班日期")

# Items an intake row must have (beyond these, the model's own required fields); 身份证件号 is
# required unless the ID type is 其他, 成员2's only when any of member 2's cells is filled.
REQUIRED_MEMBER_FIELDS = ("name", "relationship")


def header_key(header) -> str:
    """A header as typed by hand (spaces, a required mark *, half-width brackets) as the template has it."""
    text = re.sub(r"\s+", "", str(header or "")).replace("*", "").replace("＊", "")
    return text.replace("(", "（").replace(")", "）")


COLUMNS_BY_HEADER = {header_key(c.header): c for c in RECORD_COLUMNS}


def required(column: Column) -> bool:
    """Whether the template marks the column as required (the validation has the full rules)."""
    if column.member == 1:
        return column.field in REQUIRED_MEMBER_FIELDS
    if column.member:
        return False
    field = column.model_field
    return not field.blank and not isinstance(field, models.BooleanField) and column.field != "id_number"

