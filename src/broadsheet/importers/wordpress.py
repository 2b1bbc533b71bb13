"""``broadsheet import wordpress``: WordPress eXtended RSS (WXR 1.0-1.2) exports.

What becomes what
    * Posts (and pages, with ``pages=True``) become Markdown articles with
      front matter: ``content/<year>/<slug>.md`` (``undated/`` when a post has
      no date, ``pages/`` for pages).  ``section`` is always written, so the
      folder's name never becomes a section by accident.
    * The date is ``wp:post_date_gmt``; when that is WordPress's
      ``0000-00-00 00:00:00`` (drafts, some imported posts) it is
      ``wp:post_date`` in the site's time zone, then ``pubDate`` unless it is
      the 1970-01-01 placeholder some exports carry.
    * ``dc:creator`` (a login) becomes the author's display name from the
      export's ``wp:author`` list, or stays the login when that is missing.
    * The first category is the section; tags are tags.
    * The slug is ``wp:post_name`` (percent-decoded), else the title's, else
      ``post-<id>``; slugs are made unique within the export, lowest post id
      first.
    * Any status but ``publish`` (draft, pending, future, private) gives
      ``draft: true`` and records ``status``; ``trash`` and ``auto-draft``
      items are skipped.  ``comment_status: closed`` gives ``comments: closed``.
    * Bodies are paragraphed like WordPress does (:func:`.htmlconv.wpautop`),
      shortcodes expanded, sanitised and converted to Markdown; with
      ``keep_html`` the sanitised HTML is kept as the body instead (it is
      escaped on the page unless the site sets ``markdown: {unsafe_html: true}``).
    * Approved comments (``wp:comment_approved`` 1; not pingbacks or
      trackbacks) go to the comment store, ``content/comments/<slug>/``, with
      ``reply_to`` from ``wp:comment_parent`` (a reply to a comment that was not
      approved moves up to the nearest approved one), and the email address
      hashed: it is never written anywhere in clear.
    * Attachments are listed in the report, not downloaded; other post types
      (menus, revisions, custom types) are skipped with a reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .. import comments as comment_store
from ..errors import Diagnostic, SourceError
from ..loaders.meta import slugify
from . import htmlconv
from .core import Draft, NotImported, Options, headline_from_text, markdown_file, run, unique
from .dates import is_placeholder, parse_date, wordpress_date
from .ledger import Ledger
from .report import Attachment, IngestReport
from .xmlsource import parse_xml

_UTC = timezone.utc
_WP = "http://wordpress.org/export/"
_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
#: Post types imported (``page`` only when asked).
ARTICLE_TYPES = ("post", "page")
SKIPPED_STATUSES = {"trash": "in the trash", "auto-draft": "an automatic draft, never edited"}


@dataclass
class WPComment:
    """One ``<wp:comment>`` of a post, as text fields."""

    id: str
    author: str
    email: str
    url: str
    date: str
    date_gmt: str
    content: str
    approved: str
    type: str
    parent: str


@dataclass
class Post:
    """One ``<item>`` of the export, as text fields."""

    fields: dict[str, str]
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    comments: list[WPComment] = field(default_factory=list)
    line: int | None = None

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()

    @property
    def id(self) -> str:
        return self.get("wp:post_id") or f"line-{self.line}"

    @property
    def title(self) -> str:
        return " ".join(unescape(self.fields.get("title", "")).split())


# --- Reading the export -----------------------------------------------------------------------


def _name(tag: Any) -> str:
    """``wp:post_id`` style names for namespaced tags, whatever the WXR version's URI."""
    if not isinstance(tag, str):
        return ""
    if not tag.startswith("{"):
        return tag
    uri, _, local = tag[1:].partition("}")
    if uri.startswith(_WP):
        return f"excerpt:{local}" if uri.rstrip("/").endswith("excerpt") else f"wp:{local}"
    prefix = _NAMESPACES.get(uri)
    return f"{prefix}:{local}" if prefix else local


def _text(element: Any) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _children(element: Any) -> Iterator[tuple[str, Any]]:
    for child in element:
        yield _name(child.tag), child


def _read_post(item: Any) -> Post:
    """The fields, categories, tags and comments of one ``<item>``."""
    post = Post({}, line=item.sourceline)
    for name, child in _children(item):
        if name == "category":
            _read_category(post, child)
        elif name == "wp:comment":
            post.comments.append(_read_comment(child))
        elif name not in post.fields:
            post.fields[name] = _text(child)
    return post


