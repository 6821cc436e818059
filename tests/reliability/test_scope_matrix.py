"""The scope matrix: every operation of the OpenAPI schema, called as every role with real objects
of school A, answers what the contract says — 401 without a token, 404 for what the caller may
not see, 403 for what they see but may not do, 2xx for those whose work it is — never a 5xx, and
no answer to someone outside school A carries a name, ID number or student number of its students.

CALLS below holds, for every operationId, the call and the expected status of every role. A new
endpoint without a row fails test_every_operation_of_the_schema_has_a_row.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Callable

from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from records.models import ApiToken
from tests.api.calls import pdf
from tests.api.conftest import api_for  # noqa: F401 (fixture)
from tests.factories import DEFAULT_PASSWORD, school_year_start
from tests.intake_files import intake_file, new_pupil

from .probe import ROLES, ProbeWorld, call_and_undo, probe_world, province_officer, world  # noqa: F401 (fixtures)


@dataclasses.dataclass(frozen=True)
class Call:
    method: str
    path: Callable[[ProbeWorld], str]
    expect: dict  # role → status
    body: Callable[[ProbeWorld, str], object] | None = None
    fmt: str = "json"


def expect(default: int, anonymous: int = 401, **statuses) -> dict:
    """Every role's status: `default` unless named."""
    unknown = set(statuses) - set(ROLES)
    assert not unknown, unknown
    return {role: statuses.get(role, default) for role in ROLES} | {"anonymous": anonymous}


def today() -> str:
    return str(timezone.localdate())


CALLS: dict[str, Call] = {}


def row(operation_id: str, method: str, path, expected: dict, body=None, fmt: str = "json") -> None:
    assert operation_id not in CALLS, operation_id
    CALLS[operation_id] = Call(method, path, expected, body, fmt)


def calendar_body(w, role):
    day = timezone.localdate()
    return {
        "terms": [{"name": w.term_name, "start": str(day - datetime.timedelta(days=60)), "end": str(day + datetime.timedelta(days=60))}],
        "transfer_windows": [{"start": str(day - datetime.timedelta(days=7)), "end": str(day + datetime.timedelta(days=7))}],
    }


def follow_up_body(w, role):
    return {"followed_up_on": today(), "followed_up_by": "王学籍", "method": "home_visit", "result": "persuading"}


def intake_upload(w, role):
    return {"file": intake_file([new_pupil(w.class_a, 1)])}


def school_year(w, role):
    return {"school_year": school_year_start() + 1}


def own_token_prefix(w, role) -> str:
    token = ApiToken.objects.filter(user=w.users[role]).order_by("pk").first()
    return token.prefix if token else "00000000"  # (a probe that gave the role no client)


# Lists are asked about school A (a filter on its school, county or student) wherever they can be.
CLASS = "/api/v1/classes/{w.class_a.code}/"
STUDENT = "/api/v1/students/{w.enrolled.pk}/"

# Who sees school A's class_a and its pupils (students_visible_to, classes_visible_to).
SEES_CLASS_A = dict(registrar_b=404, other_county_officer=404)
# Who sees school A's requests about a class_a pupil (requests_visible_to).
SEES_REQUEST = SEES_CLASS_A
# The reports (statistics, dropouts, term reports): bureau officers, registrars and academic offices.
REPORT_READERS = dict(class_teacher_a=403, subject_teacher_a=403)
# A class's teachers see no school's term report and no intake file: as if there were none.
NO_TEACHERS = dict(class_teacher_a=404, subject_teacher_a=404)

row("auth_token_create", "post", lambda w: "/api/v1/auth/token/",
    expect(200, anonymous=400),
    body=lambda w, role: {"username": w.users[role].username, "password": DEFAULT_PASSWORD} if w.users[role] else {})
