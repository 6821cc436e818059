"""Redis unreachable (cache and broker both): every page and every API endpoint still answers, for
every role, and what needs Redis only for speed (throttles, rollover progress) keeps working.

The site is pointed at 127.0.0.1:1, a port nothing listens on. Each role walks its pages from its home
page by following the links they show (one URL per route), then every route of the site and of the
API (config.urls, resolved) with the real ids of the world below.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from flows.intake.tasks import intake_import_run, intake_import_start
from flows.models import WorkItem
from notifications.models import Notification
from notifications.services import task_waiting_record
from records.models import HeadCount, Rollover, SchoolClass, TransferWindow
from records.subjects import Subject
from records.services.rollover import rollovers_run_waiting
from tests.factories import DEFAULT_PASSWORD, StudentFactory
from tests.flows.acting import decide, start_transfer
from tests.intake_files import intake_file, new_pupil
from tests.notifications.test_broker_down import broker_unreachable

DEAD_REDIS = "redis://127.0.0.1:1"  # nothing listens on port 1
ROLES = [
    "registrar", "academic_office", "class_teacher", "subject_teacher", "bureau_officer", "city_officer", "admin_user",
]
# Not pages to walk: files served beside the site, the language switch (a POST) and the logout.
SKIPPED_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout/")
NOT_WALKED = {"logout", "set_language"}
HREF = re.compile(r"""(?:href|data-url|hx-get)="([^"#]+)""")


_dead_databases = itertools.count(1)


@pytest.fixture
def redis_down(settings):
    """The cache at a dead address (the configured backend, only its location changed); a database
    number of its own per test, so that no test sees the outage or the memory of another."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"{DEAD_REDIS}/{next(_dead_databases)}"}}


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
    dropout = StudentFactory(school_class=class_a, by=registrar, dropped_out=True)
    intake_import = intake_import_start(file=intake_file([new_pupil(class_a, 0), new_pupil(class_a, 1)]), by=registrar)
    intake_import_run(intake_import_id=intake_import.pk)
    rollover = Rollover.objects.create(school_year=2025, bureau=longyou_bureau, started_by=bureau_officer)
    step = WorkItem.objects.get(request=open_transfer, finished__isnull=True)
    task_waiting_record(step)
    return {
        "student": student, "class": class_a, "open_transfer": open_transfer, "done": done, "dropout": dropout,
        "intake_import": intake_import, "rollover": rollover,
        "notification": Notification.objects.filter(work_item=step).first(),
    }


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


def routes(patterns=None, prefix: str = ""):
    """Every URL pattern of the site as (route, name), the admin's own pages aside."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if route.startswith("admin/"):
            continue
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        else:
            yield route, pattern.name


def urls_of(world) -> dict[str, str]:
    """{name: URL} of every route, its parameters filled with the world's real objects."""
    work_item = WorkItem.objects.filter(request=world["open_transfer"], finished__isnull=True).first()
    # An account of the class's school, for the academic office's account pages.
    colleague = get_user_model().objects.filter(membership__school=world["class"].school).order_by("pk").first()
    pks = {
        "students": world["student"].pk, "classes": world["class"].pk, "dropouts": world["dropout"].pk,
        "requests": world["open_transfer"].pk, "tasks": work_item.pk, "evidence": world["open_transfer"].evidence.first().pk,
        "rollover": world["rollover"].pk, "rollovers": world["rollover"].pk, "intake": world["intake_import"].pk,
        "intake-imports": world["intake_import"].pk, "notifications": world["notification"].pk,
        "registrations": world["open_transfer"].pk, "accounts": colleague.pk,
    }

    def value(route: str, parameter: str) -> str:
        first = route.removeprefix("api/v1/").split("/")[0]
        if parameter == "pk":
            # The completed transfer has the certificates; every other request page takes the open one.
            return str(world["done"].pk if "certificate" in route else pks[first])
        return {
            ("classes", "code"): world["class"].code, ("bureaus", "code"): world["class"].school.bureau.code,
            ("term-reports", "identifier"): world["class"].school.identifier,
            ("schools", "identifier"): world["class"].school.identifier,
            ("classes", "point"): HeadCount.Point.START, ("classes", "operation"): "rename",
            ("students", "subject"): Subject.MATH,
            # Nobody's token: the revocation answers 404, which is all the walk asks of it.
            ("auth", "prefix"): "00000000",
            ("schools", "username"): colleague.username,
        }[first, parameter]

    parameter = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
    return {
        name: "/" + parameter.sub(lambda m: value(route, m.group(1) or m.group(2)), route)
        for route, name in routes()
        if name not in NOT_WALKED
    }


