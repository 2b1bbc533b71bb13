"""XML sitemaps, a Google News sitemap and robots.txt: pure functions returning strings.

Sitemaps (https://www.sitemaps.org/protocol.html) list absolute URLs only, so
every function here that writes a URL needs an absolute ``base_url``
(``https://example.org/news/``) and raises :class:`ValueError` for a
path-only one (``/``): check :func:`broadsheet.feeds.is_absolute_base` first
and leave sitemaps out (and pass no sitemap paths to :func:`robots_txt`).
Output is deterministic; the news sitemap's notion of "now" is passed in.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, timedelta

from .config import SiteConfig
from .feeds import (
    is_absolute_base,
    language_tag,
    link,
    rfc3339,
    root_element,
    serialize,
    xml_attributes,
    xml_document,
    xml_line,
    xml_text,
)
from .model import Article

MAX_URLS = 50_000
"""The most URLs one sitemap file may list (sitemaps.org)."""
MAX_NEWS_URLS = 1_000
"""The most URLs one Google News sitemap may list."""

SITEMAP_NAME = "sitemap.xml"
NEWS_SITEMAP_NAME = "news-sitemap.xml"
PARTS_FOLDER = "sitemaps/"

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

ET.register_namespace("news", NEWS_NS)

# Regions whose Chinese Google News labels Traditional ("zh-tw") when the tag
# names no script; every other Chinese tag is Simplified ("zh-cn").
_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})

#: Google News takes articles published in the last two days.
NEWS_DAYS = 2


def _n(name: str) -> str:
    return f"{{{NEWS_NS}}}{name}"


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_text(text)
    return element


def _require_absolute(site: SiteConfig, what: str) -> None:
    if not is_absolute_base(site):
        raise ValueError(
            f"{what} need an absolute base_url such as 'https://example.org/', "
            f"not {site.base_url!r}"
        )


def part_path(number: int) -> str:
    """Output path of part ``number`` (1-based) of a split sitemap."""
    return f"{PARTS_FOLDER}sitemap-{number}.xml"


def urlset(entries: Sequence[tuple[str, datetime | None]], site: SiteConfig) -> str:
    """One ``<urlset>`` listing ``entries`` (site-relative URL, lastmod or None) in order."""
    _require_absolute(site, "sitemaps")
    return _locations("urlset", "url", entries, site)


def sitemap_index(parts: Sequence[tuple[str, datetime | None]], site: SiteConfig) -> str:
    """A ``<sitemapindex>`` listing sitemap files (site-relative path, lastmod or None)."""
    _require_absolute(site, "sitemaps")
    return _locations("sitemapindex", "sitemap", parts, site)


def _locations(
    root: str, tag: str, entries: Sequence[tuple[str, datetime | None]], site: SiteConfig
) -> str:
    """A sitemap document: under ``root``, a ``tag`` element with ``loc`` and optional
    ``lastmod`` for each entry.  Written as text (a sitemap lists every page of the
    site); the layout is :func:`~broadsheet.feeds.serialize`'s."""
    pad = "\n    "
    children = []
    for url, lastmod in entries:
        when = xml_line(pad, "lastmod", rfc3339(lastmod)) if lastmod is not None else ""
        children.append(f"\n  <{tag}>{xml_line(pad, 'loc', link(site, url))}{when}\n  </{tag}>")
    return xml_document(root, xml_attributes(("xmlns", SITEMAP_NS)), children)


def _newest(entries: Sequence[tuple[str, datetime | None]]) -> datetime | None:
    times = [lastmod for _, lastmod in entries if lastmod is not None]
    return max(times) if times else None


