"""The requests' pages, as a viewflow Application mounted beside the register's pages.

Like the register's, its URL names are global ("inbox", "task", "request_detail" …).
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from . import views, year_end_views


class FlowsApp(Application):
    title = _("学籍异动")
    icon = "swap_horiz"
    menu_template_name = None
    index_path = None

    inbox_path = path("tasks/", views.InboxView.as_view(), name="inbox")
    task_path = path("tasks/<int:pk>/", views.TaskView.as_view(), name="task")
    request_list_path = path("requests/", views.RequestListView.as_view(), name="request_list")
    request_detail_path = path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail")
    withdraw_path = path("requests/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="request_withdraw")
    evidence_upload_path = path("requests/<int:pk>/evidence/", views.EvidenceUploadView.as_view(), name="evidence_upload")
    evidence_path = path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence_download")
    transfer_send_path = path("students/<int:pk>/transfer/", views.TransferSendView.as_view(), name="transfer_send")
    transfer_out_path = path("students/<int:pk>/transfer-out/", views.TransferOutView.as_view(), name="transfer_out")
    transfer_receive_path = path("transfers/incoming/", views.TransferReceiveView.as_view(), name="transfer_receive")
    transfer_in_path = path("transfers/from-outside/", views.TransferInView.as_view(), name="transfer_in")
    transfer_cancel_path = path("requests/<int:pk>/cancel/", views.TransferCancelView.as_view(), name="transfer_cancel")
    whole_class_path = path(
        "classes/<int:pk>/transfer/", views.WholeClassTransferView.as_view(), name="whole_class_transfer"
    )
    calendar_path = path("calendar/", views.CalendarView.as_view(), name="calendar")
    suspension_path = path("students/<int:pk>/suspend/", views.SuspensionStartView.as_view(), name="suspension_start")
    resumption_path = path("students/<int:pk>/resume/", views.ResumptionStartView.as_view(), name="resumption_start")
    dropout_path = path("students/<int:pk>/dropout/", views.DropoutStartView.as_view(), name="dropout_start")
    grade_change_path = path(
        "students/<int:pk>/grade-change/", views.GradeChangeStartView.as_view(), name="grade_change_start"
    )
    key_info_path = path("students/<int:pk>/key-info/", views.KeyInfoChangeStartView.as_view(), name="key_info_change_start")
    poverty_path = path("students/<int:pk>/poverty/", views.PovertyStartView.as_view(), name="poverty_start")
    registration_path = path("registrations/new/", views.RegistrationStartView.as_view(), name="registration_start")
    registration_correct_path = path(
        "registrations/correct/<int:pk>/", views.RegistrationCorrectView.as_view(), name="registration_correct"
    )
    graduation_path = path(
        "classes/<int:pk>/graduate/", year_end_views.GraduationStartView.as_view(), name="graduation_start"
    )
    class_operation_path = path(
        "classes/<int:pk>/<str:operation>/", year_end_views.ClassOperationView.as_view(), name="class_operation"
    )
    promotion_path = path("promotion/new/", year_end_views.PromotionStartView.as_view(), name="promotion_start")
    rollover_path = path("rollover/", year_end_views.RolloverView.as_view(), name="rollover")
    rollover_detail_path = path("rollover/<int:pk>/", year_end_views.RolloverDetailView.as_view(), name="rollover_detail")
    rollover_progress_path = path(
        "rollover/<int:pk>/progress/", year_end_views.RolloverProgressView.as_view(), name="rollover_progress"
    )
    rollover_undo_path = path("rollover/<int:pk>/undo/", year_end_views.RolloverUndoView.as_view(), name="rollover_undo")
