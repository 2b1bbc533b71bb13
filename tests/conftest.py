"""Shared fixtures: paths to the repository's sample site and to ../shared."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from broadsheet import search

REPO = Path(__file__).resolve().parents[1]
#: Read-only material beside the project root (may be absent on other machines).
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test with a reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not present on this machine (the shared corpora sit beside "
                    "the project root in the development workspace)")
    return path


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    """A copy of the repository's sample site (config, content), safe to modify."""
    site = tmp_path / "sample"
    site.mkdir()
    shutil.copy(REPO / "broadsheet.yaml", site / "broadsheet.yaml")
    shutil.copytree(REPO / "content", site / "content")
    return site


@contextmanager
def search_page_without_index() -> Iterator[None]:
    """Build as if Pagefind were installed, without running it.

    Golden pages then show the search page and link whether or not Pagefind is
    on this machine; the real indexing is tested in tests/browser/test_search.py.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "available", lambda: True)
        patch.setattr(search, "index", lambda site: [])
        yield


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (creating folders) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
