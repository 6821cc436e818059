"""The site's URLs and one page that fails, for tests/records/test_request_log.py."""

from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def broken_view(request):
    raise RuntimeError("the page is broken")


urlpatterns = [path("broken/", broken_view), *site_urlpatterns]
