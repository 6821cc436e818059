"""The register's pages.

`RecordsApp` is a viewflow Application: config/urls.py mounts it in the site at the root, so its
pages get viewflow's frame and side menu. Its URL names are global ("home", "student_list",
"password_change" …) because settings and the password middleware reverse them by plain name.
Login and logout sit outside the site, on viewflow's lock-screen pages.
"""

from django.contrib.auth import views as auth_views
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from . import views


class RecordsApp(Application):
    title = _("学籍管理")
    icon = "school"
    # The site's menu lists these pages for every app, so the app needs no menu of its own.
    menu_template_name = None
    # The home page is this app's index.
    index_path = None

    home_path = path("", views.HomeView.as_view(), name="home")
    student_list_path = path("students/", views.StudentListView.as_view(), name="student_list")
    student_detail_path = path("students/<int:pk>/", views.StudentDetailView.as_view(), name="student_detail")
    student_edit_path = path("students/<int:pk>/edit/", views.StudentEditView.as_view(), name="student_edit")
    student_reassign_path = path("students/<int:pk>/class/", views.StudentReassignView.as_view(), name="student_reassign")
    class_list_path = path("classes/", views.ClassListView.as_view(), name="class_list")
    class_detail_path = path("classes/<int:pk>/", views.ClassDetailView.as_view(), name="class_detail")
    # Term work (学期工作): the overview, a class's term, its head counts, grades and comments.
    term_work_path = path("term-work/", views.TermWorkView.as_view(), name="term_work")
    class_term_work_path = path("classes/<int:pk>/term/", views.ClassTermWorkView.as_view(), name="class_term_work")
    head_count_path = path("classes/<int:pk>/head-count/<str:point>/", views.HeadCountView.as_view(), name="head_count")
    class_grades_path = path("classes/<int:pk>/grades/", views.ClassGradesView.as_view(), name="class_grades")
    class_comments_path = path("classes/<int:pk>/comments/", views.ClassCommentsView.as_view(), name="class_comments")
    dropout_list_path = path("dropouts/", views.DropoutListView.as_view(), name="dropout_list")
    dropout_detail_path = path("dropouts/<int:pk>/", views.DropoutDetailView.as_view(), name="dropout_detail")
    class_roster_path = path(
        "classes/<int:pk>/roster.xlsx", views.ClassExportView.as_view(kind="roster"), name="class_roster_export"
    )
    class_records_path = path(
        "classes/<int:pk>/records.xlsx", views.ClassExportView.as_view(kind="records"), name="class_records_export"
    )
    # An intake file's own resources; its upload, page and submission are the intake's (flows/intake/).
    intake_template_path = path("intake/template.xlsx", views.IntakeTemplateView.as_view(), name="intake_template")
    intake_progress_path = path(
        "intake/<int:pk>/progress/", views.IntakeImportProgressView.as_view(), name="intake_import_progress"
    )
    intake_errors_path = path(
        "intake/<int:pk>/errors.xlsx", views.IntakeImportErrorsView.as_view(), name="intake_import_errors"
    )
    password_change_path = path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change")
    api_tokens_path = path("accounts/tokens/", views.ApiTokenListView.as_view(), name="api_tokens")
    # A school's accounts (账号管理), kept by its academic office.
    school_accounts_path = path("accounts/", views.SchoolAccountListView.as_view(), name="school_accounts")
    school_account_new_path = path("accounts/new/", views.SchoolAccountCreateView.as_view(), name="school_account_new")
    school_account_active_path = path(
        "accounts/<int:pk>/active/", views.SchoolAccountActiveView.as_view(), name="school_account_active"
    )
    school_account_password_path = path(
        "accounts/<int:pk>/password/", views.SchoolAccountPasswordView.as_view(), name="school_account_password"
    )
    calendar_path = path("calendar/", views.CalendarView.as_view(), name="calendar")
    # Only these three: classes/<pk>/transfer/ and /graduate/ are the flows' start pages.
    class_operation_path = re_path(
        r"^classes/(?P<pk>[0-9]+)/(?P<operation>rename|merge|dissolve)/$",
        views.ClassOperationView.as_view(),
        name="class_operation",
    )
    rollover_path = path("rollover/", views.RolloverView.as_view(), name="rollover")
    rollover_detail_path = path("rollover/<int:pk>/", views.RolloverDetailView.as_view(), name="rollover_detail")
    rollover_progress_path = path(
        "rollover/<int:pk>/progress/", views.RolloverProgressView.as_view(), name="rollover_progress"
    )
    rollover_undo_path = path("rollover/<int:pk>/undo/", views.RolloverUndoView.as_view(), name="rollover_undo")


urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Public: anyone may check a graduation certificate (rate limited, shows only name, school, year).
    path("verify/", views.certificate_verify_view, name="certificate_verify"),
]
