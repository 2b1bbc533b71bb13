"""Work spread over processes (broadsheet.parallel) and how the pipeline uses it."""

from __future__ import annotations

import importlib
import multiprocessing
from pathlib import Path

import pytest

from broadsheet.config import load_config
from broadsheet.errors import Diagnostics
from broadsheet.parallel import pimap, pmap

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
