"""Built archive sites, read back as files: listings, taxonomies, the date archive,
"on this day", article pages, feeds, sitemaps and a crawl of every page."""

from __future__ import annotations

import html
import importlib.util
import json
import posixpath
import re
import shutil
import sys
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest
from lxml import etree

from broadsheet import build, search
from broadsheet.build import BuildStopped
from broadsheet.check import check_site
from conftest import REPO, shared_path, write

UTC = timezone.utc
#: "Now" for the sample archive: the day after its newest article (8 July 2025).
NOW = datetime(2025, 7, 9, 12, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://courier.harrowmere.example/"
#: Dates read "1 January 2024" (British English), as in the sample archive.
LANG = "language: en-GB\n"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def built(site: Path, now: datetime = NOW, **options: bool) -> Path:
    """Build ``site`` (which must build without errors) and return its output folder."""
    result = build(site, now=now, **options)
    assert [str(d) for d in result.diagnostics.errors] == []
    return site / "site"


def page(out: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / rel).read_text(encoding="utf-8"))


def target(rel: str, href: str) -> str:
    """The output file a relative ``href`` on page ``rel`` names."""
    path = unquote(urlsplit(href).path)
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))


def headlines(doc: lxml.html.HtmlElement) -> list[str]:
    """Headlines of the listing in ``doc`` (a page or a part of one), lead story first."""
    return [a.text_content() for a in doc.xpath(
        ".//h2[@class='lead__headline' or @class='river__headline']/a")]  # fmt: skip


def html_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html")}


def story(n: int, *, tags: str = "[harbour]", extra: str = "") -> str:
    return (
        f"---\nheadline: Story {n}\ndate: 2024-01-{n:02d}T09:00:00+00:00\ntags: {tags}\n"
        f"summary: Summary {n}.\n{extra}---\nBody of story {n}.\n"
    )


@pytest.fixture
def stories(tmp_path: Path) -> Path:
    """A site with per_page 3 whose articles are added by the tests."""
    write(tmp_path / "broadsheet.yaml", f"title: The Courier\nper_page: 3\n{LANG}")
    (tmp_path / "content").mkdir()
    return tmp_path


def add_stories(site: Path, count: int) -> None:
    for n in range(1, count + 1):
        write(site / f"content/news/s{n}.md", story(n))


# ---------------------------------------------------------------------------
# Listings and pagination
# ---------------------------------------------------------------------------

# count -> headlines on each page (newest first); per_page is 3.
PAGED = {
    0: [[]],
    1: [["Story 1"]],
    3: [["Story 3", "Story 2", "Story 1"]],
    4: [["Story 4", "Story 3", "Story 2"], ["Story 1"]],
    7: [["Story 7", "Story 6", "Story 5"], ["Story 4", "Story 3", "Story 2"], ["Story 1"]],
}


def numbered(base: str, number: int) -> str:
    """Output file of page ``number`` of the listing at ``base``."""
    return base + ("" if number == 1 else f"page/{number}/") + "index.html"


def neighbours(out: Path, rel: str, tag: str) -> list[tuple[str, str]]:
    """(rel, file) of every prev/next link of one kind (``link`` in head, ``a`` in body)."""
    doc = page(out, rel)
    return [(e.get("rel"), target(rel, e.get("href")))
            for e in doc.xpath(f"//{tag}[@rel='prev' or @rel='next']")]  # fmt: skip


def check_listing(out: Path, base: str, expected: list[list[str]]) -> None:
    """Each page of the listing at ``base`` has the expected headlines and navigation."""
    total = len(expected)
    for number, names in enumerate(expected, 1):
        rel = numbered(base, number)
        doc = page(out, rel)
        assert headlines(doc) == names, rel
        want = [("prev", numbered(base, number - 1))] if number > 1 else []
        want += [("next", numbered(base, number + 1))] if number < total else []
        assert neighbours(out, rel, "link") == want, rel
        assert neighbours(out, rel, "a") == want, rel
        items = doc.xpath("//nav[@class='pager']/ol/li")
        if total == 1:
            assert items == [], rel
        else:
            assert [li.text_content() for li in items] == [str(n) for n in range(1, total + 1)]
            assert doc.xpath("//nav[@class='pager']//span[@aria-current='page']/text()") == [
                str(number)
            ]
            links = doc.xpath("//nav[@class='pager']/ol/li/a")
            assert [target(rel, a.get("href")) for a in links] == [
                numbered(base, n) for n in range(1, total + 1) if n != number
            ]


@pytest.mark.parametrize("count", sorted(PAGED))
def test_home_pagination(stories: Path, count: int) -> None:
    add_stories(stories, count)
    out = built(stories)
    expected = PAGED[count]
    written = sorted(f for f in html_files(out) if f.startswith("page/"))
    assert written == [numbered("", n) for n in range(2, len(expected) + 1)]
    check_listing(out, "", expected)


