"""The ``broadsheet`` command: thin click wrappers over the Python API."""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import click

from . import __version__
from .build import EXIT_STOPPED, BuildResult, BuildStopped, build
from .config import load_config
from .errors import BroadsheetError, Diagnostic
from .progress import reporter

SITE_DIR = click.argument("site_dir", default=".", type=click.Path(file_okay=False, path_type=Path))


def _reporter(site_dir: Path) -> Callable[[Diagnostic], None]:
    """Print diagnostics with paths relative to the current folder (clickable in editors)."""

    def report(diagnostic: Diagnostic) -> None:
        path = Path(diagnostic.path)
        if site_dir != Path(".") and not path.is_absolute():
            diagnostic = replace(diagnostic, path=(site_dir / path).as_posix())
        click.echo(str(diagnostic), err=True)

    return report


def _run_build(
    site_dir: Path,
    output: Path | None,
    drafts: bool,
    strict: bool,
    future: bool = False,
    quiet: bool = False,
    jobs: int | None = None,
    clean: bool = False,
    executor: str = "local",
) -> BuildResult:
    report = _reporter(site_dir)
    try:
        with reporter(quiet) as progress:
            result = build(site_dir, output, drafts=drafts, future=future, strict=strict,
                           report=report, progress=progress, jobs=jobs,
                           clean=clean, executor=executor)  # fmt: skip
    except BuildStopped as exc:
        for diagnostic in exc.diagnostics:
            report(diagnostic)
        click.echo("Build stopped; the output was left as it was.", err=True)
        sys.exit(EXIT_STOPPED)
    if not quiet:
        click.echo(result.summary())
    return result


