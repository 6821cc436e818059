"""Spreadsheets (xlsx, openpyxl) of what a page shows: one sheet per table, a caption above it."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: list[list]
    caption: list[str] = field(default_factory=list)  # lines above the table: what was asked for


def workbook(sheets: list[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        page = book.create_sheet(title=sheet.title[:31])
        for line in sheet.caption:
            page.append([line])
        if sheet.caption:
            page.append([])
        header_row = page.max_row + 1 if sheet.caption else 1
        page.append(sheet.header)
        for cell in page[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in sheet.rows:
            page.append(row)
        page.freeze_panes = page.cell(row=header_row + 1, column=1)
        for index, title in enumerate(sheet.header, start=1):
            values = [str(title), *(str(row[index - 1]) for row in sheet.rows if index - 1 < len(row))]
            # CJK characters are about twice as wide as Latin ones.
            width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in value) for value in values)
            page.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 6), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def wants_xlsx(request) -> bool:
    """A page offers what it shows as xlsx at its own address with ?format=xlsx."""
    return request.GET.get("format") == "xlsx"


def page_query(request, **changes) -> str:
    """The page's query string without its page number and format, with `changes` set."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


def xlsx_url(query: str) -> str:
    """The address of the page's xlsx, with the page's filters (`query`, from page_query)."""
    return f"?{query}{'&' if query else ''}format=xlsx"


def workbook_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    response = HttpResponse(workbook(sheets), content_type=XLSX)
    # RFC 6266: an ASCII fallback, and the Chinese name for browsers that read filename*.
    response["Content-Disposition"] = f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response
