"""The sample archive in a real browser: navigation, the comment form, accessibility."""

from __future__ import annotations

from typing import Any

import pytest

from broadsheet import search

from .conftest import ARTIFACTS, AXE, MISSING, PageWatch, require

#: Pages axe-core checks, by what they are.
AXE_PAGES = {
    "home": "",
    "article": "2024/06/21/port-ellery-fish-market/",
    "section": "news/",
    "tag": "tags/harbour/",
    "author": "authors/maren-holt/",
    "year": "2024/",
    "month": "2024/06/",
    "day": "2024/06/21/",
    "archive": "archive/",
    "not-found": MISSING.lstrip("/"),
    "search": "search/",
}


def test_click_through_the_archive(page: tuple[Any, PageWatch], site_url: str) -> None:
    tab, _ = page
    tab.goto(site_url)
    assert tab.title() == "Latest news – The Harrowmere Courier"
    lead = tab.locator(".lead__headline a")
    headline = lead.inner_text()
    lead.click()
    assert tab.locator("h1.story__headline").inner_text() == headline
    assert tab.url.endswith("/2025/07/08/arts-grant-letter-blunder/index.html")
    tab.locator(".story__terms a", has_text="festival").click()
    assert tab.locator("h1.page-title").inner_text() == "festival"
    assert tab.url.endswith("/tags/festival/index.html")
    tab.go_back()
    assert tab.locator("h1.story__headline").inner_text() == headline
    tab.locator(".sections a", has_text="Archive").click()
    tab.locator(".archive-months a", has_text="June 2024").click()
    assert tab.locator("h1.page-title").inner_text() == "June 2024"
    tab.locator(".river__headline a").first.click()
    assert tab.locator("h1.story__headline").is_visible()
    tab.go_back()
    tab.go_back()
    assert tab.locator("h1.page-title").inner_text() == "Archive"


def test_comment_form_fields_are_labelled_and_required(
    page: tuple[Any, PageWatch], site_url: str
) -> None:
    tab, _ = page
    tab.goto(site_url + "2024/11/05/council-budget-vote/")
    assert tab.locator("#comments-title").inner_text() == "Be the first to comment"
    form = tab.locator("form.comment-form")
    assert form.locator("h3").inner_text() == "Leave a Reply"
    expected = {
        "fields[name]": ("Name *", True),
        "fields[email]": ("Email *", True),
        "fields[url]": ("Website", False),
        "fields[message]": ("Comment *", True),
    }
    for name, (label, required) in expected.items():
        field = form.locator(f'[name="{name}"]')
        field_id = field.get_attribute("id")
        assert form.locator(f'label[for="{field_id}"]').inner_text().strip() == label
        assert (field.get_attribute("required") is not None) is required
    notice = form.locator(".comment-form__notice").inner_text()
    assert notice == "Your email address will not be published. Required fields are marked *"
    honeypot = form.locator('[name="fields[honeypot]"]')
    assert not honeypot.is_visible() or honeypot.bounding_box()["x"] < 0


def test_pages_have_no_console_errors_or_failed_requests(
    page: tuple[Any, PageWatch], site_url: str
) -> None:
    tab, watch = page
    for name, path in AXE_PAGES.items():
        if name != "search" or search.available():
            tab.goto(site_url + path)
    # The page fixture asserts that `watch` saw no problems; check here too, per page set.
    assert watch.problems == []


@pytest.mark.parametrize("width", [1280, 375, 320])
@pytest.mark.parametrize("name", ["home", "article"])
def test_screenshots(browser: Any, site_url: str, name: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.goto(site_url + AXE_PAGES[name])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}-{width}.png"
    tab.screenshot(path=str(target), full_page=True)
    scroll_width = tab.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert target.stat().st_size > 10_000
    assert scroll_width <= width, f"{name} scrolls sideways at {width}px"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_serious_violations(
    browser: Any, site_url: str, name: str, scheme: str
) -> None:
    require(AXE.is_file(), "axe-core is not installed: npm install --prefix tests/browser")
    if name == "search":
        require(search.available(), 'Pagefind is not installed: pip install "broadsheet[search]"')
    # axe goes in as an inline script, which the theme's Content-Security-Policy
    # refuses (tests/browser/test_csp.py checks the policy): bypass it for the audit.
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    tab = context.new_page()
    tab.goto(site_url + AXE_PAGES[name])
    tab.add_script_tag(path=str(AXE))
    violations = tab.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target).join(', ')}`);
        }"""
    )
    context.close()
    assert violations == []


def test_skip_link_and_focus_style(page: tuple[Any, PageWatch], site_url: str) -> None:
    tab, _ = page
    tab.goto(site_url)
    tab.keyboard.press("Tab")
    focused = tab.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = tab.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "skip link shows when focused"
    outline = tab.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_comment_thread_nests_replies_and_offers_them_as_parents(
    page: tuple[Any, PageWatch], site_url: str
) -> None:
    tab, _ = page
    tab.goto(site_url + "2023/03/14/harbour-wall-repairs/")
    assert tab.locator("#comments-title").inner_text() == "3 Comments"
    reply = tab.locator(".comment-replies #comment-5d07f3b2c4")
    assert reply.locator(".comment__author").inner_text() == "Tomas Reyner"
    assert reply.locator(".comment__author a").get_attribute("rel") == "nofollow ugc"
    options = tab.locator('select[name="options[parent]"] option').all_inner_texts()
    assert options[0] == "Nobody: a new comment"
    assert len(options) == 4
    tab.locator("#comment-a81c2e907d .comment__reply").click()
    assert tab.url.endswith("#respond")


def test_print_shows_the_article_without_navigation_or_form(
    page: tuple[Any, PageWatch], site_url: str
) -> None:
    tab, _ = page
    tab.goto(site_url + "2023/03/14/harbour-wall-repairs/")
    tab.emulate_media(media="print")
    assert tab.locator("h1.story__headline").is_visible()
    assert tab.locator(".story__body p").first.is_visible()
    for hidden in (".sections", ".comments", ".story-nav", ".skip-link", ".breadcrumbs"):
        assert not tab.locator(hidden).first.is_visible(), f"{hidden} prints"
    tab.emulate_media(media="screen")
    assert tab.locator(".comments").is_visible()
