"""An intake file's own resources (批量导入新生): the template to fill in, the progress of its
validation and its error report. The upload, the file's page and its submission start the
request: they are the intake's pages (flows/intake/)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from .. import selectors, services
from ..models import IntakeImport, Role, SchoolClass
from ..student_sheets import Codes, template_workbook
from .access import SignedInMixin
from .exports import xlsx_response


def intake_template(user) -> tuple[bytes, str]:
    """The template of the user's school, its class list filled in; for the school's registrars."""
    membership = selectors.membership_of(user)
    if not (membership and membership.role == Role.REGISTRAR and membership.school_id):
        raise PermissionDenied(_("只有学校的学籍管理员可以批量导入新生。"))
    classes = list(
        SchoolClass.objects.filter(school_id=membership.school_id, state=SchoolClass.State.OPEN).order_by("grade", "sequence")
    )
    return template_workbook(classes, Codes()), f"新生导入模板_{membership.school.name}_{timezone.localdate():%Y%m%d}.xlsx"


def visible_import(user, pk: int) -> IntakeImport:
    return get_object_or_404(selectors.intake_imports_visible_to(user), pk=pk)


def intake_error_report(user, pk: int) -> tuple[bytes, str]:
    """The error report of a file the user may see: its rows with errors, the bad cells marked."""
    intake_import = visible_import(user, pk)
    if not intake_import.error_file:
        raise Http404
    with intake_import.error_file.open("rb") as report:
        return report.read(), intake_import.error_file.name.rsplit("/", 1)[-1]


class IntakeTemplateView(SignedInMixin, View):
    def get(self, request):
        return xlsx_response(*intake_template(request.user))


class IntakeImportProgressView(SignedInMixin, View):
    """The progress bar's JSON, from PostgreSQL: it answers while Redis is down."""

    def get(self, request, pk):
        return JsonResponse(services.intake_import_progress(visible_import(request.user, pk)))


class IntakeImportErrorsView(SignedInMixin, View):
    """The error report: the rows with errors, the bad cells marked, a column of messages."""

    def get(self, request, pk):
        return xlsx_response(*intake_error_report(request.user, pk))
