"""The class exports: the roster (班级名册) and the records in the national template's columns
(学籍信息, to register at the bureau, 篇10 二.2). Whoever may see the class may export it, with
ID, student and phone numbers as they read on the pages (masked for a teacher)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from .. import selectors
from ..models import SchoolClass
from ..student_sheets import XLSX_CONTENT_TYPE, records_workbook, roster_workbook
from .access import SignedInMixin


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    # RFC 6266: a Chinese file name travels percent-encoded in filename*.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def class_export(user, school_class: SchoolClass, kind: str) -> tuple[bytes, str]:
    """The roster or the records of a class the user may see, and its file name."""
    students = selectors.class_students_for_export(user, school_class)
    shown = selectors.identity_shown_to(user)
    if kind == "roster":
        return roster_workbook(school_class, students, shown=shown), f"{school_class.code}_{school_class.name}_名册.xlsx"
    return records_workbook(school_class, students, shown=shown), f"{school_class.code}_{school_class.name}_学籍信息.xlsx"


class ClassExportView(SignedInMixin, View):
    kind = "roster"

    def get(self, request, pk):
        school_class = get_object_or_404(selectors.classes_visible_to(request.user), pk=pk)
        return xlsx_response(*class_export(request.user, school_class, self.kind))
