"""The archive graph: records in, pages out (no files, no templates).

These tests build :class:`~broadsheet.model.Article` records directly and check
what :func:`broadsheet.graph.build_archive` makes of them: pagination, the terms
of every taxonomy and their slugs, date periods, "on this day", related
articles, feeds and the machine-readable files.
"""

from __future__ import annotations

import importlib
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.config import FeedsConfig, SiteConfig
from broadsheet.graph import (
    RELATED_COUNT,
    Archive,
    Link,
    Pagination,
    RelatedNow,
    _related_index,
    build_archive,
    related,
    related_positions,
    select,
)
from broadsheet.model import Article, Html, Page

UTC = timezone.utc
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SITE = SiteConfig(title="The Courier", per_page=3)


def art(slug: str, date: datetime | None = None, **changes: Any) -> Article:
    """A Markdown article record with a unique source and hash."""
    values: dict[str, Any] = {
        "source": f"content/{slug}.md",
        "format": "md",
        "slug": slug,
        "headline": f"Headline {slug}",
        "summary": f"Summary of {slug}.",
        "body": Html.of(f"<p>Body of {slug}.</p>"),
        "date": date,
        "source_hash": f"hash-{slug}",
    }
    values.update(changes)
    return Article(**values)


def day(n: int, hour: int = 12) -> datetime:
    """Noon UTC on day ``n`` counted from 1 January 2024 (day 1)."""
    return datetime(2024, 1, 1, hour, tzinfo=UTC) + timedelta(days=n - 1)


def archive_of(articles: list[Article], config: SiteConfig = SITE, **kw: Any) -> Archive:
    return build_archive(articles, config, now=kw.pop("now", NOW), **kw)


def pages_of(archive: Archive, template: str) -> list[Page]:
    return [p for p in archive.pages if p.template == template]


def page_at(archive: Archive, url: str) -> Page:
    found = [p for p in archive.pages if p.url == url]
    assert len(found) == 1, f"{len(found)} pages at {url!r}"
    return found[0]


def slugs(articles: tuple[Article, ...] | list[Article]) -> list[str]:
    return [a.slug for a in articles]


def listing(archive: Archive, base: str, template: str) -> list[tuple[str, list[str]]]:
    """(url, article slugs) of every page of the listing at ``base``."""
    prefix = re.compile(rf"^{re.escape(base)}(page/\d+/)?$")
    return [
        (p.url, slugs(p.context["articles"]))
        for p in archive.pages
        if p.template == template and prefix.match(p.url)
    ]


def term(archive: Archive, key: str, name: str) -> Any:
    found = [t for t in archive.taxonomies[key] if t.name == name]
    assert len(found) == 1, f"no single {key} term {name!r}"
    return found[0]


def messages(archive: Archive) -> list[str]:
    return [str(d) for d in archive.diagnostics]


# ---------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------


def test_pagination_urls_and_neighbours() -> None:
    middle = Pagination(2, 3, "tags/harbour/")
    assert middle.prev_url == "tags/harbour/"
    assert middle.next_url == "tags/harbour/page/3/"
    assert middle.url(1) == "tags/harbour/"
    assert middle.url(3) == "tags/harbour/page/3/"
    assert list(middle.numbers) == [1, 2, 3]
    first = Pagination(1, 3, "")
    assert (first.prev_url, first.next_url) == (None, "page/2/")
    last = Pagination(3, 3, "")
    assert (last.prev_url, last.next_url) == ("page/2/", None)
    only = Pagination(1, 1, "news/")
    assert (only.prev_url, only.next_url, list(only.numbers)) == (None, None, [1])


def test_a_long_pager_shows_the_ends_and_the_neighbourhood() -> None:
    assert Pagination(10, 501, "").numbers == (1, None, 7, 8, 9, 10, 11, 12, 13, None, 501)
    assert Pagination(1, 501, "").numbers == (1, 2, 3, 4, None, 501)
    assert Pagination(501, 501, "").numbers == (1, None, 498, 499, 500, 501)
    # A gap of a single page shows that page instead of an ellipsis.
    assert Pagination(6, 20, "").numbers == (1, 2, 3, 4, 5, 6, 7, 8, 9, None, 20)
    assert Pagination(5, 9, "").numbers == tuple(range(1, 10))
    for total in range(1, 40):
        for number in range(1, total + 1):
            shown = [n for n in Pagination(number, total, "").numbers if n is not None]
            assert shown == sorted(set(shown)) and {1, number, total} <= set(shown)
            assert len(shown) <= 2 * 3 + 5  # the neighbourhood, both ends, two filled gaps


