"""A rebuild with nothing to do is skipped, and only then.

The build stamp (``.broadsheet-cache/build-stamp.json``) records what the last
build saw.  These tests age every input (so that the "racy" guard, which
distrusts files modified moments before a build, does not mask the logic),
build once, and check that a second build is skipped exactly when nothing it
depends on changed: no file, no option, no output folder, and no moment that
changes what the site shows (an article coming out of the future, the news
sitemap's window, midnight for "on this day", comments closing).
"""

from __future__ import annotations

import importlib
import os
import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from broadsheet import build, load_config
from broadsheet.config import SiteConfig
from broadsheet.graph import NEVER, steady_until
from broadsheet.incremental import CACHE_DIR, STAMP
from broadsheet.model import Article, Html
from conftest import write

NOW = datetime(2025, 1, 1, 12, tzinfo=timezone.utc)
HOUR_AGO = time.time() - 3600


def age(root: Path, when: float = HOUR_AGO) -> None:
    """Give every file under ``root`` an old modification time."""
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))


class Runs:
    """Counts the builds that really ran the pipeline."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        pipeline = importlib.import_module("broadsheet.pipeline")
        self.count = 0
        real = pipeline.run

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(pipeline, "run", counting)


@pytest.fixture
def site(sample_site: Path) -> Path:
    # An undated article, so that the build has a warning to report again.
    write(sample_site / "content/news/no-date-notice.md", "---\nheadline: Notice\n---\nText.\n")
    age(sample_site)
    return sample_site


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Runs:
    return Runs(monkeypatch)


def test_a_rebuild_with_nothing_changed_is_skipped(site: Path, runs: Runs) -> None:
    first = build(site, now=NOW)
    assert runs.count == 1 and (site / CACHE_DIR / STAMP).is_file()
    reported: list[str] = []
    second = build(site, now=NOW + timedelta(minutes=5), report=lambda d: reported.append(str(d)))
    assert runs.count == 1, "the second build ran the pipeline"
    assert (second.articles, second.pages, second.failed) == (
        first.articles, first.pages, first.failed)  # fmt: skip
    assert [str(d) for d in second.diagnostics] == [str(d) for d in first.diagnostics]
    assert any("no date" in line for line in reported), "warnings are reported again"
    assert second.exit_code == first.exit_code


@pytest.mark.parametrize("change", [
    "edit", "add", "delete", "template", "static", "config", "comment", "sidecar",
])  # fmt: skip
def test_any_changed_input_rebuilds(site: Path, runs: Runs, change: str) -> None:
    build(site, now=NOW)
    article = site / "content/news/bus-timetable-cuts.md"
    if change == "edit":  # same size, an older time: only the time differs
        write(article, article.read_text(encoding="utf-8").replace("bus", "bas", 1))
        age(site, HOUR_AGO - 60)
    elif change == "add":
        write(site / "content/news/2024-12-30-new.md", "---\nheadline: New\n---\nNew.\n")
    elif change == "delete":
        article.unlink()
    elif change == "template":
        write(site / "templates/404.html", "{% extends 'base.html' %}\n")
    elif change == "static":
        write(site / "static/extra.txt", "x\n")
    elif change == "config":
        config = site / "broadsheet.yaml"
        write(config, config.read_text(encoding="utf-8") + "per_page: 3\n")
    elif change == "comment":
        write(site / "content/comments/bus-timetable-cuts/20241201T100000Z-abcdefgh.yaml",
              "id: abcdefgh\nname: Reader\ndate: 2024-12-01T10:00:00Z\nbody: Hello.\n")  # fmt: skip
    elif change == "sidecar":
        sidecar = site / "content/news/2023-03-14-harbour-wall-repairs.yaml"
        write(sidecar, sidecar.read_text(encoding="utf-8") + "\n")
    if change not in ("edit",):
        age(site)
    build(site, now=NOW)
    assert runs.count == 2


def test_a_changed_broadsheet_rebuilds(site: Path, runs: Runs,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    build(site, now=NOW)
    module = importlib.import_module("broadsheet.build")
    real_scan = module.scan_inputs
    code = [p for p in Path(module.__file__).parent.rglob("*.py")]
    assert code, "the package's own files are part of the scan"

    def scan_with_edited_code(paths: list[Path]) -> tuple[str, int, list[str]]:
        digest, newest, lines = real_scan(paths)
        if any(p in code for p in paths):
            return digest + "-edited", newest, [*lines, "code edited"]
        return digest, newest, lines

    monkeypatch.setattr(module, "scan_inputs", scan_with_edited_code)
    build(site, now=NOW)
    assert runs.count == 2


@pytest.mark.parametrize("option", ["drafts", "future", "clean", "output"])
def test_other_options_rebuild(site: Path, runs: Runs, option: str) -> None:
    build(site, now=NOW)
    if option == "output":
        build(site, site / "elsewhere", now=NOW)
    else:
        build(site, now=NOW, **{option: True})
    assert runs.count == 2


def test_a_replaced_or_missing_output_is_rebuilt(site: Path, runs: Runs) -> None:
    build(site, now=NOW)
    shutil.rmtree(site / "site")
    build(site, now=NOW)
    assert runs.count == 2 and (site / "site/index.html").is_file()
    build(site, now=NOW)  # the new output is the stamp's again
    assert runs.count == 2


def test_a_freshly_modified_file_is_not_trusted(site: Path, runs: Runs) -> None:
    article = site / "content/news/bus-timetable-cuts.md"
    article.touch()  # modified now: its time may not change again on a quick edit
    build(site, now=NOW)
    build(site, now=NOW)
    assert runs.count == 2


def test_the_clock_rebuilds_when_the_site_would_change(site: Path, runs: Runs) -> None:
    write(site / "content/news/2025-01-03-tomorrow.md",
          "---\nheadline: Coming\ndate: 2025-01-03T09:00:00Z\n---\nSoon.\n")  # fmt: skip
    age(site)
    build(site, now=NOW)
    assert not (site / "site/2025/01/03").exists()
    build(site, now=datetime(2025, 1, 1, 23, tzinfo=timezone.utc))  # same day in London
    assert runs.count == 1
    build(site, now=datetime(2025, 1, 2, 0, 30, tzinfo=timezone.utc))  # "on this day" moves
    assert runs.count == 2
    build(site, now=datetime(2025, 1, 3, 9, tzinfo=timezone.utc))  # the article is out
    assert runs.count == 3
    assert (site / "site/2025/01/03/tomorrow/index.html").is_file()
    build(site, now=NOW)  # an earlier moment than the stamp's: not vouched for
    assert runs.count == 4


def article(date: datetime | None) -> Article:
    return Article(source="x.md", format="md", slug="x", headline="X", summary="", body=Html.of(""),
                   date=date)


def test_steady_until_takes_the_first_moment_that_changes_the_site(sample_site: Path) -> None:
    config = load_config(sample_site)  # Europe/London
    now = datetime(2025, 6, 1, 12, tzinfo=timezone.utc)
    midnight = datetime(2025, 6, 1, 23, tzinfo=timezone.utc)  # 00:00 BST
    assert steady_until([], config, now) == midnight
    assert steady_until([article(None)], config, now) == midnight
    future = datetime(2025, 6, 1, 15, tzinfo=timezone.utc)
    assert steady_until([article(future)], config, now) == future
    recent = datetime(2025, 5, 30, 18, tzinfo=timezone.utc)  # leaves the news sitemap at 18:00
    assert steady_until([article(recent)], config, now) == recent + timedelta(days=2)
    old = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert steady_until([article(old)], config, now) == midnight


def _config_with(site: Path, extra: str) -> SiteConfig:
    """The sample site's config with ``extra`` lines added to its file."""
    config_file = site / "broadsheet.yaml"
    write(config_file, config_file.read_text(encoding="utf-8") + extra)
    return load_config(site)


def test_steady_until_counts_comments_closing(sample_site: Path) -> None:
    config = _config_with(sample_site, "comments:\n  close_after_days: 10\n")
    now = datetime(2025, 6, 1, 12, tzinfo=timezone.utc)
    published = datetime(2025, 5, 22, 18, tzinfo=timezone.utc)
    assert steady_until([article(published)], config, now) == published + timedelta(days=10)


def test_without_on_this_day_pages_midnight_changes_nothing(sample_site: Path) -> None:
    config = _config_with(sample_site, "pages:\n  on_this_day: false\n")
    now = datetime(2025, 6, 1, 12, tzinfo=timezone.utc)
    assert steady_until([], config, now) == NEVER
    assert steady_until([article(datetime(2025, 1, 1, tzinfo=timezone.utc))], config, now) == NEVER
    recent = datetime(2025, 5, 30, 18, tzinfo=timezone.utc)
    assert steady_until([article(recent)], config, now) == recent + timedelta(days=2)
    # What the build stamp keeps reads back as the same moment.
    assert datetime.fromisoformat(NEVER.isoformat()) == NEVER
