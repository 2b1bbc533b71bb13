"""What a format parser hands back: the body, before metadata is merged in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Body:
    """A parsed article body."""

    headline: str | None
    """A headline found in the body itself (first line, or a leading ``# h1``)."""
    headline_line: int | None
    """File line of that headline."""
    html: str
    """The body as HTML, without the headline."""
    summary: str
    """Plain text of the first paragraph."""
    word_count: int
    chrome: tuple[str, ...] = ()
    """Web-page chrome lines removed from the end of the text."""
