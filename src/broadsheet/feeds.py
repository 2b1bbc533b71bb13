"""Atom, RSS and JSON feeds of a listing page: pure functions from records to strings.

Every listing page (the home page, a section, a tag...) can have three feeds
beside it, described by a :class:`FeedSpec`: Atom 1.0 at ``page_url +
"feed.xml"``, RSS 2.0 at ``page_url + "rss.xml"`` and JSON Feed 1.1 at
``page_url + "feed.json"``.  The functions here only build the documents; the
builder decides which feeds exist and writes the strings (as UTF-8) itself.

Output is deterministic: the same spec and config give the same string, so a
rebuild does not touch unchanged feeds.  Nothing here reads the clock.

Links and identifiers:

* Links are ``site.base_url + url``, percent-encoded where a URI needs it.
  With an absolute ``base_url`` (``https://example.org/news/``) they are
  absolute; with a path-only ``base_url`` (``/``) they are root-relative
  (``/2024/01/31/slug/``), which feed readers resolve against the address
  they fetched the feed from.
* Identifiers (Atom ``id``, RSS ``guid``, JSON Feed ``id``) must be absolute
  and should never change.  With an absolute ``base_url`` they are the
  absolute page URL.  Otherwise they are ``tag:`` URIs (RFC 4151) built from
  the root-relative link, e.g. ``tag:broadsheet,2000:/2024/01/31/slug/``.
  Those are valid and stable, but not globally unique across sites, and they
  change once the site is given an absolute ``base_url`` (readers then show
  each article once more).  Configure an absolute ``base_url`` for public
  feeds.

Undated articles never appear in feeds: a feed is a timeline.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape as html_escape
from typing import Any
from urllib.parse import quote, urlsplit

from .config import SiteConfig
from .model import Article

ATOM_NAME = "feed.xml"
RSS_NAME = "rss.xml"
JSON_NAME = "feed.json"

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_NS = "http://www.w3.org/XML/1998/namespace"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

GENERATOR = "Broadsheet"
"""The name given in each feed's generator element."""

TAG_URI_PREFIX = "tag:broadsheet,2000:"
"""Prefix of the ``tag:`` URIs used as ids when ``base_url`` is not absolute."""

EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=timezone.utc)
"""The Atom ``updated`` of a feed without dated entries (Atom requires one).

A fixed instant keeps output deterministic; the epoch says plainly "never".
"""

# Prefixes for the namespaces that appear inside RSS documents.  ElementTree
# keeps this mapping globally; registering the conventional prefixes is harmless.
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("dc", DC_NS)

_XML_LANG = f"{{{XML_NS}}}lang"
_XML_BASE = f"{{{XML_NS}}}base"

# Characters XML 1.0 does not allow at all (C0 controls other than tab, LF and
# CR; lone surrogates; U+FFFE and U+FFFF).  They are dropped from all text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Characters left alone when percent-encoding a URL: the URI reserved and
# unreserved sets, plus "%" so that existing escapes are kept.
_URI_SAFE = "/:?#[]@!$&'()*+,;=%~-._"

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed: its title, the page it belongs to, and its articles."""

    title: str
    """Feed title, e.g. ``"The Courier"`` or ``"The Courier – Tag: harbour"``."""
    page_url: str
    """Site-relative URL of the HTML page the feed belongs to (``""`` is the home page)."""
    articles: tuple[Article, ...]
    """Newest first, already cut to the feed's length.  Undated articles are skipped."""

    @property
    def atom_url(self) -> str:
        """Site-relative URL of the Atom feed."""
        return self.page_url + ATOM_NAME

    @property
    def rss_url(self) -> str:
        """Site-relative URL of the RSS feed."""
        return self.page_url + RSS_NAME

    @property
    def json_url(self) -> str:
        """Site-relative URL of the JSON feed."""
        return self.page_url + JSON_NAME


# --- URLs, ids, dates and text ------------------------------------------------------------


def is_absolute_base(site: SiteConfig) -> bool:
    """Whether the site's ``base_url`` is an absolute http(s) URL (not just a path)."""
    parts = urlsplit(site.base_url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def uri(text: str) -> str:
    """``text`` with the characters a URI may not contain percent-encoded (as UTF-8)."""
    return quote(text, safe=_URI_SAFE)


def link(site: SiteConfig, url: str) -> str:
    """The link to site-relative ``url``: absolute, or root-relative for a path-only base."""
    return uri(site.base_url + url)


def stable_id(site: SiteConfig, url: str) -> str:
    """A permanent, absolute identifier for the page at site-relative ``url``.

    The absolute URL when ``base_url`` is absolute, else a ``tag:`` URI
    (:data:`TAG_URI_PREFIX` followed by the root-relative link).
    """
    if is_absolute_base(site):
        return link(site, url)
    return TAG_URI_PREFIX + link(site, url)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"feed dates must be timezone-aware, got {value.isoformat()}")
    return value


