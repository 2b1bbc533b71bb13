"""The archive: articles placed at URLs and arranged into every page of the site.

Everything here is pure: records in, records, pages and diagnostics out.  The
order of work is fixed so that the result is deterministic:

1. choose the articles (drafts and future articles left out unless asked for);
2. build the terms of each taxonomy and the date periods;
3. claim the URL of every generated page (listings, feeds, sitemaps...);
4. claim article URLs, sorted by source path: an article whose URL is taken is
   published at ``slug-2`` (``-3``...) and both sources are named in a warning;
5. list the pages.

(Steps 3 and 4 are first tried the other way round, the generated pages laid
out once the articles are placed; when no article took a generated page's path,
which is the usual case, the result is the same, and only when one did are the
steps done in this order.)
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from itertools import islice
from typing import Any, Protocol

from text_unidecode import unidecode

from .comments import Comment, comment_feed_url, thread
from .comments import is_open as comments_open
from .config import SiteConfig
from .errors import Diagnostic
from .feeds import FeedSpec, is_absolute_base
from .loaders.meta import slugify
from .model import MONTHS, Article, Html, Page
from .records import fast_pickle
from .sitemaps import NEWS_DAYS, news_articles
from .urls import output_path, paginated, permalink


@fast_pickle
@dataclass(frozen=True, slots=True)
class Taxonomy:
    """A way of grouping articles by one of their fields."""

    kind: str
    """Singular name: ``section``, ``tag``, ``author``, ``person``, ``place``."""
    key: str
    """Plural name, used for the index URL and the template variable."""
    title: str
    """Heading of the index page."""
    label: str
    """Label before a term's name: "Tag: harbour"."""
    prefix: str
    """URL prefix of term pages (sections live at the site root)."""
    feeds: bool
    """Whether each term has its own feeds."""

    def names(self, article: Article) -> tuple[str, ...]:
        if self.kind == "section":
            return (article.section,) if article.section else ()
        return tuple(getattr(article, self.key))


TAXONOMIES: tuple[Taxonomy, ...] = (
    Taxonomy("section", "sections", "Sections", "Section", "", True),
    Taxonomy("tag", "tags", "Tags", "Tag", "tags/", True),
    Taxonomy("author", "authors", "Authors", "Author", "authors/", True),
    Taxonomy("person", "people", "People", "Person", "people/", False),
    Taxonomy("place", "places", "Places", "Place", "places/", False),
)
TAXONOMY = {t.kind: t for t in TAXONOMIES}

#: Top-level names that section slugs must not take (they get a ``section-`` prefix).
RESERVED = frozenset(
    {t.key for t in TAXONOMIES}
    | {t.prefix.rstrip("/") for t in TAXONOMIES if t.prefix}
    | {"archive", "undated", "on-this-day", "page", "static", "search", "feeds", "sitemaps"}
)
MACHINE_FILES = ("sitemap.xml", "news-sitemap.xml", "robots.txt", "sitemaps/")
FEED_TEMPLATES = {"atom": "atom", "rss": "rss", "json": "jsonfeed"}
#: Related articles shown under an article.
RELATED_COUNT = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: What :func:`steady_until` gives when nothing ahead can change the site.
NEVER = datetime.max.replace(tzinfo=timezone.utc)
#: Terms shared by more articles than this are too broad to make articles related.
RELATED_MAX_TERM_SIZE = 500
#: Of a term shared by more articles than this, only this many, those nearest in
#: the archive's order (by date), count towards an article's related articles:
#: the work per article stays bounded as the archive grows.
RELATED_WINDOW = 200


@dataclass(frozen=True, slots=True)
class Term:
    """One value of a taxonomy (a section, a tag...) and its articles."""

    kind: str
    name: str
    slug: str
    url: str
    """Site-relative URL of the term's first listing page."""
    articles: tuple[Article, ...] = ()
    """Newest first."""
    extracted: bool = False
    """Found in article text by ``entities: auto``, not listed in any metadata."""

    @property
    def count(self) -> int:
        return len(self.articles)

    @property
    def ref(self) -> TermRef:
        return TermRef(self.kind, self.name, self.slug, self.url)

    @property
    def summary(self) -> TermSummary:
        return TermSummary(self.kind, self.name, self.slug, self.url, self.count, self.extracted)