# count -> expected [(url, newest-first slugs on that page)] with per_page 3;
# article sN is dated day N, so the highest number is the newest.
HOME_CASES = {
    0: [("", [])],
    1: [("", ["s1"])],
    3: [("", ["s3", "s2", "s1"])],
    4: [("", ["s4", "s3", "s2"]), ("page/2/", ["s1"])],
    7: [("", ["s7", "s6", "s5"]), ("page/2/", ["s4", "s3", "s2"]), ("page/3/", ["s1"])],
}


@pytest.mark.parametrize("count", sorted(HOME_CASES))
def test_home_pages_split_by_per_page(count: int) -> None:
    archive = archive_of([art(f"s{n}", day(n), tags=("harbour",)) for n in range(1, count + 1)])
    assert listing(archive, "", "index.html") == HOME_CASES[count]
    totals = {p.context["pagination"].total for p in pages_of(archive, "index.html")}
    assert totals == {len(HOME_CASES[count])}


@pytest.mark.parametrize("count", [1, 3, 4, 7])
def test_term_pages_split_by_per_page(count: int) -> None:
    archive = archive_of([art(f"s{n}", day(n), tags=("harbour",)) for n in range(1, count + 1)])
    expected = [("tags/harbour/" + url, names) for url, names in HOME_CASES[count]]
    assert listing(archive, "tags/harbour/", "term.html") == expected
    numbers = [p.context["pagination"].number for p in pages_of(archive, "term.html")]
    assert numbers == list(range(1, len(expected) + 1))


def test_no_articles_gives_no_term_pages_and_empty_indexes() -> None:
    archive = archive_of([])
    assert pages_of(archive, "term.html") == []
    for key in ("sections", "tags", "authors", "people", "places"):
        assert archive.taxonomies[key] == ()
        assert page_at(archive, f"{key}/").context["terms"] == ()
    assert [p.url for p in pages_of(archive, "index.html")] == [""]
    assert not any("page/" in p.url for p in archive.pages)


def test_listing_titles_name_the_page_number() -> None:
    archive = archive_of([art(f"s{n}", day(n), section="News") for n in range(1, 5)])
    assert page_at(archive, "news/").title == "News"
    assert page_at(archive, "news/page/2/").title == "News – page 2"
    assert page_at(archive, "page/2/").title == "Latest news – page 2"


# ---------------------------------------------------------------------------
# Taxonomies
# ---------------------------------------------------------------------------


def test_every_taxonomy_has_an_index_and_term_pages() -> None:
    article = art("a", day(1), section="Business", tags=("harbour",), authors=("Ann Lee",),
                  people=("Tomas Reyner",), places=("Port Ellery",))  # fmt: skip
    archive = archive_of([article])
    assert {p.url for p in pages_of(archive, "terms.html")} == {
        "sections/", "tags/", "authors/", "people/", "places/"
    }  # fmt: skip
    assert {p.url for p in pages_of(archive, "term.html")} == {
        "business/", "tags/harbour/", "authors/ann-lee/", "people/tomas-reyner/",
        "places/port-ellery/",
    }  # fmt: skip
    up = page_at(archive, "people/tomas-reyner/").context["up"]
    assert up == Link("People", "people/")


def test_term_index_is_a_to_z_ignoring_case_with_counts() -> None:
    articles = [
        art("a", day(1), tags=("banana", "Apple")),
        art("b", day(2), tags=("cherry", "apple pie", "Banana split")),
        art("c", day(3), tags=("banana",)),
    ]
    archive = archive_of(articles)
    terms = page_at(archive, "tags/").context["terms"]
    assert [(t.name, t.count) for t in terms] == [
        ("Apple", 1), ("apple pie", 1), ("banana", 2), ("Banana split", 1), ("cherry", 1)
    ]  # fmt: skip
    assert slugs(term(archive, "tags", "banana").articles) == ["c", "a"]  # newest first


def test_term_index_puts_accented_names_with_their_letter() -> None:
    archive = archive_of([art("a", day(1), places=("Zebra Point", "Éclair Bay", "Eagle Rock"))])
    names = [t.name for t in archive.taxonomies["places"]]
    assert names == ["Eagle Rock", "Éclair Bay", "Zebra Point"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Zürich", "zurich"),
        ("北京", "bei-jing"),
        ("Москва", "moskva"),
        ("Αθήνα", "athena"),
        ("São Paulo", "sao-paulo"),
    ],
)
def test_place_slugs_are_url_safe_ascii(name: str, slug: str) -> None:
    archive = archive_of([art("a", day(1), places=(name,), tags=(name,))])
    place = term(archive, "places", name)
    assert (place.slug, place.url) == (slug, f"places/{slug}/")
    assert term(archive, "tags", name).url == f"tags/{slug}/"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", place.slug)
    assert messages(archive) == []


