"""Every page of the built sample archive passes the Nu Html Checker."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import VNU, require


def test_nu_html_checker_finds_no_errors(built_site: Path) -> None:
    java = shutil.which("java")
    require(java is not None, "Java is not installed: apt-get install default-jre-headless")
    require(VNU.is_file(), "vnu.jar is not installed: npm install --prefix tests/browser")
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 50
    completed = subprocess.run(
        [str(java), "-jar", str(VNU), "--errors-only", "--format", "text",
         *[str(p) for p in pages]],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    report = (completed.stdout + completed.stderr).strip()
    assert completed.returncode == 0, report


def test_check_html_reports_invalid_markup_with_path_and_line(
    built_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require(shutil.which("java") is not None, "Java is not installed: apt-get install "
            "default-jre-headless")  # fmt: skip
    require(VNU.is_file(), "vnu.jar is not installed: npm install --prefix tests/browser")
    from click.testing import CliRunner

    from broadsheet.cli import main

    site = tmp_path / "checked"
    shutil.copytree(built_site, site / "site")
    page = site / "site" / "archive" / "index.html"
    lines = page.read_text(encoding="utf-8").splitlines()
    where = next(n for n, line in enumerate(lines) if "<main" in line)
    lines.insert(where + 1, '<p><div>not allowed in a p</div><span id="x" id="y">x</span></p>')
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("BROADSHEET_VNU_JAR", str(VNU))
    result = CliRunner().invoke(main, ["check", str(site), "--html"])
    assert result.exit_code == 1, result.stdout + result.stderr
    shown = f"{(site / 'site' / 'archive' / 'index.html').as_posix()}:{where + 2}:"
    findings = [line for line in result.stdout.splitlines() if line.startswith(shown)]
    assert findings, result.stdout
    assert any("error: HTML: Duplicate attribute" in line for line in findings), findings
