"""The spare tree: a rebuild updates the build before last instead of re-creating a tree.

After each build the previous output is tidied (files its manifest does not
list are deleted) and kept beside the output as ``.site.spare``; the next build
takes it as its staging folder.  Spare and output share unchanged files by hard
link, so the tests check that no build writes through a link into the live
output, that stray files never come back, and that every result equals a clean
build.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from broadsheet import build
from broadsheet.incremental import MANIFEST, listed_files
from conftest import write

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
output_module = importlib.import_module("broadsheet.output")


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }  # fmt: skip


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


@pytest.fixture(autouse=True)
def tidy_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output_module, "TIDY_IN_BACKGROUND", False)


def edit(site: Path, old: str, new: str) -> None:
    path = site / "content/sport/2024-09-14-caldbeck-fell-race.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_rebuilds_through_the_spare_equal_clean_builds(sample_site: Path) -> None:
    out, spare = sample_site / "site", sample_site / ".site.spare"
    build(sample_site, now=NOW)
    assert not spare.exists(), "the first build has no previous output to keep"
    edits = [("Record field", "Record-breaking field"), ("Record-breaking", "Recorded"),
             ("Recorded", "Record")]  # fmt: skip
    for number, (old, new) in enumerate(edits):
        edit(sample_site, old, new)
        write(sample_site / f"content/news/2024-12-0{number + 1}-notice.md",
              f"---\nheadline: Notice {number}\n---\nText {number}.\n")  # fmt: skip
        if number == 1:
            (sample_site / "content/news/2024-12-01-notice.md").unlink()  # pages disappear
        build(sample_site, now=NOW)
        assert spare.is_dir()
        clean = sample_site / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(sample_site, clean, now=NOW, clean=True)
        assert tree(out) == tree(clean), f"after edit {number}"
        assert folders(out) == folders(clean), "no empty folders are left behind"


def test_the_live_output_is_never_written_through_a_hard_link(
    sample_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = sample_site / "site"
    build(sample_site, now=NOW)
    edit(sample_site, "Record field", "Record-breaking field")
    build(sample_site, now=NOW)  # the first output becomes the spare
    live = tree(out)
    retired: list[dict[str, str]] = []
    real_retire = output_module.retire

    def check_then_retire(old: Path, where: Path) -> None:
        retired.append(tree(old))  # the output that this build replaced, as it was served
        real_retire(old, where)

    monkeypatch.setattr(output_module, "retire", check_then_retire)
    edit(sample_site, "Record-breaking", "Recorded")
    # Another article, too: its pages are the same in the spare and the live output
    # (one file, hard-linked), and are rendered again.
    other = sample_site / "content/news/2023-03-14-harbour-wall-repairs.txt"
    other.write_text(other.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build(sample_site, now=NOW)  # renders into the spare, which shares files with `live`
    assert retired == [live]


def test_stray_files_never_come_back(sample_site: Path) -> None:
    out, spare = sample_site / "site", sample_site / ".site.spare"
    build(sample_site, now=NOW)
    write(out / "stray.html", "stray\n")
    write(out / "leftover/old.js", "a file of some other tool\n")
    for old, new in [("Record field", "Record-breaking field"), ("Record-breaking", "Recorded")]:
        edit(sample_site, old, new)
        build(sample_site, now=NOW)
        assert not (out / "stray.html").exists() and not (out / "leftover").exists()
    assert not (spare / "stray.html").exists() and not (spare / "leftover").exists()
    listed = listed_files(spare)
    assert listed is not None and MANIFEST in listed
    assert {p.relative_to(spare).as_posix() for p in spare.rglob("*") if p.is_file()} <= listed


def test_a_spare_without_a_manifest_is_not_used(sample_site: Path) -> None:
    out, spare = sample_site / "site", sample_site / ".site.spare"
    build(sample_site, now=NOW)
    edit(sample_site, "Record field", "Record-breaking field")
    build(sample_site, now=NOW)
    (spare / MANIFEST).unlink()
    write(spare / "index.html", "not a page of this site\n")
    edit(sample_site, "Record-breaking", "Recorded")
    build(sample_site, now=NOW)
    clean = sample_site / "clean"
    build(sample_site, clean, now=NOW, clean=True)
    assert tree(out) == tree(clean)


def test_tidying_deletes_what_the_manifest_does_not_list(tmp_path: Path) -> None:
    old = tmp_path / ".site.tidy-1"
    write(old / "a/index.html", "a\n")
    write(old / "a/index.html.gz", "zipped\n")
    write(old / "b/index.html", "b\n")
    write(old / "empty/deeper/x.txt", "x\n")
    manifest = {"format": 1, "files": {"a/index.html": ["d", ["a/index.html"]]},
                "assets": ["static/s.css"]}  # fmt: skip
    write(old / "static/s.css", "css\n")
    write(old / MANIFEST, json.dumps(manifest))
    output_module.tidy_into_spare(old, tmp_path / ".site.spare")
    spare = tmp_path / ".site.spare"
    assert sorted(p.relative_to(spare).as_posix() for p in spare.rglob("*")) == [
        MANIFEST, "a", "a/index.html", "a/index.html.gz", "static", "static/s.css"]  # fmt: skip
    assert not old.exists()
    other = tmp_path / ".site.tidy-2"
    write(other / "x.html", "no manifest\n")
    output_module.tidy_into_spare(other, tmp_path / ".site.spare2")
    assert not other.exists() and not (tmp_path / ".site.spare2").exists()
    assert not any(name.startswith(".site.tidy") for name in os.listdir(tmp_path))


def test_a_build_waits_for_the_last_tidier_to_make_the_spare(tmp_path: Path) -> None:
    """In a large archive tidying the previous output takes seconds; a build that
    starts meanwhile waits for the spare rather than linking every file anew."""
    out = tmp_path / "site"
    write(out / "index.html", "live")
    tidier = subprocess.Popen([sys.executable, "-c",
                               "import os, sys, time; time.sleep(0.5); folder = sys.argv[1]; "
                               "os.rename(os.path.join(folder, f'.site.tidy-{os.getpid()}'), "
                               "os.path.join(folder, '.site.spare'))", str(tmp_path)])  # fmt: skip
    write(tmp_path / f".site.tidy-{tidier.pid}" / "index.html", "previous")
    try:
        staging, reused = output_module.staging_dir(out, reuse=True)
    finally:
        tidier.wait(timeout=30)
    assert reused
    assert (staging / "index.html").read_text(encoding="utf-8") == "previous"


def restyle(site: Path, number: int) -> None:
    """Change the page frame: every HTML page renders anew."""
    theme = Path(output_module.__file__).resolve().parents[2] / "templates" / "base.html"
    text = theme.read_text(encoding="utf-8")
    text += f"<!-- style {number} -->\n"
    write(site / "templates/base.html", text)


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*.html")}


def test_pages_rendered_again_keep_the_spares_own_files(
    sample_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template change renders every page into the spare: files only the spare
    holds are rewritten in place (no inode freed and taken again), files it shares
    with the live output are replaced, and the live output is never written through."""
    out, spare = sample_site / "site", sample_site / ".site.spare"
    build(sample_site, now=NOW)
    restyle(sample_site, 1)
    build(sample_site, now=NOW)  # every page new: the first output becomes the spare
    own = inodes(spare)
    assert own and all((spare / rel).stat().st_nlink == 1 for rel in own)
    live = tree(out)
    retired: list[dict[str, str]] = []
    real_retire = output_module.retire

    def check_then_retire(old: Path, where: Path) -> None:
        retired.append(tree(old))
        real_retire(old, where)

    monkeypatch.setattr(output_module, "retire", check_then_retire)
    restyle(sample_site, 2)
    build(sample_site, now=NOW)
    assert retired == [live]
    assert inodes(out) == own, "every page rewritten where it was"
    clean = sample_site / "clean"
    build(sample_site, clean, now=NOW, clean=True)
    assert tree(out) == tree(clean)


