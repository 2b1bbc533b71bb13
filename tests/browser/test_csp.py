"""The theme's Content-Security-Policy, in Chromium: enforced, and never violated.

Every page kind the theme renders (home, an article with every Markdown
construct that carries markup, a listing, the archive, the search page with a
query run, the 404 page) is loaded while ``securitypolicyviolation`` events and
console messages are recorded: there must be none.  Then the policy is shown to
be real: an inline script, an inline style and WebAssembly outside the search
page are refused (and the policy allows no eval).  Pages opened from disk and
the preview server's live-reload overlay are checked too.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from broadsheet import build, search
from broadsheet.serve import LiveState, make_server
from conftest import REPO, write

from .conftest import require

NOW = datetime(2025, 7, 9, 12, tzinfo=timezone.utc)
ARTICLE = "2025/07/01/tide-tables/index.html"
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile}:${e.lineNumber}`));
"""
TABLE_ARTICLE = """---
headline: Tide tables for the summer
date: 2025-07-01T08:00:00+01:00
tags: [harbour, tides]
---
High water at the inner basin[^1], by day:

| Day | Morning | Evening |
|:----|:-------:|--------:|
| Mon | 06:12 | 18:40 |
| Tue | 06:55 | 19:21 |

> Figures from the harbour master.

- Spring tides
  1. Monday
  2. Tuesday

`gauge` and a block:

```
06:12 4.8 m
```

~~Old figures~~, *new* **figures**, a ![dot](data:image/gif;base64,R0lGODlhAQABAAAAACw=) and a
[link to the archive](../../../../archive/index.html).

[^1]: Measured at the north pier.
"""


def policy(tab: Any) -> dict[str, str]:
    content = tab.evaluate(
        "document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    directives = [part.strip().split(" ", 1) for part in content.split(";") if part.strip()]
    return {name: value for name, value in directives}


@pytest.fixture(scope="module")
def csp_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require(search.available(), 'Pagefind is not installed: pip install "broadsheet[search]"')
    site = tmp_path_factory.mktemp("csp") / "courier"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "broadsheet.yaml", site / "broadsheet.yaml")
    write(site / "content/news/tide-tables.md", TABLE_ARTICLE)
    write(site / "content/comments/tide-tables/2025-07-02-c1.yaml",
          "id: c1\nname: Ann Reader\nwebsite: https://example.org/\n"
          "date: 2025-07-02T10:00:00Z\nbody: |\n  Thanks! *Very* useful, see "
          "[the pier](https://example.org/pier).\n\n  > quoted\n")  # fmt: skip
    result = build(site, now=NOW)
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    assert (site / "site" / ARTICLE).is_file()
    assert (site / "site/pagefind/pagefind-ui.js").is_file()
    return site / "site"


def _serve(root: Path, live: LiveState | None = None) -> Iterator[tuple[str, Any]]:
    server = make_server(root, "127.0.0.1", 0, live=live)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)  # fmt: skip
    thread.start()
    watchdog = threading.Timer(300, server.shutdown)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", server
    finally:
        watchdog.cancel()
        if live is not None:
            live.close()
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def csp_url(csp_site: Path) -> Iterator[str]:
    for url, _ in _serve(csp_site):
        yield url


