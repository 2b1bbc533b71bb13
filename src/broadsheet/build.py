"""The build pipeline: config -> load all -> archive -> render -> write -> swap.

Everything is read before anything is rendered, and everything is rendered
into a fresh folder beside the output.  Only when that succeeded does the new
folder take the output's place, so a failed or interrupted build never leaves
``site/`` half-written or emptied.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import search
from .assets import collect, compress_tree, copy_assets
from .comments import load_comments
from .config import CONFIG_NAME, SiteConfig, load_config
from .errors import BroadsheetError, Diagnostic, Diagnostics
from .feeds import FeedSpec
from .graph import Archive, build_archive
from .loaders import LoadOptions, discover, load_source
from .model import Article
from .progress import Progress
from .render import make_environment, render_files, theme_dir

#: Exit statuses.
EXIT_OK, EXIT_ARTICLE_ERRORS, EXIT_STOPPED = 0, 1, 2


@dataclass
class BuildResult:
    """What a build did."""

    output: Path
    articles: int = 0
    """Articles published."""
    failed: int = 0
    """Sources that could not be loaded."""
    pages: int = 0
    """Pages written."""
    seconds: float = 0.0
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    strict: bool = False

    @property
    def exit_code(self) -> int:
        if self.diagnostics.errors or (self.strict and self.diagnostics.warnings):
            return EXIT_ARTICLE_ERRORS
        return EXIT_OK

    def summary(self) -> str:
        errors, warnings = len(self.diagnostics.errors), len(self.diagnostics.warnings)
        return (
            f"Built {self.articles} {'article' if self.articles == 1 else 'articles'} "
            f"({self.pages} pages) into {self.output} in {self.seconds:.2f} s: "
            f"{warnings} {'warning' if warnings == 1 else 'warnings'}, "
            f"{errors} {'error' if errors == 1 else 'errors'}."
        )


class BuildStopped(BroadsheetError):
    """The build could not go on (bad config or template); the output is untouched."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


def load_articles(
    config: SiteConfig, diagnostics: Diagnostics, progress: Progress | None = None
) -> tuple[list[Article], int]:
    """Discover and load every article source; return the articles and the failure count."""
    sources, found = discover(config.root, config.path("content"))
    diagnostics.extend(found)
    options = LoadOptions(
        timezone=config.timezone,
        unsafe_html=config.markdown.unsafe_html,
        entities=config.entities == "auto",
    )
    articles = []
    failed = 0
    for number, source in enumerate(sources, 1):
        if progress:
            progress("Reading", number, len(sources))
        result = load_source(source, options)
        diagnostics.extend(result.diagnostics)
        if result.article is None:
            failed += 1
        else:
            articles.append(result.article)
    return articles, failed


def build(
    site_dir: Path | str = ".",
    output: Path | str | None = None,
    *,
    drafts: bool = False,
    future: bool = False,
    strict: bool = False,
    now: datetime | None = None,
    report: Callable[[Diagnostic], None] | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site in ``site_dir`` into ``output`` (default ``SITE_DIR/site``).

    Raises :class:`BuildStopped` for a bad config or template, leaving the
    output as it was.  Bad articles are reported in the result and skipped.
    ``now`` (default: the current time) decides which articles are in the
    future and what the news sitemap and "on this day" consider recent.
    """
    started = time.perf_counter()
    try:
        config = load_config(site_dir)
    except BroadsheetError as exc:
        raise BuildStopped(list(getattr(exc, "diagnostics", ()))) from None
    if config.entities == "auto":
        from .entities import gazetteer_available

        if not gazetteer_available():
            raise BuildStopped([Diagnostic(
                "broadsheet.yaml", None, None,
                "entities: auto needs the gazetteer package; install it with "
                "pip install \"broadsheet[entities]\", or set entities: off")])  # fmt: skip
    out = Path(output) if output is not None else config.path("output")
    result = BuildResult(output=out, strict=strict)
    diagnostics = result.diagnostics

    articles, result.failed = load_articles(config, diagnostics, progress)
    now = now or datetime.now(timezone.utc)
    search_on = config.search and search.available()
    if config.search and not search_on:
        diagnostics.add(Diagnostic(CONFIG_NAME, None, None, search.MISSING, "warning"))
    approved, found = load_comments(
        config.path("content"), config.root, known_slugs={a.slug for a in articles}
    )
    diagnostics.extend(found)
    archive = build_archive(
        articles, config, now=now, drafts=drafts, future=future, search=search_on,
        comments=approved,
    )
    diagnostics.extend(archive.diagnostics)
    result.articles = len(archive.articles)

    staging = _staging_dir(out)
    try:
        result.pages = write_site(config, archive, staging, search=search_on, progress=progress)
        if search_on:
            diagnostics.extend(search.index(staging))
        if config.compress:
            compress_tree(staging)
    except BroadsheetError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildStopped(list(getattr(exc, "diagnostics", ()))) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_into_place(staging, out)
    result.seconds = time.perf_counter() - started
    if report:
        for diagnostic in diagnostics:
            report(diagnostic)
    return result


def write_site(
    config: SiteConfig,
    archive: Archive,
    target: Path,
    *,
    search: bool = False,
    progress: Progress | None = None,
) -> int:
    """Render every page of ``archive`` into ``target``, copy static files, and
    return the number of HTML pages written."""
    assets = collect([(theme_dir() / "static", "static/"), (config.path("static"), "")])
    site_feeds = FeedSpec(config.title, "", ())
    env = make_environment(config, {
        "sections": tuple(section.ref for section in archive.sections),
        "site_feeds": site_feeds,
        "assets": {a.logical: a.output for a in assets},
        "search_enabled": search,
    })  # fmt: skip
    written = 0
    made: set[Path] = set()
    total = len(archive.pages)
    for number, page in enumerate(archive.pages, 1):
        if progress:
            progress("Writing", number, total)
        for rel, text in render_files(env, page):
            path = target / rel
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_text(text, encoding="utf-8")
            written += rel.endswith(".html")
    copy_assets(assets, target)
    return written


def _staging_dir(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    recover_output(out)
    staging = out.parent / f".{out.name}.new-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def swap_into_place(staging: Path, out: Path) -> None:
    """Put ``staging`` where ``out`` is, atomically where the system allows.

    On Linux the two folders are exchanged in one ``renameat2`` call, so there
    is no moment without an output folder; elsewhere two renames are used and
    :func:`recover_output` repairs the gap after a crash.  The old tree is
    removed afterwards.
    """
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)
        return
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def recover_output(out: Path) -> None:
    """After a crash between two renames, put the previous output back."""
    if out.exists():
        return
    leftovers = sorted(out.parent.glob(f".{out.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if leftovers:
        os.replace(leftovers[-1], out)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
