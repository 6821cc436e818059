"""毕业证书查验: the public check of a graduation certificate, for anyone (an employer, a school)."""

from __future__ import annotations

from django.core.cache import cache
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .. import selectors
from ..forms import CertificateVerifyForm

VERIFY_LIMIT = 20  # look-ups per client address
VERIFY_WINDOW = 600  # seconds
TEMPLATE = "records/certificate_verify.html"


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def certificate_verify_view(request):
    """毕业证书查验: the number and the holder's name, posted with the CSRF token (never in the
    address, where they would stay in browser histories and server logs; a GET only shows the
    form, whatever its query says). Answers only name, school, year and valid/invalid. Rate
    limited per client address, so numbers cannot be tried in bulk."""
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": CertificateVerifyForm()})
    form = CertificateVerifyForm(request.POST)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    key = f"certificate-verify:{_client_address(request)}"
    cache.add(key, 0, VERIFY_WINDOW)
    if cache.incr(key) > VERIFY_LIMIT:
        return render(request, TEMPLATE, {"form": form, "limited": True}, status=429)
    certificate = selectors.certificate_verify(**form.cleaned_data)
    context = {"form": form, "checked": True}
    if certificate:
        context["result"] = {
            "name": certificate.student.name, "school": certificate.school.name, "year": certificate.year,
        }
    return render(request, TEMPLATE, context)
