"""Work spread over processes (broadsheet.parallel) and how the pipeline uses it."""

from __future__ import annotations

import gc
import importlib
import multiprocessing
from pathlib import Path

import pytest

from broadsheet.config import load_config
from broadsheet.errors import Diagnostics
from broadsheet.parallel import pimap, pmap, pstart

pipeline = importlib.import_module("broadsheet.pipeline")
parallel = importlib.import_module("broadsheet.parallel")


def _square(number: int) -> int:
    return number * number


def test_results_come_in_order_on_one_process_or_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    items = list(range(300))
    expected = [n * n for n in items]
    assert pmap(_square, items, 1) == list(pimap(_square, items, 2)) == expected
    assert pmap(_square, items, 2, chunk=7) == expected
    assert multiprocessing.active_children() == []


def test_started_work_runs_while_this_process_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    items = list(range(300))
    pending = pstart(_square, items, 2)
    assert len(multiprocessing.active_children()) == 2  # started, not yet asked for
    assert pending.result() == [n * n for n in items]
    assert multiprocessing.active_children() == []
    assert gc.get_freeze_count() == 0  # the parent's objects are collected again


def test_started_work_can_be_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    pending = pstart(_square, list(range(300)), 2)
    pending.cancel()
    pending.cancel()  # twice is harmless
    assert multiprocessing.active_children() == []
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError, match="cancelled"):
        pending.result()


def test_started_work_without_workers_is_done_when_asked_for() -> None:
    done: list[int] = []

    def note(number: int) -> int:
        done.append(number)
        return number

    pending = pstart(note, [1, 2, 3], 1)
    assert done == [] and multiprocessing.active_children() == []
    assert pending.result() == [1, 2, 3] == done


def test_reading_workers_stop_when_taking_in_a_result_fails(
    sample_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    taken: list[object] = []

    def failing(result: object, spill: object) -> object:
        taken.append(result)
        if len(taken) == 3:
            raise RuntimeError("taking in failed")
        return result

    monkeypatch.setattr(pipeline, "_spilled", failing)
    with pytest.raises(RuntimeError, match="taking in failed") as caught:
        pipeline.load_articles(load_config(sample_site), Diagnostics(), jobs=2)
    # The traceback still holds the loop's frame; the workers are gone all the same.
    assert caught.traceback and multiprocessing.active_children() == []


def _collecting(_: int) -> bool:
    return gc.isenabled()


def test_collector_paused_restores_what_was_there() -> None:
    assert gc.isenabled()
    with pipeline.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with pipeline.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_workers_collect_while_the_parent_has_collection_paused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    with pipeline.collector_paused():
        assert set(pstart(_collecting, list(range(40)), 2).result()) == {True}
        assert set(pimap(_collecting, list(range(40)), 2)) == {True}
