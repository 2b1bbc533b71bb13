"""``broadsheet init DIR``: a new site that builds at once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .errors import BroadsheetError

CONFIG = """\
# broadsheet.yaml: the site's configuration. Every key is optional; the values
# below are the defaults unless marked otherwise. `broadsheet build` reports
# every mistake in this file at once, with its line.

title: {title}                    # the masthead
description: A new news archive.  # tagline and default meta description
base_url: /                       # your site's real address, e.g. https://example.org/news/
                                  # (feeds, sitemaps and canonical links need it)
language: en                      # BCP 47 tag: dates are written in this language
timezone: UTC                     # IANA zone, e.g. Europe/London
permalink: /{{year}}/{{month}}/{{day}}/{{slug}}/
per_page: 20                      # articles per listing page
pretty_links: false               # true: link to "news/" instead of "news/index.html"
search: true                      # Pagefind search page (pip install "broadsheet[search]")
compress: false                   # true: write .gz and .br copies of text files
entities: off                     # auto: find people and places in article text

comments:
  endpoint:                       # where the comment form posts (a Staticman-style URL)
  close_after_days:               # close comments this many days after publication

feeds:
  entries: 20
  content: full                   # or: summary

markdown:
  unsafe_html: false              # true: let raw HTML in Markdown through
"""

TEXT_ARTICLE = """\
Broadsheet opens its first archive

This archive was started with broadsheet init. Plain-text articles look like
this one: the headline on the first line, a blank line, then paragraphs
separated by blank lines.

Text copied from a web page often ends with the page's comment prompts. They
are recognised and left out of the article, as the three lines below will be.

Be the first to comment

Leave a Reply

Your email address will not be published.
"""

SIDECAR = """\
# Metadata for the article beside this file, with the same name.
authors: [The Editors]
tags: [announcements]
places: [Harbourside]
summary: A first article, in plain text, with its metadata in a sidecar file.
"""

MARKDOWN_ARTICLE = """\
---
headline: How to write an article in Markdown
date: {date}
authors: [The Editors]
tags: [announcements, how-to]
summary: Markdown articles carry their metadata in front matter.
---
Markdown articles start with **front matter** between two `---` lines, then the
body in CommonMark, with tables, ~~strikethrough~~ and footnotes[^1].

> Quotes, links such as [the project](https://example.org/) and lists all work.

[^1]: Like this one.
"""

TEMPLATE = """\
{{#- An example of overriding the default theme.

    Any file in this folder replaces the default template of the same name.
    This one replaces the not-found page; delete it to get the default back.
    The default templates are in Broadsheet's package (broadsheet/theme/):
    base.html, index.html, article.html, term.html, period.html and others.
-#}}
{{% extends "base.html" %}}
{{% block main %}}
<h1 class="page-title">Page not found</h1>
<p>Nothing is published at this address.</p>
<p><a href="{{{{ '' | href }}}}">Go to the front page</a></p>
{{% endblock %}}
"""


def files(title: str, today: datetime) -> dict[str, str]:
    """The files of a new site, by path relative to its folder."""
    stamp = f"{today:%Y-%m-%d}"
    return {
        "broadsheet.yaml": CONFIG.format(title=title),
        f"content/news/{stamp}-welcome.txt": TEXT_ARTICLE,
        f"content/news/{stamp}-welcome.yaml": SIDECAR,
        "content/news/markdown-articles.md": MARKDOWN_ARTICLE.format(date=stamp),
        "templates/404.html": TEMPLATE.format(),
        "static/.gitkeep": "",
        ".gitignore": GITIGNORE,
    }


#: What a build makes beside the sources: the output, the spare and staging trees
#: beside it, and the cache.
GITIGNORE = """\
/site/
/.site.*
/.broadsheet-trash-*
/.broadsheet-cache/
"""


def init_site(folder: Path, title: str, today: datetime) -> list[Path]:
    """Create a new site in ``folder``; refuse (writing nothing) if any file exists."""
    planned = {folder / rel: text for rel, text in files(title, today).items()}
    existing = [str(p) for p in planned if p.exists()]
    if existing:
        raise BroadsheetError(
            f"not overwriting existing files: {', '.join(existing)}; "
            "choose an empty folder"
        )
    for path, text in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    return list(planned)
