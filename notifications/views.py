"""The notification centre (消息中心): the list, opening one, marking read."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from records.views.access import SignedInMixin

from . import selectors, services

PAGE_SIZE = 30


class NotificationListView(SignedInMixin, TemplateView):
    template_name = "notifications/notification_list.html"

    def get_context_data(self, **kwargs):
        unread_only = self.request.GET.get("unread") == "1"
        notifications = selectors.notifications_of(self.request.user, unread_only=unread_only).select_related(
            "request", "student"
        )
        page = Paginator(notifications, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            notifications=page.object_list,
            unread_only=unread_only,
            unread=selectors.unread_count(self.request.user),
            query="unread=1" if unread_only else "",
            **kwargs,
        )


class NotificationOpenView(SignedInMixin, View):
    """Following a notification's link marks it read and goes to the step, request or student."""

    def get(self, request, pk):
        notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
        services.notification_mark_read(notification=notification, by=request.user)
        return redirect(notification.target_url)


class NotificationMarkReadView(SignedInMixin, View):
    def post(self, request, pk):
        notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
        services.notification_mark_read(notification=notification, by=request.user)
        return redirect("notification_list")


class NotificationMarkAllReadView(SignedInMixin, View):
    def post(self, request):
        count = services.notifications_mark_all_read(by=request.user)
        if count:
            messages.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": count})
        return redirect("notification_list")