def _read_category(post: Post, element: Any) -> None:
    name = " ".join(unescape(_text(element)).split())
    if not name:
        return
    domain = element.get("domain", "category")
    if domain == "post_tag":
        post.tags.append(name)
    elif domain == "category":
        post.categories.append(name)


def _read_comment(element: Any) -> WPComment:
    values = {name.removeprefix("wp:comment_"): _text(child) for name, child in _children(element)}
    return WPComment(
        id=values.get("id", "").strip(),
        author=values.get("author", ""),
        email=values.get("author_email", ""),
        url=values.get("author_url", "").strip(),
        date=values.get("date", ""),
        date_gmt=values.get("date_gmt", ""),
        content=values.get("content", ""),
        approved=values.get("approved", "").strip(),
        type=values.get("type", "").strip(),
        parent=values.get("parent", "0").strip() or "0",
    )


@dataclass
class Export:
    """The parts of a WXR file the importer uses."""

    key: str
    """The blog's stable identity, for the ledger."""
    authors: dict[str, str]
    posts: list[Post]
    problems: list[Diagnostic]


def read_export(data: bytes, shown: str, recover: bool = False) -> Export:
    """Parse a WXR file; raise :class:`SourceError` when it is not one."""
    root, problems = parse_xml(data, shown, recover)
    channel = root.find("channel") if _name(root.tag) == "rss" else None
    if channel is None:
        message = (f"not a WordPress export: the root element is <{_name(root.tag)}>, "
                   "not <rss> with a <channel>")
        if _name(root.tag) == "feed":
            message += " (an Atom feed or a Blogger export: try 'broadsheet import feed')"
        raise SourceError(Diagnostic(shown, root.sourceline, None, message))
    values = {name: _text(child).strip() for name, child in _children(channel)}
    posts = [_read_post(item) for item in channel.iter("item")]
    if "wp:wxr_version" not in values and not any(p.get("wp:post_type") for p in posts):
        message = ("not a WordPress export: no wp:wxr_version and no wp:post_type; "
                   "for an RSS feed use 'import feed'")
        raise SourceError(Diagnostic(shown, channel.sourceline, None, message))
    key = values.get("wp:base_blog_url") or values.get("wp:base_site_url") or values.get("link")
    authors = {}
    for name, child in _children(channel):
        if name == "wp:author":
            fields = {n: _text(c).strip() for n, c in _children(child)}
            login = fields.get("wp:author_login", "")
            if login:
                authors[login] = fields.get("wp:author_display_name") or login
    return Export(f"wordpress:{key or shown}", authors, posts, problems)


# --- Converting -------------------------------------------------------------------------------


def post_date(post: Post, tz: tzinfo) -> datetime | None:
    """``post_date_gmt``, else ``post_date`` in ``tz``, else a real (not 1970) ``pubDate``."""
    found = wordpress_date(post.get("wp:post_date_gmt"), _UTC)
    if found is None:
        found = wordpress_date(post.get("wp:post_date"), tz)
    if found is None:
        published = parse_date(post.get("pubDate"), _UTC)
        found = None if is_placeholder(published) else published
    return found


def base_slug(post: Post) -> str:
    """The slug from ``wp:post_name``, else the title, else ``post-<id>``."""
    return (slugify(unquote(post.get("wp:post_name"))) or slugify(post.title)
            or f"post-{slugify(post.id) or 'unknown'}")  # fmt: skip


def _order(post: Post) -> tuple[int, int]:
    """Lowest post id first; items without a numeric id last, in file order."""
    return (int(post.id), post.line or 0) if post.id.isdigit() else (1 << 62, post.line or 0)


@dataclass
class _Settings:
    """What converting every post needs."""

    options: Options
    source_key: str
    authors: dict[str, str]
    keep_html: bool
    report: IngestReport


def _convert_body(post: Post, settings: _Settings) -> tuple[str, str]:
    """The body to write (Markdown, or sanitised HTML) and its plain text."""
    notes: list[str] = []
    html = htmlconv.wpautop(htmlconv.expand_shortcodes(post.get("content:encoded"), notes))
    cleaned = htmlconv.sanitize(html)
    label = f"post {post.id}"
    for remark in notes:
        settings.report.note(label, remark)
    htmlconv.note_cleaning(cleaned, lambda remark: settings.report.note(label, remark))
    body = cleaned.html if settings.keep_html else htmlconv.to_markdown(cleaned.html)
    return body, htmlconv.to_text(cleaned.html)


