"""The REST API under /api/: version 1 of the endpoints, the OpenAPI schema and its Swagger UI."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from documents import api as documents_api
from flows import api as flows_api
from flows.intake import api as intake_api
from records import api as records_api
from reports import api as reports_api

v1 = [
    path("auth/token/", records_api.TokenView.as_view(), name="api-token"),
    # The caller's own tokens (issue 14): list them, revoke one or all.
    path("auth/tokens/", records_api.ApiTokenList.as_view(), name="api-tokens"),
    path("auth/tokens/<str:prefix>/", records_api.ApiTokenDetail.as_view(), name="api-token-revoke"),
    path("me/", records_api.MeView.as_view(), name="api-me"),
    path("schools/", records_api.SchoolList.as_view(), name="api-schools"),
    path("schools/<str:identifier>/classes/", records_api.SchoolClassList.as_view(), name="api-school-classes"),
    # A school's accounts, kept by its academic office.
    path("schools/<str:identifier>/accounts/", records_api.SchoolAccountList.as_view(), name="api-school-accounts"),
    path(
        "schools/<str:identifier>/accounts/<str:username>/",
        records_api.SchoolAccountDetail.as_view(),
        name="api-school-account",
    ),
    path(
        "schools/<str:identifier>/accounts/<str:username>/password/",
        records_api.SchoolAccountPasswordView.as_view(),
        name="api-school-account-password",
    ),
    path("bureaus/<str:code>/calendar/", records_api.BureauCalendarView.as_view(), name="api-bureau-calendar"),
    path("students/", records_api.StudentList.as_view(), name="api-students"),
    path("students/lookup/", records_api.StudentLookupView.as_view(), name="api-student-lookup"),
    path("students/<int:pk>/", records_api.StudentDetail.as_view(), name="api-student"),
    path("students/<int:pk>/class/", records_api.StudentClassView.as_view(), name="api-student-class"),
    path("students/<int:pk>/card/", documents_api.StudentCardFileView.as_view(), name="api-student-card"),
    # Term work (学期工作): head counts, level grades, term comments.
    path("term-work/", records_api.TermWorkList.as_view(), name="api-term-work"),
    path("classes/<str:code>/term-work/", records_api.ClassTermWorkView.as_view(), name="api-class-term-work"),
    path("classes/<str:code>/head-counts/", records_api.ClassHeadCountsView.as_view(), name="api-class-head-counts"),
    path("classes/<str:code>/grades/", records_api.ClassGradesView.as_view(), name="api-class-grades"),
    path("classes/<str:code>/comments/", records_api.ClassCommentsView.as_view(), name="api-class-comments"),
    path("students/<int:pk>/grades/<str:subject>/", records_api.StudentGradeView.as_view(), name="api-student-grade"),
    path("students/<int:pk>/comment/", records_api.StudentCommentView.as_view(), name="api-student-comment"),
    path("students/<int:pk>/term-records/", records_api.StudentTermRecordsView.as_view(), name="api-student-term-records"),
    path("requests/", flows_api.RequestListView.as_view(), name="api-requests"),
    path("requests/<int:pk>/", flows_api.RequestDetailView.as_view(), name="api-request"),
    path("requests/<int:pk>/withdraw/", flows_api.RequestWithdrawView.as_view(), name="api-request-withdraw"),
    path("requests/<int:pk>/evidence/", flows_api.EvidenceUploadView.as_view(), name="api-request-evidence"),
    path(
        "requests/<int:pk>/transfer-certificate/",
        documents_api.TransferCertificateFileView.as_view(),
        name="api-transfer-certificate",
    ),
    path(
        "requests/<int:pk>/suspension-certificate/",
        documents_api.SuspensionCertificateFileView.as_view(),
        name="api-suspension-certificate",
    ),
    path("evidence/<int:pk>/", flows_api.EvidenceFileView.as_view(), name="api-evidence-file"),
    path("tasks/", flows_api.TaskListView.as_view(), name="api-tasks"),
    path("tasks/<int:pk>/", flows_api.TaskDetailView.as_view(), name="api-task"),
    path("tasks/<int:pk>/decision/", flows_api.TaskDecisionView.as_view(), name="api-task-decision"),
    path("statistics/", reports_api.StatisticsView.as_view(), name="api-statistics"),
    path("dropouts/", records_api.DropoutList.as_view(), name="api-dropouts"),
    path("dropouts/<int:pk>/follow-ups/", records_api.FollowUpList.as_view(), name="api-dropout-follow-ups"),
    path("term-reports/", reports_api.TermReportList.as_view(), name="api-term-reports"),
    path("term-reports/<str:identifier>/", reports_api.TermReportDetail.as_view(), name="api-term-report"),
    path(
        "term-reports/<str:identifier>/submit/", reports_api.TermReportSubmitView.as_view(), name="api-term-report-submit"
    ),
    path("classes/<str:code>/roster/", records_api.ClassRosterExportView.as_view(), name="api-class-roster"),
    path("classes/<str:code>/records/", records_api.ClassRecordsExportView.as_view(), name="api-class-records"),
    path("intake-template/", records_api.IntakeTemplateView.as_view(), name="api-intake-template"),
    path("intake-imports/", intake_api.IntakeImportListView.as_view(), name="api-intake-imports"),
    path("intake-imports/<int:pk>/", intake_api.IntakeImportDetailView.as_view(), name="api-intake-import"),
    path(
        "intake-imports/<int:pk>/errors/", records_api.IntakeImportErrorsView.as_view(), name="api-intake-import-errors"
    ),
    path("rollovers/", records_api.RolloverListView.as_view(), name="api-rollovers"),
    path("rollovers/preview/", records_api.RolloverPreviewView.as_view(), name="api-rollover-preview"),
    path("rollovers/<int:pk>/", records_api.RolloverDetailView.as_view(), name="api-rollover"),
    path("rollovers/<int:pk>/undo/", records_api.RolloverUndoView.as_view(), name="api-rollover-undo"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
