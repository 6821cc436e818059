"""The notification centre, as a viewflow Application mounted in the site beside the register's pages.

Like theirs, its URL names are global ("notification_list" …).
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from . import views


class NotificationsApp(Application):
    title = _("消息中心")
    icon = "notifications"
    menu_template_name = None
    index_path = None

    list_path = path("notifications/", views.NotificationListView.as_view(), name="notification_list")
    open_path = path("notifications/<int:pk>/", views.NotificationOpenView.as_view(), name="notification_open")
    read_path = path("notifications/<int:pk>/read/", views.NotificationMarkReadView.as_view(), name="notification_read")
    read_all_path = path(
        "notifications/read-all/", views.NotificationMarkAllReadView.as_view(), name="notification_read_all"
    )
