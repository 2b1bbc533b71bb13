"""Golden files for the archive's page types: rendered output of the sample archive,
byte for byte, built with a fixed "now".

The mechanism is the one of ``test_golden.py``; the files live apart from its
files, in ``tests/golden/archive-site/``.  When a change to the theme, the
sample content or the renderer is meant to change them, regenerate and review
the diff before committing it::

    BROADSHEET_REGEN=1 python -m pytest tests/test_golden_archive.py
    git diff tests/golden/archive-site/
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from broadsheet import build

GOLDEN = Path(__file__).parent / "golden" / "archive-site"
#: The day after the newest sample article (8 July 2025), so the news sitemap lists it.
NOW = datetime(2025, 7, 9, 12, 0, tzinfo=timezone.utc)
PAGES = [
    "tags/index.html",
    "tags/harbour/index.html",
    "people/index.html",
    "places/harrowmere/index.html",
    "2024/index.html",
    "2024/06/index.html",
    "2024/06/21/index.html",
    "archive/index.html",
    "on-this-day/03-14/index.html",
    "feed.xml",
    "rss.xml",
    "feed.json",
    "sitemap.xml",
    "news-sitemap.xml",
    "robots.txt",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import REPO, search_page_without_index

    out = tmp_path_factory.mktemp("golden-archive") / "site"
    with search_page_without_index():
        result = build(REPO, out, now=NOW)
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
        "BROADSHEET_REGEN=1 python -m pytest tests/test_golden_archive.py and review git diff"
    )
