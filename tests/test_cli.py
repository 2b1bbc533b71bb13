"""The CLI is a thin layer: it must agree with the Python API."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from broadsheet import build
from broadsheet.cli import main, new_article
from conftest import write


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_build_command_matches_the_api(sample_site: Path, tmp_path: Path) -> None:
    code, out, err = run("build", str(sample_site), "-o", str(tmp_path / "cli"))
    api = build(sample_site, tmp_path / "api")
    assert code == api.exit_code == 0
    assert err == ""
    assert out.startswith("Built 12 articles (")
    assert out.rstrip().endswith("0 warnings, 0 errors.")
    cli_files = sorted(p.relative_to(tmp_path / "cli") for p in (tmp_path / "cli").rglob("*"))
    api_files = sorted(p.relative_to(tmp_path / "api") for p in (tmp_path / "api").rglob("*"))
    assert cli_files == api_files


def test_exit_1_when_an_article_fails(tmp_path: Path) -> None:
    write(tmp_path / "content/good.txt", "Good\n\nText.\n")
    write(tmp_path / "content/bad.md", "---\ntags: {a: 1}\nheadline: x\n---\nbody\n")
    code, out, err = run("build", str(tmp_path))
    assert code == 1
    assert "content/bad.md:2: error: tags: expected a list of names or 'a, b', not a mapping" in err
    assert "1 article" in out
    assert "1 error." in out


def test_exit_2_for_a_bad_config(tmp_path: Path) -> None:
    write(tmp_path / "broadsheet.yaml", "per_page: many\n")
    code, _, err = run("build", str(tmp_path))
    assert code == 2
    assert "broadsheet.yaml:1: error: per_page: must be a whole number of at least 1" in err
    assert "Build stopped; the output was left as it was." in err
    assert not (tmp_path / "site").exists()


def test_exit_2_for_a_bad_command_line() -> None:
    code, _, err = run("build", "--no-such-option")
    assert code == 2
    assert "No such option" in err


def test_strict_flag(tmp_path: Path) -> None:
    write(tmp_path / "content/good.txt", "Good\n\nText.\n")
    write(tmp_path / "content/README", "notes\n")
    assert run("build", str(tmp_path))[0] == 0
    code, _, err = run("build", str(tmp_path), "--strict")
    assert code == 1
    assert "content/README: warning: skipped: no file extension" in err


def test_new_creates_a_dated_file_that_builds(tmp_path: Path) -> None:
    now = datetime(2024, 2, 29, 10, 30, tzinfo=timezone.utc)
    md = new_article(tmp_path, "Storm “Ciara” hits the coast", "md", "News", now=now)
    assert md == tmp_path / "content/news/2024-02-29-storm-ciara-hits-the-coast.md"
    txt = new_article(tmp_path, "Quiet day", "txt", now=now)
    assert txt.read_text(encoding="utf-8").startswith("Quiet day\n\n")
    result = build(tmp_path)
    assert result.articles == 2
    page = tmp_path / "site/2024/02/29/storm-ciara-hits-the-coast/index.html"
    assert "Storm “Ciara” hits the coast" in page.read_text(encoding="utf-8")


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    code, out, _ = run("new", "Same headline", "--site", str(tmp_path))
    assert code == 0
    path = Path(out.strip())
    assert path.is_file()
    code, _, err = run("new", "Same headline", "--site", str(tmp_path))
    assert code == 2
    assert "already exists" in err


def test_help_lists_the_commands() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for command in ("build", "serve", "new"):
        assert command in out


def command(*args: str) -> subprocess.CompletedProcess[str]:
    """``broadsheet ARGS`` as the console script runs it (:func:`broadsheet.cli.run`)."""
    return subprocess.run([sys.executable, "-m", "broadsheet", *args], capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_the_console_script_keeps_exit_statuses_and_output(tmp_path: Path) -> None:
    """The command ends with ``os._exit`` (skipping the teardown of every record):
    its statuses, its messages and every file it wrote must come through."""
    write(tmp_path / "content/good.txt", "Good\n\nText.\n")
    write(tmp_path / "content/bad.md", "---\ntags: {a: 1}\nheadline: x\n---\nbody\n")
    done = command("build", str(tmp_path))
    assert done.returncode == 1, done.stderr
    assert "content/bad.md:2: error: tags:" in done.stderr
    assert done.stdout.rstrip().endswith("1 error.")
    assert (tmp_path / "site/index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    (tmp_path / "content/bad.md").unlink()
    assert command("build", str(tmp_path), "-q").returncode == 0
    write(tmp_path / "broadsheet.yaml", "per_page: many\n")
    bad_config = command("build", str(tmp_path))
    assert bad_config.returncode == 2
    assert "per_page" in bad_config.stderr
    assert command("--version").stdout.startswith("broadsheet, version ")
    assert command("no-such-command").returncode == 2
