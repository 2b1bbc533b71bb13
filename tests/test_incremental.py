"""Incremental and parallel builds write exactly what a clean build writes.

A property test applies random sequences of edits (add, edit, reword, delete
and rename articles, add comments, override a template, change the config;
rewording only changes an article's text, which patch rebuilds take),
builds incrementally after each, and compares the whole output tree with a
clean build of the final state.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from benchmarks.corpus import write as write_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet import build
from broadsheet.incremental import MANIFEST
from conftest import write

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def tidy_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tidy each previous output into the spare before the build returns, so that
    every rebuild here goes through the spare (tests/test_spare.py)."""
    monkeypatch.setattr(importlib.import_module("broadsheet.output"), "TIDY_IN_BACKGROUND",
                        False)  # fmt: skip
CONFIG = "title: T\nbase_url: https://example.org/\nsearch: false\nper_page: {per_page}\n"
HEADLINES = ["Harbour opens", "Ferry delayed", "Market returns", "Storm damage", "Budget vote"]
TAGS = ["harbour", "ferry", "council", "weather"]
DATES = ["2024-01-02", "2024-01-03", "2023-01-02", "2024-02-10"]


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }  # fmt: skip


def article_text(headline: str, tags: list[str], date: str, body: str, fmt: str) -> str:
    if fmt == "md":
        return (f"---\nheadline: {headline}\ndate: {date}\ntags: [{', '.join(tags)}]\n---\n"
                f"{body}\n")  # fmt: skip
    return f"{headline}\n\n{body}\n\nBe the first to comment\n"


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 4), st.sampled_from(HEADLINES),
                  st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
                  st.sampled_from(DATES), st.sampled_from(["md", "txt"])),
        st.tuples(st.just("edit"), st.integers(0, 4), st.sampled_from(HEADLINES),
                  st.lists(st.sampled_from(TAGS), max_size=2, unique=True)),
        st.tuples(st.just("reword"), st.integers(0, 4), st.integers(0, 3)),
        st.tuples(st.just("delete"), st.integers(0, 4)),
        st.tuples(st.just("rename"), st.integers(0, 4)),
        st.tuples(st.just("comment"), st.integers(0, 4)),
        st.tuples(st.just("template"), st.booleans()),
        st.tuples(st.just("config"), st.sampled_from([2, 3])),
    ),
    min_size=1,
    max_size=5,
)


