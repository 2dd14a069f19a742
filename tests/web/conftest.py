"""Fixtures of the web UI tests: a headless Debian Chromium driven by Playwright.

The browser is the system's ``/usr/bin/chromium`` (``scripts/browser-deps.sh`` installs
it); no browser is ever downloaded. Without it the browser tests skip, unless
``ASSAY_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure. The database and
server fixtures are tests/conftest.py's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from tests.support import ServerProcess

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("ASSAY_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required (ASSAY_REQUIRE_BROWSER=1) but missing")
        pytest.skip(f"{CHROMIUM} is missing: run scripts/browser-deps.sh")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


@pytest.fixture
def page_problems() -> list[str]:
    """Uncaught script errors and CSP violations of the test's page (a test that causes one
    on purpose clears the list)."""
    return []


@pytest.fixture
def page(browser: Any, server: ServerProcess, page_problems: list[str]) -> Iterator[Any]:
    """A fresh browser context (no cookies, empty localStorage) on the test server. Uncaught
    script errors and Content-Security-Policy violations fail the test."""
    context = browser.new_context(base_url=server.url, viewport={"width": 1200, "height": 800})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems = page_problems
    tab.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    tab.on("console", lambda msg: problems.append(f"console: {msg.text}")
           if "Content Security Policy" in msg.text else None)
    yield tab
    context.close()
    assert problems == []


@pytest.fixture
def screenshot(page: Any, backend: str) -> Callable[[str], Path]:
    """Save the page as ``artifacts/screenshots/<name>-<backend>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}-{backend}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
