"""Reader comments: storage, threads, safe bodies, a feed per article, and moderation.

Storage
    An approved comment is one YAML file at
    ``content/comments/<article-slug>/<UTC timestamp>-<id>.yaml`` with the keys
    ``id``, ``name``, ``date``, ``body`` (Markdown), and optionally ``website``,
    ``reply_to`` (another comment's id), ``email_hash`` (SHA-256 of the stripped,
    lower-cased address) and ``article`` (the slug; the folder decides).  An email
    address is never stored: :func:`import_submissions` hashes it, and nothing
    here ever writes ``email_hash`` (or anything derived from an address) into the
    site.  ``_pending/`` holds submissions waiting for moderation and
    ``_rejected/`` the ones turned down; the build reads neither.  Dates without an
    offset are UTC.

    A file that cannot be read is reported as ``path:line: error: ...`` (YAML line
    numbers count in the file) and skipped; it never stops its article from
    building.  Minor problems (an unusable ``website``, an unknown key) are
    warnings and the comment is still shown.

Threads
    :func:`thread` nests replies under their parents, oldest first.  Top-level
    comments have depth 1; nesting stops at :data:`MAX_DEPTH`: the whole subtree
    below a comment at depth ``MAX_DEPTH - 1`` is shown flat at depth
    ``MAX_DEPTH``, in date order, each node carrying the comment it really
    answers in :attr:`ThreadNode.in_reply_to` (the template says "in reply to
    NAME").  A reply to an unknown comment (or to itself, or a loop of replies)
    is shown at the top level with a warning.

Replying without JavaScript
    A static page cannot make a link fill in a form field.  Instead, on an
    article with comments the form's ``options[parent]`` field is a
    ``<select>`` that lists "a new comment" (the default) and then every
    comment in thread order ("NAME (DATE)"); on an article without comments it
    is the usual hidden empty field.  There is always exactly one
    ``options[parent]`` control, so Staticman receives one value.  Each
    comment's "Reply" link goes to the form (``#respond``) and carries
    ``data-reply-to="ID"`` for a script that wants to preselect the option; none
    is needed.

Safe bodies
    :func:`render_body` is markdown-it-py's ``zero`` preset with only
    paragraphs, line breaks (a single newline is a ``<br>``), emphasis, links
    (inline, reference and autolinks), block quotes, code (inline, fenced,
    indented), backslash escapes and entities enabled; ``html`` is off, so raw
    HTML is text.  Render rules (not regular expressions on HTML) decide the
    rest: a link is an ``<a rel="nofollow ugc">`` only when its destination is
    an ``http(s)://host`` or ``mailto:`` URL, otherwise only its text is shown;
    an image is shown as its alt text; code blocks are ``<pre
    class="comment-code">`` (so the stylesheet can make them wrap: ``white-space:
    pre-wrap``).  Headings, lists and tables are not parsed: their lines stay
    text in paragraphs.  Nothing inserts widths or no-break markup, so
    ``overflow-wrap: anywhere`` on the comment works for 10,000-letter words.

Invisible characters
    Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069),
    U+200B, U+2060, U+FEFF and control characters are removed from names and
    bodies.  ZWNJ and ZWJ (U+200C, U+200D) are needed inside Persian, Indic and
    emoji text, so bodies keep them between two non-ASCII letters and lose them
    elsewhere; names lose them always (they serve impersonation more than
    spelling there).  The template also isolates each name (``<bdi>``) and
    body (``dir="auto"``), so right-to-left text cannot reorder what follows.

Moderation
    ``broadsheet comments import`` (:func:`import_submissions`) queues
    submissions in ``_pending/``.  A comment's id is the first 10 hex digits of
    the SHA-256 of its article, name, email hash, website, message, parent and
    submitted date (when the submission has one), so importing the same
    submission again finds the existing file (pending, approved or rejected)
    and skips it.  :func:`approve` moves a pending file into its article's
    folder; :func:`reject` moves it to ``_rejected/`` rather than deleting it,
    so that a rejected submission imported again is recognised and not queued
    a second time (delete ``_rejected/`` files by hand to forget them).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from . import yamlio
from .config import SiteConfig
from .errors import BroadsheetError, Diagnostic, SourceError
from .feeds import (
    ATOM_NS,
    EMPTY_FEED_UPDATED,
    GENERATOR,
    XML_NS,
    language_tag,
    link,
    rfc3339,
    root_element,
    serialize,
    stable_id,
    xml_text,
)
from .loaders.meta import INVISIBLE, STRAY_JOINER, CoercionError, coerce_datetime
from .model import Article
from .records import fast_pickle

#: Deepest nesting shown; replies below it are shown at this depth (top level is 1).
MAX_DEPTH = 4
#: Longest accepted comment body, in characters.
MAX_BODY = 10_000
#: Longest accepted name, in characters.
MAX_NAME = 100
#: Longest accepted website address, in characters.
MAX_URL = 2_000
#: Longest accepted email address (RFC 5321 path limit).
MAX_EMAIL = 254

COMMENTS_DIR = "comments"
"""The folder below the content folder that holds comment data."""
PENDING_DIR = "_pending"
REJECTED_DIR = "_rejected"
FEED_NAME = "comments.xml"
"""File name of an article's comment feed, beside the article page."""