@pytest.mark.parametrize("count", [1, 3, 4, 7])
def test_term_pagination(stories: Path, count: int) -> None:
    add_stories(stories, count)
    out = built(stories)
    expected = PAGED[count]
    written = sorted(f for f in html_files(out) if f.startswith("tags/harbour/"))
    assert written == [numbered("tags/harbour/", n) for n in range(1, len(expected) + 1)]
    check_listing(out, "tags/harbour/", expected)
    for number in range(1, len(expected) + 1):
        doc = page(out, numbered("tags/harbour/", number))
        suffix = f" · page {number} of {len(expected)}" if len(expected) > 1 else ""
        plural = "article" if count == 1 else "articles"
        assert doc.xpath("string(//p[@class='page-count'])") == f"{count} {plural}{suffix}"


def test_no_articles_home_says_so_and_has_no_pager(stories: Path) -> None:
    out = built(stories)
    doc = page(out, "index.html")
    assert doc.xpath("string(//p[@class='empty'])") == "No articles yet."
    assert doc.xpath("//nav[@class='pager']") == []
    assert not (out / "tags/harbour").exists()
    assert not (out / "page").exists()


def test_a_listing_entry_shows_headline_date_section_summary_and_comments(
    stories: Path,
) -> None:
    write(stories / "content/business/open.md", story(1))
    write(stories / "content/business/closed.md",
          story(2, extra="comments: closed\n").replace("Story 2", "Closed story"))  # fmt: skip
    out = built(stories)
    items = page(out, "tags/harbour/index.html").xpath("//li[@class='river__item']")
    assert len(items) == 2
    closed, open_ = items
    link = open_.xpath(".//h2/a")[0]
    assert (link.text_content(), target("tags/harbour/index.html", link.get("href"))) == (
        "Story 1", "2024/01/01/open/index.html"
    )  # fmt: skip
    meta = open_.xpath(".//p[@class='meta']")[0]
    assert meta.text_content() == "1 January 2024 · Business · Be the first to comment"
    assert meta.xpath("./time/@datetime") == ["2024-01-01T09:00:00+00:00"]
    comment = meta.xpath("./a")[0]
    assert target("tags/harbour/index.html", comment.get("href")) == "2024/01/01/open/index.html"
    assert comment.get("href").endswith("#comments")
    assert open_.xpath("string(.//p[@class='river__summary'])") == "Summary 1."
    assert closed.xpath("string(.//p[@class='meta'])") == "2 January 2024 · Business"
    assert closed.xpath(".//p[@class='meta']/a") == []


# ---------------------------------------------------------------------------
# The sample archive
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's sample archive built once with a fixed "now"."""
    site = tmp_path_factory.mktemp("sample")
    shutil.copy(REPO / "broadsheet.yaml", site / "broadsheet.yaml")
    shutil.copytree(REPO / "content", site / "content")
    result = build(site, now=NOW)
    assert [str(d) for d in result.diagnostics] == []
    return site / "site"


