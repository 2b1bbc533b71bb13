"""Crash safety: a build killed at any moment leaves the previous output whole.

``broadsheet build`` writes a new tree beside the output and swaps it into
place (atomically on Linux), so a build killed with SIGKILL leaves either the
previous output or, if the kill came after the swap, the new complete one;
never a missing or partial folder.  The next build then succeeds and writes
exactly what a clean build writes, manifest included.

The main test builds a generated 300-article site, then five times: edits an
article and the theme (so that every page is rendered again), starts
``broadsheet build`` in a subprocess, kills its process group after a random
delay between zero and a typical build's duration (fixed seed), and checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from benchmarks.corpus import write as write_corpus

from broadsheet import build
from broadsheet.incremental import MANIFEST, listed_files
from broadsheet.output import recover_output, swap_into_place
from conftest import REPO, write

#: The CLI, run as ``broadsheet`` is: ``python -m broadsheet.cli`` does nothing (see
#: test_python_m_broadsheet_cli_builds).
CLI = [sys.executable, "-c", "from broadsheet.cli import main; main()"]
KILLS = 5
#: Kills at 0.01, 0.67, 0.10, 0.24 and 0.99 of a typical build's duration: during
#: start-up, reading and rendering (the previous output must stay), and about the
#: swap (either output, whole).
SEED = 1234
ARTICLES = 300


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with the digest of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }  # fmt: skip


def run_build(site: Path) -> float:
    """A complete CLI build; return its duration."""
    started = time.monotonic()
    done = subprocess.run([*CLI, "build", str(site), "-q"], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return time.monotonic() - started


class Watch(threading.Thread):
    """Checks, while a build runs, that the output folder is never missing or bare."""

    def __init__(self, out: Path) -> None:
        super().__init__(daemon=True)
        self.out = out
        self.stop = threading.Event()
        self.gaps: list[str] = []
        self.looks = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.looks += 1
            for required in (self.out / "index.html", self.out / MANIFEST):
                if not required.is_file():
                    self.gaps.append(f"{required.name} missing after {self.looks} looks")
            time.sleep(0.001)


def edit(site: Path, rng: random.Random, number: int) -> None:
    """Change one article and the theme, so that the next build renders every page."""
    articles = sorted((site / "content").rglob("*.md"))
    target = rng.choice(articles)
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("headline: ", f"headline: Edit {number} ", 1),
                      encoding="utf-8")  # fmt: skip
    theme = (REPO / "templates/base.html").read_text(encoding="utf-8")  # every page's frame
    write(site / "templates/base.html", theme + f"{{# edit {number} #}}\n")


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    site = tmp_path / "gazette"
    site.mkdir()
    write_corpus(site, ARTICLES)
    assert "search: false" in (site / "broadsheet.yaml").read_text(encoding="utf-8")
    return site


def test_a_killed_build_leaves_a_complete_output(corpus: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    out = corpus / "site"
    run_build(corpus)
    edit(corpus, rng, 0)
    typical = run_build(corpus)
    before = tree(out)
    outcomes = []
    for number in range(1, KILLS + 1):
        day = today()
        edit(corpus, rng, number)
        delay = rng.uniform(0, typical)
        watch = Watch(out)
        watch.start()
        process = subprocess.Popen([*CLI, "build", str(corpus), "-q"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        finished = process.poll() is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the build and its worker processes
        process.wait(timeout=30)
        watch.stop.set()
        watch.join()
        assert watch.gaps == [], f"kill {number}: the output was missing: {watch.gaps[:3]}"
        assert out.is_dir(), f"kill {number} after {delay:.2f} s: no output folder"
        after = tree(out)
        run_build(corpus)
        complete = tree(out)
        if after == before:
            outcomes.append("previous")
        else:
            # Killed after the swap: the output must be the new, complete one.
            assert after == complete, (
                f"kill {number} after {delay:.2f} s left a partial output: "
                f"{len(set(after) ^ set(complete))} files differ in name")
            outcomes.append("new")
        clean = tmp_path / f"clean-{number}"
        build(corpus, clean, clean=True)
        if today() == day:  # the home page links to today's "on this day" page
            expected = tree(clean)
            differing = sorted(k for k in set(expected) | set(complete)
                               if expected.get(k) != complete.get(k))  # fmt: skip
            assert differing == [], f"after kill {number}, the build differs: {differing[:5]}"
        shutil.rmtree(clean)
        before = complete
        assert not (finished and outcomes[-1] == "previous"), "a full build changed nothing"
    # Kills before the swap (at least the three earliest) left the previous output.
    assert outcomes.count("previous") >= 3, outcomes


def test_a_killed_patch_rebuild_leaves_a_complete_output(corpus: Path, tmp_path: Path) -> None:
    """The same, for patch rebuilds (:mod:`broadsheet.patch`): only an article's text
    changes each time, and the kill comes within a typical patch's duration.  The
    page store must never describe an output it does not match."""
    rng = random.Random(SEED + 1)
    out = corpus / "site"
    run_build(corpus)
    articles = sorted((corpus / "content").rglob("*.md"))

    def append_paragraph(number: int) -> None:
        target = rng.choice(articles)
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"\nA paragraph added by edit {number}.\n")

    append_paragraph(0)
    typical = run_build(corpus)
    for number in range(1, KILLS + 1):
        day = today()
        append_paragraph(number)
        watch = Watch(out)
        watch.start()
        process = subprocess.Popen([*CLI, "build", str(corpus), "-q"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0, typical))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        watch.stop.set()
        watch.join()
        assert watch.gaps == [], f"kill {number}: the output was missing: {watch.gaps[:3]}"
        run_build(corpus)
        clean = tmp_path / f"clean-{number}"
        build(corpus, clean, clean=True)
        if today() == day:
            assert tree(out) == tree(clean), f"after kill {number}, the rebuild differs"
        shutil.rmtree(clean)
        # (The clean build above wrote the store for its own output: the next rebuild of
        # out declines the patch, builds in full, and the one after patches again.)
        run_build(corpus)


def test_recover_output_restores_the_previous_output(tmp_path: Path) -> None:
    """Where folders cannot be exchanged atomically, a crash between the two renames
    leaves the old output beside its name; the next build puts it back."""
    out = tmp_path / "site"
    old = tmp_path / ".site.old-4242"
    write(old / "index.html", "previous")
    recover_output(out)
    assert (out / "index.html").read_text(encoding="utf-8") == "previous"
    assert not old.exists()
    write(tmp_path / ".site.old-4243" / "index.html", "older")
    recover_output(out)  # an existing output is left alone
    assert (out / "index.html").read_text(encoding="utf-8") == "previous"


def test_swap_without_atomic_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.import_module("broadsheet.output"), "_exchange",
                        lambda a, b: False)  # fmt: skip
    out, staging = tmp_path / "site", tmp_path / ".site.new-1"
    write(out / "index.html", "old")
    write(staging / "index.html", "new")
    swap_into_place(staging, out)
    assert (out / "index.html").read_text(encoding="utf-8") == "new"
    assert not staging.exists()


def test_a_killed_build_leaves_nothing_behind_after_the_next(tmp_path: Path) -> None:
    site = tmp_path / "gazette"
    site.mkdir()
    write_corpus(site, 120)
    run_build(site)
    # Every page extends base.html, so every page is rendered again.
    write(site / "templates/base.html",
          (REPO / "templates/base.html").read_text(encoding="utf-8") + "{# changed #}\n")
    process = subprocess.Popen([*CLI, "build", str(site), "-q"], start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    stop = time.monotonic() + 60
    staging: list[Path] = []
    while time.monotonic() < stop and process.poll() is None:
        staging = list(site.glob(".site.new-*"))
        if staging and sum(1 for _ in staging[0].rglob("*.html")) > 20:
            break
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert staging, "the build finished before it could be killed mid-write"
    run_build(site)

    def leftovers() -> list[str]:
        return sorted(p.name for p in site.iterdir() if p.name.startswith("."))

    # The killed build's staging folder is deleted, and the previous output is
    # tidied into the spare by a background process.
    stop = time.monotonic() + 30
    while leftovers() != [".broadsheet-cache", ".site.spare"] and time.monotonic() < stop:
        time.sleep(0.05)
    assert leftovers() == [".broadsheet-cache", ".site.spare"]
    spare = site / ".site.spare"
    listed = listed_files(spare)
    assert listed is not None
    assert {p.relative_to(spare).as_posix() for p in spare.rglob("*") if p.is_file()} <= listed


def test_python_m_broadsheet_cli_builds(tmp_path: Path) -> None:
    write(tmp_path / "content/2024-01-02-a.txt", "A\n\nBody\n")
    done = subprocess.run([sys.executable, "-m", "broadsheet.cli", "build", str(tmp_path), "-q"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0
    assert (tmp_path / "site/2024/01/02/a/index.html").is_file()
