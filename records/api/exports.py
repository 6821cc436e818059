"""The class exports as files: the roster and the records in the national template's columns."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from .. import selectors
from ..student_sheets import XLSX_CONTENT_TYPE
from ..views.exports import class_export, xlsx_response

XLSX_RESPONSE = {(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY}


class ClassExportView(APIView):
    """班级名册 (roster) or 学籍信息 (records) of a class you may see, as an xlsx file."""

    kind = "roster"

    @extend_schema(responses=XLSX_RESPONSE, tags=["schools"])
    def get(self, request, code):
        school_class = get_object_or_404(selectors.classes_visible_to(request.user), code=code)
        return xlsx_response(*class_export(request.user, school_class, self.kind))


class ClassRosterExportView(ClassExportView):
    """班级名册: the students placed in the class now, as the class page lists them (xlsx)."""

    kind = "roster"


class ClassRecordsExportView(ClassExportView):
    """学籍信息 of the class in the national template's columns, to register at the bureau (xlsx)."""

    kind = "records"
