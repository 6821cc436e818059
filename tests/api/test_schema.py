"""The OpenAPI schema: valid, complete, and the API answers whatever fits it without a server error."""

import pytest
import schemathesis
import yaml
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from flows.engine import evidence_add
from records import selectors, services
from flows.intake.tasks import intake_import_run, intake_import_start
from tests.factories import StudentFactory, TermFactory
from tests.flows.acting import decide, start_transfer
from tests.flows.status.conftest import start_suspension
from tests.intake_files import intake_file, new_pupil

from .calls import task_id

pytestmark = pytest.mark.usefixtures("transfer_windows_open")


def api_paths() -> set[str]:
    """Every /api/v1/ route of the URL configuration, in the schema's notation."""
    import re

    found = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}"))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_schema_validates_and_has_every_endpoint(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())

    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == api_paths()
    # 16 of issue 6, 4 rollover paths of issue 7; of issue 11 重新分班, 3 documents, 8 of term work,
    # 6 of the statistics, 2 class exports and 4 paths of the intake files (批量新生建档); of issue
    # 13 a school's accounts, one account and its password reset; of issue 14 the caller's own
    # tokens (2)
    assert len(api_paths()) == 49
    kinds = schema["components"]["schemas"]["RequestStartRequest"]["discriminator"]["mapping"]
    assert set(kinds) == {
        "transfer", "transfer_cancel", "transfer_out", "transfer_in", "registration", "suspension", "resumption",
        "dropout", "grade_change", "key_info_change", "poverty", "whole_class_transfer", "graduation", "promotion",
        "intake",
    }
    assert schema["components"]["schemas"]["CodeGender"]["enum"] == ["1", "2"]


def test_the_schema_and_the_swagger_ui_are_served_from_the_project(client, db):
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html


@pytest.fixture
def wsgi_application(settings):
    """The project's WSGI handler inside the test's transaction, as Django's test client runs it.
    (config/wsgi.py's own would also give this whole test process the web server's statement
    limit, config/web_process.py.)"""
    application = get_wsgi_application()

    # schemathesis calls it as http://localhost/.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # The handler closes the database connection around each request; that would end the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_application):
    return schemathesis.openapi.from_wsgi("/api/schema/", wsgi_application)


@pytest.fixture
def known_ids(registrar, student, class_a, class_b, receiving_registrar, bureau_officer, academic_office):
    """Path parameters that exist and that the registrar of school_a may see: a transfer waiting
    for the registrar's release, its step and evidence; a completed transfer and suspension; the
    class in a running term."""
    StudentFactory(school_class=class_a, suspended=True)
    TermFactory(bureau=class_a.school.bureau)
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer)
    evidence = evidence_add(request=transfer, by=registrar, kind="residence", file=SimpleUploadedFile("a.pdf", b"%PDF"))
    completed = start_transfer(StudentFactory(school_class=class_a), receiving_registrar, to_class=class_b)
    decide(bureau_officer, completed)
    decide(registrar, completed)
    suspension = start_suspension(StudentFactory(school_class=class_a), registrar)
    decide(academic_office, suspension)
    decide(bureau_officer, suspension)
    intake_import = intake_import_start(file=intake_file([new_pupil(class_a, 0, 民族="火星族")]), by=registrar)
    intake_import_run(intake_import_id=intake_import.pk)
    # First match wins: the certificates' paths before the request's own.
    return {
        "/api/v1/requests/{id}/transfer-certificate/": {"id": completed.pk},
        "/api/v1/requests/{id}/suspension-certificate/": {"id": suspension.pk},
        "/api/v1/classes/{code}/": {"code": class_a.code},
        "/api/v1/intake-imports/{id}/": {"id": intake_import.pk},
        "/api/v1/bureaus/{code}/": {"code": class_a.school.bureau.code},
        "/api/v1/schools/{identifier}/": {"identifier": class_a.school.identifier},
        "/api/v1/classes/{code}/": {"code": class_a.code},
        "/api/v1/students/{id}/": {"id": student.pk},
        "/api/v1/requests/{id}/": {"id": transfer.pk},
        "/api/v1/evidence/{id}/": {"id": evidence.pk},
        "/api/v1/tasks/{id}/": {"id": task_id(registrar, transfer.pk)},
        "/api/v1/dropouts/{id}/": {"id": student.pk},
        "/api/v1/term-reports/{identifier}/": {"identifier": class_a.school.identifier},
    }