@pytest.mark.parametrize("before, after", [(True, False), (False, True), (True, True)])
def test_compressed_siblings_follow_the_setting(sample_site: Path, before: bool,
                                                after: bool) -> None:  # fmt: skip
    """Pages rendered again into a spare of another ``compress`` setting keep no stale
    ``.gz`` or ``.br`` file, nor one for a page that became too short to compress."""
    config = sample_site / "broadsheet.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + f"compress: {str(before).lower()}\n", encoding="utf-8")
    build(sample_site, now=NOW)
    restyle(sample_site, 1)
    build(sample_site, now=NOW)  # the first output becomes the spare
    config.write_text(original + f"compress: {str(after).lower()}\n", encoding="utf-8")
    write(sample_site / "templates/404.html", "{{ page.title }}\n")  # now too short for .gz
    restyle(sample_site, 2)
    build(sample_site, now=NOW)
    clean = sample_site / "clean"
    build(sample_site, clean, now=NOW, clean=True)
    assert tree(sample_site / "site") == tree(clean)
    assert (clean / "index.html.gz").exists() == after
    assert not (clean / "404.html.gz").exists()


def test_without_compression_the_spare_is_not_searched_for_siblings(
    sample_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spare from a build that did not compress holds no ``.gz`` or ``.br`` file
    (its tidier deletes strays as it deletes any file its manifest does not list),
    so a build that does not compress either does not look for them."""
    build(sample_site, now=NOW)
    restyle(sample_site, 1)
    build(sample_site, now=NOW)  # the first output becomes the spare
    spare = sample_site / ".site.spare"
    assert listed_files(spare) == {p.relative_to(spare).as_posix()
                                   for p in spare.rglob("*") if p.is_file()}  # fmt: skip
    assert not any(spare.rglob("*.gz"))
    looked: list[str] = []
    pipeline = importlib.import_module("broadsheet.pipeline")
    real = pipeline._siblings
    monkeypatch.setattr(pipeline, "_siblings",
                        lambda target, rels: looked.extend(rels) or real(target, rels))
    restyle(sample_site, 2)
    build(sample_site, now=NOW)
    assert looked == []
    write(sample_site / "site/index.html.gz", "stray\n")  # not the build's: tidied away
    restyle(sample_site, 3)
    build(sample_site, now=NOW)
    assert not (spare / "index.html.gz").exists()
    clean = sample_site / "clean"
    build(sample_site, clean, now=NOW, clean=True)
    assert tree(sample_site / "site") == tree(clean)


def test_a_clean_build_renders_every_page_into_the_spare(sample_site: Path) -> None:
    """``--clean`` takes the spare too (deleting it would free every inode just as the
    build creates as many), but trusts none of its pages."""
    out, spare = sample_site / "site", sample_site / ".site.spare"
    build(sample_site, now=NOW)
    edit(sample_site, "Record field", "Record-breaking field")
    build(sample_site, now=NOW)
    (spare / "404.html").unlink()  # a page the edit did not change: the spare "holds" it
    write(spare / "404.html", "not what the template makes\n")
    build(sample_site, now=NOW, clean=True)
    assert not spare.exists() or "not what" not in (spare / "404.html").read_text()
    clean = sample_site / "clean"
    build(sample_site, clean, now=NOW, clean=True)
    assert tree(out) == tree(clean)


def test_pages_linked_into_the_spare_keep_their_folders(sample_site: Path) -> None:
    """A page the live output holds in its new form is hard-linked into the spare in
    place of the spare's stale copy; the folder stays (not removed and made again)."""
    out, spare = sample_site / "site", sample_site / ".site.spare"
    build(sample_site, now=NOW)
    restyle(sample_site, 1)
    build(sample_site, now=NOW)  # the spare now holds only stale pages of its own
    folders_before = {p.relative_to(spare).as_posix(): p.stat().st_ino
                      for p in spare.rglob("*") if p.is_dir()}  # fmt: skip
    edit(sample_site, "Record field", "Record-breaking field")
    build(sample_site, now=NOW)  # most pages are linked from the live output
    folders_after = {p.relative_to(out).as_posix(): p.stat().st_ino
                     for p in out.rglob("*") if p.is_dir()}  # fmt: skip
    still = [rel for rel in folders_before if rel in folders_after]
    kept = [rel for rel in still if folders_after[rel] == folders_before[rel]]
    assert len(still) > 50 and kept == still
    clean = sample_site / "clean"
    build(sample_site, clean, now=NOW, clean=True)
    assert tree(out) == tree(clean) and folders(out) == folders(clean)


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="needs posix_fadvise")
def test_pages_overwritten_in_the_spare_are_read_ahead_before_they_render(
    sample_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page overwritten in place is read first; a spare that sat for minutes is
    on disk, not in memory, so the read is asked for before the page renders."""
    build(sample_site, now=NOW)
    edit(sample_site, "Record field", "Record-breaking field")
    build(sample_site, now=NOW)
    spare = sample_site / ".site.spare"
    held = {p.relative_to(spare).as_posix() for p in spare.rglob("*.html")}
    asked: list[str] = []
    pipeline = importlib.import_module("broadsheet.pipeline")
    real_fadvise, real_render = os.posix_fadvise, pipeline.render_files

    def fadvise(descriptor: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_WILLNEED
        name = Path(os.readlink(f"/proc/self/fd/{descriptor}"))
        if staging and name.is_relative_to(staging[0]):  # (sources are read ahead too)
            asked.append(name.relative_to(staging[0]).as_posix())
        real_fadvise(descriptor, offset, length, advice)

    staging: list[Path] = []

    def render_files(env: object, page: object) -> object:
        rel = page.path  # type: ignore[attr-defined]
        assert rel not in held or rel in asked, f"{rel} rendered before it was read ahead"
        return real_render(env, page)  # type: ignore[arg-type]

    real_staging = pipeline.staging_dir

    def staging_dir(out: Path, **options: object) -> tuple[Path, bool]:
        found = real_staging(out, **options)  # type: ignore[arg-type]
        staging.append(found[0].resolve())
        return found

    monkeypatch.setattr(os, "posix_fadvise", fadvise)
    monkeypatch.setattr(pipeline, "render_files", render_files)
    monkeypatch.setattr(pipeline, "staging_dir", staging_dir)
    build(sample_site, now=NOW, clean=True, jobs=1)
    assert held and held <= set(asked)


def test_a_build_into_an_empty_folder_creates_its_pages_at_once(
    sample_site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without a spare, pages are created without looking for old files first;
    with one, every page goes through write_new."""
    pipeline = importlib.import_module("broadsheet.pipeline")
    calls: list[str] = []
    real_fresh, real_new = pipeline.write_fresh, pipeline.write_new
    monkeypatch.setattr(pipeline, "write_fresh",
                        lambda path, text: (calls.append("fresh"), real_fresh(path, text)))
    monkeypatch.setattr(pipeline, "write_new",
                        lambda path, text: (calls.append("new"), real_new(path, text)))  # fmt: skip
    build(sample_site, now=NOW, jobs=1)
    build(sample_site, now=NOW, jobs=1, clean=True)  # no spare yet: the first output is live
    assert calls and set(calls) == {"fresh"}
    assert (sample_site / ".site.spare").is_dir()
    calls.clear()
    build(sample_site, now=NOW, jobs=1, clean=True)  # into the spare
    assert calls and set(calls) == {"new"}
    build(sample_site, tmp_path / "again", now=NOW, jobs=1, clean=True)
    files = sorted(p.relative_to(sample_site / "site") for p in (sample_site / "site").rglob("*"))
    assert files == sorted(p.relative_to(tmp_path / "again")
                           for p in (tmp_path / "again").rglob("*"))  # fmt: skip
