import re

from django.conf import settings
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve
from django.utils.translation import gettext_lazy as _
from viewflow.contrib.admin import Admin
from viewflow.urls import Site, route

from flows.urls import FlowsApp
from notifications.urls import NotificationsApp
from records.urls import RecordsApp
from reports.urls import ReportsApp

# One viewflow site: the register's pages at the root, the Django admin (for staff) beside them;
# the flows', notifications' and reports' applications join them.
site = Site(
    title=settings.XUEJI_SITE_TITLE,
    menu_template_name="records/includes/site_menu.html",
    urlpatterns=[
        route("", RecordsApp()), route("", FlowsApp()), route("", NotificationsApp()), route("", ReportsApp()),
    ],
    viewsets=[Admin(title=_("系统管理"))],
)

urlpatterns = [
    # Browsers ask for /favicon.ico on every first visit: viewflow's icon, not a 404 page rendered
    # in the site's frame (with its queries and a CSRF cookie) each time.
    path("favicon.ico", RedirectView.as_view(url=static("viewflow/img/favicon.png"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("config.api_urls")),
    path("", include("records.urls")),
    path("", include("documents.urls")),
    path("", site.urls),
]
if settings.SERVE_MEDIA:
    # Uploaded photos, served by Django itself when debugging or embedded (make run); behind a
    # web server in production. static() serves nothing with DEBUG off, hence the explicit route.
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}
        )
    ]

# A body Django refuses to read (too big, too many fields): the API's JSON error under /api/, a page elsewhere.
handler400 = "records.api_errors.bad_request"
