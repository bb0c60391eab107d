"""Browser fixtures: the test app served over HTTP, and headless Chromium driven by Playwright.

The live server runs the suite's session app (same database as the other fixtures), so a test
creates its data with the factories and then looks at it in a real browser. Debian's
`chromium` is used; Playwright never downloads a browser of its own. Without Chromium the
browser tests are skipped, unless HUIWU_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db

PHONE_VIEWPORT = {"width": 390, "height": 844}
TABLET_VIEWPORT = {"width": 768, "height": 1024}
TABLET_LANDSCAPE_VIEWPORT = {"width": 1024, "height": 768}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _browser_required() -> bool:
    return os.environ.get("HUIWU_REQUIRE_BROWSER", "").strip() == "1"


def _no_browser(reason: str) -> None:
    if _browser_required():
        pytest.fail(f"{reason} (HUIWU_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class LiveServer:
    """Where the test app answers: `url("/e/x/")` gives an absolute URL."""

    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path


@pytest.fixture(scope="session")
def _live_server(_app) -> Iterator[LiveServer]:
    """The session app served by werkzeug in a thread on a free loopback port."""
    server = make_server("127.0.0.1", 0, _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer("127.0.0.1", server.server_port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_server(app, _live_server) -> LiveServer:
    """The live server for one test; the `app` fixture empties the database afterwards.

    Call `end_transaction()` before driving the browser (see there why).
    """
    end_transaction()
    return _live_server


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Headless Debian Chromium, shared by the whole session."""
    executable = shutil.which("chromium")
    if not executable:
        _no_browser("chromium not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright not installed")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page_at(browser, live_server) -> Iterator[Callable]:
    """Factory: a fresh page (own cookies) with the given viewport, its base URL the live server.

    `page_at({"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")`;
    extra keyword arguments go to `browser.new_context`.
    """
    contexts = []

    def factory(viewport: dict, **options):
        options.setdefault("locale", "zh-CN")
        options.setdefault("timezone_id", "Asia/Shanghai")
        context = browser.new_context(viewport=viewport, base_url=live_server.base_url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def phone_page(page_at):
    """A 390×844 touch phone page (an ordinary modern smartphone)."""
    return page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2)


@pytest.fixture
def tablet_page(page_at):
    """A 768×1024 portrait touch tablet page (judges and check-in staff)."""
    return page_at(TABLET_VIEWPORT, is_mobile=True, has_touch=True)


def end_transaction() -> None:
    """End the test's own database transaction before the browser acts.

    On SQLite every transaction begins IMMEDIATE (it takes the write lock, see
    app/extensions.py), so a test that read a row and kept its transaction open would make the
    live server wait. Read what you need into plain values first: touching an ORM object
    afterwards opens a new transaction.
    """
    db.session.rollback()


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than its viewport (0 when it fits)."""
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.fixture
def screenshot_dir(tmp_path_factory):
    """Where tests save screenshots: $HUIWU_SCREENSHOT_DIR if set, else a temporary folder."""
    configured = os.environ.get("HUIWU_SCREENSHOT_DIR")
    if configured:
        path = Path(configured).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")
