"""``broadsheet import``: bring WordPress exports, feeds and folders of text into a site.

Thin click wrappers over :mod:`broadsheet.importers`.  Register the group on
the main command with ``main.add_command(import_group)``.

Exit status: 0 when every item was imported, updated, unchanged or skipped;
1 when some items failed, or when ``--recover`` had to skip past malformed
XML (part of the source may be missing); 2 for a bad command line, config or
source file (malformed XML without ``--recover``, not a WordPress export,
not a feed, a missing optional package), or when writing failed: then
nothing in ``content/`` was changed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from .config import load_config
from .errors import BroadsheetError, SourceError
from .importers import Options
from .importers.report import IngestReport

EXIT_OK, EXIT_FAILED, EXIT_STOPPED = 0, 1, 2
#: Modules the importers need beyond Broadsheet's own dependencies.
EXTRA = 'pip install "broadsheet[import]"'

F = TypeVar("F", bound=Callable[..., Any])

_SITE_DIR = click.argument("site_dir", default=".",
                           type=click.Path(file_okay=False, path_type=Path))  # fmt: skip


def _common(function: F) -> F:
    """The options every import command takes."""
    options = [
        click.option("--force", is_flag=True,
                     help="Overwrite files edited by hand since the last import, and files "
                          "this import did not write."),
        click.option("--dry-run", is_flag=True, help="Report what would change; write nothing."),
        click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Also write the report as JSON to this file."),
        click.option("-v", "--verbose", is_flag=True,
                     help="List every item and finding (the table cuts long lists)."),
    ]  # fmt: skip
    for option in reversed(options):
        function = option(function)
    return function


@click.group("import", context_settings={"help_option_names": ["-h", "--help"]})
def import_group() -> None:
    """Import articles from a WordPress export, a feed or a folder of text files.

    Imports are repeatable: importing the same source again updates what
    changed and never duplicates (a ledger in content/.imports/ remembers what
    was written). Files edited by hand since the last import are left alone
    unless --force. Everything is written at the end, all at once: an import
    that fails leaves content/ as it was.

    Every import ends with a report (imported, updated, unchanged, skipped
    and failed items with reasons; duplicates and near duplicates; items
    without a date or headline; chrome; re-encoded files), as a table and,
    with --report FILE, as JSON.

    Exit status: 0 ok; 1 some items failed, or --recover skipped malformed
    XML; 2 bad command line, config or source file, or writing failed.
    """


def _options(site_dir: Path, force: bool, dry_run: bool) -> Options:
    try:
        config = load_config(site_dir)
    except BroadsheetError as exc:
        for diagnostic in getattr(exc, "diagnostics", ()):
            click.echo(str(diagnostic), err=True)
        sys.exit(EXIT_STOPPED)
    return Options(config, force=force, dry_run=dry_run)


def _write_json(report: IngestReport, report_file: Path | None) -> None:
    if report_file is not None:
        report_file.parent.mkdir(parents=True, exist_ok=True)
        report_file.write_text(report.to_json(), encoding="utf-8")


def _finish(
    kind: str,
    source: str,
    run: Callable[[], IngestReport],
    report_file: Path | None,
    verbose: bool,
) -> None:
    """Run an import, print its report, write the JSON and exit with the right status."""
    try:
        report = run()
    except SourceError as exc:
        _stop(kind, source, [str(d) for d in exc.diagnostics], report_file)
    except ImportError as exc:
        _stop(kind, source, [f"error: the importers need {exc.name}: {EXTRA}"], report_file)
    except OSError as exc:
        message = f"error: import stopped, writing failed: {exc}; content/ was left as it was"
        _stop(kind, source, [message], report_file)
    click.echo(report.table(verbose), nl=False)
    _write_json(report, report_file)
    sys.exit(EXIT_FAILED if report.failed or report.recovered else EXIT_OK)


def _stop(kind: str, source: str, messages: list[str], report_file: Path | None) -> NoReturn:
    for message in messages:
        click.echo(message, err=True)
    click.echo("Nothing was imported.", err=True)
    report = IngestReport(kind, source, stopped="\n".join(messages))
    _write_json(report, report_file)
    sys.exit(EXIT_STOPPED)


@import_group.command("wordpress")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_SITE_DIR
@click.option("--pages", is_flag=True, help="Import pages too (not only posts).")
@click.option("--keep-html", is_flag=True,
              help="Keep bodies as sanitised HTML instead of converting them to Markdown "
                   "(shown escaped unless broadsheet.yaml sets markdown: {unsafe_html: true}).")
@click.option("--recover", is_flag=True,
              help="Import what can be read from a malformed file (exit status 1).")
@_common
def wordpress_command(
    file: Path, site_dir: Path, pages: bool, keep_html: bool, recover: bool, force: bool,
    dry_run: bool, report_file: Path | None, verbose: bool,
) -> None:  # fmt: skip
    """Import a WordPress export (WXR 1.0-1.2, Tools > Export) into SITE_DIR.

    Posts (and pages with --pages) become Markdown articles in
    content/<year>/<slug>.md with their authors, first category as section,
    tags, status (anything but published is draft: true) and approved
    comments (into content/comments/<slug>/, email addresses hashed).
    Attachments are listed in the report, not downloaded.
    """
    from .importers.wordpress import import_wordpress

    options = _options(site_dir, force, dry_run)
    _finish("wordpress", file.as_posix(),
            lambda: import_wordpress(file, options, pages=pages, keep_html=keep_html,
                                     recover=recover),
            report_file, verbose)  # fmt: skip


@import_group.command("feed")
@click.argument("source", metavar="FILE_OR_URL")
@_SITE_DIR
@click.option("--section", help="Section of every imported entry [default: none].")
@click.option("--recover", is_flag=True,
              help="Import what can be read from a malformed feed (exit status 1).")
@_common
def feed_command(
    source: str, site_dir: Path, section: str | None, recover: bool, force: bool, dry_run: bool,
    report_file: Path | None, verbose: bool,
) -> None:  # fmt: skip
    """Import an RSS (0.9x, 1.0, 2.0) or Atom feed into SITE_DIR.

    FILE_OR_URL is a local file or an http(s):// address, which is fetched
    over the network. Entries become Markdown articles in
    content/<year>/<slug>.md; categories become tags.
    """
    from .importers.feed import import_feed, is_url

    if not is_url(source) and not Path(source).is_file():
        raise click.BadParameter(f"{source!r} is neither a file nor an http(s) URL",
                                 param_hint="FILE_OR_URL")  # fmt: skip
    options = _options(site_dir, force, dry_run)
    _finish("feed", source,
            lambda: import_feed(source, options, recover=recover, section=section),
            report_file, verbose)  # fmt: skip


@import_group.command("text")
@click.argument("folder", metavar="DIR",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@_SITE_DIR
@_common
def text_command(
    folder: Path, site_dir: Path, force: bool, dry_run: bool, report_file: Path | None,
    verbose: bool,
) -> None:  # fmt: skip
    """Import a folder of plain-text articles (.txt) into SITE_DIR.

    Files are copied in the seed shape into content/<folder>/ (folder names
    become sections), re-encoded to UTF-8 when they are not, with a sidecar
    giving the section and a slug made from the headline.
    """
    from .importers.text import import_text

    options = _options(site_dir, force, dry_run)
    _finish("text", folder.as_posix(), lambda: import_text(folder, options), report_file, verbose)