row("me_retrieve", "get", lambda w: "/api/v1/me/", expect(200))
row("auth_tokens_list", "get", lambda w: "/api/v1/auth/tokens/", expect(200))
row("auth_tokens_revoke_all", "delete", lambda w: "/api/v1/auth/tokens/", expect(200))
# School A's registrar's own token: theirs to revoke, nobody else's to find.
row("auth_token_revoke", "delete", lambda w: f"/api/v1/auth/tokens/{own_token_prefix(w, 'registrar_a')}/",
    expect(404, registrar_a=204))
row("schools_list", "get", lambda w: "/api/v1/schools/", expect(200))
row("schools_classes_list", "get", lambda w: f"/api/v1/schools/{w.school_a.identifier}/classes/", expect(200, **SEES_CLASS_A))
row("bureaus_calendar_retrieve", "get", lambda w: f"/api/v1/bureaus/{w.bureau.code}/calendar/", expect(200))
row("bureaus_calendar_update", "put", lambda w: f"/api/v1/bureaus/{w.bureau.code}/calendar/",
    expect(403, county_officer=200), body=calendar_body)

# A school's accounts: its academic office's (and an administrator's) to keep.
ACCOUNTS = "/api/v1/schools/{w.school_a.identifier}/accounts/"
row("schools_accounts_list", "get", lambda w: ACCOUNTS.format(w=w), expect(403, office_a=200, admin=200, **SEES_CLASS_A))
row("schools_accounts_create", "post", lambda w: ACCOUNTS.format(w=w),
    expect(403, office_a=201, admin=201, **SEES_CLASS_A),
    body=lambda w, role: {"username": "xin.laoshi", "full_name": "辛老师", "role": "registrar"})
row("schools_accounts_retrieve", "get", lambda w: ACCOUNTS.format(w=w) + f"{w.users['class_teacher_a'].username}/",
    expect(403, office_a=200, admin=200, **SEES_CLASS_A))
row("schools_accounts_partial_update", "patch", lambda w: ACCOUNTS.format(w=w) + f"{w.users['class_teacher_a'].username}/",
    expect(403, office_a=200, admin=200, **SEES_CLASS_A), body=lambda w, role: {"is_active": False})
row("schools_accounts_password_create", "post",
    lambda w: ACCOUNTS.format(w=w) + f"{w.users['class_teacher_a'].username}/password/",
    expect(403, office_a=200, admin=200, **SEES_CLASS_A))

row("students_list", "get", lambda w: f"/api/v1/students/?school={w.school_a.identifier}", expect(200))
row("students_retrieve", "get", lambda w: STUDENT.format(w=w), expect(200, **SEES_CLASS_A))
row("students_card_retrieve", "get", lambda w: STUDENT.format(w=w) + "card/", expect(200, **SEES_CLASS_A))
row("students_class_create", "post", lambda w: STUDENT.format(w=w) + "class/",
    expect(403, registrar_a=200, **SEES_CLASS_A), body=lambda w, role: {"to_class": w.class_a2.code, "reason": "分班调整"})
row("students_lookup_create", "post", lambda w: "/api/v1/students/lookup/",
    expect(403, registrar_a=400, registrar_b=200),
    body=lambda w, role: {"student_number": w.enrolled.student_number, "name": w.enrolled.name})
row("students_term_records_list", "get", lambda w: STUDENT.format(w=w) + "term-records/", expect(200, **SEES_CLASS_A))
row("students_comment_update", "put", lambda w: STUDENT.format(w=w) + "comment/",
    expect(403, class_teacher_a=200, **SEES_CLASS_A), body=lambda w, role: {"text": "学习认真，乐于助人。"})
row("students_comment_destroy", "delete", lambda w: STUDENT.format(w=w) + "comment/",
    expect(403, class_teacher_a=204, **SEES_CLASS_A))
row("students_grades_update", "put", lambda w: STUDENT.format(w=w) + "grades/math/",
    expect(403, subject_teacher_a=200, **SEES_CLASS_A), body=lambda w, role: {"level": "excellent"})
row("students_grades_destroy", "delete", lambda w: STUDENT.format(w=w) + "grades/math/",
    expect(403, subject_teacher_a=204, **SEES_CLASS_A))