def index_entries(doc: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    return [(li.xpath("string(./a)"), li.xpath("string(./span[@class='count'])"))
            for li in doc.xpath("//ul[@class='term-index']/li")]  # fmt: skip


def test_tag_index_lists_every_tag_a_to_z_with_counts(sample: Path) -> None:
    doc = page(sample, "tags/index.html")
    assert index_entries(doc) == [
        ("arts", "(2)"), ("budget", "(4)"), ("council", "(4)"), ("farming", "(1)"),
        ("fell-race", "(1)"), ("festival", "(4)"), ("fishing", "(1)"), ("football", "(1)"),
        ("harbour", "(6)"), ("jobs", "(1)"), ("regatta", "(1)"), ("rowing", "(1)"),
        ("running", "(1)"), ("transport", "(2)"),
    ]  # fmt: skip
    for href in doc.xpath("//ul[@class='term-index']/li/a/@href"):
        assert (sample / target("tags/index.html", href)).is_file()


def test_every_taxonomy_index_links_to_each_term_page(sample: Path) -> None:
    expected = {
        "sections": [("Business", "business"), ("Culture", "culture"), ("News", "news"),
                     ("Sport", "sport")],
        "authors": [("Dev Anand", "authors/dev-anand"), ("Maren Holt", "authors/maren-holt"),
                    ("Ottilie Marsh", "authors/ottilie-marsh"),
                    ("Sports Desk", "authors/sports-desk"),
                    ("Sunniva Crane", "authors/sunniva-crane")],
        "places": [("Caldbeck Valley", "places/caldbeck-valley"),
                   ("Harrowmere", "places/harrowmere"), ("Port Ellery", "places/port-ellery")],
    }  # fmt: skip
    for key, terms in expected.items():
        rel = f"{key}/index.html"
        doc = page(sample, rel)
        links = doc.xpath("//ul[@class='term-index']/li/a")
        assert [(a.text_content(), target(rel, a.get("href"))) for a in links] == [
            (name, f"{url}/index.html") for name, url in terms
        ]
    people = [name for name, _ in index_entries(page(sample, "people/index.html"))]
    assert people == sorted(people, key=str.casefold)
    assert len(people) == 11


def test_place_term_page_is_paginated(sample: Path) -> None:
    first = page(sample, "places/harrowmere/index.html")
    second = page(sample, "places/harrowmere/page/2/index.html")
    assert first.xpath("string(//p[@class='page-count'])") == "12 articles · page 1 of 2"
    assert len(headlines(first)) == 10
    assert headlines(second) == [
        "Harrowmere crews sweep gig rowing regatta",
        "Harbour wall repairs to begin after winter storms",
    ]
    assert not (sample / "places/harrowmere/page/3").exists()
    up = first.xpath("//a[@rel='up']")[0]
    assert (up.text_content(), target("places/harrowmere/index.html", up.get("href"))) == (
        "↑ Places", "places/index.html"
    )  # fmt: skip


# ---------------------------------------------------------------------------
# Date archive
# ---------------------------------------------------------------------------


def period_nav(out: Path, rel: str) -> tuple[list[tuple[str, str]], tuple[str, str]]:
    doc = page(out, rel)
    links = doc.xpath("//nav[@class='period-nav']/a")
    up = doc.xpath("//p[@class='up']/a")[0]
    return (
        [(a.text_content(), target(rel, a.get("href"))) for a in links],
        (up.text_content(), target(rel, up.get("href"))),
    )


def test_period_pages_link_to_the_nearest_periods_with_articles_and_up(sample: Path) -> None:
    assert period_nav(sample, "2024/06/21/index.html") == (
        [("← 2 September 2023", "2023/09/02/index.html"),
         ("14 September 2024 →", "2024/09/14/index.html")],
        ("↑ June 2024", "2024/06/index.html"),
    )  # fmt: skip
    # No articles in July or August 2024: June's neighbours skip them.
    assert period_nav(sample, "2024/06/index.html") == (
        [("← September 2023", "2023/09/index.html"),
         ("September 2024 →", "2024/09/index.html")],
        ("↑ 2024", "2024/index.html"),
    )  # fmt: skip
    assert period_nav(sample, "2024/index.html") == (
        [("← 2023", "2023/index.html"), ("2025 →", "2025/index.html")],
        ("↑ Archive", "archive/index.html"),
    )
    assert period_nav(sample, "2023/index.html")[0] == [("2024 →", "2024/index.html")]
    assert period_nav(sample, "2025/07/08/index.html")[0] == [
        ("← 3 May 2025", "2025/05/03/index.html")
    ]
    assert headlines(page(sample, "2024/06/21/index.html")) == [
        "Lantern festival returns to Harrowmere seafront",
        "Port Ellery fish market reopens under new ownership",
    ]
    assert not (sample / "2024/07").exists()


def test_archive_index_lists_every_year_and_month_with_counts(sample: Path) -> None:
    doc = page(sample, "archive/index.html")
    years = [
        (section.xpath("string(./h2)"),
         [li.text_content() for li in section.xpath(".//li")])
        for section in doc.xpath("//section[@class='archive-year']")
    ]  # fmt: skip
    assert years == [
        ("2025 (4)", ["July 2025 (1)", "May 2025 (1)", "March 2025 (1)", "January 2025 (1)"]),
        ("2024 (4)", ["November 2024 (1)", "September 2024 (1)", "June 2024 (2)"]),
        ("2023 (4)", ["September 2023 (1)", "August 2023 (1)", "May 2023 (1)",
                      "March 2023 (1)"]),
    ]  # fmt: skip
    for href in doc.xpath("//section[@class='archive-year']//a/@href"):
        assert (sample / target("archive/index.html", href)).is_file()
    assert "Undated articles" not in doc.text_content()


def test_undated_articles_get_a_page_and_a_warning(stories: Path) -> None:
    add_stories(stories, 1)
    write(stories / "content/news/no-date.md", "---\nheadline: Timeless\n---\nBody.\n")
    write(stories / "content/news/also-undated.txt", "Also timeless\n\nBody.\n")
    result = build(stories, now=NOW)
    hint = ("warning: no date: listed on the Undated page. Add 'date:' or a YYYY-MM-DD- "
            "file name prefix")  # fmt: skip
    assert [str(d) for d in result.diagnostics] == [
        f"content/news/also-undated.txt: {hint}", f"content/news/no-date.md: {hint}"
    ]  # fmt: skip
    out = stories / "site"
    assert headlines(page(out, "undated/index.html")) == ["Also timeless", "Timeless"]
    assert (out / "undated/no-date/index.html").is_file()
    archive = page(out, "archive/index.html")
    link = archive.xpath("//a[text()='Undated articles']")[0]
    assert target("archive/index.html", link.get("href")) == "undated/index.html"
    assert archive.xpath("string(//a[text()='Undated articles']/following-sibling::span)") == "(2)"


def test_day_pages_use_the_site_time_zone(stories: Path) -> None:
    write(stories / "broadsheet.yaml", f"title: T\ntimezone: America/New_York\n{LANG}")
    write(stories / "content/late.md",
          "---\nheadline: Late night\ndate: 2024-01-01T00:30:00+00:00\n---\nBody.\n")
    out = built(stories)
    assert headlines(page(out, "2023/12/31/index.html")) == ["Late night"]
    assert (out / "2023/12/31/late/index.html").is_file()
    assert not (out / "2024").exists()
    meta = page(out, "2023/12/31/index.html").xpath("string(//p[@class='meta']/time)")
    assert meta == "31 December 2023"


# ---------------------------------------------------------------------------
# On this day
# ---------------------------------------------------------------------------


def test_on_this_day_page_lists_years_newest_first(sample: Path) -> None:
    days = sorted(p.parent.name for p in (sample / "on-this-day").glob("*/index.html"))
    assert days == ["03-14"]  # 21 June has two stories, but both from 2024
    doc = page(sample, "on-this-day/03-14/index.html")
    sections = doc.xpath("//section[@class='on-this-day']")
    assert [(s.xpath("string(./h2)"), headlines(s)) for s in sections] == [
        ("2025", ["Coast road bus cuts: what changes from April"]),
        ("2023", ["Harbour wall repairs to begin after winter storms"]),
    ]
    assert doc.xpath("string(//h1)") == "On this day: 14 March"


@pytest.mark.parametrize(
    ("now", "linked"),
    [
        (datetime(2026, 3, 14, 9, 0, tzinfo=UTC), True),
        # 23:30 UTC on 13 March is still the 13th in London (GMT in March).
        (datetime(2026, 3, 13, 23, 30, tzinfo=UTC), False),
        (datetime(2026, 3, 15, 0, 30, tzinfo=UTC), False),
        (datetime(2026, 6, 21, 9, 0, tzinfo=UTC), False),
    ],
)
def test_home_links_to_todays_page_only_when_it_exists(
    sample_site: Path, now: datetime, linked: bool
) -> None:
    out = built(sample_site, now=now)
    doc = page(out, "index.html")
    links = doc.xpath("//p[@class='on-this-day-link']/a")
    if linked:
        assert [(a.text_content(), target("index.html", a.get("href"))) for a in links] == [
            ("On this day: 14 March in past years", "on-this-day/03-14/index.html")
        ]
    else:
        assert links == []


def test_home_link_to_today_follows_the_site_time_zone(sample_site: Path) -> None:
    # 00:30 BST on 14 June is still 13 June in UTC; in London it is the 14th.
    write(sample_site / "content/news/2024-06-14-june-a.md", "---\nheadline: June A\n---\nA.\n")
    write(sample_site / "content/news/2025-06-14-june-b.md", "---\nheadline: June B\n---\nB.\n")
    out = built(sample_site, now=datetime(2026, 6, 13, 23, 30, tzinfo=UTC))
    hrefs = page(out, "index.html").xpath("//p[@class='on-this-day-link']/a/@href")
    assert [target("index.html", h) for h in hrefs] == ["on-this-day/06-14/index.html"]


# ---------------------------------------------------------------------------
# Article pages
# ---------------------------------------------------------------------------

FISH = "2024/06/21/port-ellery-fish-market/index.html"


def test_article_page_links_to_neighbours_and_terms(sample: Path) -> None:
    doc = page(sample, FISH)
    nav = {a.get("rel"): (a.text_content(), target(FISH, a.get("href")))
           for a in doc.xpath("//nav[@class='story-nav']/a")}  # fmt: skip
    assert nav == {
        "prev": ("Previous Ferry fares to rise as operator blames fuel costs",
                 "2023/09/02/ferry-operator-fares/index.html"),
        "next": ("Next Lantern festival returns to Harrowmere seafront",
                 "2024/06/21/midsummer-lantern-festival/index.html"),
    }  # fmt: skip
    section = doc.xpath("//p[@class='story__section']/a")[0]
    assert (section.text_content(), target(FISH, section.get("href"))) == (
        "Business", "business/index.html"
    )  # fmt: skip
    terms = [(a.text_content(), target(FISH, a.get("href")))
             for a in doc.xpath("//footer[@class='story__terms']//a")]  # fmt: skip
    assert terms == [
        ("harbour", "tags/harbour/index.html"), ("fishing", "tags/fishing/index.html"),
        ("Tomas Reyner", "people/tomas-reyner/index.html"),
        ("Gwen Ashby", "people/gwen-ashby/index.html"),
        ("Port Ellery", "places/port-ellery/index.html"),
        ("Harrowmere", "places/harrowmere/index.html"),
    ]  # fmt: skip
    author = doc.xpath("//span[@class='byline__authors']/a")[0]
    assert target(FISH, author.get("href")) == "authors/sunniva-crane/index.html"


def test_newest_and_oldest_articles_have_one_neighbour(sample: Path) -> None:
    newest = page(sample, "2025/07/08/arts-grant-letter-blunder/index.html")
    assert [a.get("rel") for a in newest.xpath("//nav[@class='story-nav']/a")] == ["prev"]
    oldest = page(sample, "2023/03/14/harbour-wall-repairs/index.html")
    assert [a.get("rel") for a in oldest.xpath("//nav[@class='story-nav']/a")] == ["next"]


def test_related_articles_on_the_sample(sample: Path) -> None:
    # Shares with the fish market (people Tomas Reyner, Gwen Ashby; places Port Ellery,
    # Harrowmere; tags harbour, fishing): ferry fares, library mural, gig rowing 4 each
    # (newest first), harbour wall 3, then the newest of the 2s (FC promotion, May 2025).
    related = page(sample, FISH).xpath("//section[@class='related']//h2/a")
    assert [target(FISH, a.get("href")).split("/")[3] for a in related] == [
        "ferry-operator-fares", "harrowmere-library-mural", "harrowmere-gig-rowing",
        "harbour-wall-repairs", "harrowmere-fc-promotion",
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# Feeds
# ---------------------------------------------------------------------------


def feed_folders(out: Path) -> set[str]:
    folders = set()
    for name in ("feed.xml", "rss.xml", "feed.json"):
        folders |= {p.parent.relative_to(out).as_posix() for p in out.rglob(name)}
    return folders


def test_feeds_exist_for_site_sections_tags_and_authors(sample: Path) -> None:
    folders = feed_folders(sample)
    tags = {f"tags/{p.parent.name}" for p in (sample / "tags").glob("*/index.html")}
    authors = {f"authors/{p.parent.name}" for p in (sample / "authors").glob("*/index.html")}
    assert len(tags) == 14 and len(authors) == 5
    assert folders == {".", "business", "culture", "news", "sport"} | tags | authors
    for folder in folders:
        for name in ("feed.xml", "rss.xml", "feed.json"):
            assert (sample / folder / name).is_file(), f"{folder}/{name}"
    assert not any(f.startswith(("people", "places")) for f in folders)


def atom_entries(path: Path) -> list[etree._Element]:
    return etree.parse(str(path)).getroot().findall(f"{ATOM}entry")


def test_feeds_carry_the_latest_entries(sample: Path) -> None:
    entries = atom_entries(sample / "feed.xml")
    assert len(entries) == 12
    assert entries[0].findtext(f"{ATOM}title") == (
        "“Dear {{ name }}”: council apologises for arts grant letters"
    )
    assert len(atom_entries(sample / "tags/harbour/feed.xml")) == 6
    assert len(json.loads((sample / "feed.json").read_text(encoding="utf-8"))["items"]) == 12
    rss_items = etree.parse(str(sample / "rss.xml")).getroot().findall("channel/item")
    assert len(rss_items) == 12


def test_feed_length_and_summary_only_content(sample_site: Path) -> None:
    config = (sample_site / "broadsheet.yaml").read_text(encoding="utf-8")
    write(sample_site / "broadsheet.yaml", config + "feeds:\n  entries: 3\n  content: summary\n")
    out = built(sample_site)
    entries = atom_entries(out / "feed.xml")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "“Dear {{ name }}”: council apologises for arts grant letters",
        "Harrowmere Town clinch promotion on final day",
        "Coast road bus cuts: what changes from April",
    ]
    assert [e.find(f"{ATOM}content") for e in entries] == [None, None, None]
    assert entries[1].findtext(f"{ATOM}summary") == (
        "A 2–1 win at Port Ellery sealed Harrowmere Town’s promotion to the Coastal League "
        "Premier Division."
    )
    assert len(atom_entries(out / "tags/harbour/feed.xml")) == 3
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert [("content_html" in i, i["content_text"] == i["summary"]) for i in items] == [
        (False, True)
    ] * 3
    rss = etree.parse(str(out / "rss.xml")).getroot()
    assert "<p>" not in "".join(rss.xpath("//item/description/text()"))


def test_term_feeds_carry_summaries_unless_asked_for_whole_articles(sample_site: Path) -> None:
    out = built(sample_site)
    site_entry = atom_entries(out / "feed.xml")[0]
    assert site_entry.find(f"{ATOM}content") is not None, "the site feed is full by default"
    for feed in ("tags/harbour/feed.xml", "news/feed.xml"):
        entries = atom_entries(out / feed)
        assert entries and all(e.find(f"{ATOM}content") is None for e in entries), feed
        assert all(e.findtext(f"{ATOM}summary") for e in entries), feed
    config = (sample_site / "broadsheet.yaml").read_text(encoding="utf-8")
    write(sample_site / "broadsheet.yaml", config + "feeds:\n  term_content: full\n")
    full = built(sample_site)
    entries = atom_entries(full / "tags/harbour/feed.xml")
    assert entries and all(e.find(f"{ATOM}content") is not None for e in entries)
    item = json.loads((full / "news/feed.json").read_text(encoding="utf-8"))["items"][0]
    assert "content_html" in item


AUTODISCOVERY = ("application/atom+xml", "application/rss+xml", "application/feed+json")


def alternates(out: Path, rel: str) -> list[tuple[str, str]]:
    doc = page(out, rel)
    return [(link.get("type"), target(rel, link.get("href")))
            for link in doc.xpath("//head/link[@rel='alternate']")]  # fmt: skip


def test_feed_autodiscovery_points_at_files_that_exist(sample: Path) -> None:
    site = list(zip(AUTODISCOVERY, ("feed.xml", "rss.xml", "feed.json"), strict=True))
    assert alternates(sample, "index.html") == site
    assert alternates(sample, "page/2/index.html") == site
    harbour = [(t, f"tags/harbour/{name}") for t, name in site]
    assert alternates(sample, "tags/harbour/index.html") == harbour + site
    business = [(t, f"business/{name}") for t, name in site]
    assert alternates(sample, "business/index.html") == business + site
    author = [(t, f"authors/sunniva-crane/{name}") for t, name in site]
    assert alternates(sample, "authors/sunniva-crane/index.html") == author + site
    assert alternates(sample, "people/tomas-reyner/index.html") == site
    for rel in ("index.html", "tags/harbour/index.html", "business/index.html"):
        for _, path in alternates(sample, rel):
            assert (sample / path).is_file(), path


def test_atom_feeds_of_the_sample_are_valid(sample: Path) -> None:
    schema = etree.RelaxNG(file=str(shared_path("schemas", "atom.rng")))
    feeds = sorted(sample.rglob("feed.xml"))
    assert len(feeds) == 1 + 4 + 14 + 5
    for path in feeds:
        document = etree.parse(str(path))
        assert schema.validate(document), f"{path}: {schema.error_log}"


# ---------------------------------------------------------------------------
# Sitemaps and robots.txt
# ---------------------------------------------------------------------------


def page_url(rel: str) -> str:
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def test_sitemap_is_valid_and_lists_every_page_but_404(sample: Path) -> None:
    schema = etree.XMLSchema(file=str(shared_path("schemas", "sitemap.xsd")))
    document = etree.parse(str(sample / "sitemap.xml"))
    assert schema.validate(document), schema.error_log
    locs = [loc.text for loc in document.getroot().iter(f"{SM}loc")]
    assert len(locs) == len(set(locs))
    expected = {BASE + page_url(rel) for rel in html_files(sample) - {"404.html"}}
    assert set(locs) == expected
    assert len(locs) == 85 + search.available()  # the search page, when Pagefind is here
    lastmod = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod")
               for u in document.getroot()}  # fmt: skip
    assert lastmod[BASE + "2024/06/21/port-ellery-fish-market/"] == "2024-06-24T16:00:00+01:00"
    assert lastmod[BASE + "tags/fishing/"] == "2024-06-24T16:00:00+01:00"