def _front_matter(
    post: Post, headline: str, date: datetime | None, slug: str, settings: _Settings
) -> dict[str, Any]:
    """The article's metadata, in the order it is written."""
    status = post.get("wp:status") or "publish"
    creator = post.get("dc:creator")
    fields: dict[str, Any] = {"headline": headline}
    if date:
        fields["date"] = date.isoformat()
    fields["authors"] = [settings.authors.get(creator, creator)] if creator else []
    fields["section"] = post.categories[0] if post.categories else None
    if post.tags:
        fields["tags"] = list(dict.fromkeys(post.tags))
    fields["slug"] = slug
    excerpt = htmlconv.to_text(post.get("excerpt:encoded"))
    if excerpt:
        fields["summary"] = excerpt
    if status != "publish":
        fields["draft"] = True
        fields["status"] = status
    if post.get("wp:comment_status") == "closed":
        fields["comments"] = "closed"
    if post.get("link"):
        fields["source_url"] = post.get("link")
    return fields


def _draft(post: Post, slug: str, settings: _Settings) -> Draft:
    """The files of one post: the article and its approved comments."""
    tz = settings.options.config.tz
    date = post_date(post, tz)
    body, text = _convert_body(post, settings)
    headline = post.title or headline_from_text(text) or f"Untitled post {post.id}"
    folder = "pages" if post.get("wp:post_type") == "page" else (
        f"{date.astimezone(tz).year:04d}" if date else "undated")  # fmt: skip
    fields = _front_matter(post, headline, date, slug, settings)
    extra = _comment_files(post, slug, date, settings)
    return Draft(
        key=post.id,
        label=f"post {post.id}",
        title=headline,
        article=f"{folder}/{slug}.md",
        text=markdown_file(fields, body),
        body=text,
        extra_files=extra,
        has_headline=bool(post.title),
        dated=date is not None,
        comments=len(extra),
    )


# --- Comments ---------------------------------------------------------------------------------


def comment_id(source_key: str, wordpress_id: str) -> str:
    """A stable comment id: 10 hex digits of the SHA-256 of the blog and the comment's id."""
    return hashlib.sha256(f"{source_key}\0{wordpress_id}".encode()).hexdigest()[:10]


def _kept(comment: WPComment) -> str | None:
    """Why a comment is not stored, or None when it is."""
    if comment.type in ("pingback", "trackback"):
        return "pingbacks and trackbacks"
    if comment.approved != "1":
        return {"spam": "spam", "trash": "in the trash"}.get(comment.approved, "unapproved")
    return None


def _comment_files(
    post: Post, slug: str, post_date_: datetime | None, settings: _Settings
) -> dict[str, str]:
    """The comment store files of a post's approved comments."""
    by_id = {c.id: c for c in post.comments}
    stored = {c.id for c in post.comments if _kept(c) is None and c.id}
    files: dict[str, str] = {}
    for comment in post.comments:
        why = _kept(comment)
        if why is not None:
            settings.report.comments[f"not stored: {why}"] += 1
            continue
        record = _comment_record(comment, by_id, stored, post_date_, settings)
        if record is None:
            settings.report.comments["not stored: no text or no date"] += 1
            continue
        name = comment_store.file_name(datetime.fromisoformat(record["date"]), record["id"])
        files[f"{comment_store.COMMENTS_DIR}/{slug}/{name}"] = comment_store.dump_record(record)
        settings.report.comments["stored (approved)"] += 1
    return files


def _comment_record(
    comment: WPComment,
    by_id: dict[str, WPComment],
    stored: set[str],
    post_date_: datetime | None,
    settings: _Settings,
) -> dict[str, Any] | None:
    """The stored record of an approved comment, or None without text or date."""
    date = (wordpress_date(comment.date_gmt, _UTC)
            or wordpress_date(comment.date, settings.options.config.tz) or post_date_)  # fmt: skip
    html = htmlconv.sanitize(htmlconv.wpautop(comment.content)).html
    body = comment_store.clean_text(htmlconv.to_markdown(html)).strip()
    if date is None or not body or not comment.id:
        return None
    record: dict[str, Any] = {"id": comment_id(settings.source_key, comment.id),
                              "name": comment_store.clean_name(comment.author) or "Anonymous"}
    if comment.url and comment_store.valid_website(comment.url):
        record["website"] = comment.url
    record["date"] = date.astimezone(_UTC).isoformat(timespec="seconds")
    parent = _approved_parent(comment, by_id, stored)
    if parent is not None:
        record["reply_to"] = comment_id(settings.source_key, parent)
    if comment.email.strip():
        record["email_hash"] = comment_store.email_hash(comment.email)
    record["body"] = body
    return record