row("classes_roster_retrieve", "get", lambda w: CLASS.format(w=w) + "roster/", expect(200, **SEES_CLASS_A))
row("classes_records_retrieve", "get", lambda w: CLASS.format(w=w) + "records/", expect(200, **SEES_CLASS_A))
row("classes_term_work_retrieve", "get", lambda w: CLASS.format(w=w) + "term-work/", expect(200, **SEES_CLASS_A))
row("classes_head_counts_list", "get", lambda w: CLASS.format(w=w) + "head-counts/", expect(200, **SEES_CLASS_A))
row("classes_head_counts_create", "post", lambda w: CLASS.format(w=w) + "head-counts/",
    expect(403, class_teacher_a=201, **SEES_CLASS_A),
    body=lambda w, role: {"point": "start", "actual_count": w.class_a.placements.filter(ended_on__isnull=True).count()})
row("classes_grades_retrieve", "get", lambda w: CLASS.format(w=w) + "grades/", expect(200, **SEES_CLASS_A))
row("classes_grades_update", "put", lambda w: CLASS.format(w=w) + "grades/",
    expect(403, subject_teacher_a=200, **SEES_CLASS_A),
    body=lambda w, role: {"subject": "math", "grades": [{"student": w.enrolled.student_number, "level": "good"}]})
row("classes_comments_retrieve", "get", lambda w: CLASS.format(w=w) + "comments/", expect(200, **SEES_CLASS_A))
row("classes_comments_update", "put", lambda w: CLASS.format(w=w) + "comments/",
    expect(403, class_teacher_a=200, **SEES_CLASS_A),
    body=lambda w, role: {"comments": [{"student": w.enrolled.student_number, "text": "进步很大。"}]})
row("term_work_list", "get", lambda w: f"/api/v1/term-work/?school={w.school_a.identifier}", expect(200))

row("requests_list", "get", lambda w: f"/api/v1/requests/?student={w.enrolled.pk}", expect(200))
row("requests_create", "post", lambda w: "/api/v1/requests/",
    expect(403, registrar_a=201, registrar_b=404, other_county_officer=404),
    body=lambda w, role: {"kind": "poverty", "student": w.enrolled.pk, "action": "identify", "note": "低保家庭"})
row("requests_retrieve", "get", lambda w: f"/api/v1/requests/{w.open_suspension.pk}/", expect(200, **SEES_REQUEST))
row("requests_withdraw_create", "post", lambda w: f"/api/v1/requests/{w.open_suspension.pk}/withdraw/",
    expect(403, registrar_a=200, **SEES_REQUEST), body=lambda w, role: {"comment": "家长撤回申请"})
row("requests_evidence_create", "post", lambda w: f"/api/v1/requests/{w.open_suspension.pk}/evidence/",
    expect(403, registrar_a=201, **SEES_REQUEST),
    body=lambda w, role: {"kind": "diagnosis", "file": pdf("诊断证明.pdf")}, fmt="multipart")
row("evidence_retrieve", "get", lambda w: f"/api/v1/evidence/{w.evidence.pk}/", expect(200, **SEES_REQUEST))
row("requests_transfer_certificate_retrieve", "get",
    lambda w: f"/api/v1/requests/{w.completed_transfer.pk}/transfer-certificate/",
    expect(200, class_teacher_a=404, subject_teacher_a=404, other_county_officer=404))
row("requests_suspension_certificate_retrieve", "get",
    lambda w: f"/api/v1/requests/{w.completed_suspension.pk}/suspension-certificate/",
    expect(200, class_teacher_a=404, subject_teacher_a=404, **SEES_REQUEST))

row("tasks_list", "get", lambda w: "/api/v1/tasks/", expect(200))
row("tasks_retrieve", "get", lambda w: f"/api/v1/tasks/{w.office_step.pk}/", expect(200, **SEES_REQUEST))
row("tasks_decision_create", "post", lambda w: f"/api/v1/tasks/{w.office_step.pk}/decision/",
    expect(403, office_a=200, **SEES_REQUEST), body=lambda w, role: {"decision": "approve", "comment": "同意"})