def test_news_sitemap_has_the_articles_of_the_last_two_days(sample_site: Path) -> None:
    write(sample_site / "content/news/fresh.md",
          "---\nheadline: Fresh\ndate: 2025-07-10T09:00:00+01:00\n---\nNew.\n")  # fmt: skip
    write(sample_site / "content/news/stale.md",
          "---\nheadline: Stale\ndate: 2025-07-08T07:59:00+01:00\n---\nOld.\n")  # fmt: skip
    write(sample_site / "content/news/later.md",
          "---\nheadline: Later\ndate: 2025-07-10T13:00:00+01:00\n---\nNot yet.\n")  # fmt: skip
    now = datetime(2025, 7, 10, 8, 0, tzinfo=UTC)  # 09:00 in London
    out = built(sample_site, now=now, future=True)
    assert (out / "2025/07/10/later/index.html").is_file()  # published, but in the future
    root = etree.parse(str(out / "news-sitemap.xml")).getroot()
    assert [loc.text for loc in root.iter(f"{SM}loc")] == [
        BASE + "2025/07/10/fresh/", BASE + "2025/07/08/arts-grant-letter-blunder/"
    ]  # fmt: skip


def test_robots_txt_names_both_sitemaps(sample: Path) -> None:
    assert (sample / "robots.txt").read_text(encoding="utf-8") == (
        "User-agent: *\nAllow: /\n"
        f"Sitemap: {BASE}sitemap.xml\nSitemap: {BASE}news-sitemap.xml\n"
    )