def sitemaps(
    entries: Sequence[tuple[str, datetime | None]], site: SiteConfig, *, max_urls: int = MAX_URLS
) -> dict[str, str]:
    """Every sitemap file for ``entries``, as ``{output path: XML}``.

    ``entries`` are (site-relative URL, lastmod or None) in the order to list
    them.  Up to ``max_urls`` entries give a single ``sitemap.xml``; more give
    a ``sitemap.xml`` index of parts ``sitemaps/sitemap-1.xml``,
    ``sitemaps/sitemap-2.xml``... of at most ``max_urls`` URLs each, each part's
    lastmod in the index being the newest in it.  No entries give an empty
    (well-formed, though schema-invalid) urlset.
    """
    if max_urls < 1:
        raise ValueError(f"max_urls must be at least 1, not {max_urls}")
    _require_absolute(site, "sitemaps")
    if len(entries) <= max_urls:
        return {SITEMAP_NAME: urlset(entries, site)}
    files: dict[str, str] = {}
    index: list[tuple[str, datetime | None]] = []
    for start in range(0, len(entries), max_urls):
        chunk = entries[start : start + max_urls]
        path = part_path(len(index) + 1)
        files[path] = urlset(chunk, site)
        index.append((path, _newest(chunk)))
    return {SITEMAP_NAME: sitemap_index(index, site), **files}


def news_language(language: str) -> str:
    """The language code Google News wants for a BCP 47 tag.

    The ISO 639 primary subtag in lower case (``en-GB`` -> ``en``), except
    Chinese: ``zh-tw`` for Traditional (script ``Hant``, or no script and region
    TW, HK or MO) and ``zh-cn`` for everything else, including bare ``zh``.
    """
    subtags = language.strip().replace("_", "-").lower().split("-")
    primary = subtags[0]
    if primary != "zh":
        return primary
    if "hant" in subtags or "hans" in subtags:  # an explicit script decides
        return "zh-tw" if "hant" in subtags else "zh-cn"
    return "zh-tw" if _TRADITIONAL_REGIONS.intersection(subtags[1:]) else "zh-cn"


def news_articles(
    articles: Sequence[Article], now: datetime, *, days: int = NEWS_DAYS
) -> list[Article]:
    """Articles dated within ``days`` days up to ``now``, newest first, at most 1000.

    Ties are broken by URL, so the order does not depend on the input order.
    """
    start = now - timedelta(days=days)
    recent = [a for a in articles if a.date is not None and start <= a.date <= now]
    recent.sort(key=lambda a: a.url)
    recent.sort(key=lambda a: a.date or now, reverse=True)
    return recent[:MAX_NEWS_URLS]


def news_sitemap(
    articles: Sequence[Article], site: SiteConfig, now: datetime, *, days: int = NEWS_DAYS
) -> str:
    """A Google News sitemap of the articles published in the ``days`` days up to ``now``.

    Future and older articles are left out; with none left the urlset is empty.
    """
    _require_absolute(site, "news sitemaps")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    root = root_element("urlset", SITEMAP_NS)
    for article in news_articles(articles, now, days=days):
        assert article.date is not None
        url = ET.SubElement(root, "url")
        _text(url, "loc", link(site, article.url))
        news = ET.SubElement(url, _n("news"))
        publication = ET.SubElement(news, _n("publication"))
        _text(publication, _n("name"), site.title)
        language = language_tag(article.language) or site.language
        _text(publication, _n("language"), news_language(language))
        _text(news, _n("publication_date"), rfc3339(article.date))
        _text(news, _n("title"), article.headline)
    return serialize(root)


def robots_txt(site: SiteConfig, sitemap_paths: Sequence[str]) -> str:
    """A robots.txt allowing everything and naming each sitemap by absolute URL.

    ``sitemap_paths`` are site-relative (``sitemap.xml``, ``news-sitemap.xml``);
    pass none when ``base_url`` is not absolute.
    """
    lines = ["User-agent: *", "Allow: /"]
    if sitemap_paths:
        _require_absolute(site, "Sitemap lines in robots.txt")
        lines.extend(f"Sitemap: {link(site, path)}" for path in sitemap_paths)
    return "\n".join(lines) + "\n"