@fast_pickle
@dataclass(frozen=True, slots=True)
class TermRef:
    """A link to a term: what an article page or the navigation needs of it.

    Pages that only link to a term get this instead of the :class:`Term`, so
    that they do not change (and need no re-rendering) when another article
    joins the term.
    """

    kind: str
    name: str
    slug: str
    url: str


@fast_pickle
@dataclass(frozen=True, slots=True)
class TermSummary:
    """What a term's own pages and its taxonomy's A-Z index show of it: its name,
    link and count, not its articles.  A page that holds this changes when the
    term gains or loses an article, not when one of its articles is edited."""

    kind: str
    name: str
    slug: str
    url: str
    count: int
    extracted: bool = False


@dataclass(frozen=True, slots=True)
class Period:
    """A year, month or day of the date archive."""

    kind: str
    """``year``, ``month`` or ``day``."""
    year: int
    month: int
    day: int
    title: str
    """``2024``, ``January 2024``, ``31 January 2024``."""
    url: str
    articles: tuple[Article, ...] = ()
    """Newest first."""

    @property
    def count(self) -> int:
        return len(self.articles)

    @property
    def summary(self) -> PeriodSummary:
        return PeriodSummary(self.kind, self.year, self.month, self.day, self.title, self.url,
                             self.count)  # fmt: skip


@fast_pickle
@dataclass(frozen=True, slots=True)
class PeriodSummary:
    """What period pages and the archive index show of a period (their own, the
    nearest ones, the months of a year...): its title, link and count, not its
    articles (see :class:`TermSummary`)."""

    kind: str
    year: int
    month: int
    day: int
    title: str
    url: str
    count: int


@fast_pickle
@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str


#: A pager shows page numbers this far either side of the current one.
PAGER_REACH = 3


@fast_pickle
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
    def numbers(self) -> tuple[int | None, ...]:
        """The page numbers a pager shows: the first, the last and those within
        :data:`PAGER_REACH` of this one; ``None`` stands for a gap.  (Listing all
        500 pages of a long archive on each of them would make every page carry
        500 links, and rendering quadratic in the listing's length.)"""
        shown = {1, self.total, *range(self.number - PAGER_REACH, self.number + PAGER_REACH + 1)}
        numbers: list[int | None] = []
        previous = 0
        for number in sorted(n for n in shown if 1 <= n <= self.total):
            if number - previous == 2:  # a gap of one page: show the page instead
                numbers.append(number - 1)
            elif number - previous > 2:
                numbers.append(None)
            numbers.append(number)
            previous = number
        return tuple(numbers)


@dataclass
class Archive:
    """The whole site, ready to render."""

    articles: tuple[Article, ...]
    """Published articles, newest first, each with its ``url`` set."""
    taxonomies: dict[str, tuple[Term, ...]]
    """Terms of each taxonomy by plural key (``sections``, ``tags``...), A to Z."""
    years: tuple[Period, ...] = ()
    """Years with articles, oldest first; months and days are in ``periods``."""
    periods: dict[str, tuple[Period, ...]] = field(default_factory=dict)
    """``year``, ``month`` and ``day`` periods, oldest first."""
    pages: list[Page] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def sections(self) -> tuple[Term, ...]:
        return self.taxonomies["sections"]


def sort_key(article: Article) -> tuple[bool, float, str]:
    """Newest first; undated articles last; ties broken by slug."""
    stamp = -article.date.timestamp() if article.date is not None else 0.0
    return (article.date is None, stamp, article.slug)


#: Article fields that no part of the archive's layout reads, each with a blank value:
#: pages show them, but which pages exist, what they list and in what order never
#: depends on them.
CONTENT_FIELDS: dict[str, Any] = {
    "summary": "", "body": Html(b""), "word_count": 0, "chrome": (), "source_hash": "",
    "language": None, "extra": {},
}  # fmt: skip


def structure_key(article: Article) -> Article:
    """``article`` with its :data:`CONTENT_FIELDS` blanked: two articles with equal
    keys take the same place in an archive (same URL, terms, periods, neighbours,
    related articles, feeds, sitemap entries).  Every other field counts, so a
    field added to :class:`~broadsheet.model.Article` counts until it is listed.

    (``source_hash`` is read by the duplicate report only, which
    :mod:`broadsheet.patch` checks for itself.)
    """
    return replace(article, **CONTENT_FIELDS)