def server_errors(answered: dict[str, tuple[str, int]]) -> list[str]:
    return [f"{url} → {status}" for url, status in answered.values() if status >= 500]


@pytest.mark.django_db(transaction=True)
def test_every_page_and_endpoint_answers_for_every_role_with_redis_down(request, world, redis_down, caplog):
    caplog.set_level(logging.WARNING)
    every_url = urls_of(world)
    assert {"home", "student_detail", "task", "rollover_progress", "api-token", "api-students"} <= set(every_url)
    errors = []
    with broker_unreachable():
        for role in ROLES:
            client = logged_in(request.getfixturevalue(role))
            # The links each role is shown, from its home page on; then every route with real ids.
            shown = walk(client, ["/"])
            assert sum(status == 200 for _url, status in shown.values()) >= 5, (role, shown)
            answered = {url: client.get(url).status_code for url in every_url.values()}
            errors += [f"{role}: {url} → {status}" for url, status in shown.values() if status >= 500]
            errors += [f"{role}: {url} → {status}" for url, status in answered.items() if status >= 500]
            # The pages answered as pages, not only as refusals.
            assert sum(status == 200 for status in answered.values()) >= 15, (role, answered)
    assert errors == []
    # One warning for the outage, not one per request.
    cache_warnings = [r.getMessage() for r in caplog.records if r.name == "config.cache" and r.levelno == logging.WARNING]
    assert len(cache_warnings) == 1, cache_warnings


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
    # Refused as with Redis up: the API's error shape and when to try again.
    assert answers[3].json()["errors"] == {} and int(answers[3]["Retry-After"]) > 0


@pytest.mark.django_db(transaction=True)
def test_the_certificate_check_answers_and_stays_rate_limited_with_redis_down(redis_down):
    client = Client(raise_request_exception=False, REMOTE_ADDR="10.0.0.9")
    answers = [client.post("/verify/", {"number": f"X{n:05d}", "name": "某某"}).status_code for n in range(21)]
    assert answers == [200] * 20 + [429]
    assert "证书无效" in Client().post("/verify/", {"number": "X1", "name": "某某"}).content.decode()


@pytest.mark.django_db(transaction=True)
def test_confirming_a_rollover_with_redis_down_commits_and_the_sweep_applies_it(
    class_a, bureau_officer, redis_down, caplog
):
    caplog.set_level(logging.WARNING)
    client = logged_in(bureau_officer)
    with broker_unreachable():
        response = client.post("/rollover/", {"school_year": 2025})
        rollover = Rollover.objects.get()
        assert (response.status_code, response["Location"]) == (302, f"/rollover/{rollover.pk}/")
        progress = client.get(f"/rollover/{rollover.pk}/progress/").json()
        assert (progress["state"], progress["finished"]) == ("queued", False)
        assert "排队" in client.get(f"/rollover/{rollover.pk}/").content.decode()
    assert any("Broker unreachable" in r.getMessage() for r in caplog.records)

    # The broker is back: beat's sweep applies the rollover nobody carried to a worker.
    Rollover.objects.filter(pk=rollover.pk).update(created_at=rollover.created_at - datetime.timedelta(minutes=5))
    assert rollovers_run_waiting() == 1
    assert SchoolClass.objects.get(pk=class_a.pk).grade == class_a.grade + 1
    progress = client.get(f"/rollover/{rollover.pk}/progress/").json()
    assert (progress["state"], progress["finished"], progress["done"]) == ("applied", True, 1)
    assert rollovers_run_waiting() == 0
