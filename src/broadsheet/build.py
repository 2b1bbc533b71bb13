"""The build: config -> load all -> archive -> render -> write -> swap.

This module is the entry point and stays light: a rebuild with nothing to do
(:class:`~broadsheet.incremental.BuildStamp`) returns before Jinja, Markdown or
the archive are even imported.  The pipeline itself is :mod:`broadsheet.pipeline`;
putting a finished tree in place is :mod:`broadsheet.output`.

Everything is read before anything is rendered, and a failed or interrupted
build never leaves ``site/`` half-written or emptied.
"""

from __future__ import annotations

import hashlib
import importlib.util
import time
from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import CONFIG_NAME, SiteConfig, load_config
from .errors import BroadsheetError, Diagnostic, Diagnostics
from .incremental import (
    BuildStamp,
    InputScan,
    output_identity,
    read_stamp,
    scan_inputs,
    write_stamp,
)
from .theme import theme_dir

if TYPE_CHECKING:
    from .progress import Progress

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
    jobs: int | None = None,
    clean: bool = False,
    executor: str = "local",
) -> BuildResult:
    """Build the site in ``site_dir`` into ``output`` (default ``SITE_DIR/site``).

    Raises :class:`BuildStopped` for a bad config or template, leaving the
    output as it was.  Bad articles are reported in the result and skipped.
    ``now`` (default: the current time) decides which articles are in the
    future and what the news sitemap and "on this day" consider recent.
    ``jobs`` processes render in parallel (default: the CPU count); with
    ``executor`` ``"dask-local"`` or ``"dask://HOST:PORT"`` a dask cluster
    renders instead (:mod:`broadsheet.distributed`).  Unless
    ``clean``, unchanged sources are not re-read and unchanged pages are not
    re-rendered (see :mod:`broadsheet.incremental`); the output is the same.
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
    if executor != "local" and executor != "dask-local" and not executor.startswith("dask://"):
        raise BuildStopped([Diagnostic("--executor", None, None,
                                       f"unknown executor {executor!r}: use local, dask-local "
                                       "or dask://HOST:PORT")])  # fmt: skip
    out = Path(output) if output is not None else config.path("output")
    result = BuildResult(output=out, strict=strict)
    diagnostics = result.diagnostics
    now = now or datetime.now(timezone.utc)
    scan = _scan(config, out, drafts=drafts, future=future)
    stamp = None if clean else read_stamp(config.root)
    if stamp is not None and stamp.holds(scan.key, now, output_identity(out)):
        return _replay(stamp, result, started, report)
    write_stamp(config.root, None)
    until = None
    if stamp is not None and executor == "local":
        from .patch import patch

        until = patch(config, out, result, scan=scan, now=now, since=stamp.since, jobs=jobs)
    if until is None:
        from .pipeline import run

        until = run(config, out, result, now=now, drafts=drafts, future=future,
                    progress=progress, jobs=jobs, clean=clean, executor=executor,
                    scan=scan)  # fmt: skip
    write_stamp(config.root, BuildStamp(
        key=scan.key, scanned_ns=scan.scanned_ns, newest_ns=scan.newest_ns,
        since=now.isoformat(), until=until.isoformat(), output=output_identity(out),
        articles=result.articles, failed=result.failed, pages=result.pages,
        diagnostics=[list(astuple(d)) for d in diagnostics],
    ))  # fmt: skip
    result.seconds = time.perf_counter() - started
    if report:
        for diagnostic in diagnostics:
            report(diagnostic)
    return result


def _scan(config: SiteConfig, out: Path, *, drafts: bool, future: bool) -> InputScan:
    """What a build depends on besides the clock: see :class:`BuildStamp`."""
    scanned_ns = time.time_ns()
    folders = [config.path(name) for name in ("content", "templates", "static")]
    # Broadsheet's own code counts too: a reinstall or a working copy may change it
    # without changing the version.
    code = sorted(Path(__file__).parent.rglob("*.py"))
    files, newest_ns, lines = scan_inputs([config.root / CONFIG_NAME, *folders, theme_dir(),
                                           *code])  # fmt: skip
    parts = (__version__, repr(config), str(out.resolve()), drafts, future,
             importlib.util.find_spec("pagefind") is not None)  # fmt: skip
    options = _digest(repr(parts))
    return InputScan(options, _digest(options + files), newest_ns, scanned_ns, tuple(lines))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _replay(
    stamp: BuildStamp,
    result: BuildResult,
    started: float,
    report: Callable[[Diagnostic], None] | None,
) -> BuildResult:
    """The result of a build that had nothing to do: the last build's, reported again."""
    result.articles, result.failed, result.pages = stamp.articles, stamp.failed, stamp.pages
    result.diagnostics.extend(Diagnostic(*fields) for fields in stamp.diagnostics)
    result.seconds = time.perf_counter() - started
    if report:
        for diagnostic in result.diagnostics:
            report(diagnostic)
    return result


def __getattr__(name: str) -> Any:
    """The pipeline's and the output's names, as they were when they lived here."""
    if name.startswith("__"):  # import machinery probing (__path__...): not ours
        raise AttributeError(name)
    from . import output, pipeline

    for module in (pipeline, output):
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