def select(
    articles: Iterable[Article], now: datetime, *, drafts: bool = False, future: bool = False
) -> list[Article]:
    """The articles to publish: no drafts unless ``drafts``, none dated after ``now``
    unless ``future``."""
    return [
        a
        for a in articles
        if (drafts or not a.draft) and (future or a.date is None or a.date <= now)
    ]


def steady_until(articles: Iterable[Article], config: SiteConfig, now: datetime) -> datetime:
    """The first moment after ``now`` at which the same inputs could build a different
    site: the next local midnight (when there are "on this day" pages), an article's
    date (it comes out of the future), that date plus the news sitemap's window (it
    leaves the sitemap) or plus ``comments.close_after_days`` (its comments close);
    :data:`NEVER` when none of these is ahead."""
    moments = [NEVER]
    if config.pages.on_this_day:
        tomorrow: date = now.astimezone(config.tz).date() + timedelta(days=1)
        moments.append(datetime.combine(tomorrow, time(), config.tz))
    offsets = [timedelta(0), timedelta(days=NEWS_DAYS)]
    if config.comments.close_after_days is not None:
        offsets.append(timedelta(days=config.comments.close_after_days))
    for article in articles:
        if article.date is not None:
            moments.extend(m for m in (article.date + o for o in offsets) if m > now)
    return min(moments)


def build_archive(
    articles: Iterable[Article],
    config: SiteConfig,
    *,
    now: datetime,
    drafts: bool = False,
    future: bool = False,
    search: bool = False,
    comments: Mapping[str, tuple[Comment, ...]] | None = None,
    find_related: RelatedFinder | None = None,
) -> Archive:
    """Place articles at URLs and list every page of the site (and a search page
    when ``search``); ``find_related`` (by default :func:`related_positions`) finds
    the related articles."""
    diagnostics: list[Diagnostic] = []
    chosen = select(articles, now, drafts=drafts, future=future)
    _report_identical(chosen, diagnostics)
    for article in sorted(chosen, key=lambda a: a.source):
        if article.date is None:
            diagnostics.append(Diagnostic(
                article.source, None, None,
                "no date: listed on the Undated page. Add 'date:' or a YYYY-MM-DD- "
                "file name prefix", "warning"))  # fmt: skip

    section_slugs = _term_slugs(
        "section", {a.section for a in chosen if a.section}, diagnostics, reserved=RESERVED
    )
    claimed = {name: "a generated file" for name in MACHINE_FILES}
    moved: set[str] = set()
    # Articles are placed around the generated pages, whose paths do not depend on
    # article URLs.  First on the hope that no article takes one: the pages are then
    # laid out once.  When one does, the generated pages are laid out first (with
    # unplaced articles) to claim their paths, and the articles placed around them.
    mark = len(diagnostics)
    start = find_related or RelatedNow
    placed = _place_articles(chosen, config, section_slugs, dict(claimed), diagnostics, moved)
    archive = _arrange(sorted(placed, key=sort_key), config, section_slugs, diagnostics)
    # Related articles are looked for (on other processes, when ``find_related``
    # says so) while the pages are laid out; they are filled in at the end.
    relating = start(archive.articles, _related_index(archive.articles))
    try:
        generated = _generated_pages(archive, config, now)
        taken = {page.path for page in generated}
        if any(output_path(article.url) in taken for article in placed):
            relating.cancel()
            del diagnostics[mark:]
            moved.clear()
            draft = _arrange(sorted(chosen, key=sort_key), config, section_slugs, [])
            for page in _generated_pages(draft, config, now):
                claimed.setdefault(page.path, f"the page {page.title!r}")
            placed = _place_articles(chosen, config, section_slugs, claimed, diagnostics, moved)
            archive = _arrange(sorted(placed, key=sort_key), config, section_slugs, diagnostics)
            relating = start(archive.articles, _related_index(archive.articles))
            generated = _generated_pages(archive, config, now)
        _report_shared_slugs([a for a in archive.articles if a.source not in moved], diagnostics)
        archive.pages, contexts = _article_pages(archive, config, now, comments or {},
                                                 diagnostics)  # fmt: skip
        archive.pages += generated
        if search:
            archive.pages.append(Page("search/", "search.html", {}, "Search"))
        machine = _machine_pages(archive, config, archive.pages, now)
        ordered = archive.articles
        for context, positions in zip(contexts, relating.result(), strict=True):
            context["related"] = tuple(ordered[p] for p in positions)
    finally:
        relating.cancel()
    if comments:
        archive.pages = [_with_counts(page, comments) for page in archive.pages]
    archive.pages.extend(machine)
    return archive


