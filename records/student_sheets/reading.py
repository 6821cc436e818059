"""Reading an intake file: its first worksheet as a stream, its columns found by header, and each
cell read as a record item (a code by its name or its code, a date, 是/否, a number or text) with a
message in Chinese saying what is wrong with it."""

from __future__ import annotations

import datetime
import decimal
import re
import zipfile
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..models import Code, CodeTable
from .columns import CLASS_HEADER, COLUMNS_BY_HEADER, RECORD_COLUMNS, Column, header_key, required


class CellError(ValueError):
    """What is wrong with one cell, in Chinese; the caller names the row and the column."""


class Codes:
    """The national code tables, loaded once, found by code or by name (汉族 or 01 or 1)."""

    def __init__(self, rows: Iterable[Code] | None = None):
        rows = list(Code.objects.all()) if rows is None else list(rows)
        self.by_key: dict[tuple[str, str], Code] = {}
        self.by_pk: dict[int, Code] = {}
        self.tables: dict[str, list[Code]] = {}
        for code in rows:
            self.by_pk[code.pk] = code
            self.tables.setdefault(code.table, []).append(code)
            self.by_key[(code.table, code.code)] = code
        for code in rows:
            self.by_key.setdefault((code.table, code.name), code)
            # A code typed as a number loses its leading zeros in Excel: 01 汉族 arrives as 1.
            self.by_key.setdefault((code.table, code.code.lstrip("0") or "0"), code)

    def get(self, table: str, code: str) -> Code:
        return self.by_key[(table, code)]

    def code_of(self, table: str, code: str) -> Code | None:
        return self.by_key.get((table, code))

    def find(self, table: str, text: str) -> Code | None:
        found = self.by_key.get((table, text))
        if found is None and " " in text:  # "01 汉族"
            first, rest = text.split(" ", 1)
            found = self.by_key.get((table, first)) or self.by_key.get((table, rest.strip()))
        return found


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


# 2017-03-15, 2017/3/15, 2017.3.15, 20170315, 2017年3月15日; for a year and month, the same without the day.
_DATE = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?|(\d{2})(\d{2})?)$")
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "无"}


def read_date(value, *, month: bool = False) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    found = _DATE.match(text)
    if found:
        year, month_part, day_part, compact_month, compact_day = found.groups()
        month_part, day_part = month_part or compact_month, day_part or compact_day
        if day_part or month:
            try:
                return datetime.date(int(year), int(month_part), int(day_part or 1))
            except ValueError:
                pass
    if month:
        raise CellError(_("“%(value)s”不是有效的年月，请按 2023-09 的格式填写。") % {"value": text})
    raise CellError(_("“%(value)s”不是有效日期，请按 2017-03-15 的格式填写。") % {"value": text})


def read_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s”无法识别，请填写“是”或“否”。") % {"value": cell_text(value)})


