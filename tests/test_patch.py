"""Patch rebuilds: a few edited articles are rebuilt from the page store
(:mod:`broadsheet.patch`) without laying out the archive again, and the output
is exactly what a full build writes.  Every change the patch cannot take makes
it decline, and the full pipeline builds instead."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import sqlite3
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from broadsheet import build
from broadsheet.config import load_config
from broadsheet.graph import CONTENT_FIELDS, build_archive, structure_key
from broadsheet.incremental import CACHE_DIR, MANIFEST
from broadsheet.model import Article, Html
from broadsheet.pagestore import STORE
from conftest import write

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
patch_module = importlib.import_module("broadsheet.patch")
pipeline = importlib.import_module("broadsheet.pipeline")
RACE = "content/sport/2024-09-14-caldbeck-fell-race.txt"
MARKET = "content/business/ferry-operator-fares.md"


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }  # fmt: skip


class Builds:
    """Which path each build took."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.log: list[str] = []
        real_patch, real_run = patch_module.patch, pipeline.run

        def patching(*args: Any, **kwargs: Any) -> Any:
            until = real_patch(*args, **kwargs)
            self.log.append("patch" if until is not None else "declined")
            return until

        def running(*args: Any, **kwargs: Any) -> Any:
            self.log.append("full")
            return real_run(*args, **kwargs)

        monkeypatch.setattr(patch_module, "patch", patching)
        monkeypatch.setattr(pipeline, "run", running)

    def take(self) -> list[str]:
        taken, self.log = self.log, []
        return taken


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Builds:
    monkeypatch.setattr(importlib.import_module("broadsheet.output"), "TIDY_IN_BACKGROUND",
                        False)  # fmt: skip
    return Builds(monkeypatch)


@pytest.fixture
def site(sample_site: Path) -> Path:
    """The sample without search (indexing runs over the whole site: no patch), its
    files old enough not to be racy (:data:`broadsheet.incremental.RACY_NS`)."""
    config = sample_site / "broadsheet.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "search: false\n", encoding="utf-8")
    when = time.time() - 3600
    for path in [config, *sample_site.rglob("*")]:
        os.utime(path, (when, when))
    return sample_site


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(site: Path, rel: str, text: str) -> None:
    path = site / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def assert_a_full_build_agrees(site: Path, builds: Builds) -> None:
    """A clean build of the same site into the same output writes exactly what is
    there, the manifest (every page's digest) included."""
    before = tree(site / "site")
    build(site, now=NOW, clean=True)
    assert builds.take() == ["full"]
    assert tree(site / "site") == before


@pytest.mark.parametrize("compress_above", [20_000, 0], ids=["bodies as text", "compressed"])
def test_body_edits_are_patched_and_equal_a_full_build(
    site: Path, builds: Builds, compress_above: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The patch loads the edited sources as the last full build loaded them.
    monkeypatch.setattr(pipeline, "COMPRESS_ABOVE", compress_above)
    build(site, now=NOW)
    assert builds.take() == ["full"]
    edits = [(RACE, "312 runners", "313 runners"),
             (MARKET, "\n---\n", "\n---\nA new first paragraph.\n\n"),
             (RACE, "313 runners", "312 runners")]  # fmt: skip
    for rel, old, new in edits:
        edit(site, rel, old, new)
        result = build(site, now=NOW)
        assert builds.take() == ["patch"], rel
        assert result.articles == 12 and result.pages > 50
        assert_a_full_build_agrees(site, builds)


def test_a_patch_renders_only_the_pages_that_show_the_article(site: Path, builds: Builds) -> None:
    out = site / "site"
    build(site, now=NOW)
    inodes = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*")
              if p.is_file() and p.name != MANIFEST}  # fmt: skip
    edit(site, RACE, "312 runners", "313 runners")
    build(site, now=NOW)
    assert builds.take() == ["full", "patch"]
    changed = {rel for rel, inode in inodes.items() if (out / rel).stat().st_ino != inode}
    assert "2024/09/14/caldbeck-fell-race/index.html" in changed
    # The year page lists the article; the archive index and the A-Z pages show counts only.
    assert "2024/index.html" in changed
    assert not changed & {"archive/index.html", "tags/index.html", "sections/index.html",
                          "2023/03/14/harbour-wall-repairs/index.html"}  # fmt: skip


