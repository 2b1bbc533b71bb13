"""Fixtures for tests that need a real browser (Chromium through Playwright) or Java.

Chromium is Debian's (``apt-get install chromium``), driven by Playwright for
Python through ``executable_path``; no browser is ever downloaded.  axe-core and
the Nu Html Checker come from ``tests/browser/package.json``
(``npm install --prefix tests/browser``).  Where a tool is missing the tests
skip with a reason saying how to install it, unless
``BROADSHEET_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from broadsheet import build
from broadsheet.serve import make_server
from conftest import REPO

HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
#: A URL the tests request to see the site's 404 page.
MISSING = "/missing-page/"
#: A fixed build time, so the pages under test are the same on every run.
BUILD_TIME = "2025-07-09T12:00:00+00:00"


def require(condition: bool, reason: str) -> None:
    """Skip (or fail, under BROADSHEET_REQUIRE_BROWSER=1) when a tool is missing."""
    if condition:
        return
    if os.environ.get("BROADSHEET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"required tool missing: {reason}")
    pytest.skip(reason)


def chromium_path() -> str:
    found = os.environ.get("BROADSHEET_CHROMIUM") or shutil.which("chromium")
    require(found is not None, "Chromium is not installed: apt-get install chromium")
    return str(found)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive, built once for the browser tests."""
    from datetime import datetime

    out = tmp_path_factory.mktemp("browser") / "site"
    result = build(REPO, out, now=datetime.fromisoformat(BUILD_TIME))
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    return out


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 by Broadsheet's own preview server."""
    server = make_server(built_site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright is not installed: pip install -e '.[test]'")
        raise
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class PageWatch:
    """Records console errors and failed requests of one page."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("request", self._request)

    def _console(self, message: Any) -> None:
        if message.type == "error" and not _deliberate(message.location.get("url", "")):
            self.problems.append(f"console error: {message.text} ({message.location})")

    def _request(self, request: Any) -> None:
        # The theme loads nothing from elsewhere: no fonts, CDNs or trackers.
        if not request.url.startswith(("http://127.0.0.1:", "data:", "file://")):
            self.problems.append(f"request outside the site: {request.url}")

    def _failed(self, request: Any) -> None:
        # ERR_ABORTED is a cancellation (the test navigated on before, say, the
        # favicon arrived), not a failure.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and not _deliberate(response.url):
            self.problems.append(f"HTTP {response.status}: {response.url}")


def _deliberate(url: str) -> bool:
    """The not-found page is requested on purpose; its 404 status is expected."""
    return url.endswith(MISSING)


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, PageWatch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    watch = PageWatch(tab)
    try:
        yield tab, watch
    finally:
        context.close()
    assert watch.problems == [], watch.problems
