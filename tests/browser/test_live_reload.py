"""Live reload in a real browser: a change reloads the page; a failed build shows
an overlay over the last good page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import write
from test_serve_live import Preview

from .conftest import PageWatch


@pytest.fixture
def preview_site(tmp_path: Path) -> Iterator[Preview]:
    write(tmp_path / "content/news/2024-01-02-harbour.txt",
          "Harbour opens\n\nThe harbour opened.\n")
    server = Preview(tmp_path)
    try:
        yield server
    finally:
        server.close()


def test_change_reloads_and_failure_shows_an_overlay(
    page: tuple[Any, PageWatch], preview_site: Preview
) -> None:
    tab, _ = page
    tab.goto(preview_site.url + "2024/01/02/harbour/")
    assert tab.locator("h1.story__headline").inner_text() == "Harbour opens"
    tab.wait_for_timeout(500)  # the event stream is connected

    source = preview_site.site / "content/news/2024-01-02-harbour.txt"
    source.write_text("Harbour opens early\n\nThe harbour opened.\n", encoding="utf-8")
    tab.wait_for_function(
        "() => document.querySelector('h1.story__headline').textContent === 'Harbour opens early'",
        timeout=20_000,
    )

    write(preview_site.site / "templates/article.html", "{% if %}\n")
    overlay = tab.locator("#broadsheet-build-error")
    overlay.wait_for(timeout=20_000)
    text = overlay.inner_text()
    assert "Build failed; the last good site is still served." in text
    assert "templates/article.html:1: error:" in text
    assert tab.locator("h1.story__headline").inner_text() == "Harbour opens early"

    (preview_site.site / "templates/article.html").unlink()
    tab.wait_for_function("() => !document.getElementById('broadsheet-build-error')",
                          timeout=20_000)  # fmt: skip
    assert tab.locator("h1.story__headline").inner_text() == "Harbour opens early"
