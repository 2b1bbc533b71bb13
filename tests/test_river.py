"""River items (``_river_item.html``): rendered once per article and reused on every
page that lists it, with the page's own links (``render.river_item``)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from broadsheet import BuildStopped, build, render
from broadsheet.config import SiteConfig
from broadsheet.model import Article, Html
from broadsheet.render import make_environment
from conftest import write

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".broadsheet-manifest"}  # fmt: skip


def _article(slug: str) -> Article:
    return Article(source=f"content/{slug}.md", format="md", slug=slug, headline=f"About {slug}",
                   summary="A summary.", body=Html.of("<p>x</p>"), url=f"2024/01/02/{slug}/",
                   date=datetime(2024, 1, 2, tzinfo=timezone.utc))  # fmt: skip


def test_an_item_links_from_the_page_that_lists_it(tmp_path: Path) -> None:
    env = make_environment(SiteConfig(root=tmp_path, pretty_links=True))
    listing = env.from_string("{{ river_item(a) }}")
    item = _article("harbour")
    at_root = listing.render(a=item, root="", comment_counts={})
    deeper = listing.render(a=item, root="../../", comment_counts={})
    assert 'href="2024/01/02/harbour/"' in at_root
    assert 'href="../../2024/01/02/harbour/"' in deeper
    assert 'href="../../2024/01/02/harbour/#comments">Be the first to comment' in deeper
    assert "\x00" not in at_root + deeper


def test_an_item_follows_its_comment_count(tmp_path: Path) -> None:
    env = make_environment(SiteConfig(root=tmp_path))
    listing = env.from_string("{{ river_item(a) }}")
    item = _article("harbour")
    none = listing.render(a=item, root="", comment_counts={})
    two = listing.render(a=item, root="", comment_counts={"harbour": 2})
    assert "Be the first to comment" in none and "2 Comments" not in none
    assert "2 Comments" in two and "Be the first" not in two
    assert listing.render(a=item, root="", comment_counts={}) == none


def _site(tmp_path: Path, item_template: str | None = None) -> Path:
    site = tmp_path / "site-folder"
    write(site / "broadsheet.yaml", "title: River Times\nbase_url: https://example.org/\n"
          "search: false\npretty_links: true\n")  # fmt: skip
    for day in (2, 3, 4):
        write(site / f"content/news/2024-01-0{day}-story-{day}.md",
              f"---\ntitle: Story {day}\nsection: News\ntags: [harbour]\n---\n"
              f"Story {day} is about the harbour.\n")  # fmt: skip
    if item_template is not None:
        write(site / "templates/_river_item.html", item_template)
    return site


def test_a_link_home_from_an_item_is_dot_slash_only_at_the_root(tmp_path: Path) -> None:
    site = _site(tmp_path, '<li><a class="home" href="{{ \'\' | href }}">home</a> '
                           '<a href="{{ item.url | href }}">{{ item.headline }}</a></li>\n')
    build(site, now=NOW)
    home = (site / "site/index.html").read_text(encoding="utf-8")
    tag = (site / "site/tags/harbour/index.html").read_text(encoding="utf-8")
    day = (site / "site/2024/01/03/index.html").read_text(encoding="utf-8")
    assert '<a class="home" href="./">home</a>' in home
    assert '<a class="home" href="../../">home</a>' in tag
    assert '<a class="home" href="../../../">home</a>' in day
    assert '<a href="../../../2024/01/03/story-3/">Story 3</a>' in day


def test_without_pretty_links_a_link_home_names_the_file(tmp_path: Path) -> None:
    site = _site(tmp_path, '<li><a class="home" href="{{ \'\' | href }}">home</a></li>\n')
    config = site / "broadsheet.yaml"
    config.write_text(config.read_text().replace("pretty_links: true", "pretty_links: false"))
    build(site, now=NOW)
    assert '<a class="home" href="index.html">' in (site / "site/index.html").read_text()
    tag = (site / "site/tags/harbour/index.html").read_text(encoding="utf-8")
    assert '<a class="home" href="../../index.html">' in tag


def test_an_item_template_cannot_use_the_page(tmp_path: Path) -> None:
    site = _site(tmp_path, "<li>{{ page.title }}</li>\n")
    with pytest.raises(BuildStopped) as stopped:
        build(site, now=NOW)
    text = "\n".join(str(d) for d in stopped.value.diagnostics)
    assert "_river_item.html" in text and "'page' is undefined" in text


@pytest.mark.parametrize(("cache", "shown"), [("RIVER_CACHE", b"river__item"),
                                              ("FRAGMENT_CACHE", b'class="masthead"')])
def test_the_item_and_fragment_caches_change_no_page(
    sample_site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: str, shown: bytes
) -> None:
    build(sample_site, tmp_path / "cached", now=NOW)
    monkeypatch.setattr(render, cache, 1)  # every item or fragment rendered again, nearly
    build(sample_site, tmp_path / "uncached", now=NOW, clean=True)
    cached, uncached = _tree(tmp_path / "cached"), _tree(tmp_path / "uncached")
    assert cached == uncached
    assert any(shown in data for data in cached.values())
