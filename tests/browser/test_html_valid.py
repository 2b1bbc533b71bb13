"""Every page of the built sample archive passes the Nu Html Checker."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

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
