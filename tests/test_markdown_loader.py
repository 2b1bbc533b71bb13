"""The Markdown loader: front matter, headlines, extensions, raw HTML and YAML errors."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from broadsheet import build
from broadsheet.loaders import LoadOptions, LoadResult, Source, load_source
from broadsheet.loaders import markdown as md_loader
from conftest import write


def load_md(tmp_path: Path, text: str, name: str = "story.md", **options: object) -> LoadResult:
    path = write(tmp_path / name, text)
    return load_source(Source(path, name, "md"), LoadOptions(**options))  # type: ignore[arg-type]


def loaded(tmp_path: Path, text: str, **options: object):  # type: ignore[no-untyped-def]
    """Load and insist on success with no diagnostics; return the article."""
    result = load_md(tmp_path, text, **options)
    assert [str(d) for d in result.diagnostics] == []
    assert result.article is not None
    return result.article


def only_error(result: LoadResult) -> str:
    assert result.article is None
    assert len(result.diagnostics) == 1, [str(d) for d in result.diagnostics]
    assert result.diagnostics[0].severity == "error"
    return str(result.diagnostics[0])


def test_front_matter_fields(tmp_path: Path) -> None:
    article = loaded(
        tmp_path,
        "---\n"
        "headline: Ferry fares rise\n"
        "date: 2024-03-14T09:30:00Z\n"
        "updated: 2024-03-15\n"
        "authors: [Ann Lee, Bo Chan]\n"
        "section: Business\n"
        "tags: [ferries, prices]\n"
        "people: [Mary Stone]\n"
        "places: Port Ellery\n"
        "language: en-GB\n"
        "summary: Fares go up in April.\n"
        "slug: ferry-fares\n"
        "comments: closed\n"
        "draft: false\n"
        "photographer: Kim\n"
        "---\n"
        "The ferry operator said fares would rise.\n",
    )
    assert article.headline == "Ferry fares rise"
    assert article.date == datetime(2024, 3, 14, 9, 30, tzinfo=timezone.utc)
    assert article.updated is not None and article.updated.date().isoformat() == "2024-03-15"
    assert article.authors == ("Ann Lee", "Bo Chan")
    assert article.section == "Business"
    assert article.tags == ("ferries", "prices")
    assert article.people == ("Mary Stone",)
    assert article.places == ("Port Ellery",)
    assert article.language == "en-GB"
    assert article.summary == "Fares go up in April."
    assert article.slug == "ferry-fares"
    assert article.comments == "closed"
    assert article.draft is False
    assert article.extra == {"photographer": "Kim"}
    assert article.format == "md"
    assert article.body_html == "<p>The ferry operator said fares would rise.</p>\n"
    assert article.word_count == 7


def test_aliases_title_author_category(tmp_path: Path) -> None:
    article = loaded(
        tmp_path,
        "---\ntitle: Library mural unveiled\nauthor: Ann Lee\ncategory: Culture\n"
        "keywords: art, library\ndescription: A mural.\n---\nBody text.\n",
    )
    assert article.headline == "Library mural unveiled"
    assert article.authors == ("Ann Lee",)
    assert article.section == "Culture"
    assert article.tags == ("art", "library")
    assert article.summary == "A mural."


def test_canonical_key_wins_over_alias(tmp_path: Path) -> None:
    for text in (
        "---\nheadline: Right\ntitle: Wrong\n---\nBody.\n",
        "---\ntitle: Wrong\nheadline: Right\n---\nBody.\n",
    ):
        assert loaded(tmp_path, text).headline == "Right"


def test_leading_h1_becomes_headline_and_leaves_body(tmp_path: Path) -> None:
    article = loaded(tmp_path, "# Harbour wall repaired\n\nWork finished on *Friday*.\n")
    assert article.headline == "Harbour wall repaired"
    assert "<h1>" not in article.body_html
    assert "Harbour wall repaired" not in article.body_html
    assert article.body_html == "<p>Work finished on <em>Friday</em>.</p>\n"


def test_leading_h1_after_front_matter_without_headline(tmp_path: Path) -> None:
    article = loaded(tmp_path, "---\ndate: 2024-01-02\n---\n\n# The *real* headline\n\nBody.\n")
    assert article.headline == "The real headline"
    assert article.body_html == "<p>Body.</p>\n"


def test_h1_stays_in_body_when_front_matter_has_headline(tmp_path: Path) -> None:
    article = loaded(tmp_path, "---\nheadline: From front matter\n---\n# In the body\n\nText.\n")
    assert article.headline == "From front matter"
    assert article.body_html == "<h1>In the body</h1>\n<p>Text.</p>\n"


def test_h1_not_first_is_not_the_headline(tmp_path: Path) -> None:
    result = load_md(tmp_path, "Intro paragraph.\n\n# Later heading\n")
    assert only_error(result).startswith("story.md:1: error: no headline")


def test_h2_is_not_a_headline(tmp_path: Path) -> None:
    result = load_md(tmp_path, "## Only a subheading\n\nText.\n")
    assert only_error(result).startswith("story.md:1: error: no headline")


def test_tables_render(tmp_path: Path) -> None:
    article = loaded(tmp_path, "# T\n\n| Team | Points |\n|------|-------:|\n| Rovers | 12 |\n")
    html = article.body_html
    assert "<table>" in html and "</table>" in html
    assert "<th>Team</th>" in html
    assert '<td style="text-align:right">12</td>' in html


def test_strikethrough_renders_as_s(tmp_path: Path) -> None:
    article = loaded(tmp_path, "# T\n\nThe ~~old~~ new plan.\n")
    assert article.body_html == "<p>The <s>old</s> new plan.</p>\n"


def test_footnotes_render(tmp_path: Path) -> None:
    article = loaded(tmp_path, "# T\n\nClaim.[^src]\n\n[^src]: The council minutes.\n")
    html = article.body_html
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in html
    assert '<section class="footnotes">' in html
    assert '<li id="fn1" class="footnote-item"><p>The council minutes.' in html
    assert 'href="#fnref1"' in html


def test_raw_html_escaped_by_default(tmp_path: Path) -> None:
    article = loaded(tmp_path, "# T\n\n<script>alert(1)</script>\n\nInline <b>bold</b>.\n")
    assert "<script>" not in article.body_html
    assert "<b>" not in article.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article.body_html
    assert "Inline &lt;b&gt;bold&lt;/b&gt;." in article.body_html


def test_raw_html_passes_with_unsafe_html(tmp_path: Path) -> None:
    article = loaded(
        tmp_path,
        "# T\n\n<script>alert(1)</script>\n\nInline <b>bold</b>.\n",
        unsafe_html=True,
    )
    assert "<script>alert(1)</script>" in article.body_html
    assert "<p>Inline <b>bold</b>.</p>" in article.body_html
    assert "&lt;" not in article.body_html


def test_bare_urls_are_not_linkified(tmp_path: Path) -> None:
    article = loaded(tmp_path, "# T\n\nSee https://example.org/a and www.example.org today.\n")
    assert "<a" not in article.body_html
    assert article.body_html == "<p>See https://example.org/a and www.example.org today.</p>\n"


def test_explicit_links_still_work(tmp_path: Path) -> None:
    article = loaded(tmp_path, "# T\n\n[minutes](https://example.org/m) and <https://x.org>\n")
    assert '<a href="https://example.org/m">minutes</a>' in article.body_html
    assert '<a href="https://x.org">https://x.org</a>' in article.body_html


def test_template_syntax_survives_literally(tmp_path: Path) -> None:
    article = loaded(tmp_path, "# T\n\nWrite {{ x }} and {% y %} and {# z #}.\n")
    assert article.body_html == "<p>Write {{ x }} and {% y %} and {# z #}.</p>\n"


def test_template_syntax_survives_into_the_built_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(
        site / "content" / "2024-01-02-braces.md",
        "# Braces\n\nWrite {{ site.title }} and {% y %}.\n",
    )
    result = build(site, tmp_path / "out")
    assert [str(d) for d in result.diagnostics] == []
    page = (tmp_path / "out" / "2024" / "01" / "02" / "braces" / "index.html").read_text()
    assert "Write {{ site.title }} and {% y %}." in page


def test_summary_is_first_paragraph_plain_text(tmp_path: Path) -> None:
    article = loaded(
        tmp_path,
        "# T\n\n> a quote first\n\n- a list\n\nThe *first* real\n[paragraph](https://x.org) "
        "with `code`.\n\nSecond paragraph.\n",
    )
    # A blockquote's paragraph is still a paragraph: it comes first.
    assert article.summary == "a quote first"
    article = loaded(
        tmp_path,
        "# T\n\n## Sub\n\nThe *first* real\n[paragraph](https://x.org) with `code`.\n\nNext.\n",
    )
    assert article.summary == "The first real paragraph with code."


def test_summary_from_front_matter_wins(tmp_path: Path) -> None:
    article = loaded(tmp_path, "---\nsummary: Given.\n---\n# T\n\nFirst paragraph.\n")
    assert article.summary == "Given."


def test_parse_reports_headline_line() -> None:
    body = md_loader.parse("\n\n# Heading\n\nText.\n", first_line=5)
    assert body.headline == "Heading"
    assert body.headline_line == 7


def test_yaml_error_line_is_the_file_line(tmp_path: Path) -> None:
    result = load_md(
        tmp_path,
        "---\nheadline: Fine\nsummary: Also fine\nbad: value: with colon\n---\nBody.\n",
    )
    diagnostic = result.diagnostics[0]
    assert only_error(result).startswith("story.md:4:11: error: invalid YAML: ")
    assert diagnostic.line == 4  # the file line, not front-matter line 3


def test_yaml_error_line_with_crlf(tmp_path: Path) -> None:
    path = tmp_path / "crlf.md"
    path.write_bytes(b"---\r\nheadline: Fine\r\n\r\nbad: a: b\r\n---\r\nBody.\r\n")
    result = load_source(Source(path, "crlf.md", "md"), LoadOptions())
    assert only_error(result).startswith("crlf.md:4:7: error: invalid YAML: ")


@pytest.mark.parametrize(
    ("front_matter", "opened"),
    [('headline: "Council meets\ndate: 2024-02-01\n', "quote"),
     ("headline: Council meets\ntags: [budget, roads\ndate: 2024-02-01\n", "[")],
    ids=["unclosed-quote", "unclosed-bracket"],
)  # fmt: skip
def test_unclosed_yaml_names_where_it_was_opened(
    tmp_path: Path, front_matter: str, opened: str
) -> None:
    result = load_md(tmp_path, f"---\n{front_matter}---\nBody.\n")
    message = only_error(result)
    line = 2 if opened == "quote" else 3
    assert result.diagnostics[0].line == line, message
    assert opened in message


def test_python_tag_is_refused(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    result = load_md(
        tmp_path,
        "---\nheadline: x\nrun: !!python/object/apply:os.system ['echo PWNED']\n---\nBody.\n",
    )
    message = only_error(result)
    assert message == (
        "story.md:3:6: error: YAML tag !!python/object/apply:os.system is not allowed; remove it"
    )
    assert "PWNED" not in capfd.readouterr().out


def test_unclosed_front_matter(tmp_path: Path) -> None:
    result = load_md(tmp_path, "---\nheadline: x\n\nBody.\n")
    assert only_error(result) == (
        "story.md:1: error: front matter opened with '---' is never closed; "
        "add a line '---' after it"
    )


def test_front_matter_closed_with_dots_and_empty(tmp_path: Path) -> None:
    assert loaded(tmp_path, "---\nheadline: Dots\n...\nBody.\n").headline == "Dots"
    article = loaded(tmp_path, "---\n---\n# Empty front matter\n\nBody.\n")
    assert article.headline == "Empty front matter"
    assert article.body_html == "<p>Body.</p>\n"


def test_no_headline_error_names_body_line(tmp_path: Path) -> None:
    result = load_md(tmp_path, "---\ndate: 2024-01-02\n---\nJust a paragraph.\n")
    assert only_error(result).startswith("story.md:4: error: no headline")
