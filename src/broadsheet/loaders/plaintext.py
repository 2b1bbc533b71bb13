"""Plain-text articles, in the shape they arrive when copied from a web page.

The shape: the headline on the first non-blank line, a blank line, paragraphs
separated by one or more blank lines (whitespace-only lines count as blank),
then whatever comment and share chrome the page carried at its foot::

    Headline

    First paragraph, possibly wrapped
    over several lines.

    - a run of lines starting with "- " or "* "
    - becomes a list

    Be the first to comment

    Leave a Reply

    Your email address will not be published.

Chrome is recognised line by line, only at the very end of the text, and only
when the whole line is a known chrome phrase: a sentence that merely contains
"leave a reply" stays, and nothing before the last real paragraph is touched.
Text is never interpreted as markup: it is escaped and kept byte for byte.
"""

from __future__ import annotations

import re
from html import escape

from .base import Body

_CHROME_PATTERNS = [
    r"be the first to comment(?: on .*)?",
    r"(?:\d[\d,]*|one) (?:comments?|responses?|replies|thoughts?)(?: (?:so far|yet|on .*))?",
    # Plural only: "No comment." closing an article is a real quote, not chrome.
    r"no (?:comments|responses|replies|thoughts)(?: (?:so far|yet|on .*))?",
    r"leave a (?:reply|comment|response)(?: to .*)?(?: cancel reply)?",
    r"cancel reply",
    r"(?:join|start) the (?:discussion|conversation)",
    r"your email address will not be published\.?(?: required fields are marked \*)?",
    r"required fields are marked \*",
    r"(?:comment|name|email|e-mail|website|url)\s*\*?\s*:?",
    r"(?:post|submit) (?:a )?comment",
    r"save my name, email, and website in this browser for the next time i comment\.?",
    r"notify me of (?:follow-up comments|new posts)(?: by email)?\.?",
    r"this site uses akismet to reduce spam\..*",
    r"share(?: this(?: article| story| post| page)?| on [\w .]+| via [\w .]+)?\s*:?",
    r"(?:facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|telegram|tumblr|"
    r"pocket|email|e-mail|print|tweet|copy link|more)",
    r"click to (?:share|email|print)(?: on [\w .]+)?(?: \(opens in new window\))?",
    r"(?:like this|like loading\.*|loading\.*)\s*:?",
    r"(?:related(?: posts| articles| stories| content)?|you may also like|read more|"
    r"read next|more stories|recommended)\s*:?",
]
_CHROME = re.compile(r"^(?:" + "|".join(_CHROME_PATTERNS) + r")[.!:]?$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^[-*][ \t]+(?=\S)")


def is_chrome(line: str) -> bool:
    """Whether a whole line is a known piece of web-page chrome."""
    return bool(_CHROME.match(" ".join(line.split())))


def parse(text: str, first_line: int = 1) -> Body:
    """Parse a plain-text body (front matter already removed).

    ``first_line`` is the file line on which ``text`` starts, for positions.
    """
    lines = text.split("\n")
    lines, chrome = _strip_chrome(lines)
    headline: str | None = None
    headline_line: int | None = None
    html: list[str] = []
    summary = ""
    words = 0
    for block_start, block in _blocks(lines):
        if headline is None:
            headline = block[0].strip()
            headline_line = first_line + block_start
            block = block[1:]
            if not block:
                continue
        for kind, content in _elements(block):
            if kind == "p":
                paragraph = content[0]
                if not summary:
                    summary = paragraph
                words += len(paragraph.split())
                html.append(f"<p>{escape(paragraph, quote=False)}</p>")
            else:
                words += sum(len(item.split()) for item in content)
                items = "".join(f"<li>{escape(item, quote=False)}</li>" for item in content)
                html.append(f"<ul>{items}</ul>")
    return Body(
        headline=headline,
        headline_line=headline_line,
        html="\n".join(html),
        summary=summary,
        word_count=words,
        chrome=tuple(chrome),
    )


def _strip_chrome(lines: list[str]) -> tuple[list[str], list[str]]:
    """Remove trailing chrome lines (and the blank lines among them)."""
    end = len(lines)
    chrome: list[str] = []
    # Chrome never eats the headline: some real line must come before it.  The
    # first such line is found once, so a long run of chrome costs linear time.
    first_text = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    while end > 0:
        line = lines[end - 1]
        if not line.strip():
            end -= 1
        elif is_chrome(line) and first_text < end - 1:
            chrome.append(line.strip())
            end -= 1
        else:
            break
    chrome.reverse()
    return lines[:end], chrome


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Split lines into blocks separated by blank (or whitespace-only) lines."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _elements(block: list[str]) -> list[tuple[str, list[str]]]:
    """Turn one block into paragraphs and lists.

    Lines starting with ``- `` or ``* `` (after any indentation) start list
    items; other lines join the current item (a wrapped item) or, outside a
    list, the current paragraph (a wrapped paragraph).
    """
    elements: list[tuple[str, list[str]]] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            elements.append(("p", [" ".join(paragraph)]))
            paragraph.clear()

    def flush_items() -> None:
        if items:
            elements.append(("ul", list(items)))
            items.clear()

    for raw in block:
        line = raw.strip()
        marker = _LIST_ITEM.match(line)
        if marker:
            flush_paragraph()
            items.append(line[marker.end() :])
        elif items:
            items[-1] = f"{items[-1]} {line}"
        else:
            paragraph.append(line)
    flush_paragraph()
    flush_items()
    return elements
