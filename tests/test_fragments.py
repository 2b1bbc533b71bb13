"""Fragments (``fragment(name, **values)``): a template rendered once per build,
process, root prefix and set of values, and reused on every page that shows it
(the theme's masthead, footer and head links)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jinja2
import pytest
from lxml import html as lxml_html

from broadsheet import BuildStopped, build
from broadsheet.config import SiteConfig
from broadsheet.render import make_environment
from conftest import write

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def _current(page: Path) -> list[str]:
    """The masthead links marked as the current page."""
    doc = lxml_html.fromstring(page.read_bytes())
    marked = doc.xpath("//header[@class='masthead']//a[@aria-current='page']/text()")
    return [str(text) for text in marked]


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site-folder"
    write(site / "broadsheet.yaml", "title: Fragment Times\nbase_url: https://example.org/\n"
          "search: false\npretty_links: true\n")  # fmt: skip
    for day, section in ((2, "News"), (3, "Sport")):
        write(site / f"content/{section.lower()}/2024-01-0{day}-story-{day}.md",
              f"---\ntitle: Story {day}\nsection: {section}\ntags: [harbour]\n---\n"
              f"Story {day} is about the harbour.\n")  # fmt: skip
    return site


def test_the_masthead_marks_the_page_it_is_on(tmp_path: Path) -> None:
    site = _site(tmp_path)
    build(site, now=NOW)
    out = site / "site"
    assert _current(out / "news/index.html") == ["News"]
    assert _current(out / "sport/index.html") == ["Sport"]
    assert _current(out / "archive/index.html") == ["Archive"]
    for page in ("index.html", "tags/harbour/index.html", "2024/01/02/story-2/index.html",
                 "2024/01/index.html"):  # fmt: skip
        assert _current(out / page) == [], page


def test_fragment_links_follow_the_page_that_shows_them(tmp_path: Path) -> None:
    site = _site(tmp_path)
    build(site, now=NOW)
    out = site / "site"
    home = lxml_html.fromstring((out / "index.html").read_bytes())
    story = lxml_html.fromstring((out / "2024/01/02/story-2/index.html").read_bytes())
    title = "//p[@class='masthead__title']/a/@href"
    assert home.xpath(title) == ["./"]
    assert story.xpath(title) == ["../../../../"]
    assert story.xpath("//footer//a[text()='Archive']/@href") == ["../../../../archive/"]
    assert story.xpath("//link[@rel='stylesheet']/@href")[0].startswith("../../../../static/")
    for page in (home, story):
        assert "\x00" not in lxml_html.tostring(page, encoding="unicode")


def _environment(tmp_path: Path, fragment_text: str) -> jinja2.Environment:
    write(tmp_path / "templates/_part.html", fragment_text)
    return make_environment(SiteConfig(root=tmp_path, pretty_links=True))


def test_a_fragment_is_rendered_once_per_values_and_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _environment(tmp_path, "[{{ kind }} {{ 'a/' | href }}]")
    loaded: list[str] = []
    real = env.get_template

    def counting(name: Any, *args: Any, **kwargs: Any) -> jinja2.Template:
        loaded.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(env, "get_template", counting)
    page = env.from_string('{{ fragment("_part.html", kind=kind) }}')
    assert page.render(kind="x", root="") == "[x a/]"
    assert page.render(kind="x", root="../") == "[x ../a/]"
    assert page.render(kind="y", root="") == "[y a/]"
    for root, expected in (("", "[x a/]"), ("../", "[x ../a/]")):
        assert page.render(kind="x", root=root) == expected
    assert loaded.count("_part.html") == 2, "rendered once for x and once for y"


def test_a_fragment_sees_only_its_values_and_the_globals(tmp_path: Path) -> None:
    env = _environment(tmp_path, "{{ site.title }} {{ page.title }}")
    with pytest.raises(jinja2.UndefinedError, match="'page' is undefined"):
        env.from_string('{{ fragment("_part.html") }}').render(page={"title": "x"}, root="")


def test_fragment_values_must_be_hashable(tmp_path: Path) -> None:
    env = _environment(tmp_path, "{{ items }}")
    with pytest.raises(TypeError, match="must be text, numbers or none"):
        env.from_string('{{ fragment("_part.html", items=[1, 2]) }}').render(root="")


def test_a_bad_fragment_value_in_a_template_names_the_template(tmp_path: Path) -> None:
    site = _site(tmp_path)
    write(site / "templates/_footer.html", "<footer>{{ site.title }}</footer>\n")
    write(site / "templates/404.html", "{% extends 'base.html' %}\n"
          "{% block main %}{{ fragment('_footer.html', items=[1]) }}{% endblock %}\n")  # fmt: skip
    with pytest.raises(BuildStopped) as stopped:
        build(site, now=NOW)
    text = "\n".join(str(d) for d in stopped.value.diagnostics)
    assert "templates/404.html:2" in text and "must be text, numbers or none" in text


def test_a_site_overrides_a_fragment(tmp_path: Path) -> None:
    site = _site(tmp_path)
    write(site / "templates/_footer.html",
          '<footer class="site-footer"><a href="{{ \'about/\' | href }}">About</a></footer>\n')
    build(site, now=NOW)
    story = (site / "site/2024/01/02/story-2/index.html").read_text(encoding="utf-8")
    assert '<footer class="site-footer"><a href="../../../../about/">About</a></footer>' in story
    assert "Built with Broadsheet" not in story
