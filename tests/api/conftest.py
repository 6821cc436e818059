"""Fixtures of the API tests: clients that call /api/v1/ as a given user, with a token.

The world is tests/conftest.py's (school_a and school_b under 龙游县, school_c under 武义县), with
the open transfer windows and the third county of tests/flows/conftest.py.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from records import services

from tests.flows.conftest import (  # noqa: F401 (fixtures)
    changshan_bureau,
    second_bureau_officer,
    third_county_officer,
    today,
    transfer_windows_open,
)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The token endpoint's rate limit counts in the cache (Redis); start every test at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_for(db):
    """api_for(user) → a REST framework client sending `user`'s token; api_for(None) sends none."""

    def make(user=None, *, language: str | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = services.api_token_issue(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        if language:
            client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return make
