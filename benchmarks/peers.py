"""The benchmark corpus written for Broadsheet's peers: Pelican and Hugo.

Both writers take the stories from ``benchmarks.corpus.stories`` (the same random draws
that give Broadsheet's files), so every tool builds the same articles: same headlines,
dates, sections, tags, authors and body text.  The differences are only of format:

- every story is Markdown.  The one-in-ten plain-text stories (Broadsheet's seed shape:
  headline line, paragraphs, comment chrome, a YAML sidecar) cannot be read by either
  peer, so they are written here already parsed: the headline goes to the metadata, the
  comment chrome is left out and the paragraphs are escaped so that they display
  literally, as Broadsheet shows plain text;
- the summary (Broadsheet's default: the first paragraph) is given in the metadata;
- people and places are plain metadata (Hugo uses them for related articles).

``write_pelican`` gives ``content/`` with Pelican's ``Key: value`` headers and a
``pelicanconf.py``; ``write_hugo`` gives ``content/`` with YAML front matter, a
``hugo.toml`` and the layouts from ``benchmarks/hugo_layouts``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from benchmarks.corpus import BASE_URL, PER_PAGE, SITE_TITLE, Story, stories

HUGO_LAYOUTS = Path(__file__).resolve().parent / "hugo_layouts"
#: How many entries each feed holds (Broadsheet's default ``feeds.entries``).
FEED_ENTRIES = 20
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")


def escape_markdown(text: str) -> str:
    """Backslash-escape the characters that would make plain text into Markdown markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_paragraphs(story: Story) -> list[str]:
    """The body as Markdown paragraphs (plain-text stories escaped, as Broadsheet shows them)."""
    if story.plain:
        # Broadsheet's plain-text file drops the asterisks of emphasis: so do we.
        return [escape_markdown(p.replace("*", "")) for p in story.paragraphs]
    paragraphs = list(story.paragraphs)
    if story.quote is not None:
        paragraphs.append(f"> {story.quote}")
    return paragraphs


def markdown_body(story: Story) -> str:
    """The Markdown body, paragraphs separated by blank lines, ending in a newline."""
    return "\n\n".join(markdown_paragraphs(story)) + "\n"


def summary(story: Story) -> str:
    """The listing summary: the first paragraph, as Broadsheet takes it by default."""
    return markdown_paragraphs(story)[0]


def _write_files(site: Path, files: Iterable[tuple[str, str]]) -> int:
    """Write ``(relative path, text)`` pairs under ``site``; return how many."""
    written = 0
    for relative, text in files:
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1
    return written


# Pelican ----------------------------------------------------------------------------------


def pelican_article(story: Story) -> str:
    """One story in Pelican's Markdown format: ``Key: value`` lines, a blank line, the body."""
    header = {
        "Title": story.headline,
        "Date": f"{story.date:%Y-%m-%d %H:%M}",
        "Category": story.section,
        "Tags": ", ".join(story.tags),
        "Authors": ", ".join(story.authors),
        "Slug": story.slug,
        "Summary": summary(story),
    }
    lines = "".join(f"{key}: {value}\n" for key, value in header.items())
    return f"{lines}\n{markdown_body(story)}"


def pelican_config() -> str:
    """``pelicanconf.py``: the site, URLs like Broadsheet's, feeds, pagination, no caches."""
    site_url = BASE_URL.rstrip("/")
    return f'''"""Pelican settings for the Broadsheet benchmark corpus (from benchmarks.peers)."""

AUTHOR = "Benchmark"
SITENAME = {SITE_TITLE!r}
SITEURL = {site_url!r}
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = {PER_PAGE}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)
RELATIVE_URLS = False
PLUGINS = []
DELETE_OUTPUT_DIRECTORY = True
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False

ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/index.html"
CATEGORY_URL = "{{slug}}/"
CATEGORY_SAVE_AS = "{{slug}}/index.html"
CATEGORIES_SAVE_AS = "sections/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "authors/{{slug}}/"
AUTHOR_SAVE_AS = "authors/{{slug}}/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"

FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = {FEED_ENTRIES}
FEED_ALL_ATOM = "feed.xml"
FEED_ALL_RSS = "rss.xml"
CATEGORY_FEED_ATOM = "{{slug}}/feed.xml"
CATEGORY_FEED_RSS = "{{slug}}/rss.xml"
TAG_FEED_ATOM = "tags/{{slug}}/feed.xml"
TAG_FEED_RSS = "tags/{{slug}}/rss.xml"
AUTHOR_FEED_ATOM = "authors/{{slug}}/feed.xml"
AUTHOR_FEED_RSS = "authors/{{slug}}/rss.xml"
TRANSLATION_FEED_ATOM = None
'''


