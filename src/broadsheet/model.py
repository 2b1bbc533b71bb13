"""The records Broadsheet works with: plain frozen data, no I/O, no Jinja.

Loaders turn files into :class:`Article` records; :mod:`broadsheet.graph`
arranges records into an :class:`Archive`; the renderer turns each
:class:`Page` into a string.  Keeping these records immutable and free of
behaviour is what lets pages be rendered in any order, in parallel, or
incrementally.  (The one read here is of a body moved out of memory, through
the :class:`Spill` it was moved into.)
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from .records import fast_pickle

CommentState = Literal["open", "closed"]

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


@fast_pickle
@dataclass(frozen=True, slots=True)
class Correction:
    """A published correction to an article."""

    date: datetime
    text: str


class Spill(Protocol):
    """Where an :class:`Html` may keep its bytes instead of memory
    (:class:`broadsheet.spill.BodyFile`)."""

    def write(self, data: bytes) -> tuple[int, int]:
        """Keep ``data``; return its offset and size."""
        ...

    def read(self, offset: int, size: int) -> bytes:
        """The bytes kept at ``offset``."""
        ...


class Html:
    """An HTML fragment kept as UTF-8, compressed unless asked not to be.

    Article bodies are most of an archive's memory, and Python holds text with
    any character beyond Latin-1 (a curly quote) at two or four bytes a
    character; compressed UTF-8 takes about a quarter of that.  Compressing
    costs about 0.1 ms an article and reading it back a third of that, so
    archives small enough to hold their bodies as they are
    (:data:`broadsheet.pipeline.COMPRESS_ABOVE`) keep them uncompressed; larger
    ones also move them out of memory (:meth:`spill`).
    ``str(html)`` gives the text back; Jinja treats it as markup already escaped.

    An immutable value: equal, hashed and pickled by its bytes wherever they are
    kept (a spilled fragment pickles exactly as it did before).
    """

    __slots__ = ("_packed", "_spilled")
    _packed: bytes
    _spilled: tuple[Spill, int, int] | None

    def __init__(self, packed: bytes) -> None:
        object.__setattr__(self, "_packed", packed)
        object.__setattr__(self, "_spilled", None)

    @classmethod
    def of(cls, text: str, compress: bool = True) -> Html:
        data = text.encode("utf-8", "surrogatepass")
        return cls(zlib.compress(data, 1) if compress else b"\x00" + data)

    @property
    def packed(self) -> bytes:
        """zlib's stream, or NUL (which no zlib stream starts with) and the UTF-8 text."""
        spilled = self._spilled
        if spilled is None:
            return self._packed
        spill, offset, size = spilled
        return spill.read(offset, size)

    def spill(self, into: Spill) -> None:
        """Keep the bytes in ``into`` and only where they are in memory (the value
        does not change)."""
        if self._spilled is None:
            offset, size = into.write(self._packed)
            object.__setattr__(self, "_spilled", (into, offset, size))
            object.__setattr__(self, "_packed", b"")

    def __str__(self) -> str:
        packed = self.packed
        if packed[:1] == b"\x00":
            return str(memoryview(packed)[1:], "utf-8", "surrogatepass")
        return zlib.decompress(packed).decode("utf-8", "surrogatepass")

    def __html__(self) -> str:
        return str(self)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Html is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Html is immutable (cannot delete {name!r})")

    def __getstate__(self) -> list[bytes]:
        return [self.packed]

    def __setstate__(self, state: list[bytes]) -> None:
        self.__init__(state[0])  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Html):
            return NotImplemented
        return self is other or self.packed == other.packed

    def __hash__(self) -> int:
        return hash((self.packed,))

    def __repr__(self) -> str:
        return f"Html(packed={self.packed!r})"


@fast_pickle
@dataclass(frozen=True, slots=True)
class Article:
    """One article, as loaded from one source file (plus its metadata files)."""

    source: str
    """Path of the source file relative to the site folder, POSIX style."""
    format: str
    """The loader that read it: ``"txt"`` or ``"md"``."""
    slug: str
    """URL-safe identifier, unique within the archive after graph building."""
    headline: str
    """The article's headline, as plain text."""
    summary: str
    """Plain-text summary: explicit in metadata, else the first paragraph."""
    body: Html
    """The body, rendered to (safe) HTML; as text, :attr:`body_html`."""
    date: datetime | None = None
    """Publication time, timezone-aware; None for an undated article."""
    updated: datetime | None = None
    """Time of the last substantive update, timezone-aware, if any."""
    authors: tuple[str, ...] = ()
    section: str | None = None
    """The section (desk) the article belongs to, e.g. ``"Business"``."""
    tags: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    language: str | None = None
    """BCP 47 language tag; None means the site's language."""
    draft: bool = False
    word_count: int = 0
    comments: CommentState = "open"
    """Whether the comment form is shown."""
    chrome: tuple[str, ...] = ()
    """Lines of web-page chrome (comment prompts, share links...) removed from the body."""
    source_hash: str = ""
    """SHA-256 of the source file's bytes, for duplicate detection and rebuilds."""
    corrections: tuple[Correction, ...] = ()
    """Corrections, oldest first; each counts as a modification."""
    entities_extracted: bool = False
    """True when ``people`` and ``places`` were found in the text (``entities: auto``)
    rather than listed in the metadata."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Metadata keys Broadsheet does not interpret, available to templates."""
    url: str = ""
    """Site-relative URL (``2024/01/31/slug/``), set when the archive is built."""

    @property
    def body_html(self) -> str:
        """The body as HTML text."""
        return str(self.body)

    @property
    def modified(self) -> datetime | None:
        """The latest of the publication, update and correction times."""
        times = [t for t in (self.date, self.updated) if t is not None]
        times.extend(c.date for c in self.corrections)
        return max(times) if times else None

    @property
    def reading_time(self) -> int:
        """Estimated minutes to read, at 230 words a minute, at least one."""
        return max(1, round(self.word_count / 230))


@dataclass(frozen=True, slots=True)
class Page:
    """One output file: what renders it, where, and with what."""

    url: str
    """Site-relative URL (``2024/01/31/slug/``, ``feed.xml``); the file is :attr:`path`."""
    template: str
    """A Jinja template name (``"article.html"``) or a built-in writer (``"atom"``)."""
    context: Mapping[str, Any]
    """Variables particular to this page."""
    title: str = ""
    """The page's own title (without the site title)."""

    @property
    def path(self) -> str:
        """Output path relative to the output folder, POSIX style (``a/b/index.html``)."""
        return self.url + "index.html" if self.url == "" or self.url.endswith("/") else self.url
