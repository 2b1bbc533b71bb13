"""Loaders: find article sources and turn each one into an :class:`Article`.

:func:`discover` walks the content folder once, reading folder defaults and
pairing each article with its sidecar.  :func:`load_source` is a pure function
of one :class:`Source` and the :class:`LoadOptions` (it reads only that
source's files), so sources can be loaded in any order or in parallel.  It
never raises: it returns the article (or None) and its diagnostics.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .. import yamlio
from ..errors import Diagnostic, SourceError
from ..model import Article, Html
from ..records import fast_pickle
from . import markdown, plaintext
from .base import Body
from .decode import decode
from .meta import (
    MAX_METADATA_VALUES,
    Layer,
    Value,
    clean_text,
    coerce,
    date_from_filename,
    layer_from_mapping,
    slugify,
)
from .meta import split_front_matter as split_front_matter

if TYPE_CHECKING:
    from ..entities import Entities

DEFAULTS_NAME = "_defaults.yaml"
SIDECAR_SUFFIXES = (".yaml", ".yml")
#: Folders under the content root that hold data, not articles.
RESERVED_DIRS = frozenset({"comments"})
#: Largest source file read, in bytes.
MAX_SOURCE_BYTES = 64 * 1024 * 1024
#: Largest Markdown source, in bytes.  markdown-it-py needs up to ~30 seconds per
#: megabyte on hostile input (thousands of unclosed ``![``), so Markdown gets a
#: tighter bound than plain text, whose parser is linear and fast.  The largest
#: real article in the test corpora is under 100 KB.
MAX_MARKDOWN_BYTES = 1024 * 1024
#: Size limits by format (others: MAX_SOURCE_BYTES).
SIZE_LIMITS: dict[str, int] = {"md": MAX_MARKDOWN_BYTES}
_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|td|th|pre)>")
_NO_HEADLINE = {
    "txt": "no headline: start the text with a headline line, or add 'headline:' to "
    "the front matter or a sidecar",
    "md": "no headline: add 'headline:' to the front matter, or start the body with "
    "'# Headline'",
}


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """The parts of the site config that loading depends on (picklable)."""

    timezone: str = "UTC"
    unsafe_html: bool = False
    entities: bool = False
    """Find people and places in the text of articles whose metadata lists neither."""
    compress_bodies: bool = True
    """Keep article bodies compressed (:class:`~broadsheet.model.Html`); the pipeline
    also moves them out of memory then (:mod:`broadsheet.spill`)."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class Source:
    """One article source file, with what discovery learnt about it."""

    path: Path
    """Absolute path of the file."""
    rel: str
    """Path shown in messages: relative to the site folder, POSIX style."""
    format: str
    """Registry key: ``"txt"`` or ``"md"``."""
    sidecar: Path | None = None
    sidecar_rel: str | None = None
    defaults: tuple[Layer, ...] = field(default=())
    """Folder-default layers, outermost first."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class LoadResult:
    article: Article | None
    diagnostics: tuple[Diagnostic, ...] = ()


Parser = Callable[[str, int, LoadOptions, bool], Body]


def _parse_text(text: str, first_line: int, options: LoadOptions, take_heading: bool) -> Body:
    return plaintext.parse(text, first_line)


def _parse_markdown(text: str, first_line: int, options: LoadOptions, take_heading: bool) -> Body:
    return markdown.parse(text, first_line, options.unsafe_html, take_heading)


#: Formats by name, and file extensions by format.
PARSERS: dict[str, Parser] = {"txt": _parse_text, "md": _parse_markdown}
EXTENSIONS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
}


def discover(site_root: Path, content_dir: Path) -> tuple[list[Source], list[Diagnostic]]:
    """Find every article under ``content_dir``, sorted by path."""
    sources: list[Source] = []
    diagnostics: list[Diagnostic] = []
    if not content_dir.is_dir():
        diagnostics.append(
            Diagnostic(_shown(content_dir, site_root), None, None,
                       "content folder not found; create it and put articles in it",
                       "warning")
        )  # fmt: skip
        return sources, diagnostics
    content_real = content_dir.resolve()
    defaults_by_dir: dict[Path, tuple[Layer, ...]] = {}
    for folder, dirnames, filenames, links in _walk(content_dir):
        parent = defaults_by_dir.get(folder.parent, ())
        layers = list(parent)
        shown_folder = _shown(folder, site_root)
        prefix = "" if shown_folder == "." else shown_folder + "/"
        if folder != content_dir:
            section = _section_from_folder(folder.name)
            if section:
                layers.append({"section": Value(section, shown_folder, None)})
        if DEFAULTS_NAME in filenames:
            problem = _link_problem(folder / DEFAULTS_NAME, content_real, DEFAULTS_NAME in links)
            if problem:
                diagnostics.append(Diagnostic(
                    prefix + DEFAULTS_NAME, None, None, f"not read: {problem}"))  # fmt: skip
            else:
                layer = _read_defaults(folder / DEFAULTS_NAME, site_root, diagnostics)
                if layer:
                    layers.append(layer)
        defaults = defaults_by_dir[folder] = tuple(layers)
        if folder == content_dir:
            dirnames[:] = [d for d in dirnames if d not in RESERVED_DIRS]
        names = set(filenames)
        used_sidecars: set[str] = set()
        for name in sorted(filenames):
            stem, ext = os.path.splitext(name)
            fmt = EXTENSIONS.get(ext.lower())
            if fmt is None:
                if not ext:
                    diagnostics.append(Diagnostic(
                        prefix + name, None, None,
                        "skipped: no file extension; name it .txt or .md to publish it",
                        "warning"))  # fmt: skip
                continue
            path = folder / name
            problem = _link_problem(path, content_real, name in links)
            if problem:
                diagnostics.append(Diagnostic(
                    prefix + name, None, None, f"skipped: {problem}", "warning"))  # fmt: skip
                continue
            candidates = [stem + s for s in SIDECAR_SUFFIXES if stem + s in names]
            sidecar = candidates[0] if candidates else None
            used_sidecars.update(candidates)
            problem = (_link_problem(folder / sidecar, content_real, sidecar in links)
                       if sidecar else None)  # fmt: skip
            if problem:
                # Publishing without its metadata could publish a draft: skip it.
                diagnostics.append(Diagnostic(
                    prefix + name, None, None,
                    f"skipped: its metadata file {sidecar} is {problem}", "warning"))  # fmt: skip
                continue
            for ignored in candidates[1:]:
                diagnostics.append(Diagnostic(
                    prefix + ignored, None, None,
                    f"ignored: {sidecar} beside it is the sidecar of {name}; merge the two "
                    "files", "warning"))  # fmt: skip
            sources.append(
                Source(
                    path=path,
                    rel=prefix + name,
                    format=fmt,
                    sidecar=folder / sidecar if sidecar else None,
                    sidecar_rel=prefix + sidecar if sidecar else None,
                    defaults=defaults,
                )
            )
        for name in sorted(filenames):
            orphan = name not in used_sidecars and name != DEFAULTS_NAME
            if orphan and name.endswith(SIDECAR_SUFFIXES):
                diagnostics.append(Diagnostic(
                    prefix + name, None, None,
                    f"metadata file has no article beside it ({Path(name).stem}.txt or "
                    f"{Path(name).stem}.md); it is ignored",
                    "warning"))  # fmt: skip
    sources.sort(key=lambda s: s.rel)
    return sources, diagnostics


def _walk(folder: Path) -> Iterator[tuple[Path, list[str], list[str], set[str]]]:
    """Each folder from ``folder`` down, parents first, with its subfolders' names
    (sorted; the caller may remove some, which are then not entered), its files'
    names and which of its entries are symbolic links.  Hidden files and folders
    and ``_``-prefixed folders are left out; linked folders are listed but not
    entered (as ``os.walk`` does).  The folder listing says what each entry is, so
    no file is looked at on its own (10,000 articles: 0.17 s -> 0.07 s)."""
    dirnames: list[str] = []
    files: list[str] = []
    links: set[str] = set()
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                name = entry.name
                if name.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir and name.startswith("_"):
                    continue
                (dirnames if is_dir else files).append(name)
                if entry.is_symlink():
                    links.add(name)
    except OSError:
        return  # an unreadable folder is skipped, as os.walk does
    dirnames.sort()
    yield folder, dirnames, files, links
    for name in dirnames:
        if name not in links:
            yield from _walk(folder / name)


def _link_problem(path: Path, root_real: Path, is_link: bool) -> str | None:
    """Why the symlink ``path`` must not be followed; None for a file (not
    ``is_link``), or a link that stays inside ``root_real``."""
    if not is_link:
        return None
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        return "a link that leads back to itself"
    if not target.is_relative_to(root_real):
        return "a link to a file outside the content folder"
    return None


def _section_from_folder(name: str) -> str | None:
    """The default section for a folder: its name, unless it is a number (a year)."""
    if name.isdigit():
        return None
    words = name.replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) if name.islower() else " ".join(words)


def _shown(path: Path, site_root: Path) -> str:
    try:
        return path.relative_to(site_root).as_posix()
    except ValueError:
        return path.as_posix()


def _read_defaults(path: Path, site_root: Path, diagnostics: list[Diagnostic]) -> Layer:
    shown = _shown(path, site_root)
    try:
        text, _ = decode(_read_bytes(path, shown, MAX_SOURCE_BYTES), shown)
        lines: dict[str, int] = {}
        data = yamlio.load(text, shown, max_values=MAX_METADATA_VALUES, lines=lines)
        return layer_from_mapping(data, shown, lines, 1)
    except SourceError as exc:
        diagnostics.extend(exc.diagnostics)
    return {}


def plain_text(html: str) -> str:
    """Visible text of a body's HTML, a line per block, for entity extraction."""
    return unescape(_TAG.sub(" ", _BLOCK_END.sub("\n", html)))


