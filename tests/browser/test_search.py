"""Search in a real browser: Pagefind's index and interface from the built files."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from broadsheet import build, search
from broadsheet.serve import make_server
from conftest import write

from .conftest import require

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def serve_built(site: Path) -> Iterator[str]:
    result = build(site, now=NOW)
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    assert (site / "site/pagefind/pagefind-ui.js").is_file()
    server = make_server(site / "site", "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require(search.available(), 'Pagefind is not installed: pip install "broadsheet[search]"')
    site = tmp_path_factory.mktemp("search")
    write(site / "content/news/2024-05-01-ferry.md",
          "---\nheadline: Ferry timetable changes\n---\n"
          "The winter ferry timetable adds an early sailing to Port Ellery.\n")
    write(site / "content/news/2024-05-03-market.txt",
          "Market square repaved\n\nThe cobbles of the market square were relaid.\n")
    yield from serve_built(site)


@pytest.fixture(scope="module")
def chinese_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chinese-language archive: Pagefind segments the text into words."""
    require(search.available(), 'Pagefind is not installed: pip install "broadsheet[search]"')
    site = tmp_path_factory.mktemp("search-zh")
    write(site / "broadsheet.yaml", "title: 港口日报\nlanguage: zh-CN\n")
    write(site / "content/news/2024-05-02-harbour.md",
          "---\nheadline: 港口重新开放\n---\n"
          "经过三个月的维修，港口今天重新开放，渔民们非常高兴。\n")
    write(site / "content/news/2024-05-04-library.md",
          "---\nheadline: 图书馆延长开放时间\n---\n"
          "市图书馆从下周起每天开放到晚上九点。\n")
    yield from serve_built(site)


def results_for(page: Any, base: str, query: str) -> list[str]:
    tab, _ = page
    tab.goto(base + "search/")
    tab.fill(".pagefind-ui__search-input", query)
    tab.wait_for_selector(".pagefind-ui__message", timeout=15_000)
    # Pagefind UI speaks the page's language ("Searching for ...", "正在搜索 ..."), so
    # the wait reads its structure instead: while a search runs it shows only the
    # message; once done, the message ("2 results for ...", "未找到 ...") is followed
    # by the results list, which it fills one by one (five at first). The message
    # must name the whole query: under load, one about an earlier state of the input
    # may still be showing.
    tab.wait_for_function(
        """(query) => {
            const message = document.querySelector('.pagefind-ui__message');
            const list = document.querySelector('.pagefind-ui__results');
            if (!message || !list || !message.textContent.includes(query)) return false;
            const digits = message.textContent.replace(query, '').match(/\\d+/);
            const count = digits ? parseInt(digits[0], 10) : 0;
            const shown = list.querySelectorAll('.pagefind-ui__result-link').length;
            return shown >= Math.min(count, 5);
        }""",
        arg=query,
    )
    return [link.inner_text() for link in tab.query_selector_all(".pagefind-ui__result-link")]


def test_a_query_finds_the_article(page: Any, search_site: str) -> None:
    assert results_for(page, search_site, "ferry") == ["Ferry timetable changes"]


def test_a_query_with_no_match_says_so(page: Any, search_site: str) -> None:
    assert results_for(page, search_site, "zeppelin") == []
    tab, _ = page
    assert "No results" in tab.inner_text(".pagefind-ui__message")


def test_chinese_text_is_searchable(page: Any, chinese_site: str) -> None:
    assert results_for(page, chinese_site, "港口") == ["港口重新开放"]
    assert results_for(page, chinese_site, "图书馆") == ["图书馆延长开放时间"]


def test_results_wait_for_a_slow_index(page: Any, chinese_site: str) -> None:
    """While the index is on its way the UI says "正在搜索 ..." (searching): not a result."""
    tab, _ = page

    def slow_index(route: Any) -> None:
        time.sleep(1.0)
        route.continue_()

    tab.route("**/pagefind/index/*.pf_index", slow_index)
    assert results_for(page, chinese_site, "渔民") == ["港口重新开放"]


def test_search_link_in_the_masthead(page: Any, search_site: str) -> None:
    tab, _ = page
    tab.goto(search_site)
    tab.locator(".sections a", has_text="Search").click()
    assert tab.locator("h1.page-title").inner_text() == "Search"