class _Commands(click.Group):
    """The command group; ``deploy``, ``comments`` and ``import`` are imported when
    used, so that ``broadsheet build`` does not pay for their libraries."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "comments": ("cli_comments", "comments_group"),
        "deploy": ("cli_deploy", "deploy_command"),
        "import": ("cli_import", "import_group"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module, name = self.LAZY[cmd_name]
            command = getattr(importlib.import_module(f"{__package__}.{module}"), name)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="broadsheet")
def main() -> None:
    """Broadsheet: build a static news-archive website from a folder of articles.

    Exit status: 0 when every article built, 1 when some articles failed (the
    rest of the site is written; with --strict, warnings count too), 2 for a
    bad config, template or command line (the output is left as it was).
    """


@main.command("build")
@SITE_DIR
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder [default: SITE_DIR/site, or paths.output].",
)
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
@click.option("--future", is_flag=True, help="Include articles dated in the future.")
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings.")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress and no summary line; problems are still printed.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    help="Processes to read and render with [default: the CPU count].",
)
@click.option(
    "--clean",
    is_flag=True,
    help="Re-read and re-render everything instead of reusing the last build.",
)
@click.option(
    "--executor",
    default="local",
    show_default=True,
    metavar="WHERE",
    help="Where pages are rendered: local, dask-local, or dask://HOST:PORT "
    '(a dask cluster sharing the output folder; pip install "broadsheet[dask]").',
)
def build_command(
    site_dir: Path,
    output: Path | None,
    drafts: bool,
    future: bool,
    strict: bool,
    quiet: bool,
    jobs: int | None,
    clean: bool,
    executor: str,
) -> None:
    """Build the site in SITE_DIR (default: the current folder).

    Rebuilds are incremental: unchanged sources are not re-read and unchanged
    pages are not re-rendered, and the output is the same as a clean build's.
    After edits to the text of a few articles, only the pages that show them
    are loaded and rendered again (a patch rebuild). Shows a progress bar on a
    terminal and a line every few seconds elsewhere.
    """
    result = _run_build(site_dir, output, drafts, strict, future, quiet, jobs, clean, executor)
    sys.exit(result.exit_code)


@main.command("serve")
@SITE_DIR
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (only loopback unless you say otherwise).",
)
@click.option(
    "-p",
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
@click.option("--future", is_flag=True, help="Include articles dated in the future.")
@click.option("--no-reload", is_flag=True, help="Do not watch for changes or reload pages.")
def serve_command(
    site_dir: Path, host: str, port: int, drafts: bool, future: bool, no_reload: bool
) -> None:
    """Build the site, serve it for preview, and rebuild and reload on every change.

    Watches content, templates, static files and broadsheet.yaml. A failed
    build is printed here and shown over the page in the browser, while the
    last good site stays served.
    """
    from .serve import preview

    report = _reporter(site_dir)

    def build_site() -> tuple[Path, list[str] | None]:
        try:
            result = build(site_dir, drafts=drafts, future=future, report=report)
        except BuildStopped as exc:
            for diagnostic in exc.diagnostics:
                report(diagnostic)
            click.echo("Build stopped; the last good site is still served.", err=True)
            return load_config(site_dir).path("output"), [str(d) for d in exc.diagnostics]
        click.echo(result.summary())
        errors = [str(d) for d in result.diagnostics.errors]
        return result.output, errors or None

    try:
        preview(site_dir, host=host, port=port, build_site=build_site, announce=click.echo,
                live=not no_reload)  # fmt: skip
    except OSError as exc:
        click.echo(f"error: cannot serve on {host}:{port}: {exc.strerror}", err=True)
        sys.exit(EXIT_STOPPED)
    except KeyboardInterrupt:
        pass


@main.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="My Broadsheet", show_default=True, help="The site's title.")
def init_command(folder: Path, title: str) -> None:
    """Create a new site in FOLDER that builds at once.

    Writes a commented broadsheet.yaml, one sample article per format (plain
    text with a sidecar, Markdown with front matter) and templates/ with an
    example of overriding one template. Never overwrites a file.
    """
    from .init import init_site

    try:
        written = init_site(folder, title, datetime.now(timezone.utc))
    except BroadsheetError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_STOPPED)
    for path in written:
        click.echo(f"created {path}")
    click.echo(f"Next: broadsheet build {folder} && broadsheet serve {folder}")


@main.command("check")
@SITE_DIR
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="The built site to check [default: SITE_DIR/site].",
)
@click.option(
    "--html", "html", is_flag=True, help="Also run the Nu Html Checker (needs Java and vnu.jar)."
)
def check_command(site_dir: Path, output: Path | None, html: bool) -> None:
    """Check a built site: links, #fragments, assets, duplicate ids, titles.

    Prints one `path:line: problem` per finding and exits 1 when there are any
    (2 when the site is not built or a checker cannot run). It does not build.
    """
    from .check import check_html, check_site

    try:
        config = load_config(site_dir)
    except BroadsheetError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_STOPPED)
    out = output or config.path("output")
    if not (out / "index.html").is_file():
        click.echo(f"error: {out} holds no built site; run broadsheet build first", err=True)
        sys.exit(EXIT_STOPPED)
    base_path = urlsplit(config.base_url).path or "/"
    findings = check_site(out, base_path, pretty=config.pretty_links)
    if html:
        try:
            findings += check_html(out)
        except LookupError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_STOPPED)
    for finding in findings:
        click.echo(str(finding))
    pages = sum(1 for _ in out.rglob("*.html"))
    click.echo(f"Checked {pages} pages: {len(findings)} problems.", err=True)
    sys.exit(1 if findings else 0)


@main.command("new")
@click.argument("headline")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["txt", "md"]),
    default="md",
    show_default=True,
    help="Plain text (seed shape) or Markdown.",
)
@click.option("--section", help="Section folder to put it in (created if needed).")
@click.option(
    "--site",
    "site_dir",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
    help="Site folder.",
)
def new_command(headline: str, fmt: str, section: str | None, site_dir: Path) -> None:
    """Create a content file for HEADLINE, dated today, and print its path."""
    try:
        path = new_article(site_dir, headline, fmt, section)
    except BroadsheetError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_STOPPED)
    click.echo(path)


def new_article(
    site_dir: Path, headline: str, fmt: str, section: str | None = None, now: datetime | None = None
) -> Path:
    """Write a new article file and return its path; never overwrites."""
    config = load_config(site_dir)
    now = now or datetime.now(ZoneInfo(config.timezone))
    from .loaders.meta import slugify

    slug = slugify(headline)
    if not slug:
        raise BroadsheetError("the headline has no letters or digits to make a file name from")
    folder = config.path("content")
    if section:
        folder = folder / (slugify(section) or "section")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now:%Y-%m-%d}-{slug}.{fmt}"
    if path.exists():
        raise BroadsheetError(f"{path} already exists; choose another headline")
    if fmt == "md":
        quoted = headline.replace('"', '\\"')
        text = (
            f'---\nheadline: "{quoted}"\ndate: {now:%Y-%m-%d %H:%M}\n'
            "authors: []\ntags: []\n---\n\nWrite the article here.\n"
        )
    else:
        text = f"{headline}\n\nWrite the first paragraph here.\n"
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path


def run() -> None:
    """The ``broadsheet`` command: :func:`main`, then an exit that does not free
    the archive's records one by one.  Python's own exit tears down every object a
    build made (a quarter to half a second at 10,000 articles); this one runs the
    exit handlers (temporary files, logging, worker pools), flushes the output,
    and leaves.  Errors other than an exit status propagate as usual."""
    try:
        main()  # click ends with SystemExit in standalone mode
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if not (code is None or isinstance(code, int)) or _working_threads():
        raise SystemExit(code)  # a message for Python to print; threads to wait for
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    os._exit(code or 0)


def _working_threads() -> bool:
    """Whether a thread Python would wait for at exit is still running."""
    main_thread = threading.main_thread()
    return any(t is not main_thread and not t.daemon and t.is_alive()
               for t in threading.enumerate())  # fmt: skip


if __name__ == "__main__":
    run()