_UTC = timezone.utc
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+\.[^@\s<>()\[\],;:\"\\]+$")
_HOST = re.compile(r"^[\w.-]+$")
#: Comment ids that would give an anchor clashing with the form's own ids.
_RESERVED_IDS = frozenset({"form", "honeypot", "message", "name", "email", "url", "parent"})

_KEYS = ("id", "article", "name", "website", "date", "reply_to", "email_hash", "body")
_REQUIRED = ("id", "name", "date", "body")


# --- Records --------------------------------------------------------------------------------


@fast_pickle
@dataclass(frozen=True, slots=True)
class Comment:
    """One approved comment, ready to render."""

    id: str
    article: str
    """The slug of the article it belongs to."""
    name: str
    """The commenter's name, cleaned of invisible and bidi control characters."""
    website: str | None
    """A checked ``http(s)://`` address, or None."""
    date: datetime
    """When it was posted (aware, UTC)."""
    body_html: str
    """The body rendered by :func:`render_body`."""
    reply_to: str | None
    """The id of the comment it answers, if any."""
    email_hash: str | None
    """SHA-256 (hex) of the stripped, lower-cased email address; never published."""
    source: str
    """The file it came from, relative to the site folder (for messages)."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class ThreadNode:
    """A comment in its thread, with its replies."""

    comment: Comment
    depth: int
    """1 for a top-level comment; at most :data:`MAX_DEPTH`."""
    replies: tuple[ThreadNode, ...] = ()
    in_reply_to: Comment | None = None
    """The comment this one answers, when it is not shown directly below it
    (replies flattened at :data:`MAX_DEPTH`); None otherwise."""


@dataclass(frozen=True, slots=True)
class PendingComment:
    """A submission waiting in ``_pending/``: the stored fields, body as Markdown."""

    id: str
    article: str
    name: str
    website: str | None
    date: datetime
    body: str
    reply_to: str | None
    email_hash: str | None
    path: Path
    """The pending file."""


@dataclass(frozen=True, slots=True)
class _Record:
    """The checked fields of one comment file."""

    id: str
    article: str | None
    name: str
    website: str | None
    date: datetime
    body: str
    reply_to: str | None
    email_hash: str | None


# --- Text hygiene ---------------------------------------------------------------------------

# Invisible characters (bidi controls, zero-width spaces, controls, stray joiners) are
# found with the patterns metadata uses: loaders.meta.INVISIBLE and STRAY_JOINER.


def clean_text(text: str) -> str:
    """``text`` without bidi controls, zero-width spaces, controls and stray joiners.

    Newlines and tabs stay; ``\\r\\n`` and lone ``\\r`` become ``\\n``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return STRAY_JOINER.sub("", INVISIBLE.sub("", text))


def clean_name(name: str) -> str:
    """A name on one line: :func:`clean_text`, no joiners, whitespace collapsed."""
    text = INVISIBLE.sub("", name)
    text = text.replace("\u200c", "").replace("\u200d", "")
    return " ".join(text.split())


def safe_url(url: str) -> str | None:
    """``url`` if it is an ``http(s)://host...`` or ``mailto:`` URL, else None.

    Anything with whitespace, control, bidi or zero-width characters is refused
    (browsers drop some of those before reading the scheme), as is a scheme-relative
    ``//host`` or a relative path.
    """
    if not url or INVISIBLE.search(url) or any(ch.isspace() for ch in url):
        return None
    scheme, colon, rest = url.partition(":")
    if not colon or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        return None
    scheme = scheme.lower()
    if scheme == "mailto":
        return url if rest else None
    if scheme not in ("http", "https") or not rest.startswith("//"):
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return url if host and _HOST.match(host) else None


# --- Markdown bodies ------------------------------------------------------------------------


class _CommentMarkdown(MarkdownIt):
    """markdown-it that parses every link; the link render rules decide what is safe."""

    def validateLink(self, url: str) -> bool:
        return True


def _link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    href = safe_url(str(tokens[idx].attrGet("href") or ""))
    env.setdefault("link_stack", []).append(href is not None)
    if href is None:
        return ""
    return f'<a href="{escapeHtml(href)}" rel="nofollow ugc">'


def _link_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    stack: list[bool] = env.get("link_stack") or []
    return "</a>" if stack and stack.pop() else ""


def _image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    children = tokens[idx].children or []
    return escapeHtml(self.renderInlineAsText(children, options, env))


def _code_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    code = escapeHtml(tokens[idx].content)
    return f'<pre class="comment-code"><code>{code}</code></pre>\n'


@cache
def _markdown() -> MarkdownIt:
    md = _CommentMarkdown("zero", {"html": False, "breaks": True, "typographer": False})
    md.enable(["blockquote", "code", "fence", "reference", "newline", "escape",
               "backticks", "emphasis", "link", "image", "autolink", "entity"])  # fmt: skip
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("link_close", _link_close)
    md.add_render_rule("image", _image)
    md.add_render_rule("fence", _code_block)
    md.add_render_rule("code_block", _code_block)
    return md