def test_warnings_and_errors_are_those_of_a_full_build(site: Path, builds: Builds,
                                                       tmp_path: Path) -> None:
    build(site, now=NOW)
    broken = site / "content/news/broken.md"
    write(broken, "---\nheadline: [unclosed\n---\nText.\n")
    first = build(site, now=NOW)
    write(broken, "---\nheadline: [still unclosed\n---\nOther text.\n")
    os.utime(broken, (time.time() - 60, time.time() - 60))
    again = build(site, now=NOW)
    assert builds.take() == ["full", "declined", "full", "patch"]
    assert [str(d) for d in again.diagnostics] == [str(d) for d in first.diagnostics]
    assert again.exit_code == 1 and again.failed == 1
    reference = tmp_path / "ref"
    shutil.copytree(site, reference, ignore=shutil.ignore_patterns("site", ".site.*",
                                                                     CACHE_DIR))  # fmt: skip
    full = build(reference, now=NOW, clean=True)
    assert [str(d) for d in again.diagnostics] == [str(d) for d in full.diagnostics]


@pytest.mark.parametrize("change", ["headline", "tags", "date", "new file", "deleted file",
                                    "sidecar", "template", "config", "duplicate"])
def test_changes_that_move_articles_are_left_to_a_full_build(site: Path, builds: Builds,
                                                             tmp_path: Path,
                                                             change: str) -> None:
    build(site, now=NOW)
    if change == "headline":
        edit(site, MARKET, 'title: "Ferry', 'title: "Update: Ferry')
    elif change == "tags":
        edit(site, MARKET, 'tags: "harbour, transport"', 'tags: "harbour, transport, fares"')
    elif change == "date":
        edit(site, MARKET, "date: 2023", "date: 2022")
    elif change == "new file":
        write(site / "content/news/2024-12-01-notice.md", "# Notice\n\nA notice.\n")
    elif change == "deleted file":
        (site / MARKET).unlink()
    elif change == "sidecar":
        append(site, "content/sport/2024-09-14-caldbeck-fell-race.yaml", "\n# note\n")
    elif change == "template":
        write(site / "templates/404.html",
              "{% extends 'base.html' %}{% block main %}Lost{% endblock %}\n")
    elif change == "config":
        append(site, "broadsheet.yaml", "per_page: 3\n")
    elif change == "duplicate":
        # The race report becomes a byte-for-byte copy of another plain-text article.
        other = site / "content/news/2024-11-05-council-budget-vote.txt"
        shutil.copy(other, site / RACE)
    build(site, now=NOW)
    taken = builds.take()
    assert taken[-1] == "full" and "patch" not in taken, taken
    assert_a_full_build_agrees(site, builds)


def test_a_patch_is_declined_past_the_steady_period(site: Path, builds: Builds) -> None:
    build(site, now=NOW)
    edit(site, RACE, "312 runners", "313 runners")
    build(site, now=NOW + timedelta(days=1))  # past midnight: "on this day" moves on
    assert builds.take() == ["full", "declined", "full"]


def test_a_foreign_write_to_the_cache_or_output_declines(site: Path, builds: Builds) -> None:
    build(site, now=NOW)
    edit(site, RACE, "312 runners", "313 runners")
    other = site / "other-output"
    build(site, other, now=NOW)  # the store now describes another output folder
    edit(site, RACE, "313 runners", "312 runners")
    build(site, now=NOW)
    assert builds.take() == ["full", "declined", "full", "declined", "full"]


