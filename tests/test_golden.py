"""Golden-file tests: rendered pages of the sample archive, byte for byte.

When a change to the theme, the sample content or the renderer is meant to
change these pages, regenerate the files and review the diff before
committing it::

    BROADSHEET_REGEN=1 python -m pytest tests/test_golden.py
    git diff tests/golden/
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from broadsheet import build

GOLDEN = Path(__file__).parent / "golden"
PAGES = [
    "index.html",
    "page/2/index.html",
    "2023/03/14/harbour-wall-repairs/index.html",
    "2024/06/21/port-ellery-fish-market/index.html",
    "2025/07/08/arts-grant-letter-blunder/index.html",
    "2025/01/20/caldbeck-creamery-expansion/index.html",
    "business/index.html",
    "404.html",
    "search/index.html",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import REPO, search_page_without_index

    out = tmp_path_factory.mktemp("golden") / "site"
    # A fixed build time: "on this day" links and the news sitemap depend on it.
    with search_page_without_index():
        result = build(REPO, out, now=datetime(2025, 7, 9, 12, 0, tzinfo=timezone.utc))
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    return out


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden_file(built: Path, page: str) -> None:
    actual = (built / page).read_text(encoding="utf-8")
    golden = GOLDEN / page
    if os.environ.get("BROADSHEET_REGEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"no golden file; run BROADSHEET_REGEN=1 pytest {__file__}"
    assert actual == golden.read_text(encoding="utf-8"), (
        f"{page} differs from {golden}; if the change is intended, regenerate with "
        "BROADSHEET_REGEN=1 python -m pytest tests/test_golden.py and review git diff"
    )
