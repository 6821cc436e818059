"""毕业证书查验: the public check of a graduation certificate, for anyone (an employer, a school)."""

from __future__ import annotations

from django.core.cache import cache
from django.shortcuts import render

from .. import selectors

VERIFY_LIMIT = 20  # look-ups per client address
VERIFY_WINDOW = 600  # seconds


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def certificate_verify_view(request):
    """毕业证书查验: the number and the holder's name; answers only name, school, year and
    valid/invalid. Rate limited per client address, so numbers cannot be tried in bulk."""
    context = {"number": request.GET.get("number", "").strip(), "name": request.GET.get("name", "").strip()}
    if context["number"] or context["name"]:
        key = f"certificate-verify:{_client_address(request)}"
        cache.add(key, 0, VERIFY_WINDOW)
        if cache.incr(key) > VERIFY_LIMIT:
            return render(request, "records/certificate_verify.html", {**context, "limited": True}, status=429)
        certificate = selectors.certificate_verify(number=context["number"], name=context["name"])
        context["checked"] = True
        if certificate:
            context["result"] = {
                "name": certificate.student.name, "school": certificate.school.name, "year": certificate.year,
            }
    return render(request, "records/certificate_verify.html", context)
