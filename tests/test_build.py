"""End-to-end builds of the sample archive and of small generated sites."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from broadsheet import BuildStopped, build
from broadsheet.check import check_site
from conftest import write


def tree_digest(root: Path) -> dict[str, str]:
    """Path -> SHA-256 of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_sample_archive_builds_without_diagnostics(sample_site: Path) -> None:
    result = build(sample_site)
    assert [str(d) for d in result.diagnostics] == []
    assert result.exit_code == 0
    assert result.articles == 12
    out = sample_site / "site"
    assert (out / "index.html").is_file()
    assert (out / "404.html").is_file()
    css = sorted(p.name for p in (out / "static").glob("broadsheet.*.css"))
    assert len(css) == 1 and len(css[0].split(".")[1]) == 10, css
    assert (out / "2023/03/14/harbour-wall-repairs/index.html").is_file()
    for section in ("news", "business", "culture", "sport"):
        assert (out / section / "index.html").is_file()
    assert result.pages == len(list(out.rglob("*.html")))


@pytest.mark.parametrize("base_url", ["/", "https://example.org/", "https://example.org/news/"])
def test_every_internal_link_resolves(sample_site: Path, base_url: str) -> None:
    (sample_site / "broadsheet.yaml").write_text(
        f"title: Test\nbase_url: {base_url}\nper_page: 3\n", encoding="utf-8"
    )
    result = build(sample_site)
    assert result.exit_code == 0
    base_path = "/" + base_url.split("://", 1)[-1].partition("/")[2]
    findings = check_site(sample_site / "site", base_path)
    assert [str(f) for f in findings] == []
    # With three articles a page the home listing is paginated: page 4 exists.
    assert (sample_site / "site/page/4/index.html").is_file()


def test_pretty_links_end_in_a_slash(sample_site: Path) -> None:
    write(sample_site / "broadsheet.yaml", "pretty_links: true\n")
    build(sample_site)
    home = (sample_site / "site/index.html").read_text(encoding="utf-8")
    assert 'href="news/"' in home
    assert "index.html" not in home.replace('href="static/', "")
    assert check_site(sample_site / "site", "/", pretty=True) == []


def test_links_open_from_disk(sample_site: Path) -> None:
    """Without pretty links every internal link names a file that exists."""
    build(sample_site)
    out = sample_site / "site"
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="news/index.html"' in home
    assert check_site(out, "/") == []


def test_broken_template_leaves_previous_output_intact(sample_site: Path) -> None:
    build(sample_site)
    out = sample_site / "site"
    before = tree_digest(out)
    write(sample_site / "templates/article.html", "{% extends 'base.html' %}\n{% block main %}\n"
          "{{ article.headline }\n{% endblock %}\n")
    with pytest.raises(BuildStopped) as stopped:
        build(sample_site)
    message = str(stopped.value)
    assert "article.html:3" in message
    assert tree_digest(out) == before
    leftovers = [p.name for p in sample_site.iterdir() if p.name.startswith(".site")]
    assert leftovers == []


def test_undefined_variable_in_template_stops_the_build(sample_site: Path) -> None:
    build(sample_site)
    before = tree_digest(sample_site / "site")
    write(sample_site / "templates/404.html", "{{ no_such_variable }}\n")
    with pytest.raises(BuildStopped, match=r"404\.html:1: error: UndefinedError"):
        build(sample_site)
    assert tree_digest(sample_site / "site") == before


def test_bad_config_stops_before_writing(sample_site: Path) -> None:
    build(sample_site)
    before = tree_digest(sample_site / "site")
    write(sample_site / "broadsheet.yaml", "per_page: 0\ncolour: blue\n")
    with pytest.raises(BuildStopped) as stopped:
        build(sample_site)
    lines = [str(d) for d in stopped.value.diagnostics]
    assert lines[0].startswith("broadsheet.yaml:1: error: per_page:") or any(
        "per_page" in line for line in lines
    )
    assert any(line.startswith(f"{sample_site.as_posix()}/broadsheet.yaml:2: error: colour:")
               or "broadsheet.yaml:2: error: colour: unknown key" in line for line in lines)
    assert tree_digest(sample_site / "site") == before


def test_bad_article_is_skipped_and_the_rest_builds(sample_site: Path) -> None:
    write(sample_site / "content/news/broken.md",
          "---\nheadline: Broken\ndate: 2024-13-45\n---\nText\n")
    result = build(sample_site)
    assert result.exit_code == 1
    assert result.failed == 1
    assert result.articles == 12
    errors = [str(d) for d in result.diagnostics.errors]
    assert errors == [
        "content/news/broken.md:3: error: date: '2024-13-45' is not a real date or time "
        "(month must be in 1..12)"
    ]
    assert (sample_site / "site/index.html").is_file()


