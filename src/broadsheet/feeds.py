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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape as html_escape
from json.encoder import encode_basestring as encode_json_string
from typing import Any
from urllib.parse import quote, urlsplit

from .config import SiteConfig
from .model import Article
from .records import fast_pickle

ATOM_NAME = "feed.xml"
RSS_NAME = "rss.xml"
JSON_NAME = "feed.json"
#: The file name of each feed format, by its name in ``feeds.formats``.
FEED_NAMES = {"atom": ATOM_NAME, "rss": RSS_NAME, "json": JSON_NAME}

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


@fast_pickle
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
        return self.url("atom")

    @property
    def rss_url(self) -> str:
        """Site-relative URL of the RSS feed."""
        return self.url("rss")

    @property
    def json_url(self) -> str:
        """Site-relative URL of the JSON feed."""
        return self.url("json")

    def url(self, kind: str) -> str:
        """Site-relative URL of the feed of format ``kind`` (``atom``, ``rss``, ``json``)."""
        return self.page_url + FEED_NAMES[kind]


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
#
# Sitemaps and the comment feed build ElementTree documents (root_element, serialize).
# The Atom and RSS writers below write the same XML as text instead, as ElementTree
# would serialise it after ET.indent(space="  "): one element a line, an empty element
# as ``<tag />``, namespace declarations before the other attributes.  That is several
# times faster, and an entry's text can be kept for the next feed that lists the
# article (most articles are in a section feed and a few tag, author and place feeds).


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


XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
"""The declaration :func:`serialize` (ElementTree) starts a document with."""


def _escape_text(text: str) -> str:
    """Element text escaped as ElementTree escapes it (``&``, ``<`` and ``>``)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


_ATTRIBUTE_ESCAPES = (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _escape_attribute(value: str) -> str:
    """An attribute value escaped as ElementTree escapes it (text escapes, quotes,
    and CR, LF and tab as character references)."""
    value = _escape_text(value)
    for char, reference in _ATTRIBUTE_ESCAPES:
        if char in value:
            value = value.replace(char, reference)
    return value


def xml_attributes(*pairs: tuple[str, str]) -> str:
    """``name="value"`` pairs, each value made XML-safe and escaped, in order."""
    return "".join(f' {name}="{_escape_attribute(xml_text(value))}"' for name, value in pairs)


def xml_line(pad: str, tag: str, text: str | None = None, attributes: str = "") -> str:
    """An element without children on a line of its own (``pad`` is the newline and
    indentation before it); without text it is written empty, as ``<tag />``."""
    body = _escape_text(xml_text(text)) if text is not None else ""
    if body:
        return f"{pad}<{tag}{attributes}>{body}</{tag}>"
    return f"{pad}<{tag}{attributes} />"


def xml_document(tag: str, attributes: str, children: list[str]) -> str:
    """A whole document: the root element around its children (each from a new line,
    indented by two spaces), or written empty when it has none."""
    if not children:
        return f"{XML_DECLARATION}<{tag}{attributes} />\n"
    return f"{XML_DECLARATION}<{tag}{attributes}>{''.join(children)}\n</{tag}>\n"


EntryWriter = Callable[[Article, SiteConfig, bool], str]
"""Writes one article's entry of a feed: (article, site, full content) -> text."""

_ENTRIES: dict[tuple[int, str, bool], tuple[Article, SiteConfig, str]] = {}
"""Entries already written in this process: (id of the article, format, full content)
-> (the article, the site, the text).  Articles and configurations are frozen."""

_ENTRIES_BUDGET = 4_000_000
"""How many characters of text :data:`_ENTRIES` holds before it is emptied: a bound on
each rendering process's memory (full-content entries run to kilobytes each)."""
_entries_size = 0


def _entry_text(
    kind: str, article: Article, site: SiteConfig, full_content: bool, write: EntryWriter
) -> str:
    """``write(article, site, full_content)``, remembered for the same article and site."""
    key = (id(article), kind, full_content)
    known = _ENTRIES.get(key)
    if known is not None and known[0] is article and known[1] is site:
        return known[2]
    text = write(article, site, full_content)
    global _entries_size
    if _entries_size + len(text) > _ENTRIES_BUDGET:
        _ENTRIES.clear()
        _entries_size = 0
    _ENTRIES[key] = (article, site, text)
    _entries_size += len(text)
    return text


# --- Atom ----------------------------------------------------------------------------------


def atom(spec: FeedSpec, site: SiteConfig, *, full_content: bool) -> str:
    """The Atom 1.0 (RFC 4287) feed of ``spec``.

    ``full_content`` adds each article's body as ``content type="html"``;
    otherwise entries carry the summary only.
    """
    pad = "\n  "
    language = language_tag(site.language)
    root = xml_attributes(("xmlns", ATOM_NS), *((("xml:lang", language),) if language else ()))
    children = [
        xml_line(pad, "id", stable_id(site, spec.page_url)),
        xml_line(pad, "title", spec.title),
    ]
    if site.description:
        children.append(xml_line(pad, "subtitle", site.description))
    children += [
        xml_line(pad, "updated", rfc3339(feed_updated(spec) or EMPTY_FEED_UPDATED)),
        _atom_link(pad, "self", "application/atom+xml", link(site, spec.atom_url)),
        _atom_link(pad, "alternate", "text/html", link(site, spec.page_url)),
        xml_line(pad, "generator", GENERATOR),
    ]
    for article in dated(spec):
        children.append(_entry_text("atom", article, site, full_content, _atom_entry))
    return xml_document("feed", root, children)


def _atom_link(pad: str, rel: str, kind: str, href: str) -> str:
    """An Atom ``<link>`` with its ``rel``, ``type`` and ``href``."""
    return xml_line(pad, "link", None, xml_attributes(("rel", rel), ("type", kind), ("href", href)))


def _atom_entry(article: Article, site: SiteConfig, full_content: bool) -> str:
    """One ``<entry>`` of an Atom feed, indented as the feed's child."""
    assert article.date is not None
    pad = "\n    "
    language = language_tag(article.language)
    own = ""
    if language and language != language_tag(site.language):
        own = f' xml:lang="{_escape_attribute(language)}"'
    url = link(site, article.url)
    lines = [
        f"\n  <entry{own}>",
        xml_line(pad, "id", stable_id(site, article.url)),
        xml_line(pad, "title", article.headline),
        _atom_link(pad, "alternate", "text/html", url),
        xml_line(pad, "published", rfc3339(article.date)),
        xml_line(pad, "updated", rfc3339(modified(article) or article.date)),
    ]  # fmt: skip
    for name in _authors(article, site):
        lines.append(f"{pad}<author>{xml_line(pad + '  ', 'name', name)}{pad}</author>")
    for term in categories(article):
        lines.append(xml_line(pad, "category", None, xml_attributes(("term", term))))
    if article.summary:
        lines.append(xml_line(pad, "summary", article.summary, xml_attributes(("type", "text"))))
    if full_content:
        # xml:base lets readers resolve relative links in the body as the page would.
        base = f' xml:base="{_escape_attribute(url)}"'
        attributes = xml_attributes(("type", "html")) + base
        lines.append(xml_line(pad, "content", article.body_html, attributes))
    lines.append("\n  </entry>")
    return "".join(lines)


# --- RSS -----------------------------------------------------------------------------------


def rss(spec: FeedSpec, site: SiteConfig, *, full_content: bool) -> str:
    """The RSS 2.0 feed of ``spec``.

    Item descriptions are HTML: the body when ``full_content``, else the
    plain-text summary escaped as HTML.  Authors go in ``dc:creator`` (RSS's
    own ``author`` wants an e-mail address).  With a path-only ``base_url``
    the guids are ``tag:`` URIs marked ``isPermaLink="false"``.
    """
    pad = "\n    "
    children = [
        "\n  <channel>",
        xml_line(pad, "title", spec.title),
        xml_line(pad, "link", link(site, spec.page_url)),
        xml_line(pad, "description", site.description or spec.title),
    ]
    language = language_tag(site.language)
    if language:
        children.append(xml_line(pad, "language", language))
    updated = feed_updated(spec)
    if updated is not None:
        children.append(xml_line(pad, "lastBuildDate", rfc822(updated)))
    self_link = xml_attributes(("href", link(site, spec.rss_url)), ("rel", "self"),
                            ("type", "application/rss+xml"))  # fmt: skip
    children += [xml_line(pad, "generator", GENERATOR), xml_line(pad, "atom:link", None, self_link)]
    namespaces = [("xmlns:atom", ATOM_NS)]
    for article in dated(spec):
        children.append(_entry_text("rss", article, site, full_content, _rss_item))
        if len(namespaces) == 1 and any(name.strip() for name in article.authors):
            namespaces.append(("xmlns:dc", DC_NS))
    children.append("\n  </channel>")
    return xml_document("rss", xml_attributes(*namespaces, ("version", "2.0")), children)


def _rss_item(article: Article, site: SiteConfig, full_content: bool) -> str:
    """One ``<item>`` of an RSS channel, indented as the channel's child."""
    assert article.date is not None
    pad = "\n      "
    permalink = xml_attributes(("isPermaLink", "true" if is_absolute_base(site) else "false"))
    lines = [
        "\n    <item>",
        xml_line(pad, "title", article.headline),
        xml_line(pad, "link", link(site, article.url)),
        xml_line(pad, "guid", stable_id(site, article.url), permalink),
        xml_line(pad, "pubDate", rfc822(article.date)),
    ]
    body = article.body_html if full_content else html_escape(article.summary, quote=False)
    if body:
        lines.append(xml_line(pad, "description", body))
    for name in article.authors:
        if name.strip():
            lines.append(xml_line(pad, "dc:creator", name))
    for term in categories(article):
        lines.append(xml_line(pad, "category", term))
    lines.append("\n    </item>")
    return "".join(lines)


# --- JSON Feed -----------------------------------------------------------------------------


def json_feed(spec: FeedSpec, site: SiteConfig, *, full_content: bool) -> str:
    """The JSON Feed 1.1 document of ``spec``, indented by two spaces.

    Items carry ``content_html`` (the body) when ``full_content``, else
    ``content_text`` (the summary); ``summary`` is given whenever there is one.
    The items are written one by one (and kept for the next feed listing the
    article) into the text ``json.dumps`` would give for the whole document.
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
    head = json.dumps(feed, ensure_ascii=False, indent=2)
    items = [_entry_text("json", a, site, full_content, _json_item_text) for a in dated(spec)]
    listed = "[\n" + ",\n".join(items) + "\n  ]" if items else "[]"
    return f'{head[:-2]},\n  "items": {listed}\n}}\n'


def _json_item_text(article: Article, site: SiteConfig, full_content: bool) -> str:
    """One item as it stands in the feed's ``items`` list (four spaces in)."""
    return "    " + _json_text(_json_item(article, site, full_content=full_content), "    ")


def _json_text(value: Any, pad: str) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` lays it out,
    each line after the first indented by ``pad``.

    The standard library formats indented JSON in pure Python; for the items of
    a feed (strings in lists and objects) this is several times faster.
    """
    if isinstance(value, str):
        return encode_json_string(value)
    inner = pad + "  "
    if isinstance(value, dict) and value:
        members = [f"{inner}{encode_json_string(key)}: {_json_text(item, inner)}"
                   for key, item in value.items()]  # fmt: skip
        return "{\n" + ",\n".join(members) + f"\n{pad}}}"
    if isinstance(value, (list, tuple)) and value:
        elements = [inner + _json_text(item, inner) for item in value]
        return "[\n" + ",\n".join(elements) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


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