def test_a_damaged_store_is_rebuilt(site: Path, builds: Builds, tmp_path: Path) -> None:
    build(site, now=NOW)
    store = site / CACHE_DIR / STORE
    with sqlite3.connect(store) as db:
        db.execute("DELETE FROM records")
    edit(site, RACE, "312 runners", "313 runners")
    build(site, now=NOW)
    assert builds.take() == ["full", "declined", "full"]
    assert_a_full_build_agrees(site, builds)
    store.write_bytes(b"not a database")
    edit(site, RACE, "313 runners", "312 runners")
    build(site, now=NOW)
    assert builds.take() == ["declined", "full"]
    assert_a_full_build_agrees(site, builds)


def test_a_patch_leaves_the_store_ready_for_the_next(site: Path, builds: Builds,
                                                     tmp_path: Path) -> None:
    """Records rebuilt by one patch (a term, a period) are found by the next."""
    build(site, now=NOW)
    for number in range(4):
        for rel in (RACE, MARKET):
            append(site, rel, f"\nParagraph {number}.\n")
            build(site, now=NOW)
    assert builds.take() == ["full"] + ["patch"] * 8
    assert_a_full_build_agrees(site, builds)
    manifest = json.loads((site / "site" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"]


def article(**changes: Any) -> Article:
    base = Article(source="a.md", format="md", slug="a", headline="A", summary="S",
                   body=Html.of("<p>Body</p>"), date=NOW, tags=("harbour",))  # fmt: skip
    return replace(base, **changes)


def test_structure_keys_ignore_content_fields_only() -> None:
    plain = structure_key(article())
    for name, value in {"summary": "T", "body": Html.of("<p>x</p>"), "word_count": 9,
                        "chrome": ("Share",), "source_hash": "x", "language": "fr",
                        "extra": {"k": 1}}.items():  # fmt: skip
        assert name in CONTENT_FIELDS
        assert structure_key(article(**{name: value})) == plain
    for name, value in {"headline": "B", "slug": "b", "date": NOW - timedelta(days=1),
                        "tags": (), "section": "News", "draft": True, "comments": "closed",
                        "updated": NOW, "people": ("P",)}.items():  # fmt: skip
        assert structure_key(article(**{name: value})) != plain, name


def test_the_archive_never_reads_content_fields(site: Path) -> None:
    """Laying out the sample with every content field changed gives the same pages,
    in the same order, listing the same articles: what structure_key relies on."""
    config = load_config(site)
    articles, _ = pipeline.load_articles(config, pipeline.Diagnostics())
    changed = [replace(a, summary=a.summary[::-1], body=Html.of("<p>?</p>"), word_count=7,
                       chrome=(), source_hash=f"h{n}", language="fr", extra={"x": n})
               for n, a in enumerate(articles)]  # fmt: skip

    def layout(chosen: list[Article]) -> list[tuple[str, str, str, str]]:
        archive = build_archive(chosen, config, now=NOW, comments={})
        return [(p.path, p.template, p.title, _sources(p.context)) for p in archive.pages]

    assert layout(changed) == layout(articles)


def _sources(value: Any) -> str:
    """A context with every article replaced by its source."""
    if isinstance(value, Article):
        return value.source
    if isinstance(value, dict):
        return repr({k: _sources(v) for k, v in value.items()})
    if isinstance(value, (tuple, list)):
        return repr([_sources(v) for v in value])
    if hasattr(value, "__dataclass_fields__"):
        return repr([(f, _sources(getattr(value, f))) for f in value.__dataclass_fields__])
    return repr(value)


def test_patches_keep_compressed_siblings_right(site: Path, builds: Builds) -> None:
    config = site / "broadsheet.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "compress: true\n", encoding="utf-8")
    os.utime(config, (time.time() - 3000, time.time() - 3000))
    build(site, now=NOW)
    edit(site, RACE, "312 runners", "313 runners")
    build(site, now=NOW)
    assert builds.take() == ["full", "patch"]
    page = site / "site/2024/09/14/caldbeck-fell-race/index.html"
    assert "313 runners" in page.read_text(encoding="utf-8")
    assert page.with_name("index.html.gz").is_file()
    assert_a_full_build_agrees(site, builds)