@pytest.mark.parametrize(
    ("first", "second", "base"),
    [("Cafe", "Café", "cafe"), ("C", "C++", "c")],
)
def test_terms_sharing_a_slug_are_warned_about_and_numbered(
    first: str, second: str, base: str
) -> None:
    articles = [
        art("x", day(1), tags=(second,)),
        art("y", day(2), tags=(first,)),
        art("z", day(3), tags=(second, "other")),
    ]
    expected_urls = {first: f"tags/{base}/", second: f"tags/{base}-2/", "other": "tags/other/"}
    warning = (
        f"content: warning: tag {second!r} has the same slug as {first!r} ({base}); "
        f"its pages are at {base}-2"
    )
    for seed in range(6):
        shuffled = articles[:]
        random.Random(seed).shuffle(shuffled)
        archive = archive_of(shuffled)
        assert {t.name: t.url for t in archive.taxonomies["tags"]} == expected_urls
        assert messages(archive) == [warning]
        assert slugs(term(archive, "tags", second).articles) == ["z", "x"]
        assert slugs(page_at(archive, f"tags/{base}/").context["articles"]) == ["y"]


def test_section_slug_collision_is_warned_once() -> None:
    archive = archive_of([art("a", day(1), section="Café"), art("b", day(2), section="Cafe")])
    assert {t.name: t.url for t in archive.sections} == {"Cafe": "cafe/", "Café": "cafe-2/"}
    assert messages(archive) == [
        "content: warning: section 'Café' has the same slug as 'Cafe' (cafe); "
        "its pages are at cafe-2"
    ]
    assert slugs(page_at(archive, "cafe-2/").context["articles"]) == ["a"]


@pytest.mark.parametrize(
    ("section", "url"),
    [
        ("Tags", "section-tags/"),
        ("Archive", "section-archive/"),
        ("2024", "section-2024/"),
        ("People", "section-people/"),
        ("On this day", "section-on-this-day/"),
        ("Undated", "section-undated/"),
        ("Page", "section-page/"),
        ("Static", "section-static/"),
    ],
)
def test_sections_named_like_reserved_paths_get_a_prefix(section: str, url: str) -> None:
    archive = archive_of([art("a", day(1), section=section, tags=("harbour",))])
    assert [t.url for t in archive.sections] == [url]
    assert page_at(archive, url).template == "term.html"
    assert messages(archive) == []
    # The generated pages keep their own addresses.
    assert page_at(archive, "tags/").template == "terms.html"
    assert page_at(archive, "archive/").template == "archive.html"
    assert page_at(archive, "2024/").template == "period.html"


def test_articles_that_would_take_a_generated_page_s_path_move_aside() -> None:
    # Laid out once on the hope that no article does, then again around the pages.
    config = replace(SITE, permalink="/{slug}/")
    archive = archive_of([art("tags", day(1), tags=("Café",)), art("archive", day(2)),
                          art("harbour", day(3), tags=("cafe",)), art("2024", day(4))],
                         config)  # fmt: skip
    assert {a.slug: a.url for a in archive.articles} == {
        "2024": "2024-2/", "harbour": "harbour/", "archive": "archive-2/", "tags": "tags-2/"}
    assert page_at(archive, "tags/").template == "terms.html"
    assert page_at(archive, "2024/").template == "period.html"
    taken = "is already taken by the page {!r}; this one is published at /{}-2/ instead"
    assert messages(archive) == [
        *(f"content/{slug}.md: warning: URL /{slug}/ {taken.format(title, slug)}. Give one of "
          "them another slug to choose"
          for slug, title in (("2024", "2024"), ("archive", "Archive"), ("tags", "Tags"))),
        "content: warning: tag 'cafe' has the same slug as 'Café' (cafe); its pages are at cafe-2"]