@pytest.mark.parametrize(
    ("base_url", "warnings"),
    [
        (None, []),
        ("/", []),
        ("/news/", ["broadsheet.yaml: warning: base_url is not an absolute URL, so no sitemaps "
                    "are written (search engines need absolute URLs). "
                    "Set base_url: https://your.domain/"]),
    ],
)  # fmt: skip
def test_no_sitemaps_without_an_absolute_base_url(
    stories: Path, base_url: str | None, warnings: list[str]
) -> None:
    add_stories(stories, 2)
    if base_url is not None:
        write(stories / "broadsheet.yaml", f"title: T\nbase_url: {base_url}\n")
    result = build(stories, now=NOW)
    assert [str(d) for d in result.diagnostics] == warnings
    out = stories / "site"
    assert not (out / "sitemap.xml").exists()
    assert not (out / "news-sitemap.xml").exists()
    assert not (out / "sitemaps").exists()
    assert (out / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"


# ---------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------


def test_drafts_and_future_articles_in_a_build(stories: Path) -> None:
    write(stories / "broadsheet.yaml", f"title: T\nper_page: 10\n{LANG}")
    add_stories(stories, 2)
    write(stories / "content/news/draft.md",
          "---\nheadline: Draft story\ndate: 2024-01-05\ndraft: true\ntags: [secret]\n---\nx\n")
    write(stories / "content/news/soon.md",
          "---\nheadline: Future story\ndate: 2025-07-09T13:00:00+00:00\n---\nLater.\n")
    out = built(stories)  # now is 12:00 on 9 July 2025: "soon" is an hour ahead
    assert headlines(page(out, "index.html")) == ["Story 2", "Story 1"]
    assert not (out / "tags/secret").exists()
    assert not (out / "2025").exists()
    assert not (out / "2024/01/05").exists()
    out = built(stories, drafts=True)
    assert headlines(page(out, "index.html")) == ["Draft story", "Story 2", "Story 1"]
    assert (out / "tags/secret/index.html").is_file()
    out = built(stories, future=True)
    assert headlines(page(out, "index.html")) == ["Future story", "Story 2", "Story 1"]
    assert (out / "2025/07/09/soon/index.html").is_file()
    out = built(stories, drafts=True, future=True)
    assert headlines(page(out, "index.html")) == [
        "Future story", "Draft story", "Story 2", "Story 1"
    ]  # fmt: skip
    out = built(stories, now=datetime(2025, 7, 9, 13, 0, tzinfo=UTC))
    assert headlines(page(out, "index.html")) == ["Future story", "Story 2", "Story 1"]


# ---------------------------------------------------------------------------
# Crawls: broken links, fragments, assets; reachability
# ---------------------------------------------------------------------------

_A_HREF = re.compile(r"<a\b[^>]*?\shref=\"([^\"]*)\"")


def unreachable(out: Path) -> list[str]:
    """HTML files (but 404.html) that no chain of <a href> from the home page reaches."""
    seen = {"index.html"}
    queue = deque(["index.html"])
    while queue:
        rel = queue.popleft()
        for href in _A_HREF.findall((out / rel).read_text(encoding="utf-8")):
            parts = urlsplit(html.unescape(href))
            if parts.scheme or parts.netloc or not parts.path:
                continue
            found = target(rel, parts.path)
            if found.endswith(".html") and found not in seen and (out / found).is_file():
                seen.add(found)
                queue.append(found)
    return sorted(html_files(out) - seen - {"404.html"})


BASES = {"root": ("https://example.org/", "/"), "subpath": ("https://example.org/news/", "/news/")}


@pytest.mark.parametrize("where", sorted(BASES))
def test_sample_crawl_finds_nothing_broken(sample_site: Path, where: str) -> None:
    base_url, base_path = BASES[where]
    write(sample_site / "broadsheet.yaml",
          f"title: Courier\nbase_url: {base_url}\ntimezone: Europe/London\nper_page: 2\n")
    # Every kind of page: undated, a reserved section name, terms sharing a slug.
    write(sample_site / "content/tags/2024-02-02-reserved.md",
          "---\nheadline: In a section called Tags\ntags: [Café]\n---\nText.\n")
    write(sample_site / "content/news/no-date.md",
          "---\nheadline: Undated note\ntags: [Cafe]\n---\nText.\n")
    out = built(sample_site, now=datetime(2026, 3, 14, 12, tzinfo=UTC))
    assert (out / "page/7/index.html").is_file()
    for rel in ("undated/index.html", "section-tags/index.html", "tags/cafe-2/index.html",
                "on-this-day/03-14/index.html"):
        assert (out / rel).is_file(), rel
    assert [str(f) for f in check_site(out, base_path)] == []
    assert unreachable(out) == []


#: Each optional kind of page (``pages:`` in broadsheet.yaml): where its pages are.
OPTIONAL_PAGES = {
    "year_archives": re.compile(r"\d{4}/(page/\d+/)?index\.html"),
    "month_archives": re.compile(r"\d{4}/\d{2}/(page/\d+/)?index\.html"),
    "day_archives": re.compile(r"\d{4}/\d{2}/\d{2}/(page/\d+/)?index\.html"),
    "on_this_day": re.compile(r"on-this-day/.*"),
    "people": re.compile(r"people/.*"),
    "places": re.compile(r"places/.*"),
}


def _crawled(sample_site: Path, pages: str) -> Path:
    """The sample archive (and an undated story) built with ``pages:`` set to ``pages``,
    checked for broken links and pages no link reaches."""
    write(sample_site / "broadsheet.yaml", f"title: Courier\nper_page: 2\npages: {pages}\n")
    write(sample_site / "content/news/no-date.md", "---\nheadline: Undated\n---\nText.\n")
    out = built(sample_site, now=datetime(2026, 3, 14, 12, tzinfo=UTC))
    assert [str(f) for f in check_site(out, "/")] == []
    assert unreachable(out) == []
    return out


def _optional_pages(out: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {key: set() for key in OPTIONAL_PAGES}
    for rel in html_files(out):
        for key, pattern in OPTIONAL_PAGES.items():
            if pattern.fullmatch(rel):
                found[key].add(rel)
    return found


@pytest.mark.parametrize("left_out", sorted(OPTIONAL_PAGES))
def test_each_optional_kind_of_page_can_be_left_out(sample_site: Path, left_out: str) -> None:
    out = _crawled(sample_site, f"{{{left_out}: false}}")
    found = _optional_pages(out)
    assert found.pop(left_out) == set()
    assert all(found.values()), found  # the others are all still there
    assert (out / "archive/index.html").is_file()
    assert (out / "2024/06/21/port-ellery-fish-market/index.html").is_file()


def test_with_every_optional_page_left_out_names_stay_as_text(sample_site: Path) -> None:
    out = _crawled(sample_site, "{" + ", ".join(f"{k}: false" for k in OPTIONAL_PAGES) + "}")
    assert not any(_optional_pages(out).values())
    doc = page(out, FISH)
    terms = doc.xpath("//footer[@class='story__terms']")[0]
    assert [a.text_content() for a in terms.xpath(".//a")] == ["harbour", "fishing"]
    assert "People: Tomas Reyner, Gwen Ashby" in " ".join(terms.text_content().split())
    footer = [a.text_content() for a in doc.xpath("//footer[@class='site-footer']//a")]
    assert "People" not in footer and "Places" not in footer and "Tags" in footer
    archive = page(out, "archive/index.html")
    assert archive.xpath("//section[@class='archive-year']//a") == []
    assert [h.text_content() for h in archive.xpath("//h2")][:1] == ["2025 (4)"]
    assert page(out, "index.html").xpath("//p[@class='on-this-day-link']") == []


def test_without_month_pages_a_year_lists_its_days(sample_site: Path) -> None:
    out = _crawled(sample_site, "{month_archives: false}")
    day = page(out, "2024/06/21/index.html")
    assert [target("2024/06/21/index.html", h) for h in day.xpath("//a[@rel='up']/@href")] == [
        "2024/index.html"
    ]
    days = page(out, "2024/index.html").xpath("//nav[@class='period-children']")[0]
    assert days.get("aria-label") == "Days"
    listed = [target("2024/index.html", h) for h in days.xpath(".//a/@href")]
    assert "2024/06/21/index.html" in listed
    assert listed == sorted(listed) and all(rel.startswith("2024/") for rel in listed)
    archive = page(out, "archive/index.html")
    assert "21 June 2024" in archive.xpath("string(//section[@aria-labelledby='year-2024'])")


@pytest.mark.parametrize("formats", [["rss"], ["json", "atom"]])
def test_feeds_come_in_the_formats_asked_for(sample_site: Path, formats: list[str]) -> None:
    files = {"atom": "feed.xml", "rss": "rss.xml", "json": "feed.json"}
    write(sample_site / "broadsheet.yaml", f"title: Courier\nbase_url: {BASE}\n"
          f"feeds:\n  formats: [{', '.join(formats)}]\n")  # fmt: skip
    out = built(sample_site)
    assert [str(f) for f in check_site(out, "/")] == []
    written = {p.name for p in out.rglob("*") if p.name in files.values()}
    assert written == {files[kind] for kind in formats}
    for rel in ("index.html", "tags/harbour/index.html", FISH):
        doc = page(out, rel)
        linked = {posixpath.basename(h) for h in doc.xpath("//link[@rel='alternate']/@href")}
        # An article's comment feed is Atom whatever the formats.
        assert linked - {"comments.xml"} == {files[kind] for kind in formats}, rel
    footer = page(out, FISH).xpath("//footer[@class='site-footer']//a[.='Feed']/@href")
    assert [target(FISH, h) for h in footer] == [files[formats[0]]]
    follow = page(out, "tags/harbour/index.html").xpath("//p[@class='page-feeds']/a")
    labels = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
    assert sorted(a.text_content() for a in follow) == sorted(labels[k] for k in formats)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[rss, rss]", "feeds.formats: lists a format twice: ['rss', 'rss']"),
        ("rss", "feeds.formats: must be a non-empty list of names, not 'rss'"),
        ("[]", "feeds.formats: must be a non-empty list of names, not []"),
    ],
)
def test_feed_formats_must_be_a_list_of_known_names(
    sample_site: Path, value: str, message: str
) -> None:
    write(sample_site / "broadsheet.yaml", f"title: Courier\nfeeds:\n  formats: {value}\n")
    with pytest.raises(BuildStopped) as stopped:
        build(sample_site)
    assert [str(d) for d in stopped.value.diagnostics] == [f"broadsheet.yaml:3: error: {message}"]


