"""records.fast_pickle: the same pickled state as dataclasses' own, found faster."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import datetime, timezone
from typing import Any

import pytest

from broadsheet.comments import Comment, ThreadNode
from broadsheet.errors import Diagnostic
from broadsheet.feeds import FeedSpec
from broadsheet.graph import Link, Pagination, PeriodSummary, Taxonomy, TermRef, TermSummary
from broadsheet.loaders import LoadResult, Source
from broadsheet.model import Article, Correction, Html
from broadsheet.records import fast_pickle


def _record(name: str) -> Any:
    """One record type, made the same way each time (then pickled as from this module)."""
    fields = [("name", str), ("count", int, dataclasses.field(default=0)),
              ("tags", tuple, dataclasses.field(default=()))]  # fmt: skip
    kind = dataclasses.make_dataclass(name, fields, frozen=True, slots=True)
    kind.__module__ = __name__
    return kind


Plain = _record("Plain")
Fast = fast_pickle(_record("Fast"))


@fast_pickle
@dataclasses.dataclass(frozen=True, slots=True)
class One:
    only: str


def test_the_state_is_dataclasses_own() -> None:
    plain, fast = Plain("a", 2, ("x",)), Fast("a", 2, ("x",))
    assert fast.__getstate__() == plain.__getstate__() == ["a", 2, ("x",)]
    assert type(fast.__getstate__()) is list
    assert One("z").__getstate__() == ["z"]


def test_a_record_round_trips_and_reads_dataclasses_state() -> None:
    fast = Fast("a", 2, ("x",))
    assert pickle.loads(pickle.dumps(fast, pickle.HIGHEST_PROTOCOL)) == fast
    restored = Fast.__new__(Fast)
    restored.__setstate__(Plain("b", 3).__getstate__())
    assert restored == Fast("b", 3)
    assert pickle.loads(pickle.dumps(One("z"))) == One("z")


ARTICLE = Article(
    source="content/a.md", format="markdown", slug="a", headline="A", summary="s",
    body=Html("<p>b</p>"), date=datetime(2024, 3, 14, tzinfo=timezone.utc),
    corrections=(Correction(datetime(2024, 3, 15, tzinfo=timezone.utc), "fixed"),),
    url="2024/03/14/a/",
)  # fmt: skip

RECORDS = [
    ARTICLE,
    Link("Home", ""),
    TermRef("tag", "Harbour", "harbour", "tags/harbour/"),
    Diagnostic("content/a.md", 3, 1, "bad"),
    LoadResult(ARTICLE, (Diagnostic("content/a.md", None, None, "w", "warning"),)),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_broadsheets_records_round_trip_with_every_field(record: object) -> None:
    again = pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
    assert again == record
    names = [f.name for f in dataclasses.fields(record)]  # type: ignore[arg-type]
    assert record.__getstate__() == [getattr(record, n) for n in names]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "kind",
    [Article, Correction, Link, TermRef, TermSummary, PeriodSummary, Pagination, Taxonomy,
     Source, LoadResult, Diagnostic, FeedSpec, Comment, ThreadNode],
    ids=lambda k: k.__name__,
)  # fmt: skip
def test_the_records_that_cross_processes_pickle_fast(kind: type) -> None:
    assert kind.__getstate__.__module__ == "broadsheet.records"
    assert kind.__setstate__.__module__ == "broadsheet.records"