def test_related_articles_are_found_once_more_after_articles_move_aside() -> None:
    # The search started on the first layout is cancelled; the second one's is used.
    searches: list[tuple[list[str], list[str]]] = []

    class Recorded(RelatedNow):
        def result(self) -> Sequence[tuple[int, ...]]:
            searches[-1][1].append("result")
            return super().result()

        def cancel(self) -> None:
            searches[-1][1].append("cancel")

    def finder(ordered: Sequence[Article], index: Mapping[str, list[int]]) -> Recorded:
        searches.append(([a.url for a in ordered], []))
        return Recorded(ordered, index)

    config = replace(SITE, permalink="/{slug}/")
    archive = archive_of([art("tags", day(1), tags=("x",)), art("b", day(2), tags=("x",))],
                         config, find_related=finder)  # fmt: skip
    assert searches == [(["b/", "tags/"], ["cancel"]),
                        (["b/", "tags-2/"], ["result", "cancel"])]  # fmt: skip
    assert slugs(page_at(archive, "tags-2/").context["related"]) == ["b"]
    assert slugs(page_at(archive, "b/").context["related"]) == ["tags"]


def test_a_plain_section_lives_at_the_site_root() -> None:
    archive = archive_of([art("a", day(1), section="World News")])
    assert [(t.name, t.slug, t.url) for t in archive.sections] == [
        ("World News", "world-news", "world-news/")
    ]


def test_extracted_only_when_every_member_article_was_extracted() -> None:
    articles = [
        art("x", day(1), people=("Ann", "Bob"), places=("Harrowmere",), tags=("t",),
            entities_extracted=True),
        art("y", day(2), people=("Ann",), places=("Harrowmere",), entities_extracted=True),
        art("z", day(3), people=("Bob",), places=("Port Ellery",)),
    ]  # fmt: skip
    archive = archive_of(articles)
    assert {t.name: t.extracted for t in archive.taxonomies["people"]} == {
        "Ann": True, "Bob": False
    }  # fmt: skip
    assert {t.name: t.extracted for t in archive.taxonomies["places"]} == {
        "Harrowmere": True, "Port Ellery": False
    }  # fmt: skip
    # Tags (and sections, authors) are never "found automatically".
    assert [t.extracted for t in archive.taxonomies["tags"]] == [False]


# ---------------------------------------------------------------------------
# Date archive
# ---------------------------------------------------------------------------


@pytest.fixture
def dated_archive() -> Archive:
    articles = [
        art("dec", datetime(2023, 12, 31, 9, tzinfo=UTC)),
        art("jan-a", datetime(2024, 1, 15, 9, tzinfo=UTC)),
        art("jan-b", datetime(2024, 1, 15, 18, tzinfo=UTC)),
        art("jan-c", datetime(2024, 1, 20, 9, tzinfo=UTC)),
        art("mar", datetime(2024, 3, 2, 9, tzinfo=UTC)),  # no February articles
        art("nodate-b"),
        art("nodate-a"),
    ]
    return archive_of(articles)


def test_periods_exist_only_for_dates_with_articles(dated_archive: Archive) -> None:
    periods = dated_archive.periods
    assert [(p.url, p.title, p.count) for p in periods["year"]] == [
        ("2023/", "2023", 1), ("2024/", "2024", 4)
    ]  # fmt: skip
    assert [(p.url, p.title, p.count) for p in periods["month"]] == [
        ("2023/12/", "December 2023", 1),
        ("2024/01/", "January 2024", 3),
        ("2024/03/", "March 2024", 1),
    ]
    assert [(p.url, p.title, slugs(p.articles)) for p in periods["day"]] == [
        ("2023/12/31/", "31 December 2023", ["dec"]),
        ("2024/01/15/", "15 January 2024", ["jan-b", "jan-a"]),
        ("2024/01/20/", "20 January 2024", ["jan-c"]),
        ("2024/03/02/", "2 March 2024", ["mar"]),
    ]
    assert dated_archive.years == periods["year"]


def test_period_neighbours_skip_empty_periods_and_go_up(dated_archive: Archive) -> None:
    def nav(url: str) -> tuple[str | None, str | None, Link]:
        context = page_at(dated_archive, url).context
        prev, nxt = context["prev_period"], context["next_period"]
        return (prev.url if prev else None, nxt.url if nxt else None, context["up"])

    assert nav("2024/01/") == ("2023/12/", "2024/03/", Link("2024", "2024/"))
    assert nav("2024/03/") == ("2024/01/", None, Link("2024", "2024/"))
    assert nav("2023/12/") == (None, "2024/01/", Link("2023", "2023/"))
    assert nav("2024/01/20/") == ("2024/01/15/", "2024/03/02/", Link("January 2024", "2024/01/"))
    assert nav("2023/12/31/") == (None, "2024/01/15/", Link("December 2023", "2023/12/"))
    assert nav("2023/") == (None, "2024/", Link("Archive", "archive/"))
    children = page_at(dated_archive, "2024/").context["children"]
    assert [(c.url, c.count) for c in children] == [("2024/01/", 3), ("2024/03/", 1)]
    days = page_at(dated_archive, "2024/01/").context["children"]
    assert [(c.url, c.count) for c in days] == [("2024/01/15/", 2), ("2024/01/20/", 1)]


