"""The writer's loop: init, check, progress, assets, search switches."""

from __future__ import annotations

import gzip
import io
from datetime import datetime, timezone
from pathlib import Path

import brotli
import pytest
from click.testing import CliRunner

from broadsheet import build, search
from broadsheet.assets import HASH_LENGTH, collect, fingerprinted
from broadsheet.cli import main
from broadsheet.init import init_site
from broadsheet.progress import MIN_ITEMS, PlainProgress
from conftest import write

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_init_creates_a_site_that_builds_and_checks_clean(tmp_path: Path) -> None:
    site = tmp_path / "new"
    code, _, _ = run("init", str(site), "--title", "The Quay Gazette")
    assert code == 0
    assert (site / "broadsheet.yaml").read_text(encoding="utf-8").startswith("# broadsheet.yaml")
    txt = sorted((site / "content/news").glob("*-welcome.txt"))
    assert len(txt) == 1 and txt[0].with_suffix(".yaml").is_file()
    assert (site / "content/news/markdown-articles.md").is_file()
    assert "{% extends" in (site / "templates/404.html").read_text(encoding="utf-8")
    result = build(site)
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    assert result.articles == 2
    home = (site / "site/index.html").read_text(encoding="utf-8")
    assert "The Quay Gazette" in home
    article = next((site / "site").glob("*/*/*/welcome/index.html"))
    text = article.read_text(encoding="utf-8")
    assert "Broadsheet opens its first archive" in text
    assert "broadsheet init" in text and "The Editors" in text
    assert "Nothing is published at this address." in (site / "site/404.html").read_text(
        encoding="utf-8")  # fmt: skip
    code, _, err = run("check", str(site))
    assert code == 0, err
    ignored = (site / ".gitignore").read_text(encoding="utf-8").split()
    assert {"/site/", "/.site.*", "/.broadsheet-cache/"} <= set(ignored)


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "broadsheet.yaml", "title: Mine\n")
    code, _, err = run("init", str(tmp_path))
    assert code == 2
    assert "not overwriting existing files" in err and "broadsheet.yaml" in err
    assert (tmp_path / "broadsheet.yaml").read_text(encoding="utf-8") == "title: Mine\n"
    assert not (tmp_path / "content").exists()
    with pytest.raises(Exception, match="choose an empty folder"):
        init_site(tmp_path, "x", NOW)


def test_check_reports_each_problem_with_path_and_line(sample_site: Path) -> None:
    build(sample_site)
    out = sample_site / "site"
    page = out / "news/index.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace("</main>", '<a href="nowhere/index.html">x</a>\n'
                        '<a href="#no-such-id">y</a><p id="main">dup</p>\n</main>')  # fmt: skip
    page.write_text(html, encoding="utf-8")
    (out / "archive/index.html").write_text("<p>no title</p>", encoding="utf-8")
    code, stdout, stderr = run("check", str(sample_site))
    assert code == 1
    line = html.splitlines().index('<a href="nowhere/index.html">x</a>') + 1
    shown = out.as_posix()
    assert stdout.splitlines() == sorted(stdout.splitlines(), key=stdout.splitlines().index)
    assert f"{shown}/archive/index.html:1: error: page has no <title>" in stdout
    assert (f"{shown}/news/index.html:{line}: error: broken link 'nowhere/index.html': "
            "news/nowhere/index.html was not written") in stdout  # fmt: skip
    assert (f"{shown}/news/index.html:{line + 1}: error: link '#no-such-id': no element with "
            "id 'no-such-id' in news/index.html") in stdout  # fmt: skip
    assert f"{shown}/news/index.html:{line + 1}: error: duplicate id 'main'" in stdout
    assert "problems." in stderr


def test_check_without_a_build_says_so(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path))
    assert code == 2
    assert "holds no built site; run broadsheet build first" in err


def test_plain_progress_prints_periodic_lines() -> None:
    stream = io.StringIO()
    progress = PlainProgress(stream, interval=0.0)
    for done in range(1, 4):
        progress("Writing", done, MIN_ITEMS)
    progress("Writing", MIN_ITEMS, MIN_ITEMS)
    progress("Small", 1, 3)
    assert stream.getvalue().splitlines() == [
        f"Writing: 1/{MIN_ITEMS}", f"Writing: 2/{MIN_ITEMS}", f"Writing: 3/{MIN_ITEMS}",
        f"Writing: {MIN_ITEMS}/{MIN_ITEMS}",
    ]


