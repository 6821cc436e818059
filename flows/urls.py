"""The requests' pages, as a viewflow Application mounted beside the register's pages.

Like the register's, its URL names are global ("inbox", "task", "request_detail" …). The pages
every kind shares are listed here; each kind's start pages come from its Flow (`start_pages`).
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from . import views
from .flows import flows


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

    @property
    def urlpatterns(self):
        return [page for kind in flows() for page in kind.start_pages]