def test_strict_turns_warnings_into_failure(sample_site: Path) -> None:
    write(sample_site / "content/news/orphan.yaml", "tags: [a]\n")
    assert build(sample_site).exit_code == 0
    result = build(sample_site, strict=True)
    assert result.exit_code == 1
    assert [str(d) for d in result.diagnostics.warnings] == [
        "content/news/orphan.yaml: warning: metadata file has no article beside it "
        "(orphan.txt or orphan.md); it is ignored"
    ]


def test_url_collision_names_both_files(tmp_path: Path) -> None:
    write(tmp_path / "content/a/2024-01-02-same.txt", "One\n\nFirst text.\n")
    write(tmp_path / "content/b/2024-01-02-same.md", "---\nheadline: Two\n---\nSecond text.\n")
    result = build(tmp_path)
    assert [str(d) for d in result.diagnostics] == [
        "content/b/2024-01-02-same.md: warning: URL /2024/01/02/same/ is already taken by "
        "content/a/2024-01-02-same.txt; this one is published at /2024/01/02/same-2/ instead. "
        "Give one of them another slug to choose"
    ]
    first = (tmp_path / "site/2024/01/02/same/index.html").read_text(encoding="utf-8")
    second = (tmp_path / "site/2024/01/02/same-2/index.html").read_text(encoding="utf-8")
    assert "First text." in first
    assert "Second text." in second


def test_template_syntax_in_content_is_never_evaluated(tmp_path: Path) -> None:
    write(tmp_path / "content/x.md",
          "---\nheadline: 'Dear {{ name }}'\nsummary: '{% if x %}y{% endif %}'\n---\n"
          "Hello {{ 7 * 7 }} and {% raw %} and `{{ code }}`.\n")
    write(tmp_path / "content/2024-05-06-t.txt", "Plain {{ 6 * 7 }}\n\nBody {% set a = 1 %}.\n")
    build(tmp_path)
    md = (tmp_path / "site/undated/x/index.html").read_text(encoding="utf-8")
    assert "Dear {{ name }}" in md
    assert "Hello {{ 7 * 7 }} and {% raw %} and <code>{{ code }}</code>." in md
    assert "49" not in md
    txt = (tmp_path / "site/2024/05/06/t/index.html").read_text(encoding="utf-8")
    assert "Plain {{ 6 * 7 }}" in txt
    assert "Body {% set a = 1 %}." in txt


def test_site_templates_override_the_theme_file_by_file(sample_site: Path) -> None:
    write(sample_site / "templates/404.html",
          "{% extends 'base.html' %}{% block main %}<p>Lost at sea</p>{% endblock %}\n")
    build(sample_site)
    assert "Lost at sea" in (sample_site / "site/404.html").read_text(encoding="utf-8")
    # Other pages still come from the default theme.
    assert "Leave a Reply" in (
        sample_site / "site/2023/03/14/harbour-wall-repairs/index.html"
    ).read_text(encoding="utf-8")


def test_site_static_files_are_copied(sample_site: Path) -> None:
    write(sample_site / "static/robots.txt", "User-agent: *\n")
    build(sample_site)
    assert (sample_site / "site/robots.txt").read_text(encoding="utf-8") == "User-agent: *\n"


def test_drafts_are_left_out_unless_asked_for(tmp_path: Path) -> None:
    write(tmp_path / "content/d.md",
          "---\nheadline: Secret\ndraft: true\ndate: 2024-01-01\n---\nx\n")
    assert build(tmp_path).articles == 0
    assert not (tmp_path / "site/2024/01/01/d/index.html").exists()
    assert build(tmp_path, drafts=True).articles == 1
    assert (tmp_path / "site/2024/01/01/d/index.html").is_file()


def test_empty_archive_builds_a_home_page(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    result = build(tmp_path)
    assert result.articles == 0
    assert "No articles yet." in (tmp_path / "site/index.html").read_text(encoding="utf-8")


def test_output_option_and_rebuild_replace_the_folder(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    build(sample_site, out)
    stale = out / "stale.html"
    stale.write_text("old", encoding="utf-8")
    build(sample_site, out)
    assert not stale.exists()
    assert (out / "index.html").is_file()