def test_quiet_build_prints_nothing_but_problems(sample_site: Path) -> None:
    code, out, err = run("build", str(sample_site), "--quiet")
    assert code == 0
    assert out == "" and "Built" not in err


def test_css_and_js_are_fingerprinted_and_referenced(sample_site: Path) -> None:
    write(sample_site / "static/extra.js", "console.log('x');\n")
    write(sample_site / "static/robots-note.txt", "hello\n")
    build(sample_site, now=NOW)
    out = sample_site / "site"
    css = next((out / "static").glob("broadsheet.*.css"))
    digest = css.name.split(".")[1]
    assert len(digest) == HASH_LENGTH
    assert fingerprinted(css, "static/broadsheet.css") == f"static/{css.name}"
    assert f'href="static/{css.name}"' in (out / "index.html").read_text(encoding="utf-8")
    assert len(list(out.glob("extra.*.js"))) == 1
    assert (out / "robots-note.txt").read_text(encoding="utf-8") == "hello\n"
    assets = {a.logical: a.output for a in collect([(sample_site / "static", "")])}
    assert assets["robots-note.txt"] == "robots-note.txt"
    assert assets["extra.js"].startswith("extra.") and assets["extra.js"] != "extra.js"


def test_a_changed_stylesheet_gets_a_new_name(tmp_path: Path) -> None:
    first = write(tmp_path / "a/site.css", "body { color: black }\n")
    second = write(tmp_path / "b/site.css", "body { color: navy }\n")
    assert fingerprinted(first, "site.css") != fingerprinted(second, "site.css")
    assert fingerprinted(first, "site.css") == fingerprinted(first, "site.css")


def test_unknown_asset_in_a_template_stops_the_build(sample_site: Path) -> None:
    from broadsheet import BuildStopped

    write(sample_site / "templates/404.html", "{{ 'static/nope.css' | asset }}\n")
    with pytest.raises(BuildStopped, match=r"no static file 'static/nope\.css'"):
        build(sample_site)


def test_compress_writes_gzip_and_brotli_siblings(sample_site: Path) -> None:
    write(sample_site / "broadsheet.yaml", "title: T\ncompress: true\nsearch: false\n")
    build(sample_site, now=NOW)
    out = sample_site / "site"
    page = out / "index.html"
    data = page.read_bytes()
    assert gzip.decompress((out / "index.html.gz").read_bytes()) == data
    assert brotli.decompress((out / "index.html.br").read_bytes()) == data
    css = next((out / "static").glob("broadsheet.*.css"))
    assert (css.parent / (css.name + ".br")).is_file()
    assert not list(out.rglob("*.gz.gz"))
    first = (out / "index.html.gz").read_bytes()
    build(sample_site, now=NOW)
    assert (out / "index.html.gz").read_bytes() == first, "gzip output is reproducible"


def test_search_false_writes_no_search_page(sample_site: Path) -> None:
    write(sample_site / "broadsheet.yaml", "title: T\nsearch: false\n")
    result = build(sample_site, now=NOW)
    assert [str(d) for d in result.diagnostics] == []
    assert not (sample_site / "site/search").exists()
    assert "search/" not in (sample_site / "site/index.html").read_text(encoding="utf-8")


def test_missing_pagefind_gives_one_warning_not_a_crash(
    sample_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "available", lambda: False)
    result = build(sample_site, now=NOW)
    assert result.exit_code == 0
    assert [str(d) for d in result.diagnostics] == [
        "broadsheet.yaml: warning: search is off: Pagefind is not installed. Install it with "
        'pip install "broadsheet[search]", or set search: false'
    ]
    assert not (sample_site / "site/search").exists()


def test_real_pagefind_indexes_the_articles(sample_site: Path) -> None:
    if not search.available():
        pytest.skip('Pagefind is not installed: pip install "broadsheet[search]"')
    result = build(sample_site, now=NOW)
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    out = sample_site / "site"
    assert (out / "pagefind/pagefind-ui.js").is_file()
    assert len(list((out / "pagefind/fragment").glob("*.pf_fragment"))) == result.articles == 8


def test_deploy_lines_become_periodic_counts_past_twenty() -> None:
    from broadsheet.progress import LineCounter

    stream = io.StringIO()
    counter = LineCounter(stream, interval=3600.0)
    for number in range(1, 31):
        counter(f"uploaded page-{number}.html")
    lines = stream.getvalue().splitlines()
    assert lines == [f"uploaded page-{n}.html" for n in range(1, 21)]
    assert counter.count == 30
