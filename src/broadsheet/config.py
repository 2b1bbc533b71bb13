"""``broadsheet.yaml`` -> a frozen :class:`SiteConfig`.

The file is optional.  Every problem in it is reported at once, each naming
the line of the offending key, and a bad config stops the build (exit 2)
before anything is written.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import yamlio
from .errors import ConfigError, Diagnostic

CONFIG_NAME = "broadsheet.yaml"

MAX_CLOSE_DAYS = 36_500
#: The feed formats, as ``feeds.formats`` names them.
FEED_FORMATS = ("atom", "rss", "json")
PERMALINK_FIELDS = frozenset({"year", "month", "day", "slug", "section"})


@dataclass(frozen=True, slots=True)
class CommentsConfig:
    """Where comment submissions go and when comments close."""

    endpoint: str | None = None
    """URL the comment form posts to; None shows the form disabled."""
    close_after_days: int | None = None
    """Close comments this many days after publication; None never closes them."""


@dataclass(frozen=True, slots=True)
class MarkdownConfig:
    """Markdown rendering options."""

    unsafe_html: bool = False
    """Pass raw HTML in Markdown bodies through; by default it is escaped."""


@dataclass(frozen=True, slots=True)
class FeedsConfig:
    """Atom, RSS and JSON feeds for the site, its sections, tags and authors."""

    entries: int = 20
    """How many of the latest articles each feed carries."""
    content: str = "full"
    """The site feeds: ``full``, the whole article in each entry; ``summary``, the summary only."""
    term_content: str = "summary"
    """Section, tag and author feeds: ``summary`` (the default: an archive has thousands of
    them, and each would otherwise repeat whole articles) or ``full``."""
    formats: tuple[str, ...] = FEED_FORMATS
    """Which feeds each feed-carrying page has: Atom 1.0, RSS 2.0, JSON Feed 1.1 (some of
    ``atom``, ``rss``, ``json``); the first is the one the footer's "Feed" link names."""


@dataclass(frozen=True, slots=True)
class PagesConfig:
    """Which of the optional listing pages to build (articles, the home page, sections,
    tags, authors, the archive index and the feeds are always built).  A page left out
    is not linked to: a person named on an article page is then plain text, and
    without month pages a year page lists its days."""

    year_archives: bool = True
    """A page per year (``2024/``), listing its articles and its months."""
    month_archives: bool = True
    """A page per month (``2024/05/``), listing its articles and its days."""
    day_archives: bool = True
    """A page per day with articles (``2024/05/17/``)."""
    on_this_day: bool = True
    """A page per calendar day with stories from more than one year (``on-this-day/05-17/``),
    their index, and the home page's link to today's."""
    people: bool = True
    """A page per person named in articles (``people/NAME/``) and the index ``people/``."""
    places: bool = True
    """A page per place named in articles (``places/NAME/``) and the index ``places/``."""

    def builds(self, kind: str) -> bool:
        """Whether pages of this taxonomy or period kind (``person``, ``day``...) are built."""
        name = _PAGE_KINDS.get(kind)
        return name is None or bool(getattr(self, name))