row("statistics_retrieve", "get", lambda w: f"/api/v1/statistics/?region={w.bureau.region.code}", expect(200, **REPORT_READERS))
row("dropouts_list", "get", lambda w: f"/api/v1/dropouts/?region={w.bureau.region.code}", expect(200, **REPORT_READERS))
row("dropouts_follow_ups_list", "get", lambda w: f"/api/v1/dropouts/{w.dropped_out.pk}/follow-ups/",
    expect(200, class_teacher_a=404, subject_teacher_a=404, **SEES_CLASS_A))
row("dropouts_follow_ups_create", "post", lambda w: f"/api/v1/dropouts/{w.dropped_out.pk}/follow-ups/",
    expect(201, office_a=403, class_teacher_a=404, subject_teacher_a=404, admin=403, **SEES_CLASS_A), body=follow_up_body)
row("term_reports_list", "get", lambda w: f"/api/v1/term-reports/?region={w.bureau.region.code}", expect(200, **REPORT_READERS))
row("term_reports_retrieve", "get", lambda w: f"/api/v1/term-reports/{w.school_a.identifier}/?term={w.term_name}",
    expect(200, **NO_TEACHERS, **SEES_CLASS_A))
row("term_reports_submit_create", "post", lambda w: f"/api/v1/term-reports/{w.school_a.identifier}/submit/",
    expect(403, registrar_a=201, **NO_TEACHERS, **SEES_CLASS_A), body=lambda w, role: {"term": w.term_name})

row("intake_template_retrieve", "get", lambda w: "/api/v1/intake-template/", expect(403, registrar_a=200, registrar_b=200))
row("intake_imports_list", "get", lambda w: "/api/v1/intake-imports/", expect(200))
row("intake_imports_create", "post", lambda w: "/api/v1/intake-imports/",
    expect(403, registrar_a=202, registrar_b=202), body=intake_upload, fmt="multipart")
row("intake_imports_retrieve", "get", lambda w: f"/api/v1/intake-imports/{w.intake_import.pk}/",
    expect(200, **NO_TEACHERS, **SEES_CLASS_A))
row("intake_imports_errors_retrieve", "get", lambda w: f"/api/v1/intake-imports/{w.intake_import.pk}/errors/",
    expect(200, **NO_TEACHERS, **SEES_CLASS_A))

row("rollovers_preview_create", "post", lambda w: "/api/v1/rollovers/preview/",
    expect(200, office_a=403, class_teacher_a=403, subject_teacher_a=403, admin=403), body=school_year)
# School A's registrar has confirmed this year's already, which covers the county's too (409); the
# city and the province have no classes of their own to move (400).
row("rollovers_create", "post", lambda w: "/api/v1/rollovers/",
    expect(202, registrar_a=409, county_officer=409, city_officer=400, province_officer=400, office_a=403,
           class_teacher_a=403, subject_teacher_a=403, admin=403),
    body=school_year)
row("rollovers_retrieve", "get", lambda w: f"/api/v1/rollovers/{w.rollover.pk}/",
    expect(404, registrar_a=200, county_officer=200, admin=200))
# The county's officers see a school's own rollover; only the school's registrar undoes it (here:
# not applied yet, 409).
row("rollovers_undo_create", "post", lambda w: f"/api/v1/rollovers/{w.rollover.pk}/undo/",
    expect(404, registrar_a=409, county_officer=403, admin=403))


def schema_operations() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        operation["operationId"]
        for operations in schema["paths"].values()
        for method, operation in operations.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_operation_of_the_schema_has_a_row(db):
    operations = schema_operations()
    assert sorted(operations - set(CALLS)) == [], "a new endpoint: add its row to CALLS"
    assert sorted(set(CALLS) - operations) == [], "an endpoint is gone: remove its row from CALLS"


