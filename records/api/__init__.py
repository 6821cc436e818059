"""The register on the REST API (/api/v1/), by subject; config/api_urls.py names the views.

Thin views: read through records.selectors (what the user may not see is a 404), write through
records.services. The requests' endpoints are in flows/api.py.
"""

from .accounts import SchoolAccountDetail, SchoolAccountList, SchoolAccountPasswordView
from .auth import ApiTokenDetail, ApiTokenList, MeView, TokenThrottle, TokenView
from .common import FocusFilterSerializer, Ordering, query_filters, require_report_reader, valid_form
from .dropouts import DropoutList, FollowUpList
from .exports import ClassRecordsExportView, ClassRosterExportView
from .intake import IntakeImportErrorsView, IntakeTemplateView
from .rollover import RolloverDetailView, RolloverListView, RolloverPreviewView, RolloverUndoView
from .schools import BureauCalendarView, SchoolClassList, SchoolList
from .students import StudentClassView, StudentDetail, StudentList, StudentLookupView
from .term_work import (
    ClassCommentsView,
    ClassGradesView,
    ClassHeadCountsView,
    ClassTermWorkView,
    StudentCommentView,
    StudentGradeView,
    StudentTermRecordsView,
    TermWorkList,
)

__all__ = [
    "SchoolAccountDetail", "SchoolAccountList", "SchoolAccountPasswordView",
    "ApiTokenDetail", "ApiTokenList", "MeView", "TokenThrottle", "TokenView", "Ordering", "query_filters", "RolloverDetailView", "RolloverListView",
    "RolloverPreviewView", "RolloverUndoView", "BureauCalendarView", "SchoolClassList", "SchoolList",
    "StudentClassView", "StudentDetail", "StudentList", "StudentLookupView",
    "ClassCommentsView", "ClassGradesView", "ClassHeadCountsView", "ClassTermWorkView", "StudentCommentView",
    "StudentGradeView", "StudentTermRecordsView", "TermWorkList",
    "FocusFilterSerializer", "require_report_reader", "valid_form", "DropoutList", "FollowUpList",
    "ClassRecordsExportView", "ClassRosterExportView", "IntakeImportErrorsView", "IntakeTemplateView",
]