def cell_reader(column: Column, codes: Codes):
    """A function reading one cell of the column as the record item's value (a Code, a date, a
    bool, a Decimal or text), None when the cell is empty; it raises CellError saying what is
    wrong. Built once per column of a file: a file has hundreds of thousands of cells."""
    field = column.model_field
    if column.table:
        table, keys = column.table, codes.by_key
        example = codes.tables.get(table, [None])[0]
        hint = _("（可填代码或名称，如“%(code)s”或“%(name)s”）") % {"code": example.code, "name": example.name} if example else ""

        def read(value):
            text = value.strip() if isinstance(value, str) else cell_text(value)
            code = keys.get((table, text)) or codes.find(table, text)
            if code is None:
                raise CellError(
                    _("“%(value)s”不在%(table)s代码表中%(hint)s。") % {"value": text, "table": CodeTable(table).label, "hint": hint}
                )
            return code
    elif isinstance(field, models.BooleanField):
        read = read_bool
    elif isinstance(field, models.DateField):
        month = column.field == "entry_date"

        def read(value):
            return read_date(value, month=month)
    elif isinstance(field, models.DecimalField):
        limit = decimal.Decimal(10) ** (field.max_digits - field.decimal_places)
        step = decimal.Decimal(1).scaleb(-field.decimal_places)

        def read(value):
            try:
                number = decimal.Decimal(cell_text(value))
            except decimal.InvalidOperation:
                raise CellError(_("“%(value)s”不是数字，请填写公里数，如 1.5。") % {"value": cell_text(value)}) from None
            if not number.is_finite() or number < 0 or number >= limit:
                raise CellError(_("请填写 0 到 %(limit)s 之间的公里数。") % {"limit": limit - 1})
            return number.quantize(step, rounding=decimal.ROUND_HALF_UP)
    else:
        max_length, upper = field.max_length, column.field == "id_number"

        def read(value):
            if upper and isinstance(value, (int, float)) and not isinstance(value, bool):
                # Excel keeps 15 significant digits: an 18-digit number typed into a number cell has lost its last ones.
                raise CellError(_("证件号被 Excel 存成了数字，末几位可能已丢失：请把这一列设为“文本”格式后重新填写。"))
            text = value.strip() if isinstance(value, str) else cell_text(value)
            if upper:
                text = text.upper()
            if max_length and len(text) > max_length:
                raise CellError(_("不能超过%(n)d个字（现有%(count)d个）。") % {"n": max_length, "count": len(text)})
            return text

    def reader(value):
        if value is None or (value.__class__ is str and not value.strip()):
            return None
        return read(value)

    return reader


# --- Reading an intake file ---------------------------------------------------------------------------


class IntakeSheet:
    """The first worksheet of an uploaded intake file, read as a stream (openpyxl's read-only mode).

    The header row is found among the first rows by its 姓名 column; columns are matched by header,
    so they may come in any order, and columns the template does not have (序号, 学籍号, 原行号,
    错误说明 …) are left alone.
    """

    HEADER_SEARCH_ROWS = 10

    def __init__(self, file):
        try:
            self.workbook = load_workbook(file, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
            raise ValidationError(
                {"file": _("无法读取该文件：请上传 Excel 的 .xlsx 文件（可先下载导入模板）。")}, code="unreadable"
            ) from error
        self.sheet = self.workbook.worksheets[0]
        self._rows = self.sheet.iter_rows(values_only=True)
        self.header_row = 0
        self.headers: tuple = ()
        for number, values in enumerate(self._rows, start=1):
            if any(header_key(v) == "姓名" for v in values or ()):
                self.header_row, self.headers = number, tuple(values)
                break
            if number >= self.HEADER_SEARCH_ROWS:
                break
        if not self.header_row:
            self.close()
            raise ValidationError({"file": _("没有找到表头行（含“姓名”列）：请使用导入模板。")}, code="no_header")
        self.positions: dict[str, int] = {}  # header → index
        self.columns: list[tuple[int, Column]] = []
        for index, header in enumerate(self.headers):
            key = header_key(header)
            if key == CLASS_HEADER:
                self.positions[CLASS_HEADER] = index
            elif key in COLUMNS_BY_HEADER and COLUMNS_BY_HEADER[key].header not in self.positions:
                column = COLUMNS_BY_HEADER[key]
                self.positions[column.header] = index
                self.columns.append((index, column))
        missing = [c.header for c in RECORD_COLUMNS if required(c) and c.header not in self.positions]
        if CLASS_HEADER not in self.positions:
            missing.insert(0, CLASS_HEADER)
        if missing:
            self.close()
            raise ValidationError(
                {"file": _("缺少必填的列：%(columns)s。请使用导入模板。") % {"columns": "、".join(missing)}}, code="missing_columns"
            )

    @property
    def estimated_rows(self) -> int:
        """The data rows the sheet says it has (its dimension; 0 when the file does not say)."""
        return max((self.sheet.max_row or 0) - self.header_row, 0)

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(row number in the file, cell values) of every row below the header with any value."""
        for number, values in enumerate(self._rows, start=self.header_row + 1):
            if values and any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                yield number, values

    def close(self) -> None:
        self.workbook.close()