def extract_entities(text: str) -> Entities:
    from ..entities import extract

    return extract(text)


def load_source(source: Source, options: LoadOptions) -> LoadResult:
    """Read one source into an article; never raises for bad input."""
    warnings: list[Diagnostic] = []
    try:
        article = _load(source, options, warnings)
    except SourceError as exc:
        return LoadResult(None, tuple(warnings) + exc.diagnostics)
    return LoadResult(article, tuple(warnings))


def _read_bytes(path: Path, shown: str, limit: int, advice: str = "split it") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else a SourceError.

    Anything but a regular file (a FIFO would block the build for ever, a device
    never ends) is refused before it is opened, and at most ``limit + 1`` bytes
    are read, so a file that grows after the check cannot exhaust memory either.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise SourceError.at(shown, None, "not a regular file; only files are read")
        size, data = info.st_size, b""
        if size <= limit:
            with path.open("rb") as handle:
                # Asking for limit + 1 bytes at once would allocate that much for
                # every file; ask for the size first, then for what it grew by.
                data = handle.read(size + 1)
                if len(data) > size:
                    data += handle.read(limit + 1 - len(data))
            size = max(size, len(data))
    except OSError as exc:
        raise SourceError.at(shown, None, f"cannot read: {exc.strerror or exc}") from None
    if size > limit:
        raise SourceError.at(
            shown, None, f"file is {size:,} bytes, larger than the {limit:,}-byte limit; {advice}"
        )
    return data


