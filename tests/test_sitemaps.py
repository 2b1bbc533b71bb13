"""Sitemaps, the Google News sitemap and robots.txt."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from lxml import etree

from broadsheet.config import SiteConfig
from broadsheet.model import Article, Html
from broadsheet.sitemaps import (
    MAX_URLS,
    news_language,
    news_sitemap,
    robots_txt,
    sitemaps,
)
from conftest import shared_path

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
UTC = timezone.utc
CET = timezone(timedelta(hours=1))

SITE = SiteConfig(title="The Courier & Co", base_url="https://example.org/news/", language="en-GB")
LOCAL = SiteConfig(title="The Courier", base_url="/")
NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)


def article(slug: str, date: datetime | None, **changes: Any) -> Article:
    values: dict[str, Any] = {
        "source": f"content/{slug}.md",
        "format": "md",
        "slug": slug,
        "headline": f"Headline {slug}",
        "summary": "S",
        "body": Html.of("<p>x</p>"),
        "date": date,
        "url": f"2024/03/{slug}/",
    }
    values.update(changes)
    return Article(**values)


@pytest.fixture(scope="module")
def urlset_schema() -> etree.XMLSchema:
    return etree.XMLSchema(file=str(shared_path("schemas", "sitemap.xsd")))


@pytest.fixture(scope="module")
def index_schema() -> etree.XMLSchema:
    return etree.XMLSchema(file=str(shared_path("schemas", "siteindex.xsd")))


def parse(text: str) -> etree._Element:
    return etree.fromstring(text.encode("utf-8"))


ENTRIES: list[tuple[str, datetime | None]] = [
    ("", datetime(2024, 3, 1, 10, tzinfo=CET)),
    ("2024/01/31/harbour wall/", datetime(2024, 1, 31, 9, tzinfo=UTC)),
    ("tags/r&d/", None),
]


# --- sitemaps ---------------------------------------------------------------------------


def test_single_sitemap_is_valid(urlset_schema: etree.XMLSchema) -> None:
    files = sitemaps(ENTRIES, SITE)
    assert list(files) == ["sitemap.xml"]
    document = parse(files["sitemap.xml"])
    assert urlset_schema.validate(document), urlset_schema.error_log
    urls = document.findall(f"{SM}url")
    assert [u.findtext(f"{SM}loc") for u in urls] == [
        "https://example.org/news/",
        "https://example.org/news/2024/01/31/harbour%20wall/",
        "https://example.org/news/tags/r&d/",
    ]
    assert [u.findtext(f"{SM}lastmod") for u in urls] == [
        "2024-03-01T10:00:00+01:00",
        "2024-01-31T09:00:00+00:00",
        None,
    ]


def test_sitemap_schema_check_can_fail(urlset_schema: etree.XMLSchema) -> None:
    document = parse(sitemaps(ENTRIES, SITE)["sitemap.xml"])
    etree.SubElement(document.find(f"{SM}url"), f"{SM}priority").text = "2.0"
    assert not urlset_schema.validate(document)


def test_split_sitemaps(urlset_schema: etree.XMLSchema, index_schema: etree.XMLSchema) -> None:
    files = sitemaps(ENTRIES, SITE, max_urls=2)
    assert list(files) == ["sitemap.xml", "sitemaps/sitemap-1.xml", "sitemaps/sitemap-2.xml"]
    index = parse(files["sitemap.xml"])
    assert index_schema.validate(index), index_schema.error_log
    parts = index.findall(f"{SM}sitemap")
    assert [p.findtext(f"{SM}loc") for p in parts] == [
        "https://example.org/news/sitemaps/sitemap-1.xml",
        "https://example.org/news/sitemaps/sitemap-2.xml",
    ]
    # A part's lastmod is the newest in it; a part without any has none.
    assert [p.findtext(f"{SM}lastmod") for p in parts] == ["2024-03-01T10:00:00+01:00", None]
    listed = []
    for name in ("sitemaps/sitemap-1.xml", "sitemaps/sitemap-2.xml"):
        part = parse(files[name])
        assert urlset_schema.validate(part), urlset_schema.error_log
        locs = [loc.text for loc in part.iter(f"{SM}loc")]
        assert 1 <= len(locs) <= 2
        listed += locs
    assert listed == [
        loc.text for loc in parse(sitemaps(ENTRIES, SITE)["sitemap.xml"]).iter(f"{SM}loc")
    ]


def test_exactly_max_urls_fit_in_one_file_and_one_more_splits() -> None:
    started = time.perf_counter()
    entries: list[tuple[str, datetime | None]] = [(f"p/{i}/", None) for i in range(MAX_URLS)]
    single = sitemaps(entries, SITE)
    assert list(single) == ["sitemap.xml"]
    assert single["sitemap.xml"].count("<url>") == MAX_URLS
    entries.append(("last/", NOW))
    split = sitemaps(entries, SITE)
    assert list(split) == ["sitemap.xml", "sitemaps/sitemap-1.xml", "sitemaps/sitemap-2.xml"]
    assert "<sitemapindex" in split["sitemap.xml"]
    assert split["sitemaps/sitemap-1.xml"].count("<url>") == MAX_URLS
    assert split["sitemaps/sitemap-2.xml"].count("<url>") == 1
    assert time.perf_counter() - started < 5


def test_sitemaps_need_an_absolute_base_url() -> None:
    with pytest.raises(ValueError, match="absolute base_url"):
        sitemaps(ENTRIES, LOCAL)
    with pytest.raises(ValueError, match="max_urls"):
        sitemaps(ENTRIES, SITE, max_urls=0)


def test_sitemaps_are_deterministic() -> None:
    assert sitemaps(ENTRIES, SITE, max_urls=2) == sitemaps(list(ENTRIES), SITE, max_urls=2)


# --- news sitemap -----------------------------------------------------------------------

RECENT = [
    article("future", NOW + timedelta(minutes=1)),
    article("just-now", NOW),
    article("yesterday", NOW - timedelta(days=1), language="fr-CA"),
    article("edge", NOW - timedelta(days=2)),
    article("too-old", NOW - timedelta(days=2, seconds=1)),
    article("undated", None),
    article("cet", datetime(2024, 3, 10, 10, tzinfo=CET), headline="Tom & <Jerry>"),
]


def test_news_sitemap_lists_the_last_two_days_newest_first() -> None:
    document = parse(news_sitemap(RECENT, SITE, NOW))
    assert document.tag == f"{SM}urlset"
    locs = [loc.text for loc in document.iter(f"{SM}loc")]
    assert locs == [
        "https://example.org/news/2024/03/just-now/",
        "https://example.org/news/2024/03/cet/",
        "https://example.org/news/2024/03/yesterday/",
        "https://example.org/news/2024/03/edge/",
    ]


def test_news_sitemap_entries() -> None:
    document = parse(news_sitemap(RECENT, SITE, NOW))
    by_loc = {
        url.findtext(f"{SM}loc").rsplit("/", 2)[1]: url.find(f"{NEWS}news")
        for url in document.iter(f"{SM}url")
    }
    cet = by_loc["cet"]
    assert cet.findtext(f"{NEWS}publication/{NEWS}name") == "The Courier & Co"
    assert cet.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert cet.findtext(f"{NEWS}publication_date") == "2024-03-10T10:00:00+01:00"
    assert cet.findtext(f"{NEWS}title") == "Tom & <Jerry>"
    assert by_loc["yesterday"].findtext(f"{NEWS}publication/{NEWS}language") == "fr"


def test_news_sitemap_keeps_at_most_1000_entries() -> None:
    many = [article(f"a{i:04d}", NOW - timedelta(seconds=i)) for i in range(1001)]
    document = parse(news_sitemap(list(reversed(many)), SITE, NOW))
    locs = [loc.text for loc in document.iter(f"{SM}loc")]
    assert len(locs) == 1000
    assert locs[0].endswith("/a0000/")
    assert locs[-1].endswith("/a0999/")


def test_news_sitemap_can_be_empty_and_honours_days() -> None:
    empty = parse(news_sitemap(RECENT, SITE, NOW + timedelta(days=30)))
    assert empty.tag == f"{SM}urlset"
    assert len(empty) == 0
    one_day = parse(news_sitemap(RECENT, SITE, NOW, days=1))
    assert len(one_day) == 3  # just-now, cet, yesterday


def test_news_sitemap_is_deterministic_whatever_the_input_order() -> None:
    tied = [article("b", NOW), article("a", NOW)]
    first = news_sitemap(tied, SITE, NOW)
    assert news_sitemap(list(reversed(tied)), SITE, NOW) == first
    assert first.index("/a/") < first.index("/b/")


def test_news_sitemap_refuses_naive_now_and_relative_base() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        news_sitemap(RECENT, SITE, datetime(2024, 3, 10))
    with pytest.raises(ValueError, match="absolute base_url"):
        news_sitemap(RECENT, LOCAL, NOW)


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("pt_BR", "pt"),
        ("FR", "fr"),
        ("zh", "zh-cn"),
        ("zh-CN", "zh-cn"),
        ("zh-Hans", "zh-cn"),
        ("zh-Hans-HK", "zh-cn"),
        ("zh-SG", "zh-cn"),
        ("zh-TW", "zh-tw"),
        ("zh-Hant", "zh-tw"),
        ("zh-Hant-CN", "zh-tw"),
        ("zh-HK", "zh-tw"),
        ("zh-MO", "zh-tw"),
    ],
)
def test_news_language(tag: str, code: str) -> None:
    assert news_language(tag) == code


def test_news_sitemap_uses_the_site_language_and_maps_chinese() -> None:
    site = SiteConfig(title="T", base_url="https://example.org/", language="zh-Hant-TW")
    text = news_sitemap([article("a", NOW), article("b", NOW, language="zh-CN")], site, NOW)
    languages = [e.text for e in parse(text).iter(f"{NEWS}language")]
    assert languages == ["zh-tw", "zh-cn"]


# --- robots.txt -------------------------------------------------------------------------


def test_robots_txt() -> None:
    assert robots_txt(SITE, ["sitemap.xml", "news-sitemap.xml"]).splitlines() == [
        "User-agent: *",
        "Allow: /",
        "Sitemap: https://example.org/news/sitemap.xml",
        "Sitemap: https://example.org/news/news-sitemap.xml",
    ]


def test_robots_txt_without_sitemaps() -> None:
    assert robots_txt(LOCAL, []) == "User-agent: *\nAllow: /\n"
    with pytest.raises(ValueError, match="absolute base_url"):
        robots_txt(LOCAL, ["sitemap.xml"])