def test_archive_index_lists_years_with_their_months(dated_archive: Archive) -> None:
    context = page_at(dated_archive, "archive/").context
    assert [(y.title, y.count, [(m.title, m.count) for m in months])
            for y, months in context["years"]] == [
        ("2023", 1, [("December 2023", 1)]),
        ("2024", 4, [("January 2024", 3), ("March 2024", 1)]),
    ]  # fmt: skip
    assert context["undated"] == 2


def test_undated_articles_are_listed_and_each_warned_about(dated_archive: Archive) -> None:
    page = page_at(dated_archive, "undated/")
    assert slugs(page.context["articles"]) == ["nodate-a", "nodate-b"]
    assert page.context["up"] == Link("Archive", "archive/")
    hint = ("warning: no date: listed on the Undated page. Add 'date:' or a YYYY-MM-DD- "
            "file name prefix")  # fmt: skip
    assert messages(dated_archive) == [
        f"content/nodate-a.md: {hint}", f"content/nodate-b.md: {hint}"
    ]  # fmt: skip
    assert {a.slug: a.url for a in dated_archive.articles if a.date is None} == {
        "nodate-a": "undated/nodate-a/", "nodate-b": "undated/nodate-b/"
    }  # fmt: skip


def test_no_undated_page_when_every_article_has_a_date() -> None:
    archive = archive_of([art("a", day(1))])
    assert [p for p in archive.pages if p.url.startswith("undated/")] == []
    assert page_at(archive, "archive/").context["undated"] == 0


def test_periods_use_the_site_time_zone() -> None:
    config = replace(SITE, timezone="America/New_York")
    late = art("new-year", datetime(2024, 1, 1, 0, 30, tzinfo=UTC))
    archive = archive_of([late], config)
    assert [p.url for p in archive.periods["day"]] == ["2023/12/31/"]
    assert [p.url for p in archive.periods["year"]] == ["2023/"]
    assert archive.articles[0].url == "2023/12/31/new-year/"
    assert slugs(page_at(archive, "2023/12/31/").context["articles"]) == ["new-year"]
    utc = archive_of([late])
    assert [p.url for p in utc.periods["day"]] == ["2024/01/01/"]


# ---------------------------------------------------------------------------
# On this day
# ---------------------------------------------------------------------------


@pytest.fixture
def anniversaries() -> list[Article]:
    return [
        art("wall", datetime(2023, 3, 14, 9, tzinfo=UTC)),
        art("bus", datetime(2025, 3, 14, 8, tzinfo=UTC)),
        art("bus-late", datetime(2025, 3, 14, 20, tzinfo=UTC)),
        art("mid-a", datetime(2024, 6, 21, 9, tzinfo=UTC)),  # one year only: no page
        art("mid-b", datetime(2024, 6, 21, 21, tzinfo=UTC)),
        art("leap", datetime(2024, 2, 29, 9, tzinfo=UTC)),
        art("old", datetime(2021, 3, 14, 9, tzinfo=UTC)),
    ]


def test_on_this_day_pages_group_by_year_newest_first(anniversaries: list[Article]) -> None:
    archive = archive_of(anniversaries)
    days = [p for p in pages_of(archive, "on_this_day.html")]
    assert [(p.url, p.title) for p in days] == [("on-this-day/03-14/", "On this day: 14 March")]
    by_year = [(year, slugs(items)) for year, items in days[0].context["by_year"]]
    assert by_year == [(2025, ["bus-late", "bus"]), (2023, ["wall"]), (2021, ["old"])]
    index = page_at(archive, "on-this-day/").context["days"]
    assert index == (Link("On this day: 14 March", "on-this-day/03-14/"),)


