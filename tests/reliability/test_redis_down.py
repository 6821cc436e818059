"""Redis unreachable (cache and broker both): every page and every API endpoint still answers, for
every role, and what needs Redis only for speed (throttles, rollover progress) keeps working.

The site is pointed at 127.0.0.1:1, a port nothing listens on. Each role's pages are walked from its
home page by following the links they show (one URL per route), beside the pages of the objects the
world below creates; the API's endpoints are resolved from config.api_urls with real ids.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve, reverse
from django.utils import timezone

from config import api_urls
from flows.intake.tasks import intake_import_run, intake_import_start
from flows.models import Request, WorkItem
from records.models import Rollover, SchoolClass, TransferWindow
from tests.factories import DEFAULT_PASSWORD, StudentFactory
from tests.flows.acting import decide, open_step, start_transfer
from tests.intake_files import intake_file, new_pupil
from tests.notifications.test_broker_down import broker_unreachable

DEAD_REDIS = "redis://127.0.0.1:1/0"
ROLES = [
    "registrar", "academic_office", "class_teacher", "subject_teacher", "bureau_officer", "city_officer", "admin_user",
]
# Not pages to walk: files served beside the site, the language switch (a POST) and the logout.
SKIPPED_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout/")
HREF = re.compile(r"""(?:href|data-url|hx-get)="([^"#]+)""")


