"""The one MarkdownIt factory: CommonMark plus tables, strikethrough and footnotes.

markdown-it-py's ``gfm-like`` preset is avoided on purpose: its linkify rule
makes parsing about four times slower.  Raw HTML is escaped unless the site
opts in with ``markdown: {unsafe_html: true}``.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin


@cache
def markdown(unsafe_html: bool = False) -> MarkdownIt:
    """The shared parser for article bodies (one per process and option set)."""
    md = MarkdownIt("commonmark", {"html": unsafe_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    return md


def inline_text(token: Token) -> str:
    """The plain text of an inline token (emphasis, links and code flattened)."""
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