@pytest.mark.parametrize(
    ("now", "zone", "linked"),
    [
        (datetime(2026, 3, 14, 12, tzinfo=UTC), "UTC", True),
        (datetime(2026, 3, 15, 12, tzinfo=UTC), "UTC", False),
        (datetime(2026, 6, 21, 12, tzinfo=UTC), "UTC", False),  # single-year day: no page
        # 03:00 UTC on the 15th is still the 14th in New York.
        (datetime(2026, 3, 15, 3, tzinfo=UTC), "America/New_York", True),
        # 23:30 on the 13th in New York is already the 14th in UTC, not in New York.
        (datetime(2026, 3, 13, 23, 30, tzinfo=ZoneInfo("America/New_York")), "UTC", True),
        (datetime(2026, 3, 13, 23, 30, tzinfo=ZoneInfo("America/New_York")),
         "America/New_York", False),
    ],
)  # fmt: skip
def test_home_links_to_today_only_when_today_has_a_page(
    anniversaries: list[Article], now: datetime, zone: str, linked: bool
) -> None:
    archive = archive_of(anniversaries, replace(SITE, timezone=zone), now=now)
    home = page_at(archive, "")
    expected = Link("On this day: 14 March", "on-this-day/03-14/") if linked else None
    assert home.context["on_this_day"] == expected


# ---------------------------------------------------------------------------
# Article pages: neighbours, terms, related
# ---------------------------------------------------------------------------


def article_page(archive: Archive, slug: str) -> Page:
    found = [p for p in pages_of(archive, "article.html") if p.context["article"].slug == slug]
    assert len(found) == 1
    return found[0]


def test_article_neighbours_by_date_and_terms() -> None:
    articles = [
        art("one", day(1)),
        art("two", day(2), section="Business", tags=("harbour", "fishing"),
            people=("Tomas Reyner",), places=("Port Ellery",), authors=("Ann Lee",)),
        art("three", day(3)),
        art("undated"),
    ]  # fmt: skip
    archive = archive_of(articles)
    context = article_page(archive, "two").context
    assert (context["older"].slug, context["newer"].slug) == ("one", "three")
    assert context["section"].url == "business/"
    terms = context["terms"]
    assert [t.url for t in terms["tags"]] == ["tags/harbour/", "tags/fishing/"]
    assert [t.url for t in terms["people"]] == ["people/tomas-reyner/"]
    assert [t.url for t in terms["places"]] == ["places/port-ellery/"]
    assert [t.url for t in terms["authors"]] == ["authors/ann-lee/"]
    first = article_page(archive, "one").context
    assert (first["older"], first["newer"].slug) == (None, "two")
    last = article_page(archive, "three").context
    assert (last["older"].slug, last["newer"]) == ("two", None)
    lone = article_page(archive, "undated").context
    assert (lone["older"], lone["newer"], lone["section"]) == (None, None, None)


@pytest.fixture
def related_set() -> list[Article]:
    base = {"people": ("Pia",), "places": ("Lund",), "tags": ("t1", "t2")}
    return [
        art("a", day(5), **base),
        art("b", day(2), people=("Pia",), places=("Lund",), tags=("t1",)),  # 3 shared
        art("d", day(8), people=("Pia",), tags=("t2",)),  # 2 shared
        art("c", day(8), tags=("t1", "t2")),  # 2 shared, same date as d: slug decides
        art("e", day(30), places=("Lund",)),  # 1 shared, newest
        art("h", day(1), tags=("t2",)),  # 1 shared, same date as f: slug decides
        art("f", day(1), tags=("t1",)),  # 1 shared
        art("g", day(40), tags=("unrelated",), people=("Someone",)),
        art("i", day(1, hour=6), tags=("t1",)),  # 1 shared, older than f and h
    ]


def test_related_ranks_by_shared_terms_then_date_then_slug(related_set: list[Article]) -> None:
    expected = ["b", "c", "d", "e", "f"]
    assert len(expected) == RELATED_COUNT
    for seed in range(8):
        shuffled = related_set[:]
        random.Random(seed).shuffle(shuffled)
        archive = archive_of(shuffled)
        assert slugs(article_page(archive, "a").context["related"]) == expected


def test_an_article_never_relates_to_itself(related_set: list[Article]) -> None:
    archive = archive_of(related_set)
    for page in pages_of(archive, "article.html"):
        own = page.context["article"]
        assert own.slug not in slugs(page.context["related"])
    assert slugs(article_page(archive, "g").context["related"]) == []
    assert slugs(article_page(archive, "e").context["related"]) == ["a", "b"]


@given(st.lists(st.tuples(st.sets(st.sampled_from("abcdefgh"), max_size=4),
                          st.sets(st.sampled_from("pq"), max_size=2)),
                min_size=1, max_size=40))  # fmt: skip