def _approved_parent(
    comment: WPComment, by_id: dict[str, WPComment], stored: set[str]
) -> str | None:
    """The nearest stored ancestor of a reply (skipping unapproved ones), or None."""
    seen = {comment.id}
    parent = comment.parent
    while parent and parent != "0" and parent not in seen:
        if parent in stored:
            return parent
        seen.add(parent)
        ancestor = by_id.get(parent)
        parent = ancestor.parent if ancestor else ""
    return None


# --- The import -------------------------------------------------------------------------------


def _left_out(post: Post, pages: bool) -> str | None:
    """Why an item is not imported as an article, or None."""
    kind = post.get("wp:post_type") or "post"
    status = post.get("wp:status")
    if kind == "page" and not pages:
        return "a page (--pages imports pages)"
    if kind not in ARTICLE_TYPES:
        return f"post type '{kind}' is not imported (only posts, and pages with --pages)"
    if status in SKIPPED_STATUSES:
        return SKIPPED_STATUSES[status]
    return None


def _number_repeats(post: Post, seen: dict[str, int], report: IngestReport) -> None:
    """Give a post whose id an earlier item already has the id ``<id>#<n>`` (stable per file)."""
    original = post.id
    seen[original] = seen.get(original, 0) + 1
    if seen[original] > 1:
        post.fields["wp:post_id"] = f"{original}#{seen[original]}"
        report.note(f"post {post.id}", f"post id {original} is used by more than one item in "
                    f"the export (this one at line {post.line}); it is imported as {post.id}")


def _attachment(post: Post) -> Attachment:
    parent = post.get("wp:post_parent")
    return Attachment(post.id, post.title, post.get("wp:attachment_url") or post.get("guid"),
                      parent if parent and parent != "0" else None)  # fmt: skip


def import_wordpress(
    path: Path,
    options: Options,
    *,
    pages: bool = False,
    keep_html: bool = False,
    recover: bool = False,
) -> IngestReport:
    """Import a WXR file into the site; raise :class:`SourceError` for a file that is not one."""
    shown = path.as_posix()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError.at(shown, None, f"cannot read: {exc.strerror}") from None
    export = read_export(data, shown, recover)
    report = IngestReport("wordpress", shown, dry_run=options.dry_run)
    report.diagnostics.extend(export.problems)
    report.recovered = any(d.severity == "warning" for d in export.problems)
    if keep_html and not options.config.markdown.unsafe_html:
        report.diagnostics.append(Diagnostic(shown, None, None,
            "--keep-html: bodies are sanitised HTML inside the .md files, shown escaped "
            "unless broadsheet.yaml sets markdown: {unsafe_html: true}", "warning"))  # fmt: skip
    settings = _Settings(options, export.key, export.authors, keep_html, report)
    drafts, left_out = _convert(export, settings, pages)
    ledger = Ledger.load(options.content, "wordpress", export.key)
    return run(report, ledger, drafts, left_out, options)


def _convert(
    export: Export, settings: _Settings, pages: bool
) -> tuple[list[Draft], list[NotImported]]:
    """Drafts of the posts to import, and the items left out with a reason."""
    drafts: list[Draft] = []
    left_out: list[NotImported] = []
    taken: set[str] = set()
    seen: dict[str, int] = {}
    for post in sorted(export.posts, key=_order):
        _number_repeats(post, seen, settings.report)
        label = f"post {post.id}"
        if post.get("wp:post_type") == "attachment":
            settings.report.attachments.append(_attachment(post))
            continue
        why = _left_out(post, pages)
        if why is not None:
            left_out.append(NotImported(label, post.title or "(untitled)", "skipped", why))
            continue
        try:
            drafts.append(_draft(post, unique(base_slug(post), taken), settings))
        except ImportError:  # a missing optional package stops the import (exit 2)
            raise
        except Exception as exc:  # one bad post must not stop the rest
            reason = f"cannot convert: {type(exc).__name__}: {exc}"
            left_out.append(NotImported(label, post.title or "(untitled)", "failed", reason))
    return drafts, left_out
