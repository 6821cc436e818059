"""Writing the sheets: the class exports (班级名册, 学籍信息), the intake template with its code
lists and its guide, and the error report of an intake file.

Coded items are written by name (汉族, 居民身份证), as the national form shows them and as the
bureau reads them; the import takes the name or the code, so an export reads back.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Code, CodeTable, FamilyMember, SchoolClass, Student
from .columns import (
    CLASS_HEADER,
    COLUMNS_BY_HEADER,
    EXPORT_HEADERS,
    RECORD_COLUMNS,
    ROSTER_HEADERS,
    TEMPLATE_HEADERS,
    Column,
    header_key,
    required,
)
from .reading import Codes

# The headers' fonts and the marks of a bad cell in the error report.
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
BAD_FONT = Font(color="9C0006")
HEADER_FONT = Font(bold=True)
REQUIRED_HEADER_FONT = Font(bold=True, color="C00000")
WRAP = Alignment(wrap_text=True, vertical="top")


def student_item(student: Student, column: Column, members: dict[int, FamilyMember], shown):
    """A record item as the export writes it: a code by its name, 是/否, a date, a number or text;
    ID and phone numbers as `shown` (selectors.identity_shown_to(the viewer)) lets them read."""
    source = members.get(column.member) if column.member else student
    if source is None:
        return None
    value = shown.field(column.field, getattr(source, column.field))
    if isinstance(value, Code):
        return value.name
    if isinstance(value, bool):
        return "是" if value else "否"
    if value == "":
        return None
    return value


def _workbook_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _header(sheet, headers: Sequence[str], *, widths: dict[int, int] | None = None, marked=()) -> None:
    sheet.append(list(headers))
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = REQUIRED_HEADER_FONT if header in marked else HEADER_FONT
        width = (widths or {}).get(index) or max(8, min(30, len(header) * 2 + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _date_format(sheet, headers: Sequence[str]) -> None:
    for index, header in enumerate(headers, start=1):
        column = COLUMNS_BY_HEADER.get(header_key(header))
        if column is None or not isinstance(column.model_field, models.DateField):
            continue
        letter = get_column_letter(index)
        pattern = "yyyy-mm" if column.field == "entry_date" else "yyyy-mm-dd"
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = pattern
        sheet.column_dimensions[letter].width = 12


def _print_title(sheet, title: str) -> None:
    sheet.oddHeader.center.text = title
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"


def roster_workbook(school_class: SchoolClass, students: Iterable[Student], *, shown) -> bytes:
    """班级名册: the students placed in the class now, as its page lists them. `students` carry
    gender and ethnicity (select_related) and `placed_on` (the open placement's start); student
    numbers as `shown` lets the viewer read them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(school_class.name)
    _header(sheet, ROSTER_HEADERS, widths={2: 22, 3: 12, 7: 10, 8: 14})
    for n, student in enumerate(students, start=1):
        sheet.append([
            n, shown.student_number(student.student_number), student.name, student.gender.name, student.birth_date,
            student.ethnicity.name, student.get_status_display(), student.placed_on,
        ])
        sheet.cell(row=n + 1, column=5).number_format = "yyyy-mm-dd"
        sheet.cell(row=n + 1, column=8).number_format = "yyyy-mm-dd"
    _print_title(sheet, f"{school_class.school.name} {school_class.name} 名册（{timezone.localdate():%Y-%m-%d}）")
    return _workbook_bytes(workbook)


def records_workbook(school_class: SchoolClass, students: Iterable[Student], *, shown) -> bytes:
    """学籍信息 of a class in the national template's columns, the 学籍号 and class in front, to
    register at the bureau (篇10 二.2). `students` carry their code fields (select_related) and
    `family_members` (prefetched, with theirs); ID, student and phone numbers as `shown` lets the
    viewer read them (a teacher's export is masked)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(school_class.name)
    _header(sheet, EXPORT_HEADERS, widths={1: 22, 2: 14}, marked={c.header for c in RECORD_COLUMNS if required(c)})
    for student in students:
        members = {m.position: m for m in student.family_members.all()}
        sheet.append([
            shown.student_number(student.student_number), school_class.name,
            *(student_item(student, c, members, shown) for c in RECORD_COLUMNS),
        ])
    _date_format(sheet, EXPORT_HEADERS)
    _print_title(sheet, f"{school_class.school.name} {school_class.name} 学籍信息")
    return _workbook_bytes(workbook)


def _sheet_title(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"


def template_workbook(classes: Sequence[SchoolClass], codes: Codes) -> bytes:
    """The intake template: the 班级 column and the national columns, a drop-down list on every
    coded column (names from the 代码表 sheet; a code typed instead is accepted as well), text
    format on the number-like columns so that Excel keeps their leading zeros and last digits,
    and a 填表说明 sheet of what each column takes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "新生信息"
    columns = (None, *RECORD_COLUMNS)  # None: the class column
    _header(sheet, TEMPLATE_HEADERS, widths={1: 16}, marked={CLASS_HEADER, *(c.header for c in RECORD_COLUMNS if required(c))})

    lists = workbook.create_sheet("代码表")
    ranges: dict[str, str] = {}
    list_columns = [("班级", [c.name for c in classes], [c.code for c in classes])]
    for table in CodeTable:
        rows = codes.tables.get(table.value, [])
        if rows and table != CodeTable.DROPOUT_REASON:
            list_columns.append((table.label, [c.name for c in rows], [c.code for c in rows]))
    list_columns.append((_("是否"), ["是", "否"], ["1", "0"]))
    for n, (label, names, values) in enumerate(list_columns):
        name_col, code_col = 2 * n + 1, 2 * n + 2
        lists.cell(row=1, column=name_col, value=f"{label}名称" if label != "班级" else "班级名称").font = HEADER_FONT
        lists.cell(row=1, column=code_col, value=f"{label}代码" if label != "班级" else "班级编码").font = HEADER_FONT
        for row, (name, value) in enumerate(zip(names, values, strict=True), start=2):
            lists.cell(row=row, column=name_col, value=name)
            lists.cell(row=row, column=code_col, value=value)
        letter = get_column_letter(name_col)
        lists.column_dimensions[letter].width = 18
        lists.column_dimensions[get_column_letter(code_col)].width = 10
        ranges[str(label)] = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${max(len(names), 1) + 1}"

    last_row = 10_001
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column is None:
            source = ranges["班级"]
        elif column.table:
            source = ranges[str(CodeTable(column.table).label)]
        elif isinstance(column.model_field, models.BooleanField):
            source = ranges[str(_("是否"))]
        else:
            source = None
            if column.is_text:
                # Text, not number: 身份证件号 keeps its last digits, 邮政编码 its leading zero.
                sheet.column_dimensions[letter].number_format = "@"
            continue
        # A warning, not a stop: the drop-down offers names, and a code typed instead is accepted too.
        validation = DataValidation(
            type="list", formula1=source, allow_blank=True, showErrorMessage=True, errorStyle="warning"
        )
        validation.error = _("请从下拉列表中选择，或填写代码表中的代码。")
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)

    guide = workbook.create_sheet("填表说明")
    guide.append([_("列名"), _("是否必填"), _("填写要求")])
    for cell in guide[1]:
        cell.font = HEADER_FONT
    guide.append([CLASS_HEADER, "是", _("本校在读班级的名称或12位班级编码，见“代码表”。")])
    for column in RECORD_COLUMNS:
        guide.append([column.header, "是" if required(column) else "否", _column_guide(column)])
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 80
    for sheet_ in (lists, guide):
        sheet_.freeze_panes = "A2"
    return _workbook_bytes(workbook)