def test_related_is_the_best_five_by_score_then_position(
    terms: list[tuple[set[str], set[str]]],
) -> None:
    ordered = [art(f"a{n}", day(n), tags=tuple(sorted(tags)), people=tuple(sorted(people)))
               for n, (tags, people) in enumerate(terms)]  # fmt: skip
    index = _related_index(ordered)
    largest = 6  # terms of more articles than this are left out
    for position, article in enumerate(ordered):
        keys = [f"tag:{t}" for t in article.tags] + [f"person:{p}" for p in article.people]
        score = {other: sum(other in index[key] for key in keys if len(index[key]) <= largest)
                 for other in range(len(ordered)) if other != position}  # fmt: skip
        expected = sorted((o for o, s in score.items() if s), key=lambda o: (-score[o], o))
        with mock.patch("broadsheet.graph.RELATED_MAX_TERM_SIZE", largest), \
                mock.patch("broadsheet.graph.RELATED_WINDOW", largest):
            found = related(position, ordered, index)
        assert found == tuple(ordered[o] for o in expected[:RELATED_COUNT])


def test_only_the_nearest_articles_of_a_large_term_count(monkeypatch: pytest.MonkeyPatch) -> None:
    # Twelve articles share one tag; of a term of more than four, four count: the
    # four around the article in the archive's order (newest first), fewer at its ends.
    monkeypatch.setattr("broadsheet.graph.RELATED_WINDOW", 4)
    ordered = [art(f"a{n:02d}", day(100 - n), tags=("harbour",)) for n in range(12)]
    index = _related_index(ordered)
    assert [slugs(related(p, ordered, index)) for p in (0, 1, 6, 10, 11)] == [
        ["a01", "a02", "a03"],
        ["a00", "a02", "a03"],
        ["a04", "a05", "a07"],
        ["a08", "a09", "a11"],
        ["a08", "a09", "a10"],
    ]
    # Small terms count in full: a11, outside the tag's four around a00, shares
    # two people with it, and ranks first; one person would tie it with the
    # tag's nearest articles, which come first in the archive's order.
    people = ("Mayor", "Harbourmaster")
    ordered[0] = art("a00", day(100), tags=("harbour",), people=people)
    ordered[11] = art("a11", day(89), tags=("harbour",), people=people)
    assert slugs(related(0, ordered, _related_index(ordered))) == ["a11", "a01", "a02", "a03"]
    ordered[11] = art("a11", day(89), tags=("harbour",), people=people[:1])
    assert slugs(related(0, ordered, _related_index(ordered))) == ["a01", "a02", "a03", "a11"]


def test_related_articles_found_on_two_processes_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pipeline = importlib.import_module("broadsheet.pipeline")
    monkeypatch.setattr(pipeline, "RELATED_IN_PARALLEL", 1)
    monkeypatch.setattr(importlib.import_module("broadsheet.parallel"), "MIN_PARALLEL", 1)
    pick = random.Random(7)
    ordered = [art(f"a{n}", day(n % 300), tags=tuple(pick.sample("abcdefghij", 3)),
                   people=tuple(pick.sample("pqrs", pick.randint(0, 2))))
               for n in range(400)]  # fmt: skip
    index = _related_index(ordered)
    alone = related_positions(ordered, index)
    assert len(alone) == 400 and all(len(found) == RELATED_COUNT for found in alone)
    assert list(pipeline.find_related(ordered, index, jobs=2).result()) == alone
    archive = archive_of(ordered, find_related=partial(pipeline.find_related, jobs=2))
    assert [p.context["related"] for p in pages_of(archive, "article.html")] == [
        p.context["related"] for p in pages_of(archive_of(ordered), "article.html")]


def test_archive_is_identical_whatever_the_input_order(related_set: list[Article]) -> None:
    extra = [
        art("same", day(3), source="content/a/same.md", tags=("t1",)),
        art("same", day(3), source="content/b/same.md", tags=("t1",)),
        art("nodate", tags=("t2",)),
    ]
    articles = related_set + extra

    def fingerprint(archive: Archive) -> list[Any]:
        return [
            (p.url, p.template, p.title,
             [a.url for a in p.context.get("articles", ())],
             [a.url for a in p.context.get("related", ())])
            for p in archive.pages
        ] + messages(archive)  # fmt: skip

    first = fingerprint(archive_of(articles))
    for seed in range(5):
        shuffled = articles[:]
        random.Random(seed).shuffle(shuffled)
        assert fingerprint(archive_of(shuffled)) == first
    same = [a.url for a in archive_of(articles).articles if a.slug == "same"]
    assert same == ["2024/01/03/same/", "2024/01/03/same-2/"]


# ---------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------