#: The :class:`PagesConfig` field of each optional kind of taxonomy or period page.
_PAGE_KINDS = {"year": "year_archives", "month": "month_archives", "day": "day_archives",
               "person": "people", "place": "places"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PathsConfig:
    """Folders, relative to the site folder."""

    content: str = "content"
    templates: str = "templates"
    static: str = "static"
    output: str = "site"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The validated site configuration."""

    title: str = "Broadsheet"
    description: str = ""
    base_url: str = "/"
    """Absolute URL of the site root, ending in ``/`` (``https://example.org/news/``)."""
    language: str = "en"
    timezone: str = "UTC"
    """IANA zone for dates written without an offset and for display."""
    permalink: str = "/{year}/{month}/{day}/{slug}/"
    """Article URL pattern; fields: year, month, day, slug, section."""
    per_page: int = 20
    pretty_links: bool = False
    """Write internal links as ``dir/`` instead of ``dir/index.html``.

    The default works everywhere, including a site opened from disk (file://);
    pretty links need a web server that maps folders to ``index.html``.
    """
    search: bool = True
    """Index the built site with Pagefind and add a search page (``broadsheet[search]``)."""
    compress: bool = False
    """Write ``.gz`` and ``.br`` siblings of every text file, for hosts that serve them."""
    entities: str = "off"
    """``auto``: find people and places in the text of articles that list neither."""
    comments: CommentsConfig = field(default_factory=CommentsConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    markdown: MarkdownConfig = field(default_factory=MarkdownConfig)
    paths: PathsConfig = field(default_factory=PathsConfig)
    pages: PagesConfig = field(default_factory=PagesConfig)
    root: Path = field(default=Path("."), compare=False)
    """The site folder (not read from the file)."""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def path(self, name: str) -> Path:
        """Absolute path of one of the configured folders."""
        return self.root / str(getattr(self.paths, name))


_SECTIONS: dict[str, type] = {
    "comments": CommentsConfig,
    "markdown": MarkdownConfig,
    "feeds": FeedsConfig,
    "paths": PathsConfig,
    "pages": PagesConfig,
}


def load_config(site_dir: Path | str) -> SiteConfig:
    """Read and validate ``broadsheet.yaml`` in ``site_dir`` (defaults if absent)."""
    root = Path(site_dir)
    config_path = root / CONFIG_NAME
    if not config_path.exists():
        return SiteConfig(root=root)
    text = config_path.read_text(encoding="utf-8-sig")
    shown = CONFIG_NAME  # paths in messages are relative to the site folder
    data = yamlio.load(text, shown)
    if data is None:
        return SiteConfig(root=root)
    if not isinstance(data, dict):
        raise ConfigError.at(shown, 1, "the config must be a mapping of keys to values")
    return parse_config(data, root, shown, yamlio.key_lines(text))


def parse_config(
    data: dict[str, Any], root: Path, shown: str, lines: dict[str, int] | None = None
) -> SiteConfig:
    """Validate a config mapping; raise :class:`ConfigError` listing every problem."""
    lines = lines or {}
    problems: list[Diagnostic] = []

    def problem(key: str, message: str) -> None:
        problems.append(Diagnostic(shown, lines.get(key), None, f"{key}: {message}"))

    values: dict[str, Any] = {}
    known = {f.name for f in fields(SiteConfig)} - {"root"}
    for key, value in data.items():
        key = str(key)
        if key not in known:
            problem(key, _unknown(key, known))
        elif key in _SECTIONS:
            values[key] = _parse_section(key, value, _SECTIONS[key], problem)
        else:
            if key == "entities" and isinstance(value, bool):
                value = "auto" if value else "off"  # YAML reads a bare `off` as false
            checked = _check(key, value, SiteConfig, problem)
            if checked is not _INVALID:
                values[key] = checked
    config = replace(SiteConfig(root=root), **values)
    _check_semantics(config, problem)
    if problems:
        raise ConfigError(problems)
    return config


_INVALID = object()


def _unknown(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key; {hint}known keys are {', '.join(sorted(known))}"


def _parse_section(key: str, value: Any, cls: type, problem: Any) -> Any:
    if value is None:
        return cls()
    if not isinstance(value, dict):
        problem(key, "must be a mapping")
        return cls()
    known = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    for sub, sub_value in value.items():
        dotted = f"{key}.{sub}"
        if sub not in known:
            problem(dotted, _unknown(str(sub), known))
            continue
        checked = _check(dotted, sub_value, cls, problem, name=str(sub))
        if checked is not _INVALID:
            values[str(sub)] = checked
    return cls(**values)


def _check(key: str, value: Any, cls: type, problem: Any, name: str | None = None) -> Any:
    """Check one scalar value against the default's type."""
    default = getattr(cls(), name or key)
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        problem(key, f"must be true or false, not {value!r}")
    elif isinstance(default, int) or (default is None and key.endswith("_days")):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        if value is None and default is None:
            return None
        problem(key, f"must be a whole number of at least 1, not {value!r}")
    elif isinstance(default, tuple):
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(v.strip() for v in value)
        problem(key, f"must be a non-empty list of names, not {value!r}")
    elif isinstance(value, str) and value.strip():
        return value.strip()
    elif value is None and default is None:
        return None
    else:
        problem(key, f"must be a non-empty string, not {value!r}")
    return _INVALID


_BASE_URL = re.compile(r"^(https?://[^/\s]+)?/[^\s]*$")


def _known_language(tag: str) -> bool:
    import babel

    try:
        babel.Locale.parse(tag, sep="-")
    except (ValueError, babel.UnknownLocaleError):
        return False
    return True


def _check_semantics(config: SiteConfig, problem: Any) -> None:
    if not _BASE_URL.match(config.base_url) or not config.base_url.endswith("/"):
        problem(
            "base_url",
            f"must be an absolute URL or path ending in '/', like "
            f"'https://example.org/news/', not {config.base_url!r}",
        )
    if not _known_language(config.language):
        problem("language", f"unknown language tag {config.language!r}; use a BCP 47 tag "
                "such as 'en', 'en-GB' or 'fr'")
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problem(
            "timezone",
            f"unknown time zone {config.timezone!r}; use an IANA name such "
            "as 'Europe/London' or 'UTC'",
        )
    names = set(re.findall(r"{(\w*)}", config.permalink))
    if "slug" not in names:
        problem("permalink", "must contain {slug}")
    unknown = names - PERMALINK_FIELDS
    if unknown:
        problem(
            "permalink",
            f"unknown field {{{sorted(unknown)[0]}}}; fields are "
            + ", ".join("{" + n + "}" for n in sorted(PERMALINK_FIELDS)),
        )
    if not config.permalink.startswith("/") or ".." in config.permalink:
        problem("permalink", "must start with '/' and must not contain '..'")
    days = config.comments.close_after_days
    if days is not None and days > MAX_CLOSE_DAYS:
        problem("comments.close_after_days", f"must be at most {MAX_CLOSE_DAYS} (100 years); "
                "leave it out to keep comments open")  # fmt: skip
    for key in ("content", "term_content"):
        value = getattr(config.feeds, key)
        if value not in ("full", "summary"):
            problem(f"feeds.{key}", f"must be 'full' or 'summary', not {value!r}")
    formats = config.feeds.formats
    unknown_formats = [name for name in formats if name not in FEED_FORMATS]
    if unknown_formats:
        problem("feeds.formats", f"unknown feed format {unknown_formats[0]!r}; formats are "
                + ", ".join(FEED_FORMATS))  # fmt: skip
    elif len(set(formats)) != len(formats):
        problem("feeds.formats", f"lists a format twice: {list(formats)!r}")
    if config.entities not in ("off", "auto"):
        problem("entities", f"must be 'off' or 'auto', not {config.entities!r}")
    for name in ("content", "templates", "static", "output"):
        value = getattr(config.paths, name)
        if Path(value).is_absolute() and name != "output":
            problem(f"paths.{name}", "must be relative to the site folder")
