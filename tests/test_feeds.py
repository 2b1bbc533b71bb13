"""Atom, RSS and JSON feeds: validity against the formats' rules, content and determinism."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from broadsheet.config import SiteConfig
from broadsheet.feeds import (
    EMPTY_FEED_UPDATED,
    FeedSpec,
    _json_text,
    atom,
    feed_updated,
    json_feed,
    rss,
    xml_attributes,
    xml_line,
    xml_text,
)
from broadsheet.model import Article, Html
from conftest import shared_path

A = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

UTC = timezone.utc
CET = timezone(timedelta(hours=1))

SITE = SiteConfig(
    title="The Courier",
    description="News of the harbour town",
    base_url="https://example.org/news/",
    language="en-GB",
)
LOCAL = SiteConfig(title="The Courier", base_url="/")

SPECIAL = "Tom & Jerry <b>bold</b> \"quoted\" 'single' 🎉 שלום עולם"


def article(slug: str = "a", **changes: Any) -> Article:
    """A dated article with one author and one tag; ``changes`` override fields."""
    values: dict[str, Any] = {
        "source": f"content/{slug}.md",
        "format": "md",
        "slug": slug,
        "headline": f"Headline {slug}",
        "summary": f"Summary of {slug}.",
        "body": Html.of(f"<p>Body of {slug}.</p>"),
        "date": datetime(2024, 1, 31, 9, 30, tzinfo=UTC),
        "url": f"2024/01/31/{slug}/",
        "tags": ("harbour",),
        "authors": ("Ann Author",),
    }
    values.update(changes)
    return Article(**values)


def spec(*articles: Article, title: str = "The Courier", page_url: str = "") -> FeedSpec:
    return FeedSpec(title=title, page_url=page_url, articles=articles)


FEEDS: dict[str, FeedSpec] = {
    "empty": spec(),
    "one": spec(article()),
    "special": spec(
        article(
            headline=SPECIAL,
            summary=SPECIAL,
            body=Html.of(f"<p>{SPECIAL}</p>"),
            tags=("R&D", "<tag>"),
            section="News & Views",
            authors=("O'Brien & Sons",),
        ),
        title=SPECIAL,
    ),
    "many-authors": spec(article(authors=("Ann", "Bob", "Cy"))),
    "no-authors": spec(article(authors=())),
    "mixed": spec(
        article("new", date=datetime(2024, 2, 2, 8, tzinfo=CET), language="fr"),
        article("undated", date=None, url="undated/undated/"),
        article("old", updated=datetime(2024, 2, 1, tzinfo=UTC), section="Business"),
        page_url="tags/harbour/",
    ),
}
SITES = {"absolute": SITE, "path-only": LOCAL}


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(file=str(shared_path("schemas", "atom.rng")))


def parse(text: str) -> etree._Element:
    """Parse a document the way a reader would: from its UTF-8 bytes."""
    return etree.fromstring(text.encode("utf-8"))


# --- feed_updated -----------------------------------------------------------------------


def test_feed_updated_is_the_newest_of_date_and_updated() -> None:
    older = article(
        "o", date=datetime(2024, 1, 1, tzinfo=UTC), updated=datetime(2024, 3, 1, tzinfo=UTC)
    )
    newer = article("n", date=datetime(2024, 2, 1, tzinfo=UTC))
    assert feed_updated(spec(newer, older)) == datetime(2024, 3, 1, tzinfo=UTC)


def test_feed_updated_compares_instants_across_offsets() -> None:
    early = article("e", date=datetime(2024, 1, 1, 10, tzinfo=CET))  # 09:00 UTC
    late = article("l", date=datetime(2024, 1, 1, 9, 30, tzinfo=UTC))
    assert feed_updated(spec(early, late)) == datetime(2024, 1, 1, 9, 30, tzinfo=UTC)


def test_feed_updated_ignores_undated_and_is_none_when_empty() -> None:
    undated = article("u", date=None, updated=datetime(2030, 1, 1, tzinfo=UTC))
    assert feed_updated(spec()) is None
    assert feed_updated(spec(undated)) is None
    assert feed_updated(spec(undated, article())) == article().date


# --- Atom -------------------------------------------------------------------------------


@pytest.mark.parametrize("full_content", [True, False], ids=["full", "summary"])
@pytest.mark.parametrize("site_name", list(SITES))
@pytest.mark.parametrize("feed_name", list(FEEDS))
def test_atom_is_valid(
    atom_schema: etree.RelaxNG, feed_name: str, site_name: str, full_content: bool
) -> None:
    document = parse(atom(FEEDS[feed_name], SITES[site_name], full_content=full_content))
    assert atom_schema.validate(document), atom_schema.error_log
    # The schema cannot say it: every entry needs an author when the feed has none.
    assert document.find(f"{A}author") is None
    for entry in document.iter(f"{A}entry"):
        assert entry.findall(f"{A}author/{A}name")


def test_atom_schema_rejects_a_broken_feed(atom_schema: etree.RelaxNG) -> None:
    """The schema check can fail: a feed without an id is invalid."""
    document = parse(atom(FEEDS["one"], SITE, full_content=False))
    document.remove(document.find(f"{A}id"))
    assert not atom_schema.validate(document)


def test_atom_feed_metadata() -> None:
    document = parse(atom(FEEDS["mixed"], SITE, full_content=False))
    assert document.get(XML_LANG) == "en-GB"
    assert document.findtext(f"{A}id") == "https://example.org/news/tags/harbour/"
    assert document.findtext(f"{A}title") == "The Courier"
    assert document.findtext(f"{A}subtitle") == "News of the harbour town"
    assert document.findtext(f"{A}updated") == "2024-02-02T08:00:00+01:00"
    assert document.findtext(f"{A}generator") == "Broadsheet"
    links = {link.get("rel"): link.get("href") for link in document.findall(f"{A}link")}
    assert links == {
        "self": "https://example.org/news/tags/harbour/feed.xml",
        "alternate": "https://example.org/news/tags/harbour/",
    }


def test_atom_entries_skip_undated_articles_and_keep_order() -> None:
    document = parse(atom(FEEDS["mixed"], SITE, full_content=False))
    ids = [entry.findtext(f"{A}id") for entry in document.iter(f"{A}entry")]
    assert ids == [
        "https://example.org/news/2024/01/31/new/",
        "https://example.org/news/2024/01/31/old/",
    ]


def test_atom_entry_fields() -> None:
    document = parse(atom(FEEDS["mixed"], SITE, full_content=False))
    new, old = document.iter(f"{A}entry")
    assert new.get(XML_LANG) == "fr"
    assert old.get(XML_LANG) is None  # the feed's language applies
    assert new.findtext(f"{A}title") == "Headline new"
    assert new.find(f"{A}link").get("href") == "https://example.org/news/2024/01/31/new/"
    assert new.findtext(f"{A}published") == "2024-02-02T08:00:00+01:00"
    assert old.findtext(f"{A}published") == "2024-01-31T09:30:00+00:00"
    assert old.findtext(f"{A}updated") == "2024-02-01T00:00:00+00:00"
    assert [c.get("term") for c in old.iter(f"{A}category")] == ["harbour", "Business"]
    assert old.findtext(f"{A}summary") == "Summary of old."
    assert old.find(f"{A}content") is None


def test_atom_full_content_carries_the_html_body() -> None:
    document = parse(atom(FEEDS["special"], SITE, full_content=True))
    content = document.find(f"{A}entry/{A}content")
    assert content.get("type") == "html"
    assert content.text == f"<p>{SPECIAL}</p>"
    assert content.get("{http://www.w3.org/XML/1998/namespace}base") == (
        "https://example.org/news/2024/01/31/a/"
    )


def test_atom_special_characters_survive() -> None:
    document = parse(atom(FEEDS["special"], SITE, full_content=False))
    assert document.findtext(f"{A}title") == SPECIAL
    entry = document.find(f"{A}entry")
    assert entry.findtext(f"{A}title") == SPECIAL
    assert entry.findtext(f"{A}summary") == SPECIAL
    assert entry.findtext(f"{A}author/{A}name") == "O'Brien & Sons"
    terms = [c.get("term") for c in entry.iter(f"{A}category")]
    assert terms == ["R&D", "<tag>", "News & Views"]


def test_atom_authors() -> None:
    many = parse(atom(FEEDS["many-authors"], SITE, full_content=False))
    assert [n.text for n in many.iter(f"{A}name")] == ["Ann", "Bob", "Cy"]
    none = parse(atom(FEEDS["no-authors"], SITE, full_content=False))
    assert [n.text for n in none.iter(f"{A}name")] == ["The Courier"]


def test_atom_empty_feed_has_the_fixed_updated_value() -> None:
    document = parse(atom(FEEDS["empty"], SITE, full_content=True))
    assert document.findtext(f"{A}updated") == "1970-01-01T00:00:00+00:00"
    assert datetime(1970, 1, 1, tzinfo=UTC) == EMPTY_FEED_UPDATED
    assert document.find(f"{A}entry") is None


def test_atom_with_path_only_base_url_uses_tag_uris() -> None:
    document = parse(atom(FEEDS["mixed"], LOCAL, full_content=False))
    assert document.findtext(f"{A}id") == "tag:broadsheet,2000:/tags/harbour/"
    entry = document.find(f"{A}entry")
    assert entry.findtext(f"{A}id") == "tag:broadsheet,2000:/2024/01/31/new/"
    assert entry.find(f"{A}link").get("href") == "/2024/01/31/new/"
    self_link = document.find(f"{A}link[@rel='self']")
    assert self_link.get("href") == "/tags/harbour/feed.xml"


def test_urls_are_percent_encoded() -> None:
    feed = spec(article(url="2024/01/31/café au lait/"))
    entry = parse(atom(feed, SITE, full_content=False)).find(f"{A}entry")
    assert entry.findtext(f"{A}id") == "https://example.org/news/2024/01/31/caf%C3%A9%20au%20lait/"


def test_characters_xml_cannot_carry_are_dropped() -> None:
    feed = spec(article(headline="Bell\x07 and\x00 null", body=Html.of("<p>form\x0cfeed</p>")))
    for text in (atom(feed, SITE, full_content=True), rss(feed, SITE, full_content=True)):
        document = parse(text)  # would raise on an illegal character
        assert "Bell and null" in etree.tostring(document, encoding="unicode")


def test_naive_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        atom(spec(article(date=datetime(2024, 1, 1))), SITE, full_content=False)


# --- RSS --------------------------------------------------------------------------------


@pytest.mark.parametrize("full_content", [True, False], ids=["full", "summary"])
@pytest.mark.parametrize("site_name", list(SITES))
@pytest.mark.parametrize("feed_name", list(FEEDS))
def test_rss_is_well_formed_with_required_elements(
    feed_name: str, site_name: str, full_content: bool
) -> None:
    feed = FEEDS[feed_name]
    document = parse(rss(feed, SITES[site_name], full_content=full_content))
    assert document.tag == "rss"
    assert document.get("version") == "2.0"
    channel = document.find("channel")
    for name in ("title", "link", "description"):
        assert channel.findtext(name), name
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link.get("rel") == "self"
    assert self_link.get("href").endswith(feed.page_url + "rss.xml")
    items = channel.findall("item")
    assert len(items) == sum(a.date is not None for a in feed.articles)
    for item in items:
        assert item.findtext("title") or item.findtext("description")
        assert item.findtext("link")
        assert item.findtext("guid")
        assert parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
    if items:
        assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == feed_updated(feed)
    else:
        assert channel.find("lastBuildDate") is None


@pytest.mark.parametrize("site_name", list(SITES))
@pytest.mark.parametrize("feed_name", list(FEEDS))
def test_rss_parses_cleanly_with_feedparser(feed_name: str, site_name: str) -> None:
    feed = FEEDS[feed_name]
    site = SITES[site_name]
    parsed = feedparser.parse(rss(feed, site, full_content=True))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == feed.title
    dated = [a for a in feed.articles if a.date is not None]
    assert [e.title for e in parsed.entries] == [a.headline for a in dated]
    assert [e.link for e in parsed.entries] == [site.base_url + a.url for a in dated]


def test_rss_items() -> None:
    channel = parse(rss(FEEDS["mixed"], SITE, full_content=False)).find("channel")
    assert channel.findtext("description") == "News of the harbour town"
    assert channel.findtext("language") == "en-GB"
    assert channel.findtext("generator") == "Broadsheet"
    new, old = channel.findall("item")
    guid = new.find("guid")
    assert guid.text == "https://example.org/news/2024/01/31/new/"
    assert guid.get("isPermaLink") == "true"
    assert new.findtext("pubDate") == "Fri, 02 Feb 2024 08:00:00 +0100"
    assert new.findtext("description") == "Summary of new."
    assert [c.text for c in new.iter(f"{DC}creator")] == ["Ann Author"]
    assert [c.text for c in old.iter("category")] == ["harbour", "Business"]


def test_rss_description_is_html() -> None:
    feed = FEEDS["special"]
    summary = parse(rss(feed, SITE, full_content=False)).find("channel/item")
    # The plain-text summary is escaped as HTML, so "<b>" is shown, not obeyed.
    assert summary.findtext("description") == (
        "Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; \"quoted\" 'single' 🎉 שלום עולם"
    )
    full = parse(rss(feed, SITE, full_content=True)).find("channel/item")
    assert full.findtext("description") == f"<p>{SPECIAL}</p>"
    parsed = feedparser.parse(rss(feed, SITE, full_content=False))
    assert parsed.entries[0].title == SPECIAL


def test_rss_with_path_only_base_url() -> None:
    channel = parse(rss(FEEDS["one"], LOCAL, full_content=False)).find("channel")
    assert channel.findtext("link") == "/"
    assert channel.findtext("description") == "The Courier"  # no site description
    guid = channel.find("item/guid")
    assert guid.text == "tag:broadsheet,2000:/2024/01/31/a/"
    assert guid.get("isPermaLink") == "false"


def test_rss_leaves_authorless_items_without_creator() -> None:
    item = parse(rss(FEEDS["no-authors"], SITE, full_content=False)).find("channel/item")
    assert item.find(f"{DC}creator") is None


# --- JSON Feed --------------------------------------------------------------------------


@pytest.mark.parametrize("full_content", [True, False], ids=["full", "summary"])
@pytest.mark.parametrize("site_name", list(SITES))
@pytest.mark.parametrize("feed_name", list(FEEDS))
def test_json_feed_has_the_required_fields(
    feed_name: str, site_name: str, full_content: bool
) -> None:
    feed = FEEDS[feed_name]
    document = json.loads(json_feed(feed, SITES[site_name], full_content=full_content))
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(document["title"], str)
    assert document["title"] == feed.title
    assert document["feed_url"].endswith(feed.page_url + "feed.json")
    assert isinstance(document["items"], list)
    assert len(document["items"]) == sum(a.date is not None for a in feed.articles)
    for item in document["items"]:
        assert isinstance(item["id"], str)
        assert item["id"]
        content = "content_html" if full_content else "content_text"
        assert isinstance(item[content], str)
        assert datetime.fromisoformat(item["date_published"]).tzinfo is not None
        assert datetime.fromisoformat(item["date_modified"]).tzinfo is not None
        assert datetime.fromisoformat(item["date_modified"]) >= datetime.fromisoformat(
            item["date_published"]
        )
        assert all(isinstance(author["name"], str) for author in item["authors"])


def test_json_feed_items() -> None:
    document = json.loads(json_feed(FEEDS["mixed"], SITE, full_content=True))
    assert document["home_page_url"] == "https://example.org/news/tags/harbour/"
    assert document["feed_url"] == "https://example.org/news/tags/harbour/feed.json"
    assert document["description"] == "News of the harbour town"
    assert document["language"] == "en-GB"
    new, old = document["items"]
    assert new == {
        "id": "https://example.org/news/2024/01/31/new/",
        "url": "https://example.org/news/2024/01/31/new/",
        "title": "Headline new",
        "content_html": "<p>Body of new.</p>",
        "summary": "Summary of new.",
        "date_published": "2024-02-02T08:00:00+01:00",
        "date_modified": "2024-02-02T08:00:00+01:00",
        "authors": [{"name": "Ann Author"}],
        "tags": ["harbour"],
        "language": "fr",
    }
    assert old["date_modified"] == "2024-02-01T00:00:00+00:00"
    assert old["tags"] == ["harbour", "Business"]


def test_json_feed_summary_only_and_special_characters() -> None:
    text = json_feed(FEEDS["special"], LOCAL, full_content=False)
    assert "🎉 שלום עולם" in text  # not \u-escaped
    (item,) = json.loads(text)["items"]
    assert item["content_text"] == SPECIAL
    assert "content_html" not in item
    assert item["id"] == "tag:broadsheet,2000:/2024/01/31/a/"
    assert item["url"] == "/2024/01/31/a/"


def test_json_feed_authorless_items_name_the_site() -> None:
    (item,) = json.loads(json_feed(FEEDS["no-authors"], SITE, full_content=False))["items"]
    assert item["authors"] == [{"name": "The Courier"}]


# --- determinism ------------------------------------------------------------------------

Writer = Callable[..., str]


@pytest.mark.parametrize("writer", [atom, rss, json_feed], ids=["atom", "rss", "json"])
def test_output_is_deterministic(writer: Writer) -> None:
    first = writer(FEEDS["mixed"], SITE, full_content=True)
    # Equal but distinct inputs give the same text.
    rebuilt = FeedSpec(
        title="The Courier",
        page_url="tags/harbour/",
        articles=tuple(replace(a) for a in FEEDS["mixed"].articles),
    )
    assert writer(rebuilt, SITE, full_content=True) == first
    assert writer(FEEDS["mixed"], SITE, full_content=True) == first
    assert writer(FEEDS["mixed"], SITE, full_content=False) != first


# The Atom, RSS and JSON Feed writers lay text out themselves (it is several times faster than
# building element trees); these properties pin them to the serialisers they stand in for.

_XML_TEXT = st.text(st.sampled_from(list("<>&\"'\r\n\t\x00\x0b\ud800 a")) | st.characters(),
                    max_size=30)  # fmt: skip


@given(text=_XML_TEXT, value=_XML_TEXT)
def test_xml_lines_are_what_elementtree_writes(text: str, value: str) -> None:
    element = ET.Element("t", {"a": xml_text(value)})
    element.text = xml_text(text) or None
    expected = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    assert xml_line("", "t", text, xml_attributes(("a", value))) == expected


@given(value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
))  # fmt: skip
def test_json_text_is_what_json_dumps_writes(value: Any) -> None:
    assert _json_text(value, "") == json.dumps(value, ensure_ascii=False, indent=2)
