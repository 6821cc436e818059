"""`manage.py check --deploy` with the production settings README documents: no issue at all."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.notifications.test_celery_worker import database_url

BASE_DIR = Path(settings.BASE_DIR)


def documented_production_env() -> dict[str, str]:
    """The KEY=value lines of the first sh block under README's "## Production"."""
    readme = (BASE_DIR / "README.md").read_text()
    section = readme.split("\n## Production\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    production = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "XUEJI_"))
    } | env | {
        # The test's servers; the secret generated as README says.
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=production, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.django_db
def test_check_deploy_reports_no_issue_with_the_documented_production_settings():
    env = documented_production_env()
    assert env["DJANGO_DEBUG"] == "false" and env["DJANGO_HTTPS"] == "true"
    result = check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_without_https_check_deploy_warns_of_the_missing_redirect_and_hsts():
    env = documented_production_env()
    del env["DJANGO_HTTPS"]
    result = check_deploy(env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr
