"""``broadsheet import feed``: RSS 0.9x, 1.0 and 2.0 and Atom feeds, through feedparser.

Reading
    A local file, or an ``http(s)://`` URL fetched with urllib (the only
    network use in Broadsheet's importers).  Feeds that are not UTF-8 and do
    not say what they are (feedparser then guesses, and reports the guess as
    ``bozo``) are decoded again with the same charset detection the content
    loader uses, and the encoding is reported.  A feed that is not
    well-formed XML is an error with its line and column unless ``recover``,
    when feedparser's lenient parser reads what it can.

Entries
    Each entry becomes ``content/<year>/<slug>.md`` (``undated/`` without a
    date).  The date is the published date, else the updated one, as
    feedparser reads them; when it cannot (localised month and day names,
    two-digit years, times without a colon) :func:`.dates.parse_date` tries.
    The body is the entry's content, else its summary, sanitised and turned
    into Markdown; FeedBurner's tracking images are dropped.  Categories are
    tags; ``section`` sets one section for the whole feed.  Author email
    addresses (RSS's ``<author>`` holds one) are never written.  An entry's id
    (``guid``/``id``, else its link) keys it in the ledger.  In a Blogger export
    (an Atom feed) only the posts are imported: its settings, template, pages and
    comments are skipped.
"""

from __future__ import annotations

import hashlib
import io
import re
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import __version__
from ..errors import Diagnostic, SourceError
from ..loaders.decode import decode
from ..loaders.meta import slugify
from . import htmlconv
from .core import Draft, NotImported, Options, headline_from_text, markdown_file, run, unique
from .dates import parse_date
from .ledger import Ledger
from .report import IngestReport

_UTC = timezone.utc
#: Largest feed read, in bytes.
MAX_FEED_BYTES = 64 * 1024 * 1024
FETCH_TIMEOUT = 30
#: The category scheme that tells a Blogger export's posts from its settings and templates.
BLOGGER_KIND = "http://schemas.google.com/g/2005#kind"
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_ENCODING_ATTRIBUTE = re.compile(rb"""encoding\s*=\s*["'][^"']*["']""")


def is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in ("http", "https")


def _fetch(url: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of ``url``; :class:`SourceError` when it cannot be fetched."""
    request = urllib.request.Request(url, headers={"User-Agent": f"broadsheet/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            data: bytes = response.read(MAX_FEED_BYTES + 1)
            headers = {k.lower(): v for k, v in response.headers.items()}
    except (OSError, ValueError) as exc:
        raise SourceError.at(url, None, f"cannot fetch the feed: {exc}") from None
    if len(data) > MAX_FEED_BYTES:
        raise SourceError.at(url, None, f"the feed is larger than {MAX_FEED_BYTES:,} bytes")
    return data, headers


def _read(source: str) -> tuple[bytes, dict[str, str]]:
    if is_url(source):
        return _fetch(source)
    path = Path(source)
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise SourceError.at(source, None, f"larger than {MAX_FEED_BYTES:,} bytes")
        return path.read_bytes(), {}
    except OSError as exc:
        raise SourceError.at(source, None, f"cannot read: {exc.strerror}") from None


# --- Parsing ----------------------------------------------------------------------------------


def _feedparser(data: bytes, headers: Mapping[str, str]) -> Any:
    import feedparser  # type: ignore[import-untyped,import-not-found,unused-ignore]

    # A stream, never a str: feedparser would take a str for a URL or a file name.
    return feedparser.parse(io.BytesIO(data), response_headers=dict(headers))


def _declared_encoding(data: bytes) -> bool:
    declaration = _DECLARATION.match(data[:500])
    return bool(declaration and _ENCODING_ATTRIBUTE.search(declaration.group(0)))


def _as_utf8(text: str) -> bytes:
    """Decoded feed text as UTF-8 bytes whose declaration (if any) says so."""
    data = text.encode("utf-8")
    declaration = _DECLARATION.match(data)
    if declaration:
        fixed = _ENCODING_ATTRIBUTE.sub(b'encoding="utf-8"', declaration.group(0))
        data = fixed + data[declaration.end() :]
    return data


def _encoding_guessed(parsed: Any) -> bool:
    name = type(parsed.get("bozo_exception")).__name__
    return name in ("CharacterEncodingOverride", "CharacterEncodingUnknown")


def _syntax_error(parsed: Any) -> Exception | None:
    """The XML well-formedness error feedparser met, if any."""
    exception = parsed.get("bozo_exception")
    if exception is not None and hasattr(exception, "getLineNumber"):
        return exception  # type: ignore[no-any-return]
    return None


@dataclass
class Parsed:
    """feedparser's result and the problems met reading it."""

    feed: Any
    problems: list[Diagnostic]
    recovered: bool = False
    """Malformed XML was read past."""


def _error_line(line: int, data: bytes) -> int:
    """The line in the file of an error feedparser reports.

    feedparser puts an XML declaration and a newline before a document that has
    none, so its line numbers for such a file are one too high.
    """
    declared = data.removeprefix(b"\xef\xbb\xbf").startswith(b"<?xml")
    return line if declared else max(line - 1, 1)


def parse_feed(data: bytes, shown: str, headers: Mapping[str, str], recover: bool) -> Parsed:
    """feedparser's reading of ``data``, re-decoded when the encoding was guessed."""
    parsed = _feedparser(data, headers)
    parsed_data = data
    problems: list[Diagnostic] = []
    if _encoding_guessed(parsed) and not _declared_encoding(data):
        try:
            text, encoding = decode(data, shown)
        except SourceError:
            text, encoding = "", None
        if encoding:
            parsed_data = _as_utf8(text)
            parsed = _feedparser(parsed_data, {"content-type": "application/xml"})
            problems.append(Diagnostic(shown, None, None, "not UTF-8 and no encoding declared; "
                                       f"decoded as {encoding}", "warning"))  # fmt: skip
    error = _syntax_error(parsed)
    if error is not None:
        line = _error_line(error.getLineNumber(), parsed_data)  # type: ignore[attr-defined]
        col = error.getColumnNumber() + 1  # type: ignore[attr-defined]  # expat counts from 0
        message = f"malformed XML: {error.getMessage()}"  # type: ignore[attr-defined]
        if not parsed.get("version") and not parsed.entries:
            raise SourceError(Diagnostic(shown, line, col, f"not an RSS or Atom feed ({message})"))
        if not recover:
            raise SourceError(Diagnostic(shown, line, col,
                                         f"{message}; --recover imports what can be read"))
        problems.append(Diagnostic(shown, line, col, f"{message}, recovered", "warning"))
    if not parsed.get("version") and not parsed.entries:
        raise SourceError(Diagnostic(shown, None, None, "not an RSS or Atom feed"))
    return Parsed(parsed, problems, recovered=error is not None)


# --- Converting entries -----------------------------------------------------------------------


def _struct_time(value: Any) -> datetime | None:
    try:
        if not value:
            return None
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=_UTC)
    except (TypeError, ValueError):
        return None


