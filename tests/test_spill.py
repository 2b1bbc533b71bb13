"""Bodies kept in a file instead of memory (broadsheet.spill, Html.spill): the
same values, the same pickles, the same site."""

from __future__ import annotations

import copy
import errno
import hashlib
import importlib
import os
import pickle
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broadsheet import build
from broadsheet.config import load_config
from broadsheet.errors import Diagnostics
from broadsheet.incremental import CACHE_DIR
from broadsheet.model import Html
from broadsheet.spill import BodyFile

pipeline = importlib.import_module("broadsheet.pipeline")
parallel = importlib.import_module("broadsheet.parallel")
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }  # fmt: skip


@given(texts=st.lists(st.text(), min_size=1, max_size=20), compress=st.booleans())
def test_a_spilled_fragment_is_the_same_value(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], compress: bool
) -> None:
    into = BodyFile(tmp_path_factory.mktemp("spill"))
    kept = [Html.of(text, compress) for text in texts]
    spilled = [Html.of(text, compress) for text in texts]
    for fragment in spilled:
        fragment.spill(into)
        fragment.spill(into)  # a second time changes nothing
    for text, before, after in zip(texts, kept, spilled, strict=True):
        assert after._packed == b""  # the bytes really left memory
        assert str(after) == text == after.__html__()
        assert after == before and before == after and hash(after) == hash(before)
        assert pickle.dumps(after, 5) == pickle.dumps(before, 5)
        assert pickle.dumps(after, 2) == pickle.dumps(before, 2)
        assert pickle.loads(pickle.dumps(after)) == before
        assert copy.deepcopy(after) == before and repr(after) == repr(before)


def test_a_fragment_cannot_be_changed() -> None:
    fragment = Html.of("<p>x</p>")
    with pytest.raises(AttributeError, match="immutable"):
        fragment._packed = b""  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del fragment._packed
    assert str(fragment) == "<p>x</p>"


def test_the_pickle_of_a_fragment_is_the_one_older_builds_wrote() -> None:
    # Article caches and page stores hold these pickles: the format must not move.
    written = (b"\x80\x05\x950\x00\x00\x00\x00\x00\x00\x00\x8c\x10broadsheet.model\x94\x8c\x04"
               b"Html\x94\x93\x94)\x81\x94]\x94C\t\x00<p>x</p>\x94ab.")  # fmt: skip
    assert pickle.dumps(Html.of("<p>x</p>", compress=False), 5) == written
    assert str(pickle.loads(written)) == "<p>x</p>"


def test_reads_see_what_is_still_gathered(tmp_path: Path) -> None:
    into = BodyFile(tmp_path)
    where = into.write(b"abc")
    assert into.read(*where) == b"abc"  # not written out yet
    big = bytes(range(256)) * 5000  # past the chunk size: written out at once
    where_big = into.write(big)
    assert into.read(*where_big) == big and into.read(*where) == b"abc"
    into.flush()
    assert into.read(*where) == b"abc"
    assert list(tmp_path.iterdir()) == []  # the file has no name


def test_what_the_disk_does_not_take_stays_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    into = BodyFile(tmp_path)
    pieces = [bytes([n]) * 300_000 for n in range(8)]  # 2.4 MB: flushed twice on the way
    written = os.pwrite
    calls = 0

    def unreliable(fd: int, data: bytes, offset: int) -> int:
        nonlocal calls
        calls += 1
        if calls % 3 == 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return written(fd, memoryview(data)[: len(data) // 2 + 1], offset)  # half at a time

    monkeypatch.setattr(os, "pwrite", unreliable)
    places = []
    for number, piece in enumerate(pieces):
        places.append(into.write(piece))
        # Some went out, some stayed; a body may straddle the two.
        assert [into.read(*where) for where in places] == pieces[: number + 1]
    into.flush()
    assert calls > 3
    assert [into.read(*where) for where in places] == pieces
    monkeypatch.setattr(os, "pwrite", written)
    into.flush()
    assert [into.read(*where) for where in places] == pieces


def test_a_site_whose_cache_folder_cannot_hold_the_file_keeps_bodies_in_memory(
    sample_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (sample_site / CACHE_DIR).write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setattr(pipeline, "COMPRESS_ABOVE", 0)
    articles, failed = pipeline.load_articles(load_config(sample_site), Diagnostics(), jobs=1)
    assert failed == 0 and len(articles) == 12
    assert all(a.body._spilled is None and a.body_html for a in articles)


def test_a_large_archive_spills_every_body(sample_site: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    config = load_config(sample_site)
    monkeypatch.setattr(pipeline, "COMPRESS_ABOVE", 0)
    for use_cache in (False, True, True):  # without a cache, writing one, reading it
        articles, failed = pipeline.load_articles(config, Diagnostics(), jobs=2,
                                                  use_cache=use_cache)  # fmt: skip
        assert failed == 0 and len(articles) == 12
        assert all(a.body._spilled is not None for a in articles)
        assert all(a.body_html.startswith("<") for a in articles)
    monkeypatch.setattr(pipeline, "COMPRESS_ABOVE", 20_000)
    articles, _ = pipeline.load_articles(config, Diagnostics(), use_cache=False)
    assert all(a.body._spilled is None for a in articles)


def test_a_site_built_from_spilled_bodies_is_the_same(
    sample_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forked workers read the bodies from the file the main process wrote.
    config = sample_site / "broadsheet.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "search: false\n", encoding="utf-8")
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    monkeypatch.setattr(pipeline, "COMPRESS_ABOVE", 0)
    build(sample_site, now=NOW, jobs=2)
    spilled = tree(sample_site / "site")
    cache = tree(sample_site / CACHE_DIR)
    monkeypatch.setattr(Html, "spill", lambda self, into: None)
    build(sample_site, now=NOW, jobs=2, clean=True)
    assert tree(sample_site / "site") == spilled  # pages, feeds and every digest
    assert tree(sample_site / CACHE_DIR).keys() == cache.keys()
