"""The archive: articles placed at URLs, grouped into sections, split into pages.

Everything here is pure: records in, records and diagnostics out.  URL
collisions are found before anything is written, every colliding input is
named, and the disambiguation is deterministic (sorted by source path).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .config import SiteConfig
from .errors import Diagnostic
from .loaders.meta import slugify
from .model import Article, Page
from .urls import output_path, paginated, permalink


@dataclass(frozen=True, slots=True)
class Term:
    """One value of a taxonomy (a section, a tag...) and its articles."""

    kind: str
    """``"section"``, ``"tag"``, ``"author"``, ``"person"`` or ``"place"``."""
    name: str
    slug: str
    url: str
    """Site-relative URL of the term's first listing page."""
    articles: tuple[Article, ...] = ()
    """Newest first."""

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass(frozen=True, slots=True)
class Pagination:
    """Where a listing page stands among its siblings."""

    number: int
    """1-based page number."""
    total: int
    """Number of pages in the listing (at least 1)."""
    base_url: str
    """Site-relative URL of the listing's first page."""

    @property
    def prev_url(self) -> str | None:
        return paginated(self.base_url, self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return paginated(self.base_url, self.number + 1) if self.number < self.total else None

    def url(self, number: int) -> str:
        return paginated(self.base_url, number)

    @property
    def numbers(self) -> range:
        return range(1, self.total + 1)


@dataclass
class Archive:
    """The whole site, ready to render."""

    articles: tuple[Article, ...]
    """Published articles, newest first, each with its ``url`` set."""
    sections: tuple[Term, ...]
    pages: list[Page] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def sort_key(article: Article) -> tuple[bool, float, str]:
    """Newest first; undated articles last; ties broken by slug."""
    stamp = -article.date.timestamp() if article.date is not None else 0.0
    return (article.date is None, stamp, article.slug)


def build_archive(
    articles: Iterable[Article], config: SiteConfig, *, drafts: bool = False
) -> Archive:
    """Place articles at URLs and list every page of the site."""
    diagnostics: list[Diagnostic] = []
    published = [a for a in articles if drafts or not a.draft]
    _report_identical(published, diagnostics)
    tz = config.tz
    claimed: dict[str, str] = {}  # output path -> what claimed it

    section_names = sorted({a.section for a in published if a.section})
    section_slugs = _term_slugs("section", section_names, diagnostics)

    # Fixed pages first, then sections, then articles: later claims give way.
    for fixed in ("index.html", "404.html"):
        claimed[fixed] = "the site's own pages"
    section_urls: dict[str, str] = {}
    for name in section_names:
        url = _claim(f"{section_slugs[name]}/", f"section {name!r}", claimed, diagnostics)
        section_urls[name] = url

    placed: list[Article] = []
    for article in sorted(published, key=lambda a: a.source):
        local_date = article.date.astimezone(tz) if article.date else None
        section_slug = section_slugs.get(article.section or "", "") or "articles"
        url = permalink(config.permalink, article.slug, local_date, section_slug)
        url = _claim(url, article.source, claimed, diagnostics)
        placed.append(replace(article, url=url))
    placed.sort(key=sort_key)
    ordered = tuple(placed)

    by_section: dict[str, list[Article]] = defaultdict(list)
    for article in ordered:
        if article.section:
            by_section[article.section].append(article)
    sections = tuple(
        Term("section", name, section_slugs[name], section_urls[name], tuple(by_section[name]))
        for name in section_names
    )

    archive = Archive(ordered, sections, diagnostics=diagnostics)
    archive.pages.extend(_article_pages(ordered, {t.name: t for t in sections}))
    archive.pages.extend(_listing_pages("", "index.html", "Latest news", ordered,
                                        config.per_page, {}))  # fmt: skip
    for section in sections:
        archive.pages.extend(_listing_pages(section.url, "section.html", section.name,
                                            section.articles, config.per_page,
                                            {"term": section}))  # fmt: skip
    archive.pages.append(Page("404.html", "404.html", {}, "Page not found"))
    return archive


def _claim(url: str, owner: str, claimed: dict[str, str], diagnostics: list[Diagnostic]) -> str:
    """Reserve an output path for ``owner``; on a collision, take the next free ``-N``."""
    path = output_path(url)
    if path not in claimed:
        claimed[path] = owner
        return url
    first = claimed[path]
    stem, slash, tail = url.rstrip("/").rpartition("/")
    suffix = "/" if url.endswith("/") else ""
    number = 2
    while True:
        candidate = f"{stem}{slash}{tail}-{number}{suffix}"
        if output_path(candidate) not in claimed:
            break
        number += 1
    claimed[output_path(candidate)] = owner
    diagnostics.append(
        Diagnostic(owner, None, None,
                   f"URL /{url} is already taken by {first}; this one is published at "
                   f"/{candidate} instead. Give one of them another slug to choose",
                   "warning")
    )  # fmt: skip
    return candidate


def _report_identical(articles: Sequence[Article], diagnostics: list[Diagnostic]) -> None:
    seen: dict[str, str] = {}
    for article in sorted(articles, key=lambda a: a.source):
        first = seen.setdefault(article.source_hash, article.source)
        if first != article.source:
            diagnostics.append(Diagnostic(
                article.source, None, None,
                f"byte-identical duplicate of {first}; both are published. "
                "Delete one of them if that was not meant", "warning"))  # fmt: skip


def _term_slugs(kind: str, names: Sequence[str], diagnostics: list[Diagnostic]) -> dict[str, str]:
    """Slugs for distinct names; names that share a slug get ``-2``, ``-3``... in name order."""
    slugs: dict[str, str] = {}
    owners: dict[str, str] = {}
    for name in sorted(names):
        base = slugify(name) or f"{kind}-{abs(hash(name)) % 10**8}"
        slug, number = base, 2
        while slug in owners:
            slug, number = f"{base}-{number}", number + 1
        if slug != base:
            diagnostics.append(Diagnostic(
                "content", None, None,
                f"{kind} {name!r} has the same slug as {owners[base]!r} ({base}); "
                f"it is published as {slug}", "warning"))  # fmt: skip
        owners[slug] = name
        slugs[name] = slug
    return slugs


def _article_pages(ordered: tuple[Article, ...], sections: dict[str, Term]) -> list[Page]:
    dated = [a for a in ordered if a.date is not None]
    newer_of = {id(a): dated[i - 1] if i > 0 else None for i, a in enumerate(dated)}
    older_of = {id(a): dated[i + 1] if i + 1 < len(dated) else None for i, a in enumerate(dated)}
    return [
        Page(output_path(a.url), "article.html",
             {"article": a, "newer": newer_of.get(id(a)), "older": older_of.get(id(a)),
              "section": sections.get(a.section or "")},
             a.headline)
        for a in ordered
    ]  # fmt: skip


def _listing_pages(
    base_url: str,
    template: str,
    title: str,
    articles: Sequence[Article],
    per_page: int,
    context: dict[str, object],
) -> list[Page]:
    """Split a listing into pages of ``per_page`` at ``base/``, ``base/page/2/``..."""
    total = max(1, -(-len(articles) // per_page))
    pages = []
    for number in range(1, total + 1):
        chunk = articles[(number - 1) * per_page : number * per_page]
        pagination = Pagination(number, total, base_url)
        page_title = title if number == 1 else f"{title} – page {number}"
        pages.append(Page(output_path(paginated(base_url, number)), template,
                          {**context, "articles": tuple(chunk), "pagination": pagination},
                          page_title))  # fmt: skip
    return pages
