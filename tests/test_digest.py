"""Page digests: equal exactly when what a page is made of is equal."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from broadsheet.graph import Pagination
from broadsheet.incremental import Digester
from broadsheet.model import Article, Html, Page

WHEN = datetime(2024, 3, 14, 9, 30, tzinfo=timezone.utc)


def article(**changes: object) -> Article:
    base = Article(source="a.md", format="md", slug="a", headline="A", summary="S",
                   body=Html.of("<p>Body</p>"), date=WHEN, tags=("harbour",))  # fmt: skip
    return replace(base, **changes)


def digest(context: dict[str, object], template: str = "term.html", url: str = "x/") -> str:
    return Digester(b"base").page(Page(url, template, context))


@given(st.lists(st.text(max_size=4), max_size=4), st.lists(st.text(max_size=4), max_size=4))
def test_different_sequences_of_strings_never_share_a_digest(a: list[str], b: list[str]) -> None:
    assert (digest({"x": tuple(a)}) == digest({"x": tuple(b)})) == (a == b)


def test_every_field_of_a_listed_record_counts() -> None:
    plain = digest({"articles": (article(),), "pagination": Pagination(1, 2, "x/")})
    assert digest({"articles": (article(),), "pagination": Pagination(1, 2, "x/")}) == plain
    for changed in (article(body=Html.of("<p>Body.</p>")), article(tags=("ferry",)),
                    article(url="2024/a/"), article(date=None)):  # fmt: skip
        assert digest({"articles": (changed,), "pagination": Pagination(1, 2, "x/")}) != plain
    assert digest({"articles": (article(),), "pagination": Pagination(2, 2, "x/")}) != plain
    assert digest({"articles": (article(),), "pagination": Pagination(1, 2, "x/")},
                  template="period.html") != plain  # fmt: skip


def test_a_record_listed_twice_is_digested_once_and_consistently() -> None:
    shared = article()
    digester = Digester(b"base")
    first = digester.page(Page("x/", "term.html", {"articles": (shared, shared)}))
    assert len([k for k in digester.memo if k == id(shared)]) == 1
    # Which equal values are one object does not matter (a cached article shares
    # strings differently from a freshly read one).
    assert first == Digester(b"base").page(Page("x/", "term.html",
                                                {"articles": (article(), article())}))
    split = article(section="".join(["Bus", "iness"]), tags=("".join(["Bus", "iness"]),))
    joined_word = "Business"
    joined = article(section=joined_word, tags=(joined_word,))
    assert Digester(b"b").page(Page("x/", "t", {"a": split})) == Digester(b"b").page(
        Page("x/", "t", {"a": joined}))


def test_digests_do_not_depend_on_the_process() -> None:
    # Sets are sorted before hashing: string hashing differs from process to process.
    code = ("from broadsheet.incremental import Digester; from broadsheet.model import Page; "
            "print(Digester(b'b').page(Page('x/', 't', {'tags': frozenset({'a', 'b', 'c'})})))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": str(seed)}).stdout
            for seed in (1, 2, 3)}  # fmt: skip
    assert len(runs) == 1


def test_every_part_of_a_date_and_time_in_a_context_counts() -> None:
    # Site-map entries hold plain datetimes, which are digested as their ISO text
    # when that says all of them, and pickled otherwise (a named zone).
    entries = digest({"entries": (("a/", WHEN), ("b/", None))}, template="sitemap")
    assert digest({"entries": (("a/", WHEN), ("b/", None))}, template="sitemap") == entries
    others = [WHEN.replace(microsecond=1), WHEN.replace(tzinfo=None),
              WHEN.astimezone(timezone(timedelta(hours=2))),
              WHEN.astimezone(ZoneInfo("Europe/Paris")), WHEN.isoformat()]  # fmt: skip
    found = {digest({"entries": (("a/", other), ("b/", None))}, template="sitemap")
             for other in others}  # fmt: skip
    assert len(found) == len(others) and entries not in found
