"""Errors a user understands: DEBUG off unless asked for (embedded too), the site's own 404, 403
and 500 pages, and the page of a student who has left the school instead of a bare 404."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from records import services
from tests.api.conftest import api_for  # noqa: F401 (fixture)
from records.models import Role
from tests.factories import StudentFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _settings_without_environment(**env) -> str:
    """DEBUG and ALLOWED_HOSTS as `make run` gets them with no .env: a fresh interpreter, an empty
    environment but for `env`."""
    code = "from config import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS, getattr(s, 'SESSION_COOKIE_SECURE', None), s.SERVE_MEDIA)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={"PATH": os.environ["PATH"], **env},
        capture_output=True, text=True, check=True,
    )
    return result.stdout.strip()


@pytest.mark.skipif((ROOT / ".env").exists(), reason="a .env file would set the environment")
def test_the_embedded_site_runs_without_debug_unless_asked():
    assert _settings_without_environment() == "False ['localhost', '127.0.0.1', '[::1]'] False True"
    assert _settings_without_environment(DJANGO_DEBUG="true").startswith("True ['localhost', '127.0.0.1', '[::1]']")


def test_the_run_script_serves_static_files_without_debug():
    assert "runserver --insecure" in (ROOT / "scripts" / "run.sh").read_text()


def test_an_unknown_address_is_the_sites_chinese_404(client_for, registrar):
    response = client_for(registrar).get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "404 页面不存在" in page and "返回首页" in page and 'href="/"' in page
    assert "Django" not in page and "Traceback" not in page

    english = client_for(registrar).get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page not found" in english and "Back to the home page" in english


def test_a_refusal_is_the_sites_403_with_its_reason(client_for, student, class_teacher):
    response = client_for(class_teacher).get(f"/students/{student.pk}/edit/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "403 无权访问" in page and "只有学籍所在学校的学籍管理员或教导处可以修改学生信息。" in page and "返回首页" in page


def test_a_server_error_is_the_sites_500(db):
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "500 系统出错" in page and "请稍后重试" in page and 'href="/"' in page


# --- A student who has left the school ---------------------------------------------------------------


@pytest.fixture
def class_a2_teacher(class_a2):
    return UserFactory(username="teacher_a2", role=Role.CLASS_TEACHER, school=class_a2.school, school_class=class_a2)


@pytest.fixture
def transferred(class_a, class_b, registrar, receiving_registrar):
    pupil = StudentFactory(school_class=class_a, by=registrar, name="何小舟")
    services.student_transfer(student=pupil, to_class=class_b, by=receiving_registrar, reason="转学")
    return pupil


@pytest.mark.parametrize("who", ["registrar", "academic_office"])
def test_the_former_school_sees_when_the_student_left_but_not_where_to(
    request, client_for, transferred, class_a, class_b, who
):
    response = client_for(request.getfixturevalue(who)).get(f"/students/{transferred.pk}/")
    page = response.content.decode()

    assert response.status_code == 404
    left_on = transferred.placements.get(school_class=class_a).ended_on
    assert f"该学生已于 {left_on:%Y-%m-%d} 转出本校（转学）" in page
    assert class_a.name in page  # its own part of the history
    assert f'href="/requests/?student={transferred.pk}"' in page
    # Nothing of where the student went, nor the rest of the record.
    assert "龙游县东华小学" not in page and class_b.code not in page
    assert "家庭成员" not in page and "变更记录" not in page and "身份证件号" not in page


def test_the_left_page_reads_in_english(client_for, transferred, registrar):
    page = client_for(registrar).get(f"/students/{transferred.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This student left your school on" in page and "request list</a>" in page


def test_the_former_class_teacher_sees_the_pupil_left_the_class(client_for, transferred, class_teacher):
    page = client_for(class_teacher).get(f"/students/{transferred.pk}/").content.decode()
    assert "离开本班（转学）" in page and "龙游县东华小学" not in page
    assert "/requests/?student=" not in page


@pytest.mark.parametrize("who", ["other_county_registrar", "class_a2_teacher"])
def test_a_school_or_class_the_student_never_was_in_gets_the_plain_404(request, client_for, transferred, who):
    page = client_for(request.getfixturevalue(who)).get(f"/students/{transferred.pk}/").content.decode()
    assert "页面不存在" in page and "何小舟" not in page


def test_the_api_tells_the_former_school_when_the_student_left(api_for, transferred, registrar, other_county_registrar):
    response = api_for(registrar).get(f"/api/v1/students/{transferred.pk}/")
    assert response.status_code == 404
    detail = str(response.json())
    assert "转出本校（转学）" in detail and "龙游县东华小学" not in detail
    assert "转出本校" not in str(api_for(other_county_registrar).get(f"/api/v1/students/{transferred.pk}/").json())


def test_the_former_school_finds_the_requests_of_the_student(client_for, transferred, registrar):
    assert client_for(registrar).get(f"/requests/?student={transferred.pk}").status_code == 200


def test_the_browsers_favicon_request_gets_the_icon_not_a_404_page(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/viewflow/img/favicon.png"