def _read_text(
    path: Path, shown: str, warnings: list[Diagnostic], limit: int = MAX_SOURCE_BYTES,
    advice: str = "split it",
) -> tuple[str, bytes]:  # fmt: skip
    data = _read_bytes(path, shown, limit, advice)
    text, encoding = decode(data, shown)
    if encoding:
        warnings.append(Diagnostic(
            shown, None, None,
            f"not UTF-8; decoded as {encoding}. Save it as UTF-8 to silence this warning",
            "warning"))  # fmt: skip
    if "\x00" in text:
        # NUL is no text (HTML drops it, XML forbids it): a binary file, or UTF-16
        # saved without a byte-order mark.  Leave it out and say so.
        line = text.count("\n", 0, text.index("\x00")) + 1
        warnings.append(Diagnostic(
            shown, line, None,
            f"{text.count(chr(0)):,} NUL character(s) left out; is this a text file "
            "saved as UTF-8?", "warning"))  # fmt: skip
        text = text.replace("\x00", "")
    return text, data


def _load(source: Source, options: LoadOptions, warnings: list[Diagnostic]) -> Article:
    shown = source.rel
    limit = SIZE_LIMITS.get(source.format, MAX_SOURCE_BYTES)
    advice = "split it" if source.format == "txt" else "split it, or save it as plain text (.txt)"
    text, data = _read_text(source.path, shown, warnings, limit, advice)
    if not text.strip():
        raise SourceError.at(shown, None, "file has no text; write the article or delete the file")
    fm_text, fm_line, body_text, body_line = split_front_matter(text, shown)
    layers: list[Layer] = list(source.defaults)
    stem = source.path.stem
    date_layer, name_slug = date_from_filename(stem, shown)
    layers.append(date_layer)
    if fm_text is not None:
        front_lines: dict[str, int] = {}
        front = yamlio.load(fm_text, shown, fm_line, MAX_METADATA_VALUES, lines=front_lines)
        layers.append(layer_from_mapping(front, shown, front_lines, fm_line))
    if source.sidecar is not None:
        sidecar_shown = source.sidecar_rel or shown
        sidecar_text, _ = _read_text(source.sidecar, sidecar_shown, warnings)
        side_lines: dict[str, int] = {}
        side = yamlio.load(sidecar_text, sidecar_shown, max_values=MAX_METADATA_VALUES,
                           lines=side_lines)  # fmt: skip
        layers.append(layer_from_mapping(side, sidecar_shown, side_lines, 1))
    meta = coerce(layers, ZoneInfo(options.timezone), shown)
    fields = meta.fields
    body = PARSERS[source.format](body_text, body_line, options, not fields.get("headline"))
    headline = fields.get("headline") or clean_text(body.headline or "")
    if not headline:
        raise SourceError.at(shown, body_line, _NO_HEADLINE[source.format])
    extra = dict(meta.extra)
    replaced = fields.get("headline") and body.headline != fields["headline"]
    if source.format == "txt" and body.headline and replaced:
        extra["source_headline"] = body.headline
    people, places = fields.get("people", ()), fields.get("places", ())
    extracted = options.entities and not people and not places
    if extracted:
        found = extract_entities(f"{headline}\n\n{plain_text(body.html)}")
        people, places = found.people, found.places
    slug = slugify(fields.get("slug") or name_slug) or slugify(headline)
    digest = hashlib.sha256(data).hexdigest()
    return Article(
        source=shown,
        format=source.format,
        slug=slug or f"article-{digest[:10]}",
        headline=headline,
        summary=fields.get("summary") or clean_text(body.summary),
        body=Html.of(body.html, options.compress_bodies),
        date=fields.get("date"),
        updated=fields.get("updated"),
        authors=fields.get("authors", ()),
        section=fields.get("section"),
        tags=fields.get("tags", ()),
        people=people,
        places=places,
        language=fields.get("language"),
        draft=fields.get("draft", False),
        word_count=body.word_count,
        comments=fields.get("comments", "open"),
        chrome=body.chrome,
        corrections=fields.get("corrections", ()),
        entities_extracted=extracted,
        source_hash=digest,
        extra=extra,
    )
