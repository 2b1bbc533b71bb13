"""``broadsheet deploy``: a thin click wrapper over :func:`broadsheet.deploy.deploy`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from click.core import ParameterSource

from .config import load_config
from .deploy import EXIT_BAD_TARGET, DeployError, deploy, parse_target
from .errors import ConfigError
from .progress import line_reporter

_GH_PAGES_ONLY = ("branch", "push", "remote", "message")


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_TARGET)


def _output_folder(site_dir: Path, output: Path | None) -> Path:
    """``--output``, else the config's output folder (``SITE_DIR/site`` by default)."""
    if output is not None:
        return output
    try:
        config = load_config(site_dir)
    except ConfigError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(str(diagnostic), err=True)
        sys.exit(EXIT_BAD_TARGET)
    return config.path("output")


def _check_options(ctx: click.Context, target: str) -> None:
    """Refuse options that do not apply to the kind of target (exit 2)."""
    kind = parse_target(target).kind
    given = [
        name for name in _GH_PAGES_ONLY
        if ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)
    ]  # fmt: skip
    if kind != "gh-pages" and given:
        _fail(f"--{given[0]} applies to --to gh-pages only")
    if kind == "gh-pages" and ctx.params.get("delete"):
        _fail("--delete does not apply to gh-pages: the branch always mirrors the output")


@click.command("deploy")
@click.argument("site_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--to", "target", required=True, metavar="TARGET",
              help="s3://bucket/prefix, gh-pages, a folder (or file:///path), "
                   "rsync://host/module/path or user@host:path.")  # fmt: skip
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="The built folder to deploy [default: SITE_DIR/site, or paths.output].",
)
@click.option("--endpoint-url", metavar="URL",
              help="s3 only: the S3-compatible service's URL (R2, MinIO, ...).")  # fmt: skip
@click.option("--delete", is_flag=True, help="Delete files at the target that are not in the "
              "output (under the prefix for s3; inside the folder for a folder).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="List what would change; change nothing.")
@click.option("--branch", default="gh-pages", show_default=True,
              help="gh-pages only: the branch to commit to.")  # fmt: skip
@click.option("--push/--no-push", default=False, show_default=True,
              help="gh-pages only: push the branch after committing.")  # fmt: skip
@click.option("--remote", default="origin", show_default=True,
              help="gh-pages only: the remote to push to.")  # fmt: skip
@click.option("--message", metavar="TEXT", help="gh-pages only: the commit message.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.pass_context
def deploy_command(
    ctx: click.Context,
    site_dir: Path,
    target: str,
    output: Path | None,
    endpoint_url: str | None,
    delete: bool,
    dry_run: bool,
    branch: str,
    push: bool,
    remote: str,
    message: str | None,
    quiet: bool,
) -> None:
    """Deploy the already-built site in SITE_DIR to TARGET.

    This does not build: run `broadsheet build && broadsheet deploy --to TARGET`.
    Only files whose content changed are sent.

    \b
    TARGET is one of:
      s3://bucket/prefix     S3 or an S3-compatible service (--endpoint-url);
                             credentials come from the AWS environment/config only
      gh-pages               a commit on a branch of SITE_DIR's git repository
      /path, file:///path    a local folder, mirrored
      rsync://host/mod/path  rsync -a --checksum (also user@host:path)

    Exit status: 0 when everything was deployed, 1 when some files failed
    (they are listed), 2 for a bad target or options, a missing or empty
    output folder, or a target that cannot be reached (such as a missing
    bucket).
    """
    try:
        _check_options(ctx, target)
        folder = _output_folder(site_dir, output)
        with line_reporter(quiet) as report:
            result = deploy(folder, target, endpoint_url=endpoint_url, delete=delete,
                            dry_run=dry_run, report=report, branch=branch, push=push,
                            remote=remote, message=message, repo=site_dir)  # fmt: skip
    except DeployError as exc:
        _fail(str(exc))
    for failure in result.failed:
        click.echo(f"error: {failure}", err=True)
    if not quiet:
        click.echo(result.summary())
    sys.exit(result.exit_code)