def rfc3339(value: datetime) -> str:
    """An RFC 3339 / W3C date-time with offset, to the second."""
    return _aware(value).isoformat(timespec="seconds")


def rfc822(value: datetime) -> str:
    """An RFC 822 (RFC 2822) date-time with numeric offset, as RSS wants."""
    return format_datetime(_aware(value).replace(microsecond=0))


def modified(article: Article) -> datetime | None:
    """When the article last changed (:attr:`Article.modified`: publication, update
    or correction, whichever is latest); None for an undated article (feeds skip those).
    """
    return article.modified if article.date is not None else None


def dated(spec: FeedSpec) -> tuple[Article, ...]:
    """The spec's articles that have a date, in the spec's order."""
    return tuple(a for a in spec.articles if a.date is not None)


def feed_updated(spec: FeedSpec) -> datetime | None:
    """The newest modification time among the feed's dated articles; None if there are none."""
    times = [t for t in (modified(a) for a in spec.articles) if t is not None]
    return max(times) if times else None


def categories(article: Article) -> tuple[str, ...]:
    """The article's tags followed by its section, without duplicates or blanks."""
    names = (*article.tags, *((article.section,) if article.section else ()))
    return tuple(dict.fromkeys(n for n in names if n.strip()))


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (escaping is ElementTree's job)."""
    return _NOT_XML.sub("", text)


def language_tag(language: str | None) -> str | None:
    """A BCP 47 tag as XML and feeds want it (``en_GB`` -> ``en-GB``); None if unusable."""
    if not language:
        return None
    tag = language.strip().replace("_", "-")
    return tag if _LANGUAGE_TAG.match(tag) else None


def _authors(article: Article, site: SiteConfig) -> tuple[str, ...]:
    """The article's named authors, or the site title when it names none."""
    names = tuple(a for a in article.authors if a.strip())
    return names or (site.title,)


# --- XML helpers ---------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    """Append a child element with optional text and attributes (all made XML-safe)."""
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrib.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _set(element: ET.Element, name: str, value: str | None) -> None:
    if value is not None:
        element.set(name, xml_text(value))


def root_element(tag: str, namespace: str | None = None) -> ET.Element:
    """A document's root element, declaring ``namespace`` as the default namespace.

    ElementTree refuses its ``default_namespace`` option when attributes are
    unqualified (as Atom's and the sitemap's are), so documents in a default
    namespace are built with unqualified names and an explicit ``xmlns``.
    Elements of other namespaces (``{uri}name``) get their registered prefixes.
    """
    return ET.Element(tag, {"xmlns": namespace} if namespace else {})


def serialize(root: ET.Element) -> str:
    """An XML document with declaration, indented by two spaces, returned as text.

    Indenting touches only the whitespace between elements, never text content.
    The text declares UTF-8: write it encoded as UTF-8.
    """
    ET.indent(root, space="  ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data.decode("utf-8") + "\n"


# --- Atom ----------------------------------------------------------------------------------


def atom(spec: FeedSpec, site: SiteConfig, *, full_content: bool) -> str:
    """The Atom 1.0 (RFC 4287) feed of ``spec``.

    ``full_content`` adds each article's body as ``content type="html"``;
    otherwise entries carry the summary only.
    """
    feed = root_element("feed", ATOM_NS)
    _set(feed, _XML_LANG, language_tag(site.language))
    _sub(feed, "id", stable_id(site, spec.page_url))
    _sub(feed, "title", spec.title)
    if site.description:
        _sub(feed, "subtitle", site.description)
    _sub(feed, "updated", rfc3339(feed_updated(spec) or EMPTY_FEED_UPDATED))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=link(site, spec.atom_url))
    _sub(feed, "link", rel="alternate", type="text/html", href=link(site, spec.page_url))
    _sub(feed, "generator", GENERATOR)
    for article in dated(spec):
        _atom_entry(feed, article, site, full_content=full_content)
    return serialize(feed)


def _atom_entry(
    feed: ET.Element, article: Article, site: SiteConfig, *, full_content: bool
) -> None:
    assert article.date is not None
    entry = _sub(feed, "entry")
    language = language_tag(article.language)
    if language and language != language_tag(site.language):
        entry.set(_XML_LANG, language)
    _sub(entry, "id", stable_id(site, article.url))
    _sub(entry, "title", article.headline)
    _sub(entry, "link", rel="alternate", type="text/html", href=link(site, article.url))
    _sub(entry, "published", rfc3339(article.date))
    _sub(entry, "updated", rfc3339(modified(article) or article.date))
    for name in _authors(article, site):
        _sub(_sub(entry, "author"), "name", name)
    for term in categories(article):
        _sub(entry, "category", term=term)
    if article.summary:
        _sub(entry, "summary", article.summary, type="text")
    if full_content:
        # xml:base lets readers resolve relative links in the body as the page would.
        content = _sub(entry, "content", article.body_html, type="html")
        content.set(_XML_BASE, link(site, article.url))


# --- RSS -----------------------------------------------------------------------------------


def rss(spec: FeedSpec, site: SiteConfig, *, full_content: bool) -> str:
    """The RSS 2.0 feed of ``spec``.

    Item descriptions are HTML: the body when ``full_content``, else the
    plain-text summary escaped as HTML.  Authors go in ``dc:creator`` (RSS's
    own ``author`` wants an e-mail address).  With a path-only ``base_url``
    the guids are ``tag:`` URIs marked ``isPermaLink="false"``.
    """
    root = root_element("rss")
    root.set("version", "2.0")
    channel = _sub(root, "channel")
    _sub(channel, "title", spec.title)
    _sub(channel, "link", link(site, spec.page_url))
    _sub(channel, "description", site.description or spec.title)
    language = language_tag(site.language)
    if language:
        _sub(channel, "language", language)
    updated = feed_updated(spec)
    if updated is not None:
        _sub(channel, "lastBuildDate", rfc822(updated))
    _sub(channel, "generator", GENERATOR)
    self_link = link(site, spec.rss_url)
    _sub(channel, f"{{{ATOM_NS}}}link", href=self_link, rel="self", type="application/rss+xml")
    permalinks = is_absolute_base(site)
    for article in dated(spec):
        assert article.date is not None
        item = _sub(channel, "item")
        _sub(item, "title", article.headline)
        _sub(item, "link", link(site, article.url))
        permalink = "true" if permalinks else "false"
        _sub(item, "guid", stable_id(site, article.url), isPermaLink=permalink)
        _sub(item, "pubDate", rfc822(article.date))
        body = article.body_html if full_content else html_escape(article.summary, quote=False)
        if body:
            _sub(item, "description", body)
        for name in article.authors:
            if name.strip():
                _sub(item, f"{{{DC_NS}}}creator", name)
        for term in categories(article):
            _sub(item, "category", term)
    return serialize(root)


# --- JSON Feed -----------------------------------------------------------------------------


def json_feed(spec: FeedSpec, site: SiteConfig, *, full_content: bool) -> str:
    """The JSON Feed 1.1 document of ``spec``, indented by two spaces.

    Items carry ``content_html`` (the body) when ``full_content``, else
    ``content_text`` (the summary); ``summary`` is given whenever there is one.
    """
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": spec.title,
        "home_page_url": link(site, spec.page_url),
        "feed_url": link(site, spec.json_url),
    }
    if site.description:
        feed["description"] = site.description
    language = language_tag(site.language)
    if language:
        feed["language"] = language
    feed["items"] = [_json_item(a, site, full_content=full_content) for a in dated(spec)]
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _json_item(article: Article, site: SiteConfig, *, full_content: bool) -> dict[str, Any]:
    assert article.date is not None
    item: dict[str, Any] = {
        "id": stable_id(site, article.url),
        "url": link(site, article.url),
        "title": article.headline,
    }
    if full_content:
        item["content_html"] = article.body_html
    else:
        item["content_text"] = article.summary
    if article.summary:
        item["summary"] = article.summary
    item["date_published"] = rfc3339(article.date)
    item["date_modified"] = rfc3339(modified(article) or article.date)
    item["authors"] = [{"name": name} for name in _authors(article, site)]
    tags = categories(article)
    if tags:
        item["tags"] = list(tags)
    language = language_tag(article.language)
    if language:
        item["language"] = language
    return item