class Site:
    """A small site that the operations change."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[int, Path] = {}
        self.renames = 0
        # Every write gets its own time, a day ago: no file is racy (written within two
        # seconds of a scan), so rebuilds may take every path, patches included.
        self.clock = time.time() - 86400
        self.write(root / "broadsheet.yaml", CONFIG.format(per_page=2))
        for number in range(2):
            self.apply(("add", number, HEADLINES[number], [TAGS[number]], DATES[number], "md"))

    def write(self, path: Path, text: str) -> None:
        write(path, text)
        self.clock += 1
        os.utime(path, (self.clock, self.clock))

    def apply(self, op: tuple) -> None:  # type: ignore[type-arg]
        kind, *args = op
        getattr(self, kind)(*args)

    def add(self, n: int, headline: str, tags: list[str], date: str, fmt: str) -> None:
        if n in self.files:
            return
        path = self.root / f"content/news/{date}-story-{n}.{fmt}"
        self.write(path, article_text(headline, tags, date, f"Body of story {n}.", fmt))
        self.files[n] = path

    def edit(self, n: int, headline: str, tags: list[str]) -> None:
        if n not in self.files:
            return
        path = self.files[n]
        date = path.name[:10]
        body = f"Edited body of story {n}, {headline.lower()}."
        self.write(path, article_text(headline, tags, date, body, path.suffix[1:]))

    def reword(self, n: int, version: int) -> None:
        """Change the body alone: the article keeps its place (a patch rebuild)."""
        if n not in self.files:
            return
        path = self.files[n]
        text = path.read_text(encoding="utf-8")
        start = text.index("Body of story") if "Body of story" in text else None
        if start is None:
            start = text.index("Edited body of story")
        end = text.index("\n", start)
        self.write(path, text[:start] + f"Body of story {n}, version {version}." + text[end:])

    def delete(self, n: int) -> None:
        if n in self.files:
            self.files.pop(n).unlink()

    def rename(self, n: int) -> None:
        if n in self.files:
            self.renames += 1
            old = self.files[n]
            new = old.with_name(f"{old.name[:10]}-moved-{self.renames}-{n}{old.suffix}")
            old.rename(new)
            self.files[n] = new

    def comment(self, n: int) -> None:
        if n not in self.files:
            return
        slug = self.files[n].stem[11:]
        folder = self.root / "content/comments" / slug
        number = len(list(folder.glob("*.yaml"))) if folder.is_dir() else 0
        ident = f"c{n}x{number}aaaa"
        self.write(folder / f"20240105T10000{number}Z-{ident}.yaml",
              f"id: {ident}\nname: Reader {number}\ndate: 2024-01-05T10:00:0{number}Z\n"
              f"body: Comment {number} on story {n}.\n")  # fmt: skip

    def template(self, on: bool) -> None:
        override = self.root / "templates/404.html"
        if on:
            self.write(override, "{% extends 'base.html' %}{% block main %}Lost{% endblock %}\n")
        elif override.exists():
            override.unlink()

    def config(self, per_page: int) -> None:
        self.write(self.root / "broadsheet.yaml", CONFIG.format(per_page=per_page))


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=operations)
def test_incremental_builds_equal_a_clean_build(tmp_path_factory: pytest.TempPathFactory,
                                                ops: list[tuple]) -> None:  # type: ignore[type-arg]
    root = tmp_path_factory.mktemp("incremental")
    site = Site(root)
    out = root / "site"
    build(root, out, now=NOW, jobs=1)
    for op in ops:
        site.apply(op)
        build(root, out, now=NOW, jobs=1)
    clean = root / "clean"
    build(root, clean, now=NOW, jobs=1, clean=True)
    assert tree(out) == tree(clean)


def test_a_rebuild_with_nothing_changed_writes_nothing(sample_site: Path) -> None:
    out = sample_site / "site"
    build(sample_site, now=NOW)
    before = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    build(sample_site, now=NOW)
    after = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    assert after == before, "the output was left exactly as it was (same files, same inodes)"


def test_a_rebuild_renders_only_what_changed(sample_site: Path) -> None:
    out = sample_site / "site"
    build(sample_site, now=NOW)
    inodes = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*.html")}
    source = sample_site / "content/sport/2024-09-14-caldbeck-fell-race.txt"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "Record field", "Record-breaking field", 1), encoding="utf-8")  # fmt: skip
    build(sample_site, now=NOW)
    changed = sorted(rel for rel, inode in inodes.items()
                     if (out / rel).stat().st_ino != inode)  # fmt: skip
    assert "2024/09/14/caldbeck-fell-race/index.html" in changed
    assert "2023/03/14/harbour-wall-repairs/index.html" not in changed
    assert 0 < len(changed) < len(inodes) / 2, changed
    clean = sample_site / "clean"
    build(sample_site, clean, now=NOW, clean=True)
    assert tree(out) == tree(clean)


def test_stray_files_in_the_output_are_removed_by_the_next_build(sample_site: Path) -> None:
    out = sample_site / "site"
    build(sample_site, now=NOW)
    (out / "stray.html").write_text("x", encoding="utf-8")
    build(sample_site, now=NOW)
    assert not (out / "stray.html").exists()


def test_parallel_and_serial_builds_are_byte_identical(tmp_path: Path) -> None:
    write_corpus(tmp_path, 60, seed=7)
    (tmp_path / "broadsheet.yaml").write_text(
        "title: G\nbase_url: https://g.example/\nsearch: false\n", encoding="utf-8")
    serial = tmp_path / "serial"
    parallel = tmp_path / "parallel"
    build(tmp_path, serial, now=NOW, jobs=1, clean=True)
    build(tmp_path, parallel, now=NOW, jobs=2, clean=True)
    files = tree(serial)
    assert len(files) > 300
    assert tree(parallel) == files
    assert (serial / MANIFEST).is_file()