def _arrange(
    ordered: list[Article],
    config: SiteConfig,
    section_slugs: dict[str, str],
    diagnostics: list[Diagnostic],
) -> Archive:
    taxonomies = {
        t.key: _terms(t, ordered, section_slugs if t.kind == "section" else None, diagnostics)
        for t in TAXONOMIES
    }
    periods = _periods(ordered, config)
    return Archive(tuple(ordered), taxonomies, periods["year"], periods,
                   diagnostics=diagnostics)  # fmt: skip


# ---------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------


def _place_articles(
    chosen: Sequence[Article],
    config: SiteConfig,
    section_slugs: dict[str, str],
    claimed: dict[str, str],
    diagnostics: list[Diagnostic],
    moved: set[str],
) -> list[Article]:
    """Give every article its URL; collisions are named and resolved by source path.

    The sources of articles that had to move (``slug-2``...) are added to ``moved``.
    """
    tz = config.tz
    placed: list[Article] = []
    for article in sorted(chosen, key=lambda a: a.source):
        local_date = article.date.astimezone(tz) if article.date else None
        section_slug = section_slugs.get(article.section or "", "") or "articles"
        url = permalink(config.permalink, article.slug, local_date, section_slug)
        claimed_url = _claim(url, article.source, claimed, diagnostics)
        if claimed_url != url:
            moved.add(article.source)
        placed.append(replace(article, url=claimed_url))
    return placed


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


