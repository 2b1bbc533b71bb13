"""Writing page files: ``write_new`` (into a tree that may hold old files) and
``write_fresh`` (into an empty one), which never write through a hard link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from broadsheet.output import write_fresh, write_new


@pytest.mark.parametrize("write", [write_new, write_fresh])
def test_a_file_and_its_folders_are_created(tmp_path: Path, write: object) -> None:
    target = tmp_path / "a" / "b" / "index.html"
    write(target, "<p>Harbour – news</p>")  # type: ignore[operator]
    assert target.read_text(encoding="utf-8") == "<p>Harbour – news</p>"
    write(tmp_path / "a" / "b" / "feed.xml", b"\x00bytes")  # type: ignore[operator]
    assert (tmp_path / "a" / "b" / "feed.xml").read_bytes() == b"\x00bytes"


@pytest.mark.parametrize("write", [write_new, write_fresh])
def test_an_existing_file_is_rewritten_and_a_shared_one_replaced(
    tmp_path: Path, write: object
) -> None:
    own = tmp_path / "own.html"
    own.write_text("an old page that was longer", encoding="utf-8")
    inode = own.stat().st_ino
    write(own, "new")  # type: ignore[operator]
    assert own.read_text(encoding="utf-8") == "new" and own.stat().st_ino == inode
    live = tmp_path / "live.html"
    live.write_text("live", encoding="utf-8")
    shared = tmp_path / "shared.html"
    os.link(live, shared)
    write(shared, "new")  # type: ignore[operator]
    assert shared.read_text(encoding="utf-8") == "new"
    assert live.read_text(encoding="utf-8") == "live", "written through the hard link"


@pytest.mark.parametrize("write", [write_new, write_fresh])
def test_a_page_is_written_whole_when_the_system_writes_part_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: object
) -> None:
    """``os.write`` may write less than it is given (interrupted by a signal, on
    some network file systems); every byte still reaches the file."""
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data)[:1000]))
    text = "é" * 30_000
    write(tmp_path / "big.html", text)  # type: ignore[operator]
    assert (tmp_path / "big.html").read_text(encoding="utf-8") == text
