"""Page metadata of a built archive: canonical links, Open Graph and Twitter tags,
JSON-LD structured data, and the corrections that drive modification dates."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from lxml import etree

from broadsheet import build, search
from conftest import REPO, write

UTC = timezone.utc
NOW = datetime(2025, 7, 9, 12, 0, tzinfo=UTC)
BASE = "https://courier.harrowmere.example/"
SITE_TITLE = "The Harrowmere Courier"
ATOM = "{http://www.w3.org/2005/Atom}"
FISH = "2024/06/21/port-ellery-fish-market/index.html"
FISH_HEADLINE = "Port Ellery fish market reopens under new ownership"
_LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("sample")
    shutil.copy(REPO / "broadsheet.yaml", site / "broadsheet.yaml")
    shutil.copytree(REPO / "content", site / "content")
    result = build(site, now=NOW)
    assert [str(d) for d in result.diagnostics] == []
    return site / "site"


def html_pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


def page_url(rel: str) -> str:
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def parse(out: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / rel).read_text(encoding="utf-8"))


def meta(doc: lxml.html.HtmlElement, attribute: str, name: str) -> list[str]:
    return [str(v) for v in doc.xpath(f"//head/meta[@{attribute}='{name}']/@content")]


def structured_data(out: Path, rel: str) -> dict[str, Any]:
    """The one JSON-LD block of a page, parsed."""
    blocks = _LD_JSON.findall((out / rel).read_text(encoding="utf-8"))
    assert len(blocks) == 1, f"{rel}: {len(blocks)} JSON-LD blocks"
    data: dict[str, Any] = json.loads(blocks[0])
    return data


def is_article(rel: str) -> bool:
    return re.fullmatch(r"\d{4}/\d{2}/\d{2}/[a-z0-9-]+/index\.html", rel) is not None


# ---------------------------------------------------------------------------
# Canonical, Open Graph, Twitter
# ---------------------------------------------------------------------------


def test_every_page_has_one_canonical_link_and_social_tags(sample: Path) -> None:
    pages = html_pages(sample)
    assert len(pages) == 86 + search.available()  # the search page, when Pagefind is here
    for rel in pages:
        doc = parse(sample, rel)
        canonical = [str(h) for h in doc.xpath("//link[@rel='canonical']/@href")]
        expected = BASE + page_url(rel)
        assert canonical == [expected], rel
        assert meta(doc, "property", "og:url") == [expected], rel
        title = doc.xpath("string(//head/title)")
        own = title.removesuffix(f" – {SITE_TITLE}")
        assert meta(doc, "property", "og:title") == [own], rel
        assert meta(doc, "name", "twitter:title") == [own], rel
        kind = "article" if is_article(rel) else "website"
        assert meta(doc, "property", "og:type") == [kind], rel
        assert meta(doc, "name", "twitter:card") == ["summary"], rel
        assert meta(doc, "property", "og:site_name") == [SITE_TITLE], rel


def test_canonical_links_under_a_subpath(sample_site: Path) -> None:
    write(sample_site / "broadsheet.yaml",
          "title: Courier\nbase_url: https://example.org/news/\ntimezone: Europe/London\n")
    build(sample_site, now=NOW)
    out = sample_site / "site"
    for rel, url in [
        ("index.html", "https://example.org/news/"),
        ("tags/harbour/index.html", "https://example.org/news/tags/harbour/"),
        ("2024/06/index.html", "https://example.org/news/2024/06/"),
        (FISH, "https://example.org/news/2024/06/21/port-ellery-fish-market/"),
    ]:
        doc = parse(out, rel)
        assert [str(h) for h in doc.xpath("//link[@rel='canonical']/@href")] == [url]
        assert meta(doc, "property", "og:url") == [url]
    data = structured_data(out, FISH)
    assert data["@graph"][0]["url"] == (
        "https://example.org/news/2024/06/21/port-ellery-fish-market/"
    )


# ---------------------------------------------------------------------------
# JSON-LD
# ---------------------------------------------------------------------------


def test_article_json_ld_news_article(sample: Path) -> None:
    data = structured_data(sample, FISH)
    assert data["@context"] == "https://schema.org"
    news, crumbs = data["@graph"]
    url = BASE + "2024/06/21/port-ellery-fish-market/"
    assert news["@type"] == "NewsArticle"
    assert news["headline"] == FISH_HEADLINE
    assert news["datePublished"] == "2024-06-21T00:00:00+01:00"
    assert news["dateModified"] == "2024-06-24T16:00:00+01:00"
    assert news["author"] == [{"@type": "Person", "name": "Sunniva Crane"}]
    assert news["publisher"] == {"@type": "Organization", "name": SITE_TITLE, "url": BASE}
    assert news["articleSection"] == "Business"
    assert news["keywords"] == ["harbour", "fishing"]
    assert news["wordCount"] == 242
    assert news["inLanguage"] == "en-GB"
    assert news["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert news["url"] == url
    assert crumbs == {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": BASE},
            {"@type": "ListItem", "position": 2, "name": "Business", "item": BASE + "business/"},
            {"@type": "ListItem", "position": 3, "name": FISH_HEADLINE, "item": url},
        ],
    }


def test_every_article_page_has_json_ld_matching_the_page(sample: Path) -> None:
    articles = [rel for rel in html_pages(sample) if is_article(rel)]
    assert len(articles) == 12
    for rel in articles:
        doc = parse(sample, rel)
        news, crumbs = structured_data(sample, rel)["@graph"]
        headline = doc.xpath("string(//h1[@class='story__headline'])")
        assert news["headline"] == headline, rel
        assert news["datePublished"] == doc.xpath("string(//p[@class='byline']/time/@datetime)")
        assert news["wordCount"] > 100, rel
        assert all(a["@type"] == "Person" for a in news["author"]), rel
        assert [(c["position"], c["name"]) for c in crumbs["itemListElement"]] == [
            (1, "Home"), (2, news["articleSection"]), (3, headline)
        ], rel  # fmt: skip
    # Only article pages carry structured data.
    assert _LD_JSON.search((sample / "index.html").read_text(encoding="utf-8")) is None


def test_json_ld_is_safe_against_script_end_tags(tmp_path: Path) -> None:
    headline = "Breaking </script><script>alert(1)</script> & <!-- more"
    write(tmp_path / "content/news/x.md",
          f"---\nheadline: {json.dumps(headline)}\ndate: 2024-01-02\n---\nBody.\n")
    build(tmp_path, now=NOW)
    text = (tmp_path / "site/2024/01/02/x/index.html").read_text(encoding="utf-8")
    start = text.index('<script type="application/ld+json">')
    block = text[start + len('<script type="application/ld+json">'):]
    block = block[: block.index("</script>")]
    data = json.loads(block)
    assert data["@graph"][0]["headline"] == headline
    assert data["@graph"][1]["itemListElement"][2]["name"] == headline
    assert "<" not in block
    assert text.count("<script") == 1
    assert text.count("</script>") == 1
    # Without an author the publisher stands in, and there is no Person.
    assert data["@graph"][0]["author"] == {"@type": "Organization", "name": "Broadsheet",
                                           "url": "/"}  # fmt: skip


def test_json_ld_without_section_has_a_two_step_breadcrumb(tmp_path: Path) -> None:
    write(tmp_path / "broadsheet.yaml", "title: T\nbase_url: https://example.org/\n")
    write(tmp_path / "content/2024-01-02-top.md",
          "---\nheadline: Top level\nauthors: [Ann Lee, Bo Chen]\n---\nBody.\n")
    build(tmp_path, now=NOW)
    news, crumbs = structured_data(tmp_path / "site", "2024/01/02/top/index.html")["@graph"]
    assert "articleSection" not in news
    assert "keywords" not in news
    assert news["author"] == [
        {"@type": "Person", "name": "Ann Lee"}, {"@type": "Person", "name": "Bo Chen"}
    ]  # fmt: skip
    assert crumbs["itemListElement"] == [
        {"@type": "ListItem", "position": 1, "name": "Home", "item": "https://example.org/"},
        {"@type": "ListItem", "position": 2, "name": "Top level",
         "item": "https://example.org/2024/01/02/top/"},
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# Corrections and updates
# ---------------------------------------------------------------------------


def test_sample_corrections_box(sample: Path) -> None:
    doc = parse(sample, FISH)
    box = doc.xpath("//aside[@class='corrections']")
    assert len(box) == 1
    assert box[0].xpath("string(./h2)") == "Corrections"
    assert [li.text_content() for li in box[0].xpath(".//li")] == [
        "24 June 2024, 16:00: An earlier version of this article gave the cost of the refit "
        "as £130,000. It was £310,000."
    ]
    assert box[0].xpath(".//li/time/@datetime") == ["2024-06-24T16:00:00+01:00"]
    updated = doc.xpath("//span[@class='byline__updated']/time/@datetime")
    assert updated == ["2024-06-24T16:00:00+01:00"]
    other = parse(sample, "2024/06/21/midsummer-lantern-festival/index.html")
    assert other.xpath("//aside[@class='corrections']") == []


@pytest.fixture
def corrected(tmp_path: Path) -> Path:
    write(tmp_path / "broadsheet.yaml",
          "title: T\nbase_url: https://example.org/\ntimezone: Europe/London\n"
          "language: en-GB\n")  # fmt: skip
    write(tmp_path / "content/news/2024-06-21-market.txt",
          "Market reopens\n\nThe market reopened on Friday.\n")  # fmt: skip
    write(tmp_path / "content/news/2024-06-21-market.yaml",
          "updated: 2024-06-22 10:00\n"
          "corrections:\n"
          "  - date: 2024-06-25 09:00\n"
          "    text: The second correction.\n"
          "  - date: 2024-06-23\n"
          "    text: The first correction.\n")  # fmt: skip
    write(tmp_path / "content/news/2024-06-20-plain.txt", "Plain\n\nNothing to correct.\n")
    result = build(tmp_path, now=NOW)
    assert [str(d) for d in result.diagnostics] == []
    return tmp_path / "site"


def test_corrections_are_listed_oldest_first(corrected: Path) -> None:
    doc = parse(corrected, "2024/06/21/market/index.html")
    items = doc.xpath("//aside[@class='corrections']//li")
    assert [li.text_content() for li in items] == [
        "23 June 2024: The first correction.",
        "25 June 2024, 09:00: The second correction.",
    ]


def test_latest_correction_drives_date_modified_everywhere(corrected: Path) -> None:
    rel = "2024/06/21/market/index.html"
    latest = "2024-06-25T09:00:00+01:00"
    news = structured_data(corrected, rel)["@graph"][0]
    assert (news["datePublished"], news["dateModified"]) == ("2024-06-21T00:00:00+01:00", latest)
    doc = parse(corrected, rel)
    assert meta(doc, "property", "article:modified_time") == [latest]
    feed = etree.parse(str(corrected / "feed.xml")).getroot()
    entries = {e.findtext(f"{ATOM}title"): e for e in feed.findall(f"{ATOM}entry")}
    assert entries["Market reopens"].findtext(f"{ATOM}updated") == latest
    assert entries["Market reopens"].findtext(f"{ATOM}published") == "2024-06-21T00:00:00+01:00"
    assert entries["Plain"].findtext(f"{ATOM}updated") == "2024-06-20T00:00:00+01:00"
    assert feed.findtext(f"{ATOM}updated") == latest
    items = json.loads((corrected / "feed.json").read_text(encoding="utf-8"))["items"]
    assert {i["title"]: i["date_modified"] for i in items}["Market reopens"] == latest
    sitemap = (corrected / "sitemap.xml").read_text(encoding="utf-8")
    assert (f"<loc>https://example.org/{rel[: -len('index.html')]}</loc>\n"
            f"    <lastmod>{latest}</lastmod>") in sitemap  # fmt: skip


def test_update_without_corrections_drives_date_modified(tmp_path: Path) -> None:
    write(tmp_path / "content/2024-03-01-x.md",
          "---\nheadline: X\nupdated: 2024-03-02T08:00:00+00:00\n---\nBody.\n")
    build(tmp_path, now=NOW)
    out = tmp_path / "site"
    news = structured_data(out, "2024/03/01/x/index.html")["@graph"][0]
    assert news["dateModified"] == "2024-03-02T08:00:00+00:00"
    assert parse(out, "2024/03/01/x/index.html").xpath("//aside[@class='corrections']") == []
    entry = etree.parse(str(out / "feed.xml")).getroot().find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}updated") == "2024-03-02T08:00:00+00:00"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("x.yaml", "tags: [a]\ncorrections:\n  - date: 2024-06-24\n",
         "content/news/2024-06-21-x.yaml:2: error: corrections: entry 1 must have exactly "
         "'date' and 'text'"),
        ("x.yaml", "summary: S\n\ncorrections:\n  - date: 2024-06-24\n    text: Fine.\n"
         "  - {date: soon, text: Later}\n",
         "content/news/2024-06-21-x.yaml:3: error: corrections: entry 2: cannot read 'soon' "
         "as a date; write it as YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM-DDTHH:MM:SS+01:00"),
        ("x.yaml", "corrections: fixed the spelling\n",
         "content/news/2024-06-21-x.yaml:1: error: corrections: expected a list of "
         "{date: ..., text: ...} entries"),
        ("x.yaml", "corrections:\n  - date: 2024-06-24\n    text: ''\n",
         "content/news/2024-06-21-x.yaml:1: error: corrections: entry 1: 'text' is empty"),
    ],
)  # fmt: skip
def test_malformed_corrections_name_the_field_and_line(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    write(tmp_path / "content/news/2024-06-21-x.txt", "Headline\n\nBody.\n")
    write(tmp_path / f"content/news/2024-06-21-{name}", text)
    write(tmp_path / "content/news/2024-06-20-ok.txt", "Fine\n\nBody.\n")
    result = build(tmp_path, now=NOW)
    assert [str(d) for d in result.diagnostics] == [message]
    assert (result.failed, result.articles, result.exit_code) == (1, 1, 1)
    assert not (tmp_path / "site/2024/06/21").exists()


def test_malformed_corrections_in_front_matter(tmp_path: Path) -> None:
    write(tmp_path / "content/y.md",
          "---\nheadline: M\ndate: 2024-01-01\ncorrections:\n  - text: No date\n---\nBody\n")
    result = build(tmp_path, now=NOW)
    assert [str(d) for d in result.diagnostics] == [
        "content/y.md:4: error: corrections: entry 1 must have exactly 'date' and 'text'"
    ]
