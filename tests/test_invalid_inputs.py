"""Every diagnostic the build reports for bad input, one small site per message.

Each folder under ``tests/sites_invalid/`` is a complete site (in the style of
Zola's ``test_sites_invalid``) holding one mistake, plus ``expected.txt``: the
exact diagnostic lines (``str(Diagnostic)``, i.e. ``path:line:col: severity:
message``) the build must report, one per line, with paths relative to the
site folder.  The build runs with the site folder as the working directory,
into a temporary output folder; the lines are compared as a sorted list, so
order does not matter but every line, and every repeat, does.

Adding a case:

1. Make ``tests/sites_invalid/NAME/`` with ``content/...`` holding the bad
   file and one good article at ``content/news/2024-01-15-good.txt`` (any
   headline, then a blank line and a paragraph).  The test checks that the
   good article's page, ``2024/01/15/good/index.html``, is still written.
2. For a mistake in ``broadsheet.yaml`` name the folder ``config_NAME``: the
   build must then stop with :class:`BuildStopped` and write nothing.
3. Write ``expected.txt`` by hand, or generate every one of them from the
   current output with::

       BROADSHEET_REGEN=1 python -m pytest tests/test_invalid_inputs.py

   and review the result with ``git diff tests/sites_invalid``.  Read each
   message critically before accepting it: it must name the line where one is
   knowable and say what to do.
4. If the current message is wrong, write the message it *should* be in
   ``expected.txt`` and put the reason in ``xfail.txt``: the case then runs as
   a strict xfail (it fails the suite once the bug is fixed, so the marker is
   removed).  Regeneration leaves ``expected.txt`` alone in such folders.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from broadsheet.build import BuildResult, BuildStopped, build

SITES = Path(__file__).parent / "sites_invalid"
REGEN = os.environ.get("BROADSHEET_REGEN") == "1"
GOOD_PAGE = Path("2024", "01", "15", "good", "index.html")
GOOD_HEADLINE = "A good article still builds"


def _cases() -> list[object]:
    params: list[object] = []
    for folder in sorted(p for p in SITES.iterdir() if p.is_dir()):
        xfail = folder / "xfail.txt"
        marks = (
            [pytest.mark.xfail(reason=xfail.read_text(encoding="utf-8").strip(), strict=True)]
            if xfail.exists()
            else []
        )
        params.append(pytest.param(folder, id=folder.name, marks=marks))
    return params


def run_build(site: Path, out: Path) -> tuple[list[str], BuildResult | None]:
    """Build ``site`` into ``out``; the diagnostic lines, and the result unless stopped."""
    try:
        result = build(site, out)
    except BuildStopped as stopped:
        return [str(d) for d in stopped.diagnostics], None
    return [str(d) for d in result.diagnostics], result


def read_expected(site: Path) -> list[str]:
    expected = site / "expected.txt"
    assert expected.exists(), f"{expected} is missing; run with BROADSHEET_REGEN=1 to create it"
    return sorted(line for line in expected.read_text(encoding="utf-8").splitlines() if line)


def test_there_are_cases() -> None:
    names = {p.name for p in SITES.iterdir() if p.is_dir()}
    assert len(names) >= 14
    assert {"yaml_syntax", "config_unknown_key_and_per_page", "identical_duplicate"} <= names


@pytest.mark.parametrize("site", _cases())
def test_invalid_site(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site)
    out = tmp_path / "out"
    lines, result = run_build(Path("."), out)
    if REGEN and not (site / "xfail.txt").exists():
        (site / "expected.txt").write_text(
            "".join(f"{line}\n" for line in sorted(lines)), encoding="utf-8"
        )
    expected = read_expected(site)
    assert expected, f"{site.name}/expected.txt lists no diagnostics; every case needs one"
    assert sorted(lines) == expected

    if site.name.startswith("config_"):
        assert result is None, "a config error must stop the build"
        assert not out.exists(), "a stopped build must not write output"
        return
    assert result is not None, f"the build stopped: {lines}"
    has_errors = any(": error: " in line for line in expected)
    assert result.exit_code == (1 if has_errors else 0)
    page = out / GOOD_PAGE
    assert page.is_file(), f"the good article was not built; pages: {sorted(out.rglob('*.html'))}"
    assert GOOD_HEADLINE in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name",
    [
        "bad_date",
        "config_unknown_key_and_per_page",
    ],
)
def test_paths_are_relative_to_the_site_folder_from_any_cwd(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = SITES / name
    monkeypatch.chdir(tmp_path)
    lines, _ = run_build(site.resolve(), tmp_path / "out")
    assert sorted(lines) == read_expected(site)