def write_pelican(site: Path, count: int, seed: int = 1) -> int:
    """Write the corpus as a Pelican project in ``site``; return the number of files."""
    files = (
        (f"content/{s.section.lower()}/{s.date:%Y-%m-%d}-{s.slug}.md", pelican_article(s))
        for s in stories(count, seed)
    )
    written = _write_files(site, files)
    return written + _write_files(site, [("pelicanconf.py", pelican_config())])


# Hugo -------------------------------------------------------------------------------------


def _yaml_list(values: Iterable[str]) -> str:
    """A YAML flow list of double-quoted strings (JSON strings are valid YAML)."""
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def hugo_article(story: Story) -> str:
    """One story as Hugo content: YAML front matter, then the Markdown body."""
    quoted = {
        "title": json.dumps(story.headline, ensure_ascii=False),
        "date": f"{story.date:%Y-%m-%dT%H:%M:%SZ}",
        "slug": story.slug,
        "summary": json.dumps(summary(story), ensure_ascii=False),
        "categories": _yaml_list([story.section]),
        "tags": _yaml_list(story.tags),
        "authors": _yaml_list(story.authors),
        "people": _yaml_list(story.people),
        "places": _yaml_list(story.places),
    }
    front = "".join(f"{key}: {value}\n" for key, value in quoted.items())
    return f"---\n{front}---\n{markdown_body(story)}"


def hugo_config() -> str:
    """``hugo.toml``: taxonomies (sections as categories), URLs like Broadsheet's, feeds."""
    return f'''# Hugo settings for the Broadsheet benchmark corpus (written by benchmarks.peers).
baseURL = "{BASE_URL}"
title = "{SITE_TITLE}"
timeZone = "UTC"
# Term names as written (Broadsheet does not title-case tags).
capitalizeListTitles = false
# Articles live in content/articles/; the sections are the categories taxonomy.
disableKinds = ["section"]

[pagination]
  pagerSize = {PER_PAGE}
  # Broadsheet writes no page/1/ redirect pages: neither does Hugo here.
  disableAliases = true

[taxonomies]
  category = "categories"
  tag = "tags"
  author = "authors"

[permalinks.page]
  articles = "/:year/:month/:day/:slug/"
[permalinks.taxonomy]
  categories = "/sections/"
[permalinks.term]
  categories = "/:slug/"
  tags = "/tags/:slug/"
  authors = "/authors/:slug/"

[outputs]
  home = ["html", "rss"]
  page = ["html"]
  taxonomy = ["html"]
  term = ["html", "rss"]

[services.rss]
  limit = {FEED_ENTRIES}

# Related articles as Broadsheet ranks them: shared tags, people and places.
[related]
  includeNewer = true
  threshold = 1
  toLower = false
  [[related.indices]]
    name = "tags"
    weight = 1
  [[related.indices]]
    name = "people"
    weight = 1
  [[related.indices]]
    name = "places"
    weight = 1
'''


def write_hugo(site: Path, count: int, seed: int = 1) -> int:
    """Write the corpus as a Hugo project in ``site``; return the number of files."""
    files = (
        (f"content/articles/{s.section.lower()}/{s.slug}.md", hugo_article(s))
        for s in stories(count, seed)
    )
    written = _write_files(site, files)
    written += _write_files(site, [("hugo.toml", hugo_config())])
    layouts = site / "layouts"
    if layouts.exists():
        shutil.rmtree(layouts)
    shutil.copytree(HUGO_LAYOUTS, layouts)
    return written + sum(1 for p in layouts.rglob("*") if p.is_file())