def render_body(markdown_text: str) -> str:
    """A comment body as safe HTML (see the module docstring for the subset)."""
    html: str = _markdown().render(clean_text(markdown_text), {})
    return html


# --- Reading comment files ------------------------------------------------------------------


def _shown(path: Path, site_root: Path) -> str:
    """``path`` relative to the site folder where possible, POSIX style."""
    try:
        return path.relative_to(site_root).as_posix()
    except ValueError:
        return path.as_posix()


def _as_text(value: Any) -> str | None:
    """A scalar as text (numbers too); None for mappings, lists, booleans and null."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


class _Checker:
    """Collects the diagnostics for one comment file, each at its key's line."""

    def __init__(self, shown: str, lines: Mapping[str, int]) -> None:
        self.shown = shown
        self.lines = lines
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(Diagnostic(self.shown, self.lines.get(key), None, f"{key}: {message}"))

    def warning(self, key: str, message: str) -> None:
        self.warnings.append(
            Diagnostic(self.shown, self.lines.get(key), None, f"{key}: {message}", "warning")
        )


def _read_record(file: Path, shown: str) -> tuple[_Record, list[Diagnostic]]:
    """Read and check one comment file; raise :class:`SourceError` if it is unusable."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError.at(shown, None, "not UTF-8 text; save the file as UTF-8") from None
    except OSError as exc:
        raise SourceError.at(shown, None, f"cannot read the file: {exc.strerror}") from None
    data = yamlio.load(text, shown)
    if not isinstance(data, dict):
        raise SourceError.at(shown, 1, "a comment file must be a mapping of keys to values "
                             "(id:, name:, date:, body:...)")  # fmt: skip
    return _record(data, _Checker(shown, yamlio.key_lines(text)))


def _record(data: dict[Any, Any], check: _Checker) -> tuple[_Record, list[Diagnostic]]:
    values = {str(k): v for k, v in data.items()}
    for key in values:
        if key not in _KEYS:
            check.warning(key, "unknown key, ignored; comment files have " + ", ".join(_KEYS))
    missing = [k for k in _REQUIRED if values.get(k) is None or values.get(k) == ""]
    if missing:
        check.errors.append(Diagnostic(check.shown, None, None,
                                       f"missing {', '.join(missing)}: a comment needs "
                                       "id, name, date and body"))  # fmt: skip
    comment_id = _check_id(values.get("id"), check) if "id" not in missing else ""
    name = _check_name(values.get("name"), check) if "name" not in missing else ""
    date = _check_date(values.get("date"), check) if "date" not in missing else None
    body = _check_body(values.get("body"), check) if "body" not in missing else ""
    record = _Record(
        id=comment_id,
        article=_check_article(values.get("article"), check),
        name=name,
        website=_check_website(values.get("website"), check),
        date=date or EMPTY_FEED_UPDATED,  # never used: a missing or bad date raised above
        body=body,
        reply_to=_check_reply_to(values.get("reply_to"), check),
        email_hash=_check_email_hash(values.get("email_hash"), check),
    )
    if check.errors:
        raise SourceError(sorted(check.errors, key=_by_line))
    return record, sorted(check.warnings, key=_by_line)


def _by_line(diagnostic: Diagnostic) -> int:
    return diagnostic.line or 0


def _check_id(value: Any, check: _Checker) -> str:
    text = _as_text(value)
    if text is None or not _ID.match(text):
        check.error("id", f"{value!r} is not an id: use up to 64 letters, digits, '-' or '_'")
        return ""
    if text.lower() in _RESERVED_IDS:
        check.error("id", f"{text!r} is reserved (the comment form uses it); choose another")
    return text


def _check_name(value: Any, check: _Checker) -> str:
    text = _as_text(value)
    if text is None:
        check.error("name", f"expected text, not {type(value).__name__}")
        return ""
    name = clean_name(text)
    if not name:
        check.error("name", "is empty once invisible characters are removed")
    return name


def _check_date(value: Any, check: _Checker) -> datetime | None:
    try:
        return coerce_datetime(value, _UTC).astimezone(_UTC)
    except CoercionError as exc:
        check.error("date", str(exc))
        return None


def _check_body(value: Any, check: _Checker) -> str:
    text = _as_text(value)
    if text is None:
        check.error("body", f"expected text, not {type(value).__name__}")
        return ""
    body = clean_text(text).strip()
    if not body:
        check.error("body", "is empty")
    return body


def _check_article(value: Any, check: _Checker) -> str | None:
    if value is None:
        return None
    text = _as_text(value)
    if text is None or not _SLUG.match(text):
        check.error("article", f"{value!r} is not an article slug")
        return None
    return text


def _check_website(value: Any, check: _Checker) -> str | None:
    if value is None or value == "":
        return None
    text = _as_text(value)
    raw = safe_url(text.strip()) if text else None
    url = safe_url(_markdown().normalizeLink(raw)) if raw else None
    if url is None:
        check.warning("website", f"{value!r} is not an http or https address; "
                      "the name is shown without a link")  # fmt: skip
    return url


def _check_reply_to(value: Any, check: _Checker) -> str | None:
    if value is None or value == "":
        return None
    text = _as_text(value)
    if text is None or not _ID.match(text):
        check.warning("reply_to", f"{value!r} is not a comment id; shown at the top level")
        return None
    return text


def _check_email_hash(value: Any, check: _Checker) -> str | None:
    if value is None or value == "":
        return None
    text = _as_text(value)
    if text is not None and "@" in text:
        check.warning("email_hash", "holds an email address, which must not be stored: "
                      "replace it with its SHA-256 hash (import does this)")  # fmt: skip
        return None
    if text is None or not _SHA256.match(text.lower()):
        check.warning("email_hash", "is not a SHA-256 hex digest; ignored")
        return None
    return text.lower()


def _comment(record: _Record, article: str, shown: str) -> Comment:
    return Comment(
        id=record.id,
        article=article,
        name=record.name,
        website=record.website,
        date=record.date,
        body_html=render_body(record.body),
        reply_to=record.reply_to,
        email_hash=record.email_hash,
        source=shown,
    )


def _comment_files(folder: Path) -> list[Path]:
    """Comment files in ``folder``; links are never followed (a link could lead out
    of the content folder and publish whatever it points at)."""
    return sorted(
        p for p in folder.iterdir()
        if not p.is_symlink() and p.is_file() and p.suffix in (".yaml", ".yml")
        and not p.name.startswith(".")
    )  # fmt: skip


def _order(comment: Comment) -> tuple[datetime, str]:
    return (comment.date, comment.id)


def _load_folder(
    folder: Path, site_root: Path, diagnostics: list[Diagnostic]
) -> tuple[Comment, ...]:
    """The comments of one article folder, oldest first; duplicates of an id skipped."""
    found: dict[str, Comment] = {}
    for file in _comment_files(folder):
        shown = _shown(file, site_root)
        try:
            record, warnings = _read_record(file, shown)
        except SourceError as exc:
            diagnostics.extend(exc.diagnostics)
            continue
        diagnostics.extend(warnings)
        if record.id in found:
            diagnostics.append(Diagnostic(shown, None, None, f"id: {record.id!r} is already "
                                          f"used by {found[record.id].source}; skipped"))
            continue
        found[record.id] = _comment(record, folder.name, shown)
    return tuple(sorted(found.values(), key=_order))


def load_comments(
    content_dir: Path, site_root: Path, *, known_slugs: Collection[str] | None = None
) -> tuple[dict[str, tuple[Comment, ...]], list[Diagnostic]]:
    """Approved comments by article slug, oldest first, and the problems found.

    Reads ``content_dir/comments/<slug>/*.yaml``; folders starting with ``_`` or
    ``.`` (``_pending``, ``_rejected``) are skipped.  With ``known_slugs``, a
    folder for an article that does not exist gets one warning and is left out.
    Paths in diagnostics are relative to ``site_root``.
    """
    root = content_dir / COMMENTS_DIR
    diagnostics: list[Diagnostic] = []
    result: dict[str, tuple[Comment, ...]] = {}
    if not root.is_dir():
        return result, diagnostics
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        if folder.name.startswith(("_", ".")):
            continue
        if known_slugs is not None and folder.name not in known_slugs:
            count = len(_comment_files(folder))
            if count:
                diagnostics.append(Diagnostic(
                    _shown(folder, site_root), None, None,
                    f"no article has the slug {folder.name!r}; its {count} "
                    f"{'comment is' if count == 1 else 'comments are'} not shown",
                    "warning"))  # fmt: skip
            continue
        comments = _load_folder(folder, site_root, diagnostics)
        if comments:
            result[folder.name] = comments
    return result, diagnostics


# --- Threads --------------------------------------------------------------------------------


def thread(
    comments: Sequence[Comment], diagnostics: list[Diagnostic] | None = None
) -> tuple[ThreadNode, ...]:
    """The comments of one article as a tree, oldest first at every level.

    Replies to unknown comments, to themselves or in a loop are shown at the top
    level, each with a warning appended to ``diagnostics``.  Ids are expected to
    be unique (:func:`load_comments` makes sure); later duplicates are dropped.
    """
    if not comments:
        return ()
    found = diagnostics if diagnostics is not None else []
    by_id: dict[str, Comment] = {}
    for comment in sorted(comments, key=_order):
        by_id.setdefault(comment.id, comment)
    parent_of = {c.id: _parent(c, by_id, found) for c in by_id.values()}
    _break_loops(list(by_id.values()), parent_of, found)
    children: dict[str | None, list[Comment]] = defaultdict(list)
    for comment in by_id.values():
        children[parent_of[comment.id]].append(comment)
    return tuple(_node(c, 1, children, parent_of, by_id) for c in children[None])


def _parent(comment: Comment, by_id: Mapping[str, Comment], found: list[Diagnostic]) -> str | None:
    parent = comment.reply_to
    if parent is None:
        return None
    if parent == comment.id or parent not in by_id:
        what = "itself" if parent == comment.id else f"{parent!r}, which is not a comment here"
        found.append(Diagnostic(comment.source, None, None,
                                f"reply_to: answers {what}; shown at the top level",
                                "warning"))  # fmt: skip
        return None
    return parent


def _break_loops(
    ordered: list[Comment], parent_of: dict[str, str | None], found: list[Diagnostic]
) -> None:
    """Cut each reply loop at its oldest comment, which becomes top level."""
    done: set[str] = set()
    by_id = {c.id: c for c in ordered}
    for comment in ordered:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = comment.id
        while current is not None and current not in done:
            if current in on_path:
                loop = path[path.index(current):]
                oldest = min((by_id[i] for i in loop), key=_order)
                parent_of[oldest.id] = None
                found.append(Diagnostic(oldest.source, None, None,
                                        "reply_to: the replies form a loop ("
                                        + " -> ".join(loop) + "); shown at the top level",
                                        "warning"))  # fmt: skip
                break
            path.append(current)
            on_path.add(current)
            current = parent_of[current]
        done.update(path)


def _node(
    comment: Comment,
    depth: int,
    children: Mapping[str | None, list[Comment]],
    parent_of: Mapping[str, str | None],
    by_id: Mapping[str, Comment],
) -> ThreadNode:
    if depth + 1 < MAX_DEPTH:
        replies = tuple(
            _node(r, depth + 1, children, parent_of, by_id) for r in children.get(comment.id, ())
        )
        return ThreadNode(comment, depth, replies)
    flat = sorted(_descendants(comment.id, children), key=_order)
    replies = tuple(
        ThreadNode(r, depth + 1, (), None if parent_of[r.id] == comment.id
                   else by_id[parent_of[r.id] or ""])
        for r in flat
    )  # fmt: skip
    return ThreadNode(comment, depth, replies)


def _descendants(root: str, children: Mapping[str | None, list[Comment]]) -> Iterator[Comment]:
    stack = list(children.get(root, ()))
    while stack:
        comment = stack.pop()
        yield comment
        stack.extend(children.get(comment.id, ()))


def walk(nodes: Iterable[ThreadNode]) -> Iterator[ThreadNode]:
    """Every node of a thread in reading order (depth first)."""
    for node in nodes:
        yield node
        yield from walk(node.replies)


# --- Counts, opening and closing -------------------------------------------------------------


def count_label(n: int) -> str:
    """``"Be the first to comment"``, ``"1 Comment"``, ``"N Comments"``."""
    if n < 0:
        raise ValueError(f"a comment count cannot be negative: {n}")
    if n == 0:
        return "Be the first to comment"
    return f"{n} {'Comment' if n == 1 else 'Comments'}"


def is_open(article: Article, site: SiteConfig, now: datetime) -> bool:
    """Whether ``article`` takes comments at ``now`` (aware).

    Closed when the article says ``comments: closed``, or when
    ``comments.close_after_days`` is set and that many days have passed since
    publication (closed from that instant on).  Undated articles have no age,
    so only their own ``comments:`` setting applies.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("is_open needs a timezone-aware 'now'")
    if article.comments == "closed":
        return False
    days = site.comments.close_after_days
    if days is None or article.date is None:
        return True
    return now < article.date + timedelta(days=days)


# --- The comment feed -----------------------------------------------------------------------


def comment_feed_url(article: Article) -> str:
    """Site-relative URL of an article's comment feed.

    ``2024/01/31/slug/comments.xml`` for a folder permalink;
    ``2024/slug.comments.xml`` for a permalink ending in a file name.
    """
    if article.url == "" or article.url.endswith("/"):
        return article.url + FEED_NAME
    stem = article.url.rsplit(".", 1)[0] if "." in article.url.rsplit("/", 1)[-1] else article.url
    return f"{stem}.{FEED_NAME}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrib.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def comment_feed(article: Article, comments: Sequence[Comment], site: SiteConfig) -> str:
    """The Atom 1.0 feed of an article's comments, newest first.

    Carries the latest ``feeds.entries`` comments; each entry links to its
    anchor on the article page and holds the body as HTML.  Ids follow
    :func:`broadsheet.feeds.stable_id`.  ``updated`` is the newest comment's
    date (else the article's modification time, else the epoch), so the feed
    only changes when a comment arrives.
    """
    newest = sorted(comments, key=_order, reverse=True)[: site.feeds.entries]
    feed = root_element("feed", ATOM_NS)
    language = language_tag(article.language or site.language)
    if language:
        feed.set(f"{{{XML_NS}}}lang", language)
    _sub(feed, "id", stable_id(site, article.url + "#comments"))
    _sub(feed, "title", f"Comments on {article.headline}")
    updated = newest[0].date if newest else (article.modified or EMPTY_FEED_UPDATED)
    _sub(feed, "updated", rfc3339(updated))
    _sub(feed, "link", rel="self", type="application/atom+xml",
         href=link(site, comment_feed_url(article)))  # fmt: skip
    _sub(feed, "link", rel="alternate", type="text/html", href=link(site, article.url))
    _sub(feed, "generator", GENERATOR)
    for comment in newest:
        _feed_entry(feed, article, comment, site)
    return serialize(feed)


def _feed_entry(feed: ET.Element, article: Article, comment: Comment, site: SiteConfig) -> None:
    anchor = f"{article.url}#comment-{comment.id}"
    entry = _sub(feed, "entry")
    _sub(entry, "id", stable_id(site, anchor))
    _sub(entry, "title", f"Comment by {comment.name} on {article.headline}")
    _sub(entry, "link", rel="alternate", type="text/html", href=link(site, anchor))
    _sub(entry, "published", rfc3339(comment.date))
    _sub(entry, "updated", rfc3339(comment.date))
    author = _sub(entry, "author")
    _sub(author, "name", comment.name)
    if comment.website:
        _sub(author, "uri", comment.website)
    content = _sub(entry, "content", comment.body_html, type="html")
    content.set(f"{{{XML_NS}}}base", link(site, article.url))


# --- Moderation: importing submissions --------------------------------------------------------


class UnknownCommentError(BroadsheetError):
    """Ids given to a moderation command that match no pending comment."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = tuple(ids)
        listed = ", ".join(repr(i) for i in self.ids)
        word = "comment" if len(self.ids) == 1 else "comments"
        super().__init__(f"no pending {word} with id {listed}; "
                         "see 'broadsheet comments list'")  # fmt: skip


Status = Literal["accepted", "skipped", "rejected"]


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What happened to one submission."""

    where: str
    """``FILE``, ``FILE:LINE`` (JSON Lines) or ``FILE#N`` (the Nth item of a list, from 1)."""
    status: Status
    message: str
    comment_id: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.status}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of every submission read, in file order."""

    outcomes: tuple[ImportOutcome, ...]

    def _count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def accepted(self) -> int:
        return self._count("accepted")

    @property
    def skipped(self) -> int:
        """Submissions that were already imported."""
        return self._count("skipped")

    @property
    def rejected(self) -> int:
        return self._count("rejected")

    def summary(self) -> str:
        return (f"{self.accepted} queued for moderation, {self.skipped} already imported, "
                f"{self.rejected} rejected.")  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Rejected:
    reason: str


_FORM_KEY = re.compile(r"^(?:fields|options)\[(\w+)\]$")


def _read_submissions(path: Path, shown: str) -> list[tuple[str, Any]]:
    """Each submission in a file with where it stands; unreadable parts as :class:`_Rejected`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [(shown, _Rejected("not UTF-8 text"))]
    except OSError as exc:
        return [(shown, _Rejected(f"cannot read the file: {exc.strerror}"))]
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return _json_lines(text, shown)
    sniffed = text.lstrip()[:1]
    if suffix == ".json" or (suffix not in (".yaml", ".yml") and sniffed and sniffed in "{["):
        return _json(text, shown)
    return _yaml(text, shown)


def _items(data: Any, shown: str) -> list[tuple[str, Any]]:
    if isinstance(data, list):
        return [(f"{shown}#{number}", item) for number, item in enumerate(data, 1)]
    return [(shown, data)]


def _json(text: str, shown: str) -> list[tuple[str, Any]]:
    try:
        return _items(json.loads(text), shown)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            return _json_lines(text, shown)
        return [(f"{shown}:{exc.lineno}", _Rejected(f"invalid JSON: {exc.msg}"))]


def _json_lines(text: str, shown: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            found.append((f"{shown}:{number}", json.loads(line)))
        except json.JSONDecodeError as exc:
            found.append((f"{shown}:{number}", _Rejected(f"invalid JSON: {exc.msg}")))
    return found


def _yaml(text: str, shown: str) -> list[tuple[str, Any]]:
    try:
        return _items(yamlio.load(text, shown), shown)
    except SourceError as exc:
        first = exc.diagnostics[0]
        where = shown if first.line is None else f"{shown}:{first.line}"
        return [(where, _Rejected(first.message))]


def _flatten(record: Any) -> dict[str, Any] | _Rejected:
    """Staticman's ``fields:``/``options:``, ``fields[x]`` keys and flat keys, merged."""
    if record is None:
        return _Rejected("empty submission")
    if not isinstance(record, dict):
        return _Rejected(f"expected a mapping of fields, not {type(record).__name__}")
    values: dict[str, Any] = {}
    for raw_key, value in record.items():
        key = str(raw_key)
        form = _FORM_KEY.match(key)
        if form:
            values[form.group(1)] = value
        elif key in ("fields", "options") and isinstance(value, dict):
            values.update({str(k): v for k, v in value.items()})
        else:
            values[key] = value
    return values


def _text_field(values: Mapping[str, Any], key: str) -> str | _Rejected:
    value = values.get(key)
    if value is None:
        return ""
    text = _as_text(value)
    if text is None:
        return _Rejected(f"{key} must be text, not {type(value).__name__}")
    return text.strip()


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:60] + "…")


def valid_email(email: str) -> bool:
    """A plausible single address: ``local@domain.tld``, no spaces, at most 254 characters."""
    return len(email) <= MAX_EMAIL and bool(_EMAIL.match(email))


def valid_website(url: str) -> bool:
    """An ``http(s)://host`` address of at most :data:`MAX_URL` characters."""
    if len(url) > MAX_URL or safe_url(url) is None:
        return False
    return url.split(":", 1)[0].lower() in ("http", "https")


def email_hash(email: str) -> str:
    """SHA-256 (hex) of the stripped, lower-cased address."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def _submission_date(raw: Any, now: datetime) -> tuple[datetime, bool] | _Rejected:
    """The submission's date in UTC and whether it gave one (else ``now``)."""
    if raw is None or raw == "":
        return now.astimezone(_UTC), False
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    try:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            seconds = raw / 1000 if raw > 100_000_000_000 else raw  # Unix ms or s
            return datetime.fromtimestamp(seconds, _UTC).replace(microsecond=0), True
        return coerce_datetime(raw, _UTC).astimezone(_UTC), True
    except (CoercionError, ValueError, OverflowError, OSError) as exc:
        return _Rejected(f"date: {exc}")


_FIELDS = ("name", "email", "url", "message", "slug", "parent", "honeypot")


def _check_submission(
    values: Mapping[str, Any], known_slugs: Collection[str], now: datetime
) -> dict[str, Any] | _Rejected:
    """The record to store for one submission, or why it is rejected."""
    texts: dict[str, str] = {}
    for key in _FIELDS:
        text = _text_field(values, key)
        if isinstance(text, _Rejected):
            return text
        texts[key] = text
    if texts["honeypot"]:
        return _Rejected("the honeypot field is filled in (spam)")
    name, message = clean_name(texts["name"]), clean_text(texts["message"]).strip()
    missing = [k for k, v in (("name", name), ("email", texts["email"]),
                              ("message", message), ("slug", texts["slug"])) if not v]  # fmt: skip
    if missing:
        return _Rejected(f"missing {', '.join(missing)}")
    problem = _field_problem(texts, name, known_slugs)
    if problem:
        return _Rejected(problem)
    when = _submission_date(values.get("date"), now)
    if isinstance(when, _Rejected):
        return when
    return _stored(texts, name, message, *when)


def _field_problem(texts: Mapping[str, str], name: str, known_slugs: Collection[str]) -> str:
    """Why the fields of a complete submission cannot be accepted ("" if they can)."""
    if texts["slug"] not in known_slugs:
        return f"unknown article {_short(texts['slug'])}"
    if len(texts["message"]) > MAX_BODY:
        return f"message is {len(texts['message']):,} characters long; the limit is {MAX_BODY:,}"
    if len(name) > MAX_NAME:
        return f"name is {len(name):,} characters long; the limit is {MAX_NAME:,}"
    if not valid_email(texts["email"]):
        return f"invalid email address {_short(texts['email'])}"
    if texts["url"] and not valid_website(texts["url"]):
        return f"website {_short(texts['url'])} is not an http or https address"
    if texts["parent"] and not _ID.match(texts["parent"]):
        return f"parent {_short(texts['parent'])} is not a comment id"
    return ""


def _stored(
    texts: Mapping[str, str], name: str, message: str, date: datetime, dated: bool
) -> dict[str, Any]:
    hashed = email_hash(texts["email"])
    key = [texts["slug"], name, hashed, texts["url"], message, texts["parent"],
           date.isoformat() if dated else ""]  # fmt: skip
    digest = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()
    record: dict[str, Any] = {"id": digest[:10], "article": texts["slug"], "name": name}
    if texts["url"]:
        record["website"] = texts["url"]
    record["date"] = date.isoformat(timespec="seconds")
    if texts["parent"]:
        record["reply_to"] = texts["parent"]
    record["email_hash"] = hashed
    record["body"] = message
    return record


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as literal blocks, which moderators can read."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_record(record: Mapping[str, Any]) -> str:
    """A comment record as YAML text (keys in the given order)."""
    text: str = yaml.dump(dict(record), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=100)  # fmt: skip
    return text


def file_name(date: datetime, comment_id: str) -> str:
    """``<UTC timestamp>-<id>.yaml``, e.g. ``20240621T093000Z-3fa9c0e1b2.yaml``."""
    return f"{date.astimezone(_UTC):%Y%m%dT%H%M%SZ}-{comment_id}.yaml"


def _known_ids(comments_root: Path) -> set[str]:
    """Ids of every comment file anywhere below ``comments/`` (from the file names)."""
    if not comments_root.is_dir():
        return set()
    return {p.stem.rpartition("-")[2] for p in comments_root.rglob("*.yaml")}


def _comments_root(site_root: Path, content_dir: Path | None) -> Path:
    return (content_dir if content_dir is not None else site_root / "content") / COMMENTS_DIR


def import_submissions(
    paths: Iterable[Path | str],
    site_root: Path,
    known_slugs: Collection[str],
    now: datetime,
    *,
    content_dir: Path | None = None,
) -> ImportReport:
    """Queue the submissions in ``paths`` in ``comments/_pending/``.

    Files hold a JSON object or array, JSON Lines (``.jsonl``/``.ndjson``, or
    several objects in a ``.json``), or YAML (a mapping or a list of them) with
    Staticman's ``fields:``/``options:``, ``fields[name]``-style keys or flat
    keys ``name, email, url, message, slug, parent, date``.  Submissions without
    a date get ``now`` (aware).  ``content_dir`` defaults to
    ``site_root/content``.  Nothing that is rejected is written.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("import_submissions needs a timezone-aware 'now'")
    root = _comments_root(site_root, content_dir)
    seen = _known_ids(root)
    outcomes: list[ImportOutcome] = []
    for path in paths:
        for where, item in _read_submissions(Path(path), str(path)):
            outcome = _import_one(where, item, root, seen, known_slugs, now)
            outcomes.append(outcome)
    return ImportReport(tuple(outcomes))


def _import_one(
    where: str,
    item: Any,
    root: Path,
    seen: set[str],
    known_slugs: Collection[str],
    now: datetime,
) -> ImportOutcome:
    values = item if isinstance(item, _Rejected) else _flatten(item)
    record = values if isinstance(values, _Rejected) else _check_submission(values,
                                                                            known_slugs, now)
    if isinstance(record, _Rejected):
        return ImportOutcome(where, "rejected", record.reason)
    comment_id: str = record["id"]
    if comment_id in seen:
        return ImportOutcome(where, "skipped", f"already imported as {comment_id}", comment_id)
    date = datetime.fromisoformat(record["date"])
    target = root / PENDING_DIR / file_name(date, comment_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:
        handle.write(dump_record(record))
    seen.add(comment_id)
    message = f"{comment_id} on {record['article']} by {_short(record['name'])}"
    return ImportOutcome(where, "accepted", message, comment_id)


# --- Moderation: the queue --------------------------------------------------------------------


def pending(
    site_root: Path,
    *,
    content_dir: Path | None = None,
    diagnostics: list[Diagnostic] | None = None,
) -> list[PendingComment]:
    """The moderation queue, oldest first.  Unreadable files go to ``diagnostics``."""
    found = diagnostics if diagnostics is not None else []
    folder = _comments_root(site_root, content_dir) / PENDING_DIR
    queue: dict[str, PendingComment] = {}
    if not folder.is_dir():
        return []
    for file in _comment_files(folder):
        shown = _shown(file, site_root)
        try:
            record, warnings = _read_record(file, shown)
        except SourceError as exc:
            found.extend(exc.diagnostics)
            continue
        found.extend(warnings)
        if record.article is None:
            found.append(Diagnostic(shown, None, None, "missing article: a pending comment "
                                    "must name the slug of its article"))  # fmt: skip
        elif record.id in queue:
            found.append(Diagnostic(shown, None, None, f"id: {record.id!r} is already used "
                                    f"by {_shown(queue[record.id].path, site_root)}; skipped"))
        else:
            queue[record.id] = PendingComment(
                record.id, record.article, record.name, record.website, record.date,
                record.body, record.reply_to, record.email_hash, file)  # fmt: skip
    return sorted(queue.values(), key=lambda p: (p.date, p.id))


def _select(
    site_root: Path, ids: Iterable[str], content_dir: Path | None
) -> list[PendingComment]:
    """The pending comments with ``ids`` (each once); raise if any id is unknown."""
    queue = {p.id: p for p in pending(site_root, content_dir=content_dir)}
    wanted = list(dict.fromkeys(ids))
    unknown = [i for i in wanted if i not in queue]
    if unknown:
        raise UnknownCommentError(unknown)
    return [queue[i] for i in wanted]


def _move(source: Path, folder: Path) -> Path:
    target = folder / source.name
    if target.exists():
        raise BroadsheetError(f"{target} already exists; {source} was left where it is")
    folder.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    return target


def approve(
    site_root: Path, ids: Iterable[str], *, content_dir: Path | None = None
) -> list[Path]:
    """Move pending comments into their articles' folders; return the new paths.

    Raises :class:`UnknownCommentError` (moving nothing) if an id is not pending.
    """
    root = _comments_root(site_root, content_dir)
    return [_move(p.path, root / p.article) for p in _select(site_root, ids, content_dir)]


def reject(
    site_root: Path, ids: Iterable[str], *, content_dir: Path | None = None
) -> list[Path]:
    """Move pending comments to ``_rejected/`` (kept so that re-imports recognise them).

    Raises :class:`UnknownCommentError` (moving nothing) if an id is not pending.
    """
    folder = _comments_root(site_root, content_dir) / REJECTED_DIR
    return [_move(p.path, folder) for p in _select(site_root, ids, content_dir)]
