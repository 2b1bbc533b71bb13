"""The article cache: unchanged sources are not read again, and a few edits are
saved as a small delta beside the whole cache instead of rewriting it."""

from __future__ import annotations

import importlib
import os
import pickle
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from broadsheet import build
from broadsheet.incremental import ARTICLE_CACHE, CACHE_DIR, DELTA_CACHE

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
pipeline = importlib.import_module("broadsheet.pipeline")
incremental = importlib.import_module("broadsheet.incremental")


def age(root: Path, seconds: float = 3600) -> None:
    """Give ``root`` (a file, or every file under a folder) an old modification time."""
    when = time.time() - seconds
    for path in [root] if root.is_file() else root.rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))


class Reads:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sources: list[str] = []
        real = pipeline.load_source

        def reading(source: Any, **kwargs: Any) -> Any:
            self.sources.append(source.rel)
            return real(source, **kwargs)

        monkeypatch.setattr(pipeline, "load_source", reading)

    def take(self) -> list[str]:
        taken, self.sources = sorted(self.sources), []
        return taken


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    return Reads(monkeypatch)


def rebuild(site: Path, **options: Any) -> None:
    # Past the build stamp (which would skip the build), so the cache is consulted.
    (site / CACHE_DIR / "build-stamp.json").unlink(missing_ok=True)
    build(site, now=NOW, jobs=1, **options)


ARTICLE = "content/sport/2024-09-14-caldbeck-fell-race.txt"


def test_only_changed_sources_are_read_and_saved_as_a_delta(sample_site: Path,
                                                            reads: Reads) -> None:
    age(sample_site)
    rebuild(sample_site)
    everything = reads.take()
    assert len(everything) == 12
    cache = sample_site / CACHE_DIR
    base = (cache / ARTICLE_CACHE).stat()
    assert not (cache / DELTA_CACHE).exists()
    rebuild(sample_site)
    assert reads.take() == []
    article = sample_site / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "\nA new paragraph.\n",
                       encoding="utf-8")  # fmt: skip
    age(article, 1800)  # old enough not to be racy, and not the time it had
    rebuild(sample_site)
    assert reads.take() == [ARTICLE]
    assert (cache / DELTA_CACHE).is_file()
    assert (cache / ARTICLE_CACHE).stat().st_mtime_ns == base.st_mtime_ns, "base untouched"
    rebuild(sample_site)
    assert reads.take() == [], "the delta is read back"
    (sample_site / ARTICLE).unlink()
    rebuild(sample_site)
    assert reads.take() == []
    out = sample_site / "site"
    assert not (out / "2024/09/14/caldbeck-fell-race").exists()


def test_a_large_delta_is_folded_into_a_new_base(sample_site: Path, reads: Reads,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(incremental, "DELTA_LIMIT", 1)
    age(sample_site)
    rebuild(sample_site)
    reads.take()
    cache = sample_site / CACHE_DIR
    for path in sorted((sample_site / "content").rglob("*.md"))[:3]:
        path.write_text(path.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        age(path, 1800)
    rebuild(sample_site)
    assert len(reads.take()) == 3
    assert not (cache / DELTA_CACHE).exists(), "three changes of twelve: a new base"
    rebuild(sample_site)
    assert reads.take() == []


def test_a_recently_modified_source_is_read_until_it_is_old_enough(sample_site: Path,
                                                                 reads: Reads) -> None:
    age(sample_site)
    (sample_site / ARTICLE).touch()  # modified now: a second edit could keep its stamp
    rebuild(sample_site)
    reads.take()
    rebuild(sample_site)
    assert reads.take() == [ARTICLE]
    age(sample_site / ARTICLE)
    rebuild(sample_site)
    assert reads.take() == [ARTICLE], "stamp changed by aging"
    rebuild(sample_site)
    assert reads.take() == []


@pytest.mark.parametrize("damage", ["garbage", "other-base"])
def test_a_damaged_or_foreign_delta_is_ignored(sample_site: Path, reads: Reads,
                                               damage: str) -> None:
    age(sample_site)
    rebuild(sample_site)
    article = sample_site / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    age(article, 1800)
    rebuild(sample_site)
    reads.take()
    delta = sample_site / CACHE_DIR / DELTA_CACHE
    if damage == "garbage":
        delta.write_bytes(b"not a pickle")
        rebuild(sample_site)
        assert reads.take() == [ARTICLE], "without the delta, the edited source is read again"
        return
    # A delta naming another base would, if applied, drop the article's entry.
    with (sample_site / CACHE_DIR / ARTICLE_CACHE).open("rb") as file:
        key, _, _ = pickle.load(file)
    with delta.open("wb") as file:
        pickle.dump((key, time.time_ns(), "another-base"), file)
        pickle.dump({"content/news/bus-timetable-cuts.md": None}, file)
    rebuild(sample_site)
    assert reads.take() == [ARTICLE], "the foreign delta is not applied; the real one is gone"