def _column_guide(column: Column) -> str:
    field = column.model_field
    if column.field == "id_number":
        base = _("文本格式；居民身份证须为18位，最后一位为校验位。")
        return base + (_("证件类型为“其他”时可不填。") if not column.member else "")
    if column.table:
        return _("“%(table)s”代码表中的名称或代码，见“代码表”。") % {"table": CodeTable(column.table).label}
    if isinstance(field, models.BooleanField):
        return _("是 / 否，不填为“%(default)s”。") % {"default": "是" if field.default else "否"}
    if column.field == "entry_date":
        return _("年月，如 2023-09。")
    if isinstance(field, models.DateField):
        return _("日期，如 2017-03-15；持居民身份证的须与证件号一致。")
    if isinstance(field, models.DecimalField):
        return _("公里数，如 1.5。")
    if column.field == "postal_code":
        return _("6位数字，文本格式。")
    if column.field == "is_guardian":
        return _("是 / 否；两名成员中至少一人须为监护人。")
    return _("不超过%(n)d个字。") % {"n": field.max_length}


@dataclass(frozen=True)
class ErrorRow:
    row: int
    values: tuple
    errors: dict[str, str]  # header → what is wrong


def error_message(row: int, errors: dict[str, str]) -> str:
    """The message column of the error report: the row, each column and what is wrong with it."""
    return "\n".join(
        _("第%(row)d行 %(column)s：%(error)s") % {"row": row, "column": column, "error": error}
        for column, error in errors.items()
    )


def error_workbook(headers: Sequence, rows: Iterable[ErrorRow]) -> bytes:
    """错误报告: the rows with errors as they were uploaded, with their row number in front, each
    bad cell marked (and its message as the cell's comment), and a column of messages at the end.
    Its headers are the upload's, so the file can be corrected and uploaded again."""
    headers = tuple("" if h is None else str(h) for h in headers)
    positions = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        if key == CLASS_HEADER:
            positions.setdefault(CLASS_HEADER, index)
        elif key in COLUMNS_BY_HEADER:
            positions.setdefault(COLUMNS_BY_HEADER[key].header, index)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("错误行"))
    sheet.freeze_panes = "B2"
    all_headers = (_("原行号"), *headers, _("错误说明"))
    for index, header in enumerate(all_headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 60 if index == len(all_headers) else max(8, min(24, len(header) * 2 + 2))
    header_cells = []
    for header in all_headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = HEADER_FONT
        header_cells.append(cell)
    sheet.append(header_cells)
    for item in rows:
        bad = {positions[h]: message for h, message in item.errors.items() if h in positions}
        cells = [WriteOnlyCell(sheet, value=item.row)]
        for index in range(len(headers)):
            value = item.values[index] if index < len(item.values) else None
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, (datetime.date, datetime.datetime)):
                cell.number_format = "yyyy-mm-dd"
            if index in bad:
                cell.fill, cell.font = BAD_FILL, BAD_FONT
                cell.comment = Comment(bad[index], "Xueji")
            cells.append(cell)
        message = WriteOnlyCell(sheet, value=error_message(item.row, item.errors))
        message.alignment, message.font = WRAP, BAD_FONT
        cells.append(message)
        sheet.append(cells)
    return _workbook_bytes(workbook)