class Recorder:
    """A browser tab that records CSP violations and console messages about CSP."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context()
        self.context.add_init_script(LISTEN)
        self.tab = self.context.new_page()
        self.console: list[str] = []
        self.tab.on("console", self._console)
        self.tab.on("pageerror", lambda exc: self.console.append(f"page error: {exc}"))

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        return list(self.tab.evaluate("window.__csp")) + self.console

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def recorder(browser: Any) -> Iterator[Recorder]:
    tab = Recorder(browser)
    try:
        yield tab
    finally:
        tab.close()


PAGES = {
    "home": "index.html",
    "article": ARTICLE,
    "tag": "tags/harbour/index.html",
    "section": "news/index.html",
    "archive": "archive/index.html",
    "not-found": "no-such-page/",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_theme_pages_cause_no_violation(recorder: Recorder, csp_url: str, name: str) -> None:
    tab = recorder.tab
    tab.goto(csp_url + PAGES[name])
    tab.wait_for_load_state("networkidle")
    assert recorder.violations() == []
    rules = policy(tab)
    assert rules["default-src"] == "'self'"
    assert rules["script-src"] == "'self'"
    assert rules["object-src"] == "'none'"
    assert rules["base-uri"] == "'self'"
    assert rules["style-src"].startswith("'self' 'unsafe-hashes' 'sha256-")
    # eval() stays refused (it cannot be tested from here: Playwright's evaluate()
    # runs through DevTools, which the page's policy does not govern).
    assert "unsafe-inline" not in " ".join(rules.values())
    assert "unsafe-eval" not in " ".join(rules.values())
    # The stylesheet applied: the masthead title is set in the theme's serif.
    assert "Georgia" in tab.evaluate("getComputedStyle(document.body).fontFamily")


def test_the_search_page_searches_without_violation(recorder: Recorder, csp_url: str) -> None:
    tab = recorder.tab
    tab.goto(csp_url + "search/")
    tab.fill(".pagefind-ui__search-input", "harbour")
    tab.wait_for_selector(".pagefind-ui__result-link", timeout=15_000)
    assert len(tab.query_selector_all(".pagefind-ui__result-link")) >= 2
    assert recorder.violations() == []
    assert policy(tab)["script-src"] == "'self' 'wasm-unsafe-eval'"


def test_search_works_when_pagefind_falls_back_to_the_page(
    recorder: Recorder, csp_url: str
) -> None:
    """Without its worker, Pagefind compiles its WebAssembly on the page itself:
    'wasm-unsafe-eval' on the search page is what lets that work."""
    tab = recorder.tab
    tab.route("**/pagefind-worker.js", lambda route: route.fulfill(status=404, body="gone"))
    tab.goto(csp_url + "search/")
    tab.fill(".pagefind-ui__search-input", "harbour")
    tab.wait_for_selector(".pagefind-ui__result-link", timeout=15_000)
    assert recorder.violations() == []


def test_table_alignment_is_allowed_by_its_hashes(recorder: Recorder, csp_url: str) -> None:
    tab = recorder.tab
    tab.goto(csp_url + ARTICLE)
    cells = tab.evaluate("[...document.querySelectorAll('.story__body th')].map("
                         "c => [c.getAttribute('style'), getComputedStyle(c).textAlign])")
    assert cells == [["text-align:left", "left"], ["text-align:center", "center"],
                     ["text-align:right", "right"]]  # fmt: skip
    assert recorder.violations() == []


def test_the_policy_is_enforced(recorder: Recorder, csp_url: str) -> None:
    tab = recorder.tab
    tab.goto(csp_url + ARTICLE)
    outcome = tab.evaluate("""async () => {
        const script = document.createElement('script');
        script.textContent = 'window.__ran = true';
        document.head.appendChild(script);
        const style = document.createElement('style');
        style.textContent = 'body { color: rgb(255, 0, 0) !important }';
        document.head.appendChild(style);
        document.body.setAttribute('style', 'background: rgb(0, 255, 0)');
        let wasm = 'compiled';
        try { await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); }
        catch (e) { wasm = e.name; }
        await new Promise(r => setTimeout(r, 100));
        return [window.__ran === true, getComputedStyle(document.body).color,
                getComputedStyle(document.body).backgroundColor, wasm];
    }""")
    assert outcome[0] is False, "an inline script ran"
    assert outcome[1] != "rgb(255, 0, 0)", "an inline <style> applied"
    assert outcome[2] != "rgb(0, 255, 0)", "an inline style attribute applied"
    assert outcome[3] == "CompileError", "WebAssembly compiled outside the search page"
    kinds = sorted({v.split(" ")[0] for v in tab.evaluate("window.__csp")})
    assert kinds == ["script-src", "script-src-elem", "style-src-attr", "style-src-elem"]


def test_pages_opened_from_disk_cause_no_violation(recorder: Recorder, csp_site: Path) -> None:
    tab = recorder.tab
    for rel in ("index.html", ARTICLE):
        tab.goto((csp_site / rel).as_uri())
        tab.wait_for_load_state("load")
        assert "Georgia" in tab.evaluate("getComputedStyle(document.body).fontFamily")
    assert recorder.violations() == []


def test_the_live_reload_overlay_causes_no_violation(recorder: Recorder, csp_site: Path) -> None:
    live = LiveState()
    for url, _ in _serve(csp_site, live):
        tab = recorder.tab
        tab.goto(url + ARTICLE)
        tab.wait_for_load_state("load")
        time.sleep(0.3)  # let the event stream connect
        live.failed("content/news/x.md:3: error: date: 'soon' is not a date")
        tab.wait_for_selector("#broadsheet-build-error", timeout=10_000)
        text = tab.inner_text("#broadsheet-build-error")
        assert re.search(r"Build failed.*content/news/x\.md:3", text, re.DOTALL)
        assert tab.evaluate("getComputedStyle(document.getElementById("
                            "'broadsheet-build-error')).position") == "fixed"
        assert recorder.violations() == []