def _term_slugs(
    kind: str,
    names: Iterable[str],
    diagnostics: list[Diagnostic],
    reserved: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Slugs for distinct names; names that share a slug get ``-2``, ``-3``... in name order."""
    slugs: dict[str, str] = {}
    owners: dict[str, str] = {}
    for name in sorted(names):
        base = slugify(name) or kind
        if base in reserved or base.isdigit():
            base = f"{kind}-{base}"
        slug, number = base, 2
        while slug in owners:
            slug, number = f"{base}-{number}", number + 1
        if slug != base:
            diagnostics.append(Diagnostic(
                "content", None, None,
                f"{kind} {name!r} has the same slug as {owners[base]!r} ({base}); "
                f"its pages are at {slug}", "warning"))  # fmt: skip
        owners[slug] = name
        slugs[name] = slug
    return slugs


# ---------------------------------------------------------------------------
# Terms and periods
# ---------------------------------------------------------------------------


def _terms(
    taxonomy: Taxonomy,
    ordered: Sequence[Article],
    slugs: dict[str, str] | None,
    diagnostics: list[Diagnostic],
) -> tuple[Term, ...]:
    members: dict[str, list[Article]] = defaultdict(list)
    for article in ordered:
        for name in taxonomy.names(article):
            members[name].append(article)
    if slugs is None:
        slugs = _term_slugs(taxonomy.kind, members, diagnostics)
    auto = taxonomy.kind in ("person", "place")
    return tuple(
        Term(
            taxonomy.kind, name, slugs[name], f"{taxonomy.prefix}{slugs[name]}/",
            tuple(members[name]),
            extracted=auto and all(a.entities_extracted for a in members[name]),
        )
        for name in sorted(members, key=collation_key)
    )  # fmt: skip


def collation_key(name: str) -> tuple[str, str]:
    """A to Z order that files accented letters with their base letter ("Éclair" by "E")."""
    return (unidecode(name).casefold(), name)


def _periods(ordered: Sequence[Article], config: SiteConfig) -> dict[str, tuple[Period, ...]]:
    tz = config.tz
    groups: dict[tuple[int, int, int], list[Article]] = defaultdict(list)
    for article in ordered:
        if article.date is None:
            continue
        local = article.date.astimezone(tz)
        groups[(local.year, 0, 0)].append(article)
        groups[(local.year, local.month, 0)].append(article)
        groups[(local.year, local.month, local.day)].append(article)
    result: dict[str, list[Period]] = {"year": [], "month": [], "day": []}
    for (year, month, day), members in sorted(groups.items()):
        if month == 0:
            kind, title, url = "year", f"{year}", f"{year:04d}/"
        elif day == 0:
            kind, title = "month", f"{MONTHS[month - 1]} {year}"
            url = f"{year:04d}/{month:02d}/"
        else:
            kind, title = "day", f"{day} {MONTHS[month - 1]} {year}"
            url = f"{year:04d}/{month:02d}/{day:02d}/"
        result[kind].append(Period(kind, year, month, day, title, url, tuple(members)))
    return {kind: tuple(periods) for kind, periods in result.items()}


class RelatedSearch(Protocol):
    """Related articles being found (perhaps on other processes, while the rest of
    the archive is laid out)."""

    def result(self) -> Sequence[tuple[int, ...]]:
        """:func:`related_positions` of every article, once found."""
        ...

    def cancel(self) -> None:
        """Stop looking (nothing, once the result is in)."""
        ...


@dataclass
class RelatedNow:
    """The related articles found in this process, when asked for."""

    ordered: Sequence[Article]
    index: Mapping[str, list[int]]

    def result(self) -> Sequence[tuple[int, ...]]:
        return related_positions(self.ordered, self.index)

    def cancel(self) -> None:
        pass


#: Starts finding every article's related articles, by position: ``(ordered,
#: index)`` -> a search whose result is :func:`related_positions` (which a caller
#: may spread over processes).
RelatedFinder = Callable[[Sequence[Article], Mapping[str, list[int]]], RelatedSearch]


def related(
    position: int, ordered: Sequence[Article], index: Mapping[str, list[int]]
) -> tuple[Article, ...]:
    """Up to five articles sharing the most people, places and tags with
    ``ordered[position]``.

    A term shared by more than :data:`RELATED_MAX_TERM_SIZE` articles is left
    out, and of one shared by more than :data:`RELATED_WINDOW`, only the
    :data:`RELATED_WINDOW` articles nearest to this one in ``ordered`` count.
    Ties go to the article earlier in ``ordered`` (newer, then by slug), so the
    result is stable.
    """
    return tuple(ordered[p] for p in _related(position, ordered, index))


def related_positions(
    ordered: Sequence[Article],
    index: Mapping[str, list[int]],
    positions: Iterable[int] | None = None,
) -> list[tuple[int, ...]]:
    """:func:`related` of each of ``positions`` (by default all), as positions."""
    chosen = range(len(ordered)) if positions is None else positions
    return [_related(position, ordered, index) for position in chosen]


def _related(
    position: int, ordered: Sequence[Article], index: Mapping[str, list[int]]
) -> tuple[int, ...]:
    """:func:`related` by position.  Positions stand in for articles, which keeps
    this fast."""
    scores: Counter[int] = Counter()
    for key in _related_keys(ordered[position]):
        members = index.get(key, ())
        size = len(members)
        if size <= RELATED_WINDOW:
            scores.update(members)
        elif size <= RELATED_MAX_TERM_SIZE:
            scores.update(_nearest(members, position))
    scores.pop(position, None)
    # One integer per candidate orders by score (descending), then position:
    # position - score * n, with 0 <= position < n.
    n = len(ordered)
    best = heapq.nsmallest(RELATED_COUNT, [p - c * n for p, c in scores.items()])
    return tuple(key % n for key in best)


def _nearest(members: Sequence[int], position: int) -> Sequence[int]:
    """The :data:`RELATED_WINDOW` consecutive ``members`` (positions, in order)
    around ``position``: half before it and half from it on, or the first or
    last of them when it is near either end."""
    middle = bisect_left(members, position)
    start = max(0, min(middle - RELATED_WINDOW // 2, len(members) - RELATED_WINDOW))
    return members[start : start + RELATED_WINDOW]


def _related_keys(article: Article) -> list[str]:
    return (
        [f"person:{n}" for n in article.people]
        + [f"place:{n}" for n in article.places]
        + [f"tag:{n}" for n in article.tags]
    )


def _related_index(ordered: Sequence[Article]) -> dict[str, list[int]]:
    """Positions in ``ordered`` of the articles that share each person, place and tag."""
    index: dict[str, list[int]] = defaultdict(list)
    for position, article in enumerate(ordered):
        for key in _related_keys(article):
            index[key].append(position)
    return index


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


def _generated_pages(archive: Archive, config: SiteConfig, now: datetime) -> list[Page]:
    """Every page but the article pages."""
    ordered = archive.articles
    pages: list[Page] = []
    today = now.astimezone(config.tz)
    on_this_day = _on_this_day(ordered, config) if config.pages.on_this_day else []
    today_url = f"on-this-day/{today.month:02d}-{today.day:02d}/"
    todays = next((Link(title, url) for title, url, _ in on_this_day if url == today_url), None)
    site_feeds = FeedSpec(config.title, "", _feed_articles(ordered, config))
    pages.extend(_listing("", "index.html", "Latest news", ordered, config.per_page,
                          {"on_this_day": todays, "feeds": site_feeds}))  # fmt: skip
    pages.extend(_feed_pages(site_feeds, config))

    for taxonomy in TAXONOMIES:
        if not config.pages.builds(taxonomy.kind):
            continue
        terms = archive.taxonomies[taxonomy.key]
        index_url = f"{taxonomy.key}/"
        summaries = tuple(term.summary for term in terms)
        pages.append(Page(index_url, "terms.html",
                          {"taxonomy": taxonomy, "terms": summaries}, taxonomy.title))  # fmt: skip
        for term in terms:
            feeds = None
            if taxonomy.feeds:
                title = f"{config.title} – {taxonomy.label}: {term.name}"
                feeds = FeedSpec(title, term.url, _feed_articles(term.articles, config))
                pages.extend(_feed_pages(feeds, config))
            up = Link(taxonomy.title, index_url)
            label = term.name if taxonomy.kind == "section" else f"{taxonomy.label}: {term.name}"
            pages.extend(_listing(term.url, "term.html", label, term.articles,
                                  config.per_page,
                                  {"term": term.summary, "taxonomy": taxonomy, "feeds": feeds,
                                   "up": up}))  # fmt: skip

    pages.extend(_period_pages(archive, config))
    undated = tuple(a for a in ordered if a.date is None)
    if undated:
        pages.extend(_listing("undated/", "undated.html", "Undated articles", undated,
                              config.per_page, {"up": Link("Archive", "archive/")}))  # fmt: skip
    for title, url, by_year in on_this_day:
        pages.append(Page(url, "on_this_day.html", {"by_year": by_year,
                          "up": Link("On this day", "on-this-day/")}, title))  # fmt: skip
    if config.pages.on_this_day:
        pages.append(Page("on-this-day/", "on_this_day_index.html",
                          {"days": tuple(Link(t, u) for t, u, _ in on_this_day)},
                          "On this day"))  # fmt: skip
    pages.append(Page("404.html", "404.html", {}, "Page not found"))
    return pages


def _article_pages(
    archive: Archive,
    config: SiteConfig,
    now: datetime,
    comments: Mapping[str, tuple[Comment, ...]],
    diagnostics: list[Diagnostic],
) -> tuple[list[Page], list[dict[str, Any]]]:
    """Each article's page (and comment feed, when it has comments), and each
    article page's context, in the archive's order: their ``related`` articles,
    left empty here, are filled in by :func:`build_archive`."""
    ordered = archive.articles
    dated = [a for a in ordered if a.date is not None]
    newer = {id(a): dated[i - 1] if i > 0 else None for i, a in enumerate(dated)}
    older = {id(a): dated[i + 1] if i + 1 < len(dated) else None for i, a in enumerate(dated)}
    lookup = {
        t.key: {term.name: term.ref for term in archive.taxonomies[t.key]} for t in TAXONOMIES
    }
    pages = []
    contexts = []
    for a in ordered:
        terms = {
            t.key: tuple(lookup[t.key][name] for name in t.names(a)) for t in TAXONOMIES
        }
        section = terms["sections"][0] if terms["sections"] else None
        approved = comments.get(a.slug, ())
        # A comment feed once there are comments: an empty feed per article would
        # add a file for every article of the archive and tell readers nothing.
        feed_url = comment_feed_url(a) if approved else None
        context: dict[str, Any] = {
            "article": a, "newer": newer.get(id(a)), "older": older.get(id(a)),
            "section": section, "terms": terms, "related": (),
            "comments_thread": thread(approved, diagnostics), "comment_count": len(approved),
            "comments_open": comments_open(a, config, now), "comment_feed_url": feed_url,
        }  # fmt: skip
        pages.append(Page(a.url, "article.html", context, a.headline))
        contexts.append(context)
        if feed_url is not None:
            pages.append(Page(feed_url, "comment-feed", {"article": a, "comments": approved},
                              f"Comments on {a.headline}"))  # fmt: skip
    return pages, contexts


def _with_counts(page: Page, comments: Mapping[str, tuple[Comment, ...]]) -> Page:
    """Give a page the comment counts of the articles it lists, and only those."""
    listed: list[Article] = list(page.context.get("articles") or ())
    listed += page.context.get("related") or ()
    for _, articles in page.context.get("by_year") or ():
        listed += articles
    counts = _counts(listed, comments)
    return replace(page, context={**page.context, "comment_counts": counts}) if counts else page


def _counts(
    articles: Iterable[Article], comments: Mapping[str, tuple[Comment, ...]]
) -> dict[str, int]:
    """Comment counts of the articles a page lists (the page depends on no others)."""
    return {a.slug: len(comments[a.slug]) for a in articles if a.slug in comments}


def _report_shared_slugs(articles: Sequence[Article], diagnostics: list[Diagnostic]) -> None:
    """Comments are filed by slug: two articles with one slug would share them.

    Articles moved to ``slug-2`` by a URL collision were already warned about.
    """
    first: dict[str, str] = {}
    for article in sorted(articles, key=lambda a: a.source):
        owner = first.setdefault(article.slug, article.source)
        if owner != article.source:
            diagnostics.append(Diagnostic(
                article.source, None, None,
                f"has the same slug as {owner} ({article.slug!r}), so both would share the "
                f"comments in content/comments/{article.slug}/. Give one of them another "
                "slug", "warning"))  # fmt: skip


def _listing(
    base_url: str,
    template: str,
    title: str,
    articles: Sequence[Article],
    per_page: int,
    context: dict[str, Any],
) -> list[Page]:
    """Split a listing into pages of ``per_page`` at ``base/``, ``base/page/2/``..."""
    total = max(1, -(-len(articles) // per_page))
    pages = []
    for number in range(1, total + 1):
        chunk = tuple(articles[(number - 1) * per_page : number * per_page])
        pagination = Pagination(number, total, base_url)
        page_title = title if number == 1 else f"{title} – page {number}"
        pages.append(Page(paginated(base_url, number), template,
                          {**context, "articles": chunk, "pagination": pagination,
                           "listing_title": title}, page_title))  # fmt: skip
    return pages


def _period_pages(archive: Archive, config: SiteConfig) -> list[Page]:
    """Year, month and day pages, and the archive index.  Periods other than a
    page's own listing appear as :class:`PeriodSummary` records (see there)."""
    pages: list[Page] = []
    summary = {id(p): p.summary for kind in ("year", "month", "day") for p in
               archive.periods[kind]}  # fmt: skip
    built = config.pages.builds
    children = _children(archive, built)
    parents = {(p.year, p.month, p.day): p for kind in ("year", "month") if built(kind)
               for p in archive.periods[kind]}  # fmt: skip
    for kind in ("year", "month", "day"):
        if not built(kind):
            continue
        periods = archive.periods[kind]
        for i, period in enumerate(periods):
            up = _up_link(period, parents)
            nearby = () if kind == "day" else children.get((period.year, period.month), ())
            context = {
                "period": summary[id(period)],
                "prev_period": summary[id(periods[i - 1])] if i > 0 else None,
                "next_period": summary[id(periods[i + 1])] if i + 1 < len(periods) else None,
                "up": up,
                "children": tuple(summary[id(child)] for child in nearby),
            }
            pages.extend(_listing(period.url, "period.html", period.title, period.articles,
                                  config.per_page, context))  # fmt: skip
    index = tuple((summary[id(year)],
                   tuple(summary[id(child)] for child in children.get((year.year, 0), ())))
                  for year in archive.years)  # fmt: skip
    undated = sum(1 for a in archive.articles if a.date is None)
    pages.append(Page("archive/", "archive.html", {"years": index, "undated": undated},
                      "Archive"))  # fmt: skip
    return pages


def _up_link(period: Period, parents: Mapping[tuple[int, int, int], Period]) -> Link:
    """The nearest enclosing period whose page is built (a day's month, else its
    year), or the archive index."""
    keys = {"day": [(period.year, period.month, 0), (period.year, 0, 0)],
            "month": [(period.year, 0, 0)]}.get(period.kind, [])  # fmt: skip
    for key in keys:
        if key in parents:
            return Link(parents[key].title, parents[key].url)
    return Link("Archive", "archive/")


def _children(
    archive: Archive, built: Callable[[str], bool]
) -> dict[tuple[int, int], tuple[Period, ...]]:
    """Months of each year (``(year, 0)``) and days of each month (``(year, month)``),
    of the kinds whose pages are ``built``: without month pages, a year's children are
    its days (so that every page stays a link or two from the archive index)."""
    children: dict[tuple[int, int], list[Period]] = defaultdict(list)
    for month in archive.periods["month"] if built("month") else ():
        children[(month.year, 0)].append(month)
    for day in archive.periods["day"] if built("day") else ():
        children[(day.year, day.month if built("month") else 0)].append(day)
    return {key: tuple(value) for key, value in children.items()}


def _on_this_day(
    ordered: Sequence[Article], config: SiteConfig
) -> list[tuple[str, str, tuple[tuple[int, tuple[Article, ...]], ...]]]:
    """Calendar days with articles from more than one year: (title, url, by year)."""
    tz = config.tz
    days: dict[tuple[int, int], dict[int, list[Article]]] = defaultdict(lambda: defaultdict(list))
    for article in ordered:
        if article.date is not None:
            local = article.date.astimezone(tz)
            days[(local.month, local.day)][local.year].append(article)
    result = []
    for (month, day), years in sorted(days.items()):
        if len(years) < 2:
            continue
        by_year = tuple((year, tuple(years[year])) for year in sorted(years, reverse=True))
        result.append((f"On this day: {day} {MONTHS[month - 1]}",
                       f"on-this-day/{month:02d}-{day:02d}/", by_year))  # fmt: skip
    return result


def _feed_articles(articles: Sequence[Article], config: SiteConfig) -> tuple[Article, ...]:
    return tuple(islice((a for a in articles if a.date is not None), config.feeds.entries))


def _feed_pages(feeds: FeedSpec, config: SiteConfig) -> list[Page]:
    """The feeds of ``feeds``, in the formats ``config`` asks for."""
    return [
        Page(feeds.url(kind), template, {"feed": feeds}, feeds.title)
        for kind, template in FEED_TEMPLATES.items() if kind in config.feeds.formats
    ]  # fmt: skip


def _news_context(archive: Archive, now: datetime) -> dict[str, Any]:
    """The news sitemap's articles, chosen here so that the page depends on them
    and not on the clock: ``now`` becomes the newest of them, which selects the
    same articles again."""
    recent = tuple(news_articles(archive.articles, now))
    newest = max((a.date for a in recent if a.date is not None), default=_EPOCH)
    return {"articles": recent, "now": newest}


def _machine_pages(
    archive: Archive, archive_config: SiteConfig, pages: Sequence[Page], now: datetime
) -> list[Page]:
    """Sitemaps (with every HTML page but the 404 page), the news sitemap and robots.txt."""
    entries: list[tuple[str, datetime | None]] = []
    for page in pages:
        if not page.path.endswith(".html") or page.path == "404.html":
            continue
        article = page.context.get("article")
        if article is not None:
            entries.append((page.url, article.modified))
        elif getattr(page.context.get("pagination"), "number", 1) > 1:
            # A later page changes whenever a newer article pushes others onto it;
            # no honest lastmod can be given without the whole listing.
            entries.append((page.url, None))
        else:
            listed = page.context.get("articles") or ()
            stamps = [a.modified for a in listed if a.modified is not None]
            entries.append((page.url, max(stamps) if stamps else None))
    if not is_absolute_base(archive_config):
        if archive_config.base_url == "/":  # the default: a site previewed locally
            return [Page("robots.txt", "robots", {"sitemaps": ()}, "robots.txt")]
        archive.diagnostics.append(Diagnostic(
            "broadsheet.yaml", None, None,
            "base_url is not an absolute URL, so no sitemaps are written (search engines "
            "need absolute URLs). Set base_url: https://your.domain/", "warning"))  # fmt: skip
        return [Page("robots.txt", "robots", {"sitemaps": ()}, "robots.txt")]
    return [
        Page("sitemap.xml", "sitemap", {"entries": tuple(entries)}, "Sitemap"),
        Page("news-sitemap.xml", "news-sitemap", _news_context(archive, now), "News sitemap"),
        Page("robots.txt", "robots", {"sitemaps": ("sitemap.xml", "news-sitemap.xml")},
             "robots.txt"),
    ]  # fmt: skip