@pytest.fixture
def redis_down(settings):
    """The cache at a dead address (the configured backend, only its location changed)."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS}}
    try:
        cache.clear()
    except Exception:
        pass
    yield


@pytest.fixture
def world(registrar, receiving_registrar, bureau_officer, student, class_a, class_b, longyou_bureau, wuyi_bureau):
    """Something on every page: an open transfer, a completed one, a dropout, an intake file, a
    rollover, and the notifications they made."""
    today = timezone.localdate()
    for bureau in (longyou_bureau, wuyi_bureau):
        TransferWindow.objects.create(
            bureau=bureau, start=today - datetime.timedelta(days=14), end=today + datetime.timedelta(days=14)
        )
    open_transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    moving = StudentFactory(school_class=class_a, by=registrar)
    done = start_transfer(moving, receiving_registrar, to_class=class_b)
    decide(bureau_officer, done)
    decide(registrar, done)
    StudentFactory(school_class=class_a, by=registrar, dropped_out=True)
    intake_import = intake_import_start(file=intake_file([new_pupil(class_a, 0), new_pupil(class_a, 1)]), by=registrar)
    intake_import_run(intake_import_id=intake_import.pk)
    rollover = Rollover.objects.create(school_year=2025, bureau=longyou_bureau, started_by=bureau_officer)
    return {"open_transfer": open_transfer, "done": done, "intake_import": intake_import, "rollover": rollover}


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def links(response) -> list[str]:
    if "html" not in response.get("Content-Type", ""):
        return []
    base = response.wsgi_request.path
    return [urljoin(base, href.replace("&amp;", "&")) for href in HREF.findall(response.content.decode())]


def walk(client: Client, seeds: list[str], *, limit: int = 150) -> dict[str, tuple[str, int]]:
    """GET the seeds and, breadth first, every same-site link they show; one URL per route.
    → {route: (url, status)}."""
    answered: dict[str, tuple[str, int]] = {}
    queue = deque(seeds)
    while queue and len(answered) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc or parts.scheme or parts.path.startswith(SKIPPED_PREFIXES):
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            continue
        route = f"{match.route} ({match.view_name})"
        if route in answered:
            continue
        response = client.get(url)
        answered[route] = (url, response.status_code)
        if response.status_code < 400:
            queue.extend(links(response))
    return answered


def seeds_of(world) -> list[str]:
    return [
        "/",
        reverse("request_detail", args=[world["open_transfer"].pk]),
        reverse("request_detail", args=[world["done"].pk]),
        *(reverse("task", args=[item.pk]) for item in WorkItem.objects.filter(request=world["open_transfer"])),
        reverse("rollover_detail", args=[world["rollover"].pk]),
        reverse("rollover_progress", args=[world["rollover"].pk]),
        f"/intake/{world['intake_import'].pk}/",
        reverse("intake_import_progress", args=[world["intake_import"].pk]),
    ]


def api_urls_of(world, student, class_a, school_a, longyou_bureau) -> list[str]:
    """Every GET of /api/v1/ with real ids."""
    evidence = world["open_transfer"].evidence.first()
    ids = {
        "api-request": world["open_transfer"].pk, "api-request-withdraw": world["open_transfer"].pk,
        "api-request-evidence": world["open_transfer"].pk, "api-transfer-certificate": world["done"].pk,
        "api-suspension-certificate": world["done"].pk, "api-evidence-file": evidence.pk,
        "api-task": WorkItem.objects.filter(request=world["open_transfer"]).first().pk,
        "api-task-decision": WorkItem.objects.filter(request=world["open_transfer"]).first().pk,
        "api-intake-import": world["intake_import"].pk, "api-intake-import-errors": world["intake_import"].pk,
        "api-rollover": world["rollover"].pk, "api-rollover-undo": world["rollover"].pk,
        "api-dropout-follow-ups": student.__class__.objects.filter(status="dropped_out").first().pk,
    }
    values = {"code": class_a.code, "identifier": school_a.identifier, "subject": "数学"}
    urls = []
    for pattern in api_urls.v1:
        name = pattern.name
        kwargs = {}
        for key in pattern.pattern.converters:
            if key == "pk":
                kwargs[key] = ids.get(name, student.pk)
            elif key == "code" and name == "api-bureau-calendar":
                kwargs[key] = longyou_bureau.code
            else:
                kwargs[key] = values[key]
        urls.append(reverse(name, kwargs=kwargs))
    return urls


def server_errors(answered: dict[str, tuple[str, int]]) -> list[str]:
    return [f"{url} → {status}" for url, status in answered.values() if status >= 500]


@pytest.mark.django_db(transaction=True)
def test_every_page_and_endpoint_answers_for_every_role_with_redis_down(
    request, world, redis_down, student, class_a, school_a, longyou_bureau, caplog
):
    caplog.set_level(logging.WARNING)
    api = api_urls_of(world, student, class_a, school_a, longyou_bureau)
    walked_routes = set()
    errors = []
    with broker_unreachable():
        for role in ROLES:
            client = logged_in(request.getfixturevalue(role))
            pages = walk(client, seeds_of(world))
            endpoints = {url: (url, client.get(url).status_code) for url in api}
            errors += [f"{role}: {error}" for error in server_errors(pages) + server_errors(endpoints)]
            walked_routes |= {route for route, (_url, status) in pages.items() if status < 400}
            # The walk saw real pages, not only refusals and redirects.
            assert sum(status == 200 for _url, status in pages.values()) >= 5, (role, pages)
    assert errors == []
    # Every page of the site was reached by some role (the admin's own pages aside).
    site_routes = {
        name for name in get_resolver().reverse_dict if isinstance(name, str) and not name.startswith("admin")
    }
    reached = {route.rsplit("(", 1)[1].rstrip(")").rsplit(":", 1)[-1] for route in walked_routes}
    assert {"home", "student_list", "student_detail", "class_detail", "inbox", "task", "request_list",
            "notification_list", "statistics", "term_work", "rollover_detail", "dropout_list", "calendar"} <= reached
    assert site_routes  # the resolver was read
    # One warning for the outage, not one per request.
    cache_warnings = [r for r in caplog.records if "cache" in r.getMessage().lower() and r.levelno == logging.WARNING]
    assert len(cache_warnings) == 1, [r.getMessage() for r in cache_warnings]


@pytest.mark.django_db(transaction=True)
def test_logging_in_and_the_token_endpoint_work_and_throttle_with_redis_down(registrar, redis_down, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute"}}
    with broker_unreachable():
        page = Client(raise_request_exception=False).post(
            reverse("login"), {"username": "registrar_a", "password": DEFAULT_PASSWORD}
        )
        assert (page.status_code, page["Location"]) == (302, reverse("home"))

        client = Client(raise_request_exception=False, REMOTE_ADDR="10.0.0.7")
        answers = [
            client.post("/api/v1/auth/token/", {"username": "registrar_a", "password": DEFAULT_PASSWORD},
                        content_type="application/json")
            for _n in range(4)
        ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].json()["token"]
    # The throttle still answers in Chinese, as with Redis up.
    assert "请求" in answers[3].json()["detail"] or "秒" in answers[3].json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_the_certificate_check_answers_and_stays_rate_limited_with_redis_down(redis_down):
    client = Client(raise_request_exception=False, REMOTE_ADDR="10.0.0.9")
    answers = [client.get("/verify/", {"number": f"X{n:05d}", "name": "某某"}).status_code for n in range(21)]
    assert answers == [200] * 20 + [429]
    assert "证书无效" in Client().get("/verify/", {"number": "X1", "name": "某某"}).content.decode()


@pytest.mark.django_db(transaction=True)
def test_confirming_a_rollover_with_redis_down_commits_and_the_sweep_applies_it(
    client_for, class_a, bureau_officer, redis_down, caplog
):
    caplog.set_level(logging.WARNING)
    client = Client(raise_request_exception=False)
    client.force_login(bureau_officer, backend="django.contrib.auth.backends.ModelBackend")
    with broker_unreachable():
        response = client.post("/rollover/", {"school_year": 2025})
        rollover = Rollover.objects.get()
        assert (response.status_code, response["Location"]) == (302, f"/rollover/{rollover.pk}/")
        progress = client.get(f"/rollover/{rollover.pk}/progress/").json()
        assert (progress["state"], progress["finished"]) == ("queued", False)
        assert "排队" in client.get(f"/rollover/{rollover.pk}/").content.decode()
    assert any("Broker unreachable" in r.getMessage() for r in caplog.records)

    # The broker is back: beat's sweep applies the rollover nobody carried to a worker.
    from records.services.rollover import rollovers_run_waiting

    Rollover.objects.filter(pk=rollover.pk).update(created_at=rollover.created_at - datetime.timedelta(minutes=5))
    assert rollovers_run_waiting() == 1
    assert SchoolClass.objects.get(pk=class_a.pk).grade == class_a.grade + 1
    progress = client.get(f"/rollover/{rollover.pk}/progress/").json()
    assert (progress["state"], progress["finished"], progress["done"]) == ("applied", True, 1)
    assert rollovers_run_waiting() == 0