def _raw(entry: Any, key: str) -> Any:
    """A value as stored, without feedparser's deprecated fallbacks between keys."""
    return dict.get(entry, key)


def entry_date(entry: Any) -> datetime | None:
    """The published (else updated) date, by feedparser or by :func:`.dates.parse_date`."""
    for name in ("published", "updated", "created"):
        found = _struct_time(_raw(entry, f"{name}_parsed")) or parse_date(_raw(entry, name))
        if found is not None:
            return found
    return None


def _is_html(detail: Any) -> bool:
    kind = (detail or {}).get("type", "text/html")
    return "html" in kind or "xml" in kind


def _html_of(value: str, detail: Any) -> str:
    """Content as HTML: HTML as it is, plain text escaped with paragraphs kept."""
    if _is_html(detail):
        return value
    paragraphs = re.split(r"\n\s*\n", value.strip())
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p.strip())


def entry_body(entry: Any) -> tuple[str, str | None]:
    """The entry's body as HTML and, when both content and summary exist, the summary text."""
    contents = [c for c in entry.get("content", []) if c.get("value", "").strip()]
    summary = entry.get("summary", "")
    if contents:
        best = max(contents, key=lambda c: len(c.get("value", "")))
        html = _html_of(best["value"], best)
        summary_text = htmlconv.to_text(_html_of(summary, entry.get("summary_detail")))
        body_text = htmlconv.to_text(html)
        extra = summary_text if summary_text and not body_text.startswith(summary_text) else None
        return html, extra
    return _html_of(summary, entry.get("summary_detail")), None


def entry_title(entry: Any) -> str:
    title = entry.get("title", "")
    if _is_html(entry.get("title_detail", {"type": "text/plain"})):
        return htmlconv.to_text(title)
    return " ".join(title.split())


_NAME_AND_ADDRESS = (re.compile(r"^(.*?)\s*\((.*)\)$"), re.compile(r"^(.*?)\s*<(.*)>$"))


def author_name(text: str) -> str:
    """The name in ``address (Name)``, ``Name (address)`` or ``Name <address>``; never an address.

    feedparser's own split cuts addresses whose top-level domain is longer than
    four letters (``newsdesk@courier.example (Jo)`` gives the name ``ple (Jo``),
    so the author's text is split here.
    """
    text = " ".join(text.split())
    for pattern in _NAME_AND_ADDRESS:
        match = pattern.match(text)
        if match:
            first, second = match.group(1).strip(), match.group(2).strip()
            text = second if "@" in first else first if "@" in second else text
            break
    return "" if "@" in text else text


def entry_authors(entry: Any) -> list[str]:
    """Author names; email addresses are left out."""
    authors = entry.get("authors", []) or []
    texts = [str(a.get("name", "")) for a in authors]
    if len(authors) <= 1 and entry.get("author"):
        texts = [str(entry["author"])]
    return list(dict.fromkeys(name for name in map(author_name, texts) if name))


