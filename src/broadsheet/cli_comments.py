"""``broadsheet comments``: import submissions and moderate the queue.

Thin click wrappers over :mod:`broadsheet.comments`.  Register the group on the
main command with ``main.add_command(comments_group)``.

Exit status: 0 on success; 1 when an import rejected a submission or an id
given to ``show``, ``approve`` or ``reject`` is not pending (nothing is moved
then); 2 for a bad config or command line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import click

from . import comments
from .config import SiteConfig, load_config
from .errors import BroadsheetError, Diagnostic, Diagnostics

EXIT_OK, EXIT_FAILED, EXIT_STOPPED = 0, 1, 2

F = TypeVar("F", bound=Callable[..., Any])


def _site_option(function: F) -> F:
    option = click.option(
        "--site",
        "site_dir",
        default=".",
        type=click.Path(file_okay=False, path_type=Path),
        help="Site folder [default: the current folder].",
    )
    return option(function)


def _config(site_dir: Path) -> SiteConfig:
    """The site's config; a bad one is reported and ends the command (exit 2)."""
    try:
        return load_config(site_dir)
    except BroadsheetError as exc:
        for diagnostic in getattr(exc, "diagnostics", ()):
            click.echo(str(diagnostic), err=True)
        sys.exit(EXIT_STOPPED)


def _report(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)


def _known_slugs(config: SiteConfig) -> set[str]:
    from .build import load_articles

    articles, _ = load_articles(config, Diagnostics())
    return {article.slug for article in articles}


@click.group("comments", context_settings={"help_option_names": ["-h", "--help"]})
def comments_group() -> None:
    """Import comment submissions and moderate them.

    Submissions are queued in content/comments/_pending/; approved comments
    live in content/comments/<article-slug>/ and appear on the next build;
    rejected ones are moved to content/comments/_rejected/.
    """


@comments_group.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_site_option
def import_command(files: tuple[Path, ...], site_dir: Path) -> None:
    """Queue the submissions in FILES for moderation.

    FILES hold JSON (an object or an array), JSON Lines, or Staticman-style
    YAML.  Each rejected submission is printed with its reason.
    """
    config = _config(site_dir)
    report = comments.import_submissions(
        files, site_dir, _known_slugs(config), datetime.now(timezone.utc),
        content_dir=config.path("content"),
    )  # fmt: skip
    for outcome in report.outcomes:
        click.echo(str(outcome), err=outcome.status == "rejected")
    click.echo(report.summary())
    sys.exit(EXIT_FAILED if report.rejected else EXIT_OK)


def _queue(site_dir: Path) -> list[comments.PendingComment]:
    config = _config(site_dir)
    found: list[Diagnostic] = []
    queue = comments.pending(site_dir, content_dir=config.path("content"), diagnostics=found)
    _report(found)
    return queue


def _excerpt(body: str, length: int = 60) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= length else flat[:length] + "…"


def _when(date: datetime) -> str:
    return f"{date.astimezone(timezone.utc):%Y-%m-%d %H:%M}"


@comments_group.command("list")
@click.argument(
    "site_arg", required=False, metavar="[SITE_DIR]",
    type=click.Path(file_okay=False, path_type=Path),
)  # fmt: skip
@_site_option
def list_command(site_arg: Path | None, site_dir: Path) -> None:
    """List the comments waiting for moderation, oldest first.

    One line each: id, date (UTC), article slug, name, and the first 60
    characters of the comment.
    """
    queue = _queue(site_arg or site_dir)
    if not queue:
        click.echo("No comments are waiting for moderation.")
        return
    slug_width = max(len(p.article) for p in queue)
    for item in queue:
        click.echo(f"{item.id}  {_when(item.date)}  {item.article:<{slug_width}}  "
                   f"{item.name}: {_excerpt(item.body)}")  # fmt: skip


def _pick(site_dir: Path, ids: tuple[str, ...]) -> None:
    """Exit 1 with a clear message unless every id is pending."""
    known = {p.id for p in _queue(site_dir)}
    unknown = [i for i in dict.fromkeys(ids) if i not in known]
    if unknown:
        click.echo(f"error: {comments.UnknownCommentError(unknown)}", err=True)
        sys.exit(EXIT_FAILED)


@comments_group.command("show")
@click.argument("comment_id", metavar="ID")
@_site_option
def show_command(comment_id: str, site_dir: Path) -> None:
    """Show one pending comment in full."""
    queue = {p.id: p for p in _queue(site_dir)}
    item = queue.get(comment_id)
    if item is None:
        click.echo(f"error: {comments.UnknownCommentError([comment_id])}", err=True)
        sys.exit(EXIT_FAILED)
    rows = [
        ("id", item.id),
        ("article", item.article),
        ("name", item.name),
        ("website", item.website or "-"),
        ("date", item.date.isoformat()),
        ("reply to", item.reply_to or "-"),
        ("file", _relative(item.path, site_dir)),
    ]
    for label, value in rows:
        click.echo(f"{label + ':':<10}{value}")
    click.echo("")
    click.echo(item.body)


def _relative(path: Path, site_dir: Path) -> str:
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return path.as_posix()


def _moderate(
    site_dir: Path,
    ids: tuple[str, ...],
    action: Callable[..., list[Path]],
    verb: str,
) -> None:
    config = _config(site_dir)
    _pick(site_dir, ids)
    try:
        moved = action(site_dir, ids, content_dir=config.path("content"))
    except BroadsheetError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    for comment_id, path in zip(dict.fromkeys(ids), moved, strict=True):
        click.echo(f"{verb} {comment_id}: {_relative(path, site_dir)}")


@comments_group.command("approve")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@_site_option
def approve_command(ids: tuple[str, ...], site_dir: Path) -> None:
    """Publish pending comments: move them into their articles' folders.

    They appear on the next build.  If any ID is not pending, nothing is moved.
    """
    _moderate(site_dir, ids, comments.approve, "approved")


@comments_group.command("reject")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@_site_option
def reject_command(ids: tuple[str, ...], site_dir: Path) -> None:
    """Turn down pending comments: move them to content/comments/_rejected/.

    Kept there, a rejected submission is recognised if it is imported again.
    If any ID is not pending, nothing is moved.
    """
    _moderate(site_dir, ids, comments.reject, "rejected")
