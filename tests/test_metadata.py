"""Article metadata: layering, sections from folders, coercion and slugs."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadsheet.errors import SourceError
from broadsheet.loaders import LoadOptions, LoadResult, Source, discover, load_source
from broadsheet.loaders.meta import (
    coerce_names,
    date_from_filename,
    slugify,
    split_front_matter,
)
from broadsheet.model import Article
from conftest import write

LONDON = LoadOptions(timezone="Europe/London")


def load_site(site: Path, options: LoadOptions = LONDON) -> dict[str, LoadResult]:
    """Discover and load every source of ``site``; results by path relative to the site."""
    sources, found = discover(site, site / "content")
    assert [str(d) for d in found] == []
    return {source.rel: load_source(source, options) for source in sources}


def article_of(result: LoadResult) -> Article:
    assert [str(d) for d in result.diagnostics] == []
    assert result.article is not None
    return result.article


def load_one(tmp_path: Path, name: str, text: str, options: LoadOptions = LONDON) -> LoadResult:
    path = write(tmp_path / name, text)
    fmt = "md" if name.endswith(".md") else "txt"
    return load_source(Source(path, name, fmt), options)


def load_meta(tmp_path: Path, front_matter: str, options: LoadOptions = LONDON) -> LoadResult:
    """Load a Markdown article whose front matter is ``front_matter`` plus a headline."""
    return load_one(tmp_path, "story.md", f"---\nheadline: H\n{front_matter}---\nBody.\n", options)


# ---------------------------------------------------------------------------
# Layering
# ---------------------------------------------------------------------------


@pytest.fixture
def layered_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    content = site / "content"
    write(content / "_defaults.yaml",
          "authors: [Night Desk]\ntags: [root]\nsummary: from root defaults\n"
          "date: 2020-01-01\nlanguage: en\n")  # fmt: skip
    write(content / "world-news" / "_defaults.yaml", "tags: [world]\n")
    folder = content / "world-news" / "2024"
    write(folder / "2024-03-01-layered.txt",
          "---\ndate: 2024-03-02\nsummary: from front matter\nlanguage: fr\n---\n"
          "Layered\n\nBody.\n")  # fmt: skip
    write(folder / "2024-03-01-layered.yaml", "summary: from the sidecar\n")
    write(folder / "2024-03-05-dated-by-name.txt", "Dated by name\n\nBody.\n")
    write(content / "world-news" / "undated.txt", "Undated\n\nBody.\n")
    write(content / "2024" / "in-a-year-folder.txt", "Year folder\n\nBody.\n")
    return site


def test_defaults_inherited_by_subfolders(layered_site: Path) -> None:
    results = load_site(layered_site)
    article = article_of(results["content/world-news/2024/2024-03-05-dated-by-name.txt"])
    assert article.authors == ("Night Desk",)  # root defaults, two folders up
    assert article.tags == ("world",)  # nearer defaults win over root defaults
    assert article.summary == "from root defaults"
    assert article.language == "en"


def test_filename_date_beats_defaults(layered_site: Path) -> None:
    results = load_site(layered_site)
    dated = article_of(results["content/world-news/2024/2024-03-05-dated-by-name.txt"])
    assert dated.date == datetime(2024, 3, 5, tzinfo=ZoneInfo("Europe/London"))
    undated = article_of(results["content/world-news/undated.txt"])
    assert undated.date == datetime(2020, 1, 1, tzinfo=ZoneInfo("Europe/London"))


def test_front_matter_beats_filename_and_sidecar_beats_front_matter(layered_site: Path) -> None:
    results = load_site(layered_site)
    article = article_of(results["content/world-news/2024/2024-03-01-layered.txt"])
    assert article.date == datetime(2024, 3, 2, tzinfo=ZoneInfo("Europe/London"))
    assert article.language == "fr"
    assert article.summary == "from the sidecar"
    assert article.slug == "layered"
    assert article.tags == ("world",)
    assert article.authors == ("Night Desk",)


def test_sidecar_date_beats_front_matter(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site / "content" / "2024-01-01-x.md", "---\nheadline: X\ndate: 2024-02-02\n---\nBody.\n")
    write(site / "content" / "2024-01-01-x.yml", "date: 2024-03-03\nheadline: From sidecar\n")
    article = article_of(load_site(site)["content/2024-01-01-x.md"])
    assert article.date is not None and article.date.date() == date(2024, 3, 3)
    assert article.headline == "From sidecar"


def test_sidecar_error_names_the_sidecar(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site / "content" / "story.txt", "Story\n\nBody.\n")
    write(site / "content" / "story.yaml", "headline: Story\n\ndraft: maybe\n")
    result = load_site(site)["content/story.txt"]
    assert result.article is None
    assert [str(d) for d in result.diagnostics] == [
        "content/story.yaml:3: error: draft: expected true or false, not 'maybe'"
    ]


def test_second_sidecar_warning_names_the_conflict(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site / "content" / "a.txt", "A\n\nBody.\n")
    write(site / "content" / "a.yaml", "tags: yaml\n")
    write(site / "content" / "a.yml", "tags: yml\n")
    _, found = discover(site, site / "content")
    assert len(found) == 1
    message = found[0].message
    assert found[0].path == "content/a.yml"
    assert "no article beside it" not in message
    assert "a.yaml" in message


# ---------------------------------------------------------------------------
# Sections from folder names
# ---------------------------------------------------------------------------


def test_folder_name_is_default_section(layered_site: Path) -> None:
    results = load_site(layered_site)
    # "world-news/2024": the year folder adds nothing, "world-news" gives the section.
    nested = article_of(results["content/world-news/2024/2024-03-05-dated-by-name.txt"])
    assert nested.section == "World News"
    assert article_of(results["content/world-news/undated.txt"]).section == "World News"
    assert article_of(results["content/2024/in-a-year-folder.txt"]).section is None


@pytest.mark.parametrize(
    ("folder", "section"),
    [("business", "Business"), ("world_news", "World News"), ("Sports_Desk", "Sports Desk"),
     ("BBC-Tech", "BBC Tech"), ("2024", None)],
)  # fmt: skip
def test_section_from_folder_names(tmp_path: Path, folder: str, section: str | None) -> None:
    site = tmp_path / "site"
    write(site / "content" / folder / "story.txt", "Story\n\nBody.\n")
    assert article_of(load_site(site)[f"content/{folder}/story.txt"]).section == section


def test_front_matter_section_beats_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site / "content" / "world-news" / "s.md", "---\nheadline: S\nsection: Opinion\n---\nB\n")
    assert article_of(load_site(site)["content/world-news/s.md"]).section == "Opinion"


def test_top_level_article_has_no_section(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site / "content" / "story.txt", "Story\n\nBody.\n")
    assert article_of(load_site(site)["content/story.txt"]).section is None


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def test_single_digit_month_is_coerced(tmp_path: Path) -> None:
    article = article_of(load_meta(tmp_path, "date: 2024-4-09\n"))
    assert article.date is not None
    assert article.date.date() == date(2024, 4, 9)
    assert (article.date.hour, article.date.minute) == (0, 0)


def test_date_and_time_without_offset_use_site_timezone(tmp_path: Path) -> None:
    article = article_of(load_meta(tmp_path, "date: 2024-03-14 09:30\n"))
    assert article.date == datetime(2024, 3, 14, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    assert article.date is not None and article.date.utcoffset() == timedelta(0)
    summer = article_of(load_meta(tmp_path, "date: 2024-07-14 09:30\n"))
    assert summer.date is not None and summer.date.utcoffset() == timedelta(hours=1)
    assert summer.date.astimezone(timezone.utc).hour == 8


def test_timezone_option_changes_the_instant(tmp_path: Path) -> None:
    utc = article_of(load_meta(tmp_path, "date: 2024-07-14 09:30\n", LoadOptions()))
    london = article_of(load_meta(tmp_path, "date: 2024-07-14 09:30\n"))
    assert utc.date is not None and london.date is not None
    assert utc.date - london.date == timedelta(hours=1)


def test_date_only_is_midnight_in_site_timezone(tmp_path: Path) -> None:
    article = article_of(load_meta(tmp_path, "date: 2024-07-14\n"))
    assert article.date == datetime(2024, 7, 14, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("raw", "offset"),
    [("2024-03-14T09:30:00+05:30", timedelta(hours=5, minutes=30)),
     ("'2024-03-14 09:30 -04:00'", timedelta(hours=-4)),
     ("2024-03-14T09:30:00Z", timedelta(0))],
)  # fmt: skip
def test_explicit_offsets_are_kept(tmp_path: Path, raw: str, offset: timedelta) -> None:
    article = article_of(load_meta(tmp_path, f"date: {raw}\n"))
    assert article.date is not None
    assert article.date.utcoffset() == offset
    assert (article.date.hour, article.date.minute) == (9, 30)


def test_filename_date_uses_site_timezone(tmp_path: Path) -> None:
    article = article_of(load_one(tmp_path, "2024-07-01-summer.txt", "Summer\n\nBody.\n"))
    assert article.date == datetime(2024, 7, 1, tzinfo=ZoneInfo("Europe/London"))
    assert article.slug == "summer"


def test_impossible_date_names_file_line_and_field(tmp_path: Path) -> None:
    result = load_one(
        tmp_path, "bad.md", "---\nheadline: H\ntags: [a]\ndate: 2024-13-45\n---\nBody.\n"
    )
    assert result.article is None
    assert len(result.diagnostics) == 1
    diagnostic = result.diagnostics[0]
    assert (diagnostic.path, diagnostic.line, diagnostic.severity) == ("bad.md", 4, "error")
    assert diagnostic.message.startswith("date: ")
    assert "2024-13-45" in diagnostic.message
    assert str(diagnostic) == (
        "bad.md:4: error: date: '2024-13-45' is not a real date or time (month must be in 1..12)"
    )


@pytest.mark.parametrize("raw", ["14 March 2024", "2024/03/14", "yesterday", "2024-03-14 9h30"])
def test_unreadable_date_text_says_how_to_write_it(tmp_path: Path, raw: str) -> None:
    result = load_meta(tmp_path, f"date: {raw}\n")
    assert result.article is None
    assert result.diagnostics[0].line == 3
    assert result.diagnostics[0].message.startswith(f"date: cannot read {raw!r} as a date")
    assert "YYYY-MM-DD" in result.diagnostics[0].message


def test_every_bad_field_is_reported(tmp_path: Path) -> None:
    result = load_meta(tmp_path, "date: 2024-02-30\ndraft: maybe\ntags: {a: 1}\n")
    assert [str(d) for d in result.diagnostics] == [
        "story.md:3: error: date: '2024-02-30' is not a real date or time "
        "(day is out of range for month)",
        "story.md:4: error: draft: expected true or false, not 'maybe'",
        "story.md:5: error: tags: expected a list of names or 'a, b', not a mapping",
    ]


# ---------------------------------------------------------------------------
# Names (tags, authors...) and booleans
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("front_matter", "tags"),
    [("tags:\n", ()), ("tags: ''\n", ()), ('tags: "a, b"\n', ("a", "b")),
     ("tags: [a, b]\n", ("a", "b")), ("tags:\n  - a\n  - Big  Cats\n", ("a", "Big Cats")),
     ("tags: a, , b, a\n", ("a", "b")), ("tags: 2024\n", ("2024",)),
     ("keywords: x\n", ("x",))],
)  # fmt: skip
def test_tags_forms(tmp_path: Path, front_matter: str, tags: tuple[str, ...]) -> None:
    assert article_of(load_meta(tmp_path, front_matter)).tags == tags


def test_mapping_in_tags_errors_with_line(tmp_path: Path) -> None:
    result = load_meta(tmp_path, "date: 2024-01-01\ntags:\n  budget: yes\n")
    assert result.article is None
    assert [str(d) for d in result.diagnostics] == [
        "story.md:4: error: tags: expected a list of names or 'a, b', not a mapping"
    ]


def test_mapping_item_in_tags_errors_with_position(tmp_path: Path) -> None:
    result = load_meta(tmp_path, "tags: [a, {b: 1}]\n")
    assert [str(d) for d in result.diagnostics] == [
        "story.md:3: error: tags: item 2 must be a name, not a mapping"
    ]


def test_coerce_names_directly() -> None:
    assert coerce_names(None) == ()
    assert coerce_names(" a ,b,, a ") == ("a", "b")
    assert coerce_names(["x", 3]) == ("x", "3")


@pytest.mark.parametrize(
    ("raw", "draft"),
    [("yes", True), ("Yes", True), ("true", True), ("on", True), ("'yes'", True),
     ("no", False), ("false", False), ("off", False), ("''", False)],
)  # fmt: skip
def test_draft_booleans(tmp_path: Path, raw: str, draft: bool) -> None:
    assert article_of(load_meta(tmp_path, f"draft: {raw}\n")).draft is draft


def test_draft_defaults_to_false(tmp_path: Path) -> None:
    assert article_of(load_meta(tmp_path, "")).draft is False


def test_empty_headline_key_falls_back_to_h1(tmp_path: Path) -> None:
    result = load_one(tmp_path, "story.md", "---\nheadline:\n---\n# Harbour reopens\n\nBody.\n")
    article = article_of(result)
    assert article.headline == "Harbour reopens"
    assert article.body_html == "<p>Body.</p>\n"


# ---------------------------------------------------------------------------
# Slugs
# ---------------------------------------------------------------------------


def test_slug_from_file_name_without_date_prefix(tmp_path: Path) -> None:
    article = article_of(load_one(tmp_path, "2024-03-01-Harbour_Wall.txt", "Other words\n\nB\n"))
    assert article.slug == "harbour-wall"


def test_slug_from_plain_file_name(tmp_path: Path) -> None:
    assert article_of(load_one(tmp_path, "council-meets.txt", "Other\n\nB\n")).slug == (
        "council-meets"
    )


def test_explicit_slug_is_slugified(tmp_path: Path) -> None:
    article = article_of(load_meta(tmp_path, "slug: My Great Story!\n"))
    assert article.slug == "my-great-story"


def test_slug_without_letters_is_an_error(tmp_path: Path) -> None:
    result = load_meta(tmp_path, "slug: '!!!'\n")
    assert [str(d) for d in result.diagnostics] == [
        "story.md:3: error: slug: has no letters or digits to use"
    ]


def test_slugify_transliterates() -> None:
    assert slugify("Zürich") == "zurich"
    assert slugify("Crème Brûlée, São Paulo") == "creme-brulee-sao-paulo"
    assert slugify("  Hello,   World!  ") == "hello-world"


def test_cjk_headline_gives_ascii_slug(tmp_path: Path) -> None:
    slug = slugify("北京欢迎你")
    assert slug
    assert slug.isascii()
    assert slug == slug.lower()
    # A file name with no usable letters falls back to the headline.
    article = article_of(load_one(tmp_path, "2024-03-01-___.txt", "北京欢迎你\n\nBody.\n"))
    assert article.slug == slug


def test_long_slug_is_cut_at_a_word_boundary() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80
    assert not slug.endswith("-")
    assert set(slug.split("-")) == {"word"}


# ---------------------------------------------------------------------------
# Helpers: front matter split and file-name dates
# ---------------------------------------------------------------------------


def test_split_front_matter_lines() -> None:
    text = "---\na: 1\nb: 2\n---\nBody\n"
    assert split_front_matter(text, "x.md") == ("a: 1\nb: 2\n", 2, "Body\n", 5)
    assert split_front_matter("No front matter\n", "x.md") == (None, 0, "No front matter\n", 1)
    assert split_front_matter("---\n---\nBody", "x.md") == ("", 2, "Body", 3)


def test_split_front_matter_unclosed() -> None:
    with pytest.raises(SourceError) as caught:
        split_front_matter("---\na: 1\n", "x.md")
    assert [str(d) for d in caught.value.diagnostics] == [
        "x.md:1: error: front matter opened with '---' is never closed; add a line '---' after it"
    ]


@pytest.mark.parametrize(
    ("stem", "day", "rest"),
    [("2024-01-31-slug", date(2024, 1, 31), "slug"), ("2024-01-31_slug", date(2024, 1, 31), "slug"),
     ("2024-01-31", date(2024, 1, 31), "2024-01-31"), ("2024-02-30-x", None, "2024-02-30-x"),
     ("news-2024-01-31", None, "news-2024-01-31")],
)  # fmt: skip
def test_date_from_filename(stem: str, day: date | None, rest: str) -> None:
    layer, name = date_from_filename(stem, "x.txt")
    assert name == rest
    assert (layer["date"].value if layer else None) == day
