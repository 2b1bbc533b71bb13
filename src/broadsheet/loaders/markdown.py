"""Markdown articles: CommonMark plus tables, strikethrough and footnotes.

The headline comes from front matter; failing that, a level-1 heading that
opens the body is taken as the headline and removed from it.

Two parsers render the same Markdown.  markdown-it-py (with mdit-py-plugins)
is the reference.  When markdown-it-pyrs is installed (``pip install
broadsheet[fast]``), :func:`parse` first tries :mod:`.fastmarkdown`, which
renders with pyrs only the documents known to come out identical, field for
field, and hands every other document (footnotes, unusual whitespace, ...) to
markdown-it-py.  Set the environment variable ``BROADSHEET_MARKDOWN=py`` to
use markdown-it-py for every document.
"""

from __future__ import annotations

import os
from types import ModuleType

from ..markup import inline_text, markdown
from .base import Body

fastmarkdown: ModuleType | None
try:
    from . import fastmarkdown
except ImportError:  # markdown-it-pyrs is not installed
    fastmarkdown = None

#: Environment variable naming the parser; ``py`` forces markdown-it-py.
PARSER_VARIABLE = "BROADSHEET_MARKDOWN"


def parse(
    text: str, first_line: int = 1, unsafe_html: bool = False, take_heading: bool = True
) -> Body:
    """Render a Markdown body (front matter already removed)."""
    if fastmarkdown is not None and os.environ.get(PARSER_VARIABLE) != "py":
        body: Body | None = fastmarkdown.parse(text, first_line, unsafe_html, take_heading)
        if body is not None:
            return body
    return parse_py(text, first_line, unsafe_html, take_heading)


def parse_py(
    text: str, first_line: int = 1, unsafe_html: bool = False, take_heading: bool = True
) -> Body:
    """Render a Markdown body with markdown-it-py, the reference parser."""
    md = markdown(unsafe_html)
    env: dict[str, object] = {}
    tokens = md.parse(text, env)
    headline: str | None = None
    headline_line: int | None = None
    start = 0
    opens_with_h1 = len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1"
    if take_heading and opens_with_h1:
        headline = inline_text(tokens[1]).strip() or None
        headline_line = first_line + tokens[0].map[0] if tokens[0].map else first_line
        start = 3
    summary = ""
    words = 0
    for index, token in enumerate(tokens[start:], start):
        if token.type == "inline":
            plain = inline_text(token)
            words += len(plain.split())
            if not summary and tokens[index - 1].type == "paragraph_open":
                summary = " ".join(plain.split())
    html = md.renderer.render(tokens[start:], md.options, env)
    return Body(
        headline=headline,
        headline_line=headline_line,
        html=html,
        summary=summary,
        word_count=words,
    )
