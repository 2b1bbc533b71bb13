"""Reading ahead (broadsheet.output.prefetch): what a build reads or overwrites is
asked of the disk before it is needed, so a folder that is no longer in memory
costs one wait for many files instead of one per file."""

from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path

import pytest

from broadsheet.config import load_config
from broadsheet.errors import Diagnostics
from broadsheet.output import PAGE_SIZE, prefetch

pipeline = importlib.import_module("broadsheet.pipeline")

pytestmark = pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="needs posix_fadvise")


def record_advice(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    """Every read-ahead asked for from now on: (file, offset, length)."""
    asked: list[tuple[str, int, int]] = []
    real = os.posix_fadvise

    def fadvise(descriptor: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_WILLNEED
        asked.append((os.readlink(f"/proc/self/fd/{descriptor}"), offset, length))
        real(descriptor, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", fadvise)
    return asked


def test_only_the_page_a_file_ends_in_is_asked_for_unless_all_of_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = record_advice(monkeypatch)
    page = tmp_path / "index.html"
    page.write_bytes(b"x" * (2 * PAGE_SIZE + 10))
    empty = tmp_path / "empty.html"
    empty.touch()
    prefetch(page)
    prefetch(page, whole=True)
    prefetch(empty)  # nothing to read
    assert asked == [(str(page), 2 * PAGE_SIZE, PAGE_SIZE), (str(page), 0, 0)]


def test_a_missing_file_or_a_fifo_is_passed_over(tmp_path: Path) -> None:
    prefetch(tmp_path / "absent.html")  # no error
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    # Opening a FIFO to read waits for a writer: the read-ahead must not.
    worker = threading.Thread(target=prefetch, args=(fifo,), kwargs={"whole": True}, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "prefetch blocked on a FIFO"


def test_every_source_is_asked_for_before_it_is_loaded(
    sample_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = record_advice(monkeypatch)
    loaded_before_asked: list[str] = []
    real_load = pipeline.load_source

    def load_source(source: object, **options: object) -> object:
        path = str(source.path)  # type: ignore[attr-defined]
        if path not in {name for name, _, _ in asked}:
            loaded_before_asked.append(path)
        return real_load(source, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "load_source", load_source)
    articles, _ = pipeline.load_articles(load_config(sample_site), Diagnostics(), jobs=1)
    sources = {str(p.resolve()) for p in (sample_site / "content").rglob("*")
               if p.suffix in {".md", ".txt"}}  # fmt: skip
    assert articles and loaded_before_asked == []
    assert sources <= {name for name, offset, length in asked if (offset, length) == (0, 0)}