def test_drafts_and_future_articles_are_left_out_unless_asked_for() -> None:
    articles = [
        art("past", NOW - timedelta(days=1)),
        art("draft", NOW - timedelta(days=2), draft=True),
        art("future", NOW + timedelta(minutes=1)),
        art("exactly-now", NOW),
        art("undated-draft", draft=True),
    ]
    assert slugs(select(articles, NOW)) == ["past", "exactly-now"]
    assert slugs(archive_of(articles).articles) == ["exactly-now", "past"]
    with_drafts = archive_of(articles, drafts=True)
    assert slugs(with_drafts.articles) == ["exactly-now", "past", "draft", "undated-draft"]
    assert slugs(archive_of(articles, future=True).articles) == ["future", "exactly-now", "past"]
    everything = archive_of(articles, drafts=True, future=True)
    assert len(everything.articles) == 5
    urls = {p.url for p in archive_of(articles).pages}
    assert not any("draft" in u or "future" in u for u in urls)


# ---------------------------------------------------------------------------
# Feeds and machine files
# ---------------------------------------------------------------------------


def feed_pages(archive: Archive) -> dict[str, tuple[str, ...]]:
    """Atom feed URL -> slugs of its articles."""
    return {
        p.url: tuple(slugs(p.context["feed"].articles))
        for p in archive.pages
        if p.template == "atom"
    }


def test_feeds_for_the_site_sections_tags_and_authors_only() -> None:
    article = art("a", day(1), section="Business", tags=("harbour",), authors=("Ann Lee",),
                  people=("Tomas Reyner",), places=("Port Ellery",))  # fmt: skip
    archive = archive_of([article])
    assert sorted(feed_pages(archive)) == [
        "authors/ann-lee/feed.xml", "business/feed.xml", "feed.xml", "tags/harbour/feed.xml"
    ]  # fmt: skip
    for template, name in (("rss", "rss.xml"), ("jsonfeed", "feed.json")):
        assert sorted(p.url for p in pages_of(archive, template)) == [
            f"authors/ann-lee/{name}", f"business/{name}", name, f"tags/harbour/{name}"
        ]  # fmt: skip
    assert not any(p.url.startswith(("people/", "places/")) and "feed" in p.url
                   for p in archive.pages)  # fmt: skip
    term_page = page_at(archive, "tags/harbour/")
    assert term_page.context["feeds"].atom_url == "tags/harbour/feed.xml"
    assert page_at(archive, "people/tomas-reyner/").context["feeds"] is None


def test_feeds_carry_the_latest_entries_without_undated_articles() -> None:
    config = replace(SITE, feeds=FeedsConfig(entries=3))
    articles = [art(f"s{n}", day(n), tags=("harbour",)) for n in range(1, 6)]
    articles.append(art("undated", tags=("harbour",)))
    feeds = feed_pages(archive_of(articles, config))
    assert feeds["feed.xml"] == ("s5", "s4", "s3")
    assert feeds["tags/harbour/feed.xml"] == ("s5", "s4", "s3")
    default = feed_pages(archive_of([art(f"s{n}", day(n)) for n in range(1, 26)]))
    assert default["feed.xml"] == tuple(f"s{n}" for n in range(25, 5, -1))


def machine(archive: Archive) -> list[str]:
    return [p.path for p in archive.pages if p.template in ("sitemap", "news-sitemap", "robots")]


def test_machine_files_with_an_absolute_base_url() -> None:
    config = replace(SITE, base_url="https://example.org/news/")
    archive = archive_of([art("a", day(1)), art("b")], config)
    assert machine(archive) == ["sitemap.xml", "news-sitemap.xml", "robots.txt"]
    entries = page_at(archive, "sitemap.xml").context["entries"]
    html_urls = [p.url for p in archive.pages
                 if p.path.endswith(".html") and p.path != "404.html"]  # fmt: skip
    assert [url for url, _ in entries] == html_urls
    assert dict(entries)["2024/01/01/a/"] == day(1)
    assert page_at(archive, "robots.txt").context["sitemaps"] == (
        "sitemap.xml", "news-sitemap.xml"
    )  # fmt: skip


def test_no_sitemaps_and_no_warning_with_the_default_base_url() -> None:
    archive = archive_of([art("a", day(1))])
    assert machine(archive) == ["robots.txt"]
    assert page_at(archive, "robots.txt").context["sitemaps"] == ()
    assert messages(archive) == []


def test_a_path_only_base_url_is_warned_about() -> None:
    archive = archive_of([art("a", day(1))], replace(SITE, base_url="/news/"))
    assert machine(archive) == ["robots.txt"]
    assert messages(archive) == [
        "broadsheet.yaml: warning: base_url is not an absolute URL, so no sitemaps are "
        "written (search engines need absolute URLs). Set base_url: https://your.domain/"
    ]