def corpus_write(site: Path, count: int, seed: int) -> int:
    """``benchmarks.corpus.write``, loaded from the repository whatever the working folder."""
    spec = importlib.util.spec_from_file_location("_corpus", REPO / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    written: int = module.write(site, count, seed)
    return written


@pytest.fixture(scope="module")
def gazette(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 500-article synthetic archive built at a domain root and under a subpath."""
    site = tmp_path_factory.mktemp("gazette")
    corpus_write(site, 500, 1)
    outputs = {}
    for where, (base_url, _) in sorted(BASES.items()):
        write(site / "broadsheet.yaml",
              f"title: Benchmark Gazette\nbase_url: {base_url}\nper_page: 20\n")  # fmt: skip
        result = build(site, site / f"site-{where}", now=datetime(2025, 1, 1, tzinfo=UTC))
        assert [str(d) for d in result.diagnostics] == []
        assert result.articles == 500
        outputs[where] = site / f"site-{where}"
    return outputs


@pytest.mark.parametrize("where", sorted(BASES))
def test_large_archive_crawl_finds_nothing_broken(gazette: dict[str, Path], where: str) -> None:
    out = gazette[where]
    assert [str(f) for f in check_site(out, BASES[where][1])] == []
    home = (out / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{BASES[where][0]}">' in home


def test_every_page_of_the_large_archive_is_reachable_from_home(
    gazette: dict[str, Path],
) -> None:
    out = gazette["root"]
    assert len(html_files(out)) > 2000
    assert unreachable(out) == []
