"""Spreadsheets of student records (xlsx, through openpyxl), by subject:

    columns    the national template's columns in its order, and each sheet's headers
    reading    an intake file read as a stream, cell by cell, with a message for each bad cell
    workbooks  the class exports, the intake template and an intake file's error report

The register's services and pages import from here.
"""

from .columns import (
    CLASS_HEADER,
    EXPORT_HEADERS,
    RECORD_COLUMNS,
    REQUIRED_MEMBER_FIELDS,
    ROSTER_HEADERS,
    STUDENT_NUMBER_HEADER,
    TEMPLATE_HEADERS,
    XLSX_CONTENT_TYPE,
    Column,
    required,
)
from .reading import CellError, Codes, IntakeSheet, cell_reader, cell_text
from .workbooks import ErrorRow, error_workbook, records_workbook, roster_workbook, template_workbook

__all__ = [
    "CLASS_HEADER", "EXPORT_HEADERS", "RECORD_COLUMNS", "REQUIRED_MEMBER_FIELDS", "ROSTER_HEADERS",
    "STUDENT_NUMBER_HEADER", "TEMPLATE_HEADERS", "XLSX_CONTENT_TYPE", "Column", "required",
    "CellError", "Codes", "IntakeSheet", "cell_reader", "cell_text",
    "ErrorRow", "error_workbook", "records_workbook", "roster_workbook", "template_workbook",
]
