"""Reading the report pages (statistics, dropout follow-ups, term reports) as their users read
them: a count table of the page, the sheets of its xlsx."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook


def table(page: str, table_id: str) -> dict[str, list[str]]:
    """A count table of the page as {first cell: [the other cells]}."""
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def sheets(response) -> dict[str, list[list]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def sheet_rows(rows: list[list], first: str) -> dict:
    """The sheet's table below its caption, as {first cell: the other cells}."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == first)
    return {row[0]: row[1:] for row in rows[start:]}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()