@pytest.fixture
def registrar_token(registrar):
    """registrar_token() → a key of the registrar's that works: the fuzzed calls include revoking
    the registrar's own tokens (DELETE /api/v1/auth/tokens/), after which a new one is issued."""
    key = {"value": services.api_token_issue(user=registrar)[1]}

    def current() -> str:
        if not selectors.api_tokens_of(registrar).filter(digest=services.api_token_digest(key["value"])).exists():
            key["value"] = services.api_token_issue(user=registrar)[1]
        return key["value"]

    return current


# Bounded and repeatable: a fixed seed and 25 examples per operation and mode (well under a minute).
EXAMPLES_PER_OPERATION = 25
# A document's only input is its id: pinned, every example is the same call and costs a PDF render.
DOCUMENT_PATHS = ("/card/", "/transfer-certificate/", "/suspension-certificate/")
PINNED_DOCUMENT_EXAMPLES = 2


def test_the_api_gives_no_server_error_for_anything_the_schema_allows_or_not(api_schema, registrar_token, known_ids):
    """schemathesis generates requests for every operation, schema-conforming (positive) and not
    (negative), sent with a registrar's token, and once more with path parameters that exist;
    none may end in a 5xx."""
    server_errors, unsatisfiable = [], []
    statuses = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # 49 paths; requests, a calendar, follow-ups, intake files, head counts, grades, comments, a
    # school's accounts, one account and the caller's tokens take two methods, a student's grade and
    # comment three.
    assert len(operations) == 61

    def examples(label, strategy, count=EXAMPLES_PER_OPERATION):
        @seed(20260901)
        @hypothesis_settings(
            max_examples=count,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def call(case):
            response = case.call(headers={"Authorization": f"Token {registrar_token()}"})
            statuses.setdefault(label, set()).add(response.status_code)
            if response.status_code >= 500:
                server_errors.append((case.method, case.formatted_path, case.query, case.body, response.text[:300]))

        return call

    for operation in operations:
        pinned = next((ids for prefix, ids in known_ids.items() if operation.path.startswith(prefix)), None)
        runs = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None)]
        if pinned:
            runs.append((GenerationMode.POSITIVE, pinned))
        for mode, path_parameters in runs:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            count = EXAMPLES_PER_OPERATION
            if path_parameters and operation.path.endswith(DOCUMENT_PATHS):
                count = PINNED_DOCUMENT_EXAMPLES
            try:
                examples(operation.label, strategy, count)()
            except Unsatisfiable:
                # Nothing can be wrong: no parameter, or only a free-text one (a bureau's code).
                assert mode == GenerationMode.NEGATIVE, operation.label
                unsatisfiable.append(operation.label)

    assert server_errors == []
    # Not only refusals: the calls reached the data.
    assert all(200 in statuses[label] for label in (
        "GET /api/v1/me/", "GET /api/v1/auth/tokens/", "GET /api/v1/students/", "GET /api/v1/students/{id}/", "GET /api/v1/requests/{id}/",
        "GET /api/v1/tasks/{id}/", "GET /api/v1/schools/{identifier}/classes/", "GET /api/v1/bureaus/{code}/calendar/",
        "GET /api/v1/students/{id}/card/", "GET /api/v1/requests/{id}/transfer-certificate/",
        "GET /api/v1/requests/{id}/suspension-certificate/",
        "GET /api/v1/term-work/", "GET /api/v1/classes/{code}/term-work/", "GET /api/v1/classes/{code}/grades/",
        "GET /api/v1/students/{id}/term-records/",
        "GET /api/v1/classes/{code}/roster/", "GET /api/v1/intake-imports/{id}/", "GET /api/v1/intake-imports/{id}/errors/",
    )), statuses
    assert set(unsatisfiable) <= {
        "GET /api/v1/me/", "GET /api/v1/bureaus/{code}/calendar/", "GET /api/v1/classes/{code}/head-counts/",
        "GET /api/v1/intake-template/", "GET /api/v1/classes/{code}/roster/", "GET /api/v1/classes/{code}/records/",
        "GET /api/v1/auth/tokens/", "DELETE /api/v1/auth/tokens/", "DELETE /api/v1/auth/tokens/{prefix}/",
        "GET /api/v1/schools/{identifier}/accounts/{username}/",
        "POST /api/v1/schools/{identifier}/accounts/{username}/password/",
    }
