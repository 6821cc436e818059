"""Chromium for the browser tests (a pytest plugin loaded by tests/conftest.py).

Debian's /usr/bin/chromium driven by Playwright, with the flags this machine needs; the ORM
allowed beside Playwright's event loop; every connection opened under Playwright closed before
the test database goes. Request these fixtures after the fixtures that write to the database:
code running under Playwright gets a context of its own, where Django opens a second connection.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

from tests.factories import DEFAULT_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture
def chromium():
    """One headless Chromium; `new_page()` opens a page in a fresh context (its own cookies)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = []

        def new_page():
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(15_000)
            return page

        try:
            yield new_page
        finally:
            connections.close_all()
            for context in contexts:
                context.close()
            browser.close()


@pytest.fixture
def browser_page(chromium, plain_http_cookies):
    """A page of a fresh browser context, not logged in."""
    return chromium()


@pytest.fixture
def plain_http_cookies(settings):
    """The live server speaks plain http: cookies marked Secure (production's default with DEBUG
    off) are not for it, as they are not for `make run`."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def browser_for(chromium, live_server, plain_http_cookies):
    """browser_for(username) → a page of a new browser context, logged in as that user."""

    def open_as(username: str):
        page = chromium()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        # Turbo moves the address before it renders the new page: wait for the signed-in frame, or a
        # form still on the login page (with the token of before the login) could be used.
        page.wait_for_selector("#header-notifications")
        return page

    return open_as


@pytest.fixture
def screenshot():
    """screenshot(page, "name.png") → the whole page saved to test-artifacts/."""

    def save(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
