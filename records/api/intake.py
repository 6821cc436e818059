"""An intake file's own resources on the API (批量导入新生): the template and the error report. The
upload, a file's detail and its submission start the request: flows/intake/api.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from ..views.exports import xlsx_response
from ..views.intake import intake_error_report, intake_template
from .exports import XLSX_RESPONSE


class IntakeImportErrorsView(APIView):
    """The error report (xlsx): the rows with errors, bad cells marked, a column of messages."""

    @extend_schema(responses=XLSX_RESPONSE, tags=["intake"])
    def get(self, request, pk):
        return xlsx_response(*intake_error_report(request.user, pk))


class IntakeTemplateView(APIView):
    """The intake template of your school (xlsx): the class and the national template's columns."""

    @extend_schema(responses=XLSX_RESPONSE, tags=["intake"])
    def get(self, request):
        return xlsx_response(*intake_template(request.user))