def body_text(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", errors="ignore")
    return response.content.decode("utf-8", errors="ignore")


def probing(api_for, user):
    """A client of `user` to whom a 500 is an answer to record, not an exception to raise."""
    client = api_for(user)
    client.raise_request_exception = False
    return client


def test_every_role_gets_what_the_contract_says_from_every_operation(probe_world, api_for):
    w = probe_world
    clients = {role: probing(api_for, user) for role, user in w.users.items()}
    wrong, leaks = [], []
    seen_inside = ""  # what school A's registrar read: the secrets are there to be found
    for operation_id, call in sorted(CALLS.items()):
        path = call.path(w)
        for role in ROLES:
            if operation_id == "auth_token_create":
                cache.clear()  # its rate limit is per client address, and every role calls from one
            body = call.body(w, role) if call.body else None
            response = call_and_undo(clients[role], call.method, path, body, fmt=call.fmt)
            text = body_text(response)
            if response.status_code != call.expect[role]:
                wrong.append(f"{operation_id} as {role}: {response.status_code}, expected {call.expect[role]}: {text[:150]}")
            if role == "registrar_a" and call.method == "get":
                seen_inside += text
            secrets = w.secrets.get(role, set())
            if secrets and not (operation_id == "students_lookup_create" and role == "registrar_b"):
                found = sorted(secret for secret in secrets if secret in text)
                if found:
                    leaks.append(f"{operation_id} as {role}: {found}")
    assert {w.enrolled.name, w.enrolled.student_number, w.enrolled.id_number} <= w.secrets["registrar_b"]
    assert w.enrolled.name in seen_inside and w.enrolled.id_number in seen_inside
    assert wrong == [], "\n".join(wrong)
    assert leaks == [], "\n".join(leaks)


def test_a_classs_teachers_get_404_for_another_class_of_their_school(probe_world, api_for):
    """The same calls about another class of school A and its pupil: class_a's teachers see neither
    (a 404; a list filtered on the pupil is empty)."""
    w = probe_world
    other = dataclasses.replace(w, class_a=w.other_class, enrolled=w.other_pupil)
    wrong, probed = [], []
    for role in ("class_teacher_a", "subject_teacher_a"):
        client = probing(api_for, w.users[role])
        for operation_id, call in sorted(CALLS.items()):
            path = call.path(other)
            if path == call.path(w):
                continue  # not about the class or the pupil
            probed.append(operation_id)
            response = call_and_undo(client, call.method, path, call.body(other, role) if call.body else None, fmt=call.fmt)
            if "?" in path:  # a list filtered on them: empty
                if response.status_code != 200 or response.json()["results"]:
                    wrong.append(f"{operation_id} as {role}: {response.status_code}: {body_text(response)[:150]}")
            elif response.status_code != 404:
                wrong.append(f"{operation_id} as {role}: {response.status_code}: {body_text(response)[:150]}")
    assert len(set(probed)) >= 18, probed
    assert wrong == [], "\n".join(wrong)


def test_no_call_about_a_student_out_of_class_answers_a_server_error(probe_world, api_for):
    """The calls about a student, for a suspended, a dropped-out and a transferred-away pupil of
    school A: refusals (4xx) or answers, never a 5xx."""
    w = probe_world
    roles = ("registrar_a", "class_teacher_a", "subject_teacher_a", "county_officer")
    server_errors, probed = [], set()
    for student in (w.suspended, w.dropped_out, w.completed_transfer.student):
        other = dataclasses.replace(w, enrolled=student)
        for role in roles:
            client = probing(api_for, w.users[role])
            for operation_id, call in sorted(CALLS.items()):
                path = call.path(other)
                if path == call.path(w):
                    continue
                probed.add(operation_id)
                response = call_and_undo(client, call.method, path, call.body(other, role) if call.body else None, fmt=call.fmt)
                if response.status_code >= 500:
                    server_errors.append(f"{operation_id} as {role} about {student.get_status_display()}: {response.status_code}")
    assert len(probed) >= 9, probed
    assert server_errors == []