def entry_key(entry: Any) -> str:
    """The entry's id, else its link, else a hash of its title, date and text."""
    found = entry.get("id") or entry.get("link")
    if found:
        return str(found)
    text = "\0".join(str(entry.get(k, "")) for k in ("title", "published", "updated", "summary"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def blogger_kind(entry: Any) -> str | None:
    """``post``, ``page``, ``comment``, ``settings``... for an entry of a Blogger export."""
    for tag in entry.get("tags", []) or []:
        if tag.get("scheme") == BLOGGER_KIND:
            return str(tag.get("term", "")).rpartition("#")[2] or None
    return None


def _slug_base(entry: Any, title: str, key: str) -> str:
    found = slugify(title)
    if not found and entry.get("link"):
        path = urlsplit(entry["link"]).path.rstrip("/")
        found = slugify(path.rpartition("/")[2].rpartition(".")[0] or path.rpartition("/")[2])
    return found or f"entry-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


@dataclass
class _Entry:
    """A feed entry with what was read from it first."""

    entry: Any
    key: str
    title: str
    date: datetime | None


def _fields(item: _Entry, headline: str, slug: str, summary: str | None,
            section: str | None) -> dict[str, Any]:  # fmt: skip
    entry = item.entry
    fields: dict[str, Any] = {"headline": headline}
    if item.date:
        """The article's metadata, in the order it is written."""
        fields["date"] = item.date.isoformat()
    updated = _struct_time(_raw(entry, "updated_parsed"))
    if updated and item.date and updated > item.date:
        fields["updated"] = updated.isoformat()
    fields["authors"] = entry_authors(entry)
    fields["section"] = section
    tags = [" ".join(str(t.get("term") or t.get("label") or "").split())
            for t in entry.get("tags", []) or [] if t.get("scheme") != BLOGGER_KIND]  # fmt: skip
    if any(tags):
        fields["tags"] = list(dict.fromkeys(t for t in tags if t))
    fields["slug"] = slug
    if summary:
        fields["summary"] = summary
    if is_url(str(entry.get("link", ""))):
        fields["source_url"] = entry["link"]
    return fields


def _draft(item: _Entry, slug: str, options: Options, section: str | None,
           report: IngestReport) -> Draft | str:  # fmt: skip
    """The draft of one entry, or why it cannot be imported."""
    html, summary = entry_body(item.entry)
    cleaned = htmlconv.sanitize(html)
    htmlconv.note_cleaning(cleaned, lambda remark: report.note(item.key, remark))
    body = htmlconv.to_markdown(cleaned.html)
    text = htmlconv.to_text(cleaned.html)
    if not item.title and not text:
        return "empty entry: no title and no text"
    headline = item.title or headline_from_text(text)
    tz = options.config.tz
    folder = f"{item.date.astimezone(tz).year:04d}" if item.date else "undated"
    return Draft(
        key=item.key,
        label=item.key,
        title=headline,
        article=f"{folder}/{slug}.md",
        text=markdown_file(_fields(item, headline, slug, summary, section), body),
        body=text,
        has_headline=bool(item.title),
        dated=item.date is not None,
    )


def _source_key(feed: Any, source: str) -> str:
    """The feed's stable identity: its Atom id, self link, or site link and title."""
    meta = feed.get("feed", {})
    self_link = next((link.get("href") for link in meta.get("links", [])
                      if link.get("rel") == "self" and link.get("href")), None)  # fmt: skip
    found = meta.get("id") or self_link
    if not found and meta.get("link"):
        found = f"{meta['link']} {meta.get('title', '')}".strip()
    return f"feed:{found or source}"


def import_feed(
    source: str, options: Options, *, recover: bool = False, section: str | None = None
) -> IngestReport:
    """Import a feed file or URL into the site; :class:`SourceError` when it is not a feed."""
    shown = source if is_url(source) else Path(source).as_posix()
    data, headers = _read(source)
    parsed = parse_feed(data, shown, headers, recover)
    report = IngestReport("feed", shown, dry_run=options.dry_run)
    report.diagnostics.extend(parsed.problems)
    report.recovered = parsed.recovered
    key = _source_key(parsed.feed, str(Path(source).resolve()) if not is_url(source) else source)
    items = [_Entry(e, entry_key(e), entry_title(e), entry_date(e)) for e in parsed.feed.entries]
    items.sort(key=lambda i: (i.date or datetime.max.replace(tzinfo=_UTC), i.key))
    drafts: list[Draft] = []
    left_out: list[NotImported] = []
    taken: set[str] = set()
    for item in items:
        kind = blogger_kind(item.entry)
        if kind not in (None, "post"):
            left_out.append(NotImported(item.key, item.title or "(untitled)", "skipped",
                                        f"a Blogger {kind} entry, not a post"))
            continue
        made = _draft(item, unique(_slug_base(item.entry, item.title, item.key), taken),
                      options, section, report)  # fmt: skip
        if isinstance(made, str):
            left_out.append(NotImported(item.key, item.title or "(untitled)", "failed", made))
        else:
            drafts.append(made)
    return run(report, Ledger.load(options.content, "feed", key), drafts, left_out, options)
