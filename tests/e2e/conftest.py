"""End-to-end fixtures: one headless Chromium for the whole e2e run, driven by Playwright's
sync API against pytest-django's ``live_server``; a fresh browser context per actor of a test.

Chromium is the system one (``/usr/bin/chromium`` by default, ``ASPIRASI_CHROMIUM`` to
override); without it the browser tests are skipped. Screenshots are written only when
``ASPIRASI_SCREENSHOTS`` names a directory (``make screenshots``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("ASPIRASI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
SCREENSHOTS = os.environ.get("ASPIRASI_SCREENSHOTS", "")


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Chromium, started once for the tests of this package and stopped after the last one.

    While Playwright's sync API is started, an event loop counts as running in this thread,
    and Django refuses sync ORM calls from such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE is
    set (the Django docs' advice for Playwright). The variable is set only for that time:
    set for the whole session, it would leak into the rest of the suite (``check --deploy``
    run in a subprocess reports it as async.E001).
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install the chromium package)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev requirement
        pytest.skip("playwright is not installed")
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """``new_page()`` opens a page in a fresh context (its own cookies: one per actor),
    addressed relative to the live server, in Indonesian and Western Indonesia Time.

    A script error in a page or a server error (5xx) on any request fails the test."""
    contexts: list[Any] = []
    problems: list[str] = []

    def on_response(response: Any) -> None:
        if response.status >= 500:
            problems.append(f"{response.status} {response.request.method} {response.url}")

    def open_page(**options: Any) -> Any:
        settings = {
            "base_url": live_server.url,
            "viewport": DESKTOP,
            "locale": "id-ID",
            "timezone_id": "Asia/Jakarta",
            **options,
        }
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("response", on_response)
        return page

    yield open_page
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("in the browser: " + "; ".join(problems))


@pytest.fixture
def shot() -> Callable[[Any, str], None]:
    """``shot(page, "name.png")``: a full-page screenshot, only under ASPIRASI_SCREENSHOTS."""

    def take(page: Any, name: str) -> None:
        if not SCREENSHOTS:
            return
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.screenshot(
            path=str(folder / name), full_page=True, animations="disabled", caret="hide"
        )

    return take
