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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .. import yamlio
from ..errors import Diagnostic, SourceError
from ..model import Article
from . import markdown, plaintext
from .base import Body
from .decode import decode
from .meta import Layer, Value, coerce, date_from_filename, layer_from_mapping, slugify
from .meta import split_front_matter as split_front_matter

if TYPE_CHECKING:
    from ..entities import Entities

DEFAULTS_NAME = "_defaults.yaml"
SIDECAR_SUFFIXES = (".yaml", ".yml")
#: Folders under the content root that hold data, not articles.
RESERVED_DIRS = frozenset({"comments"})
#: Largest source file read, in bytes.
MAX_SOURCE_BYTES = 64 * 1024 * 1024
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
    for folder, dirnames, filenames in _walk(content_dir):
        parent = defaults_by_dir.get(folder.parent, ())
        layers = list(parent)
        if folder != content_dir:
            section = _section_from_folder(folder.name)
            if section:
                layers.append({"section": Value(section, _shown(folder, site_root), None)})
        if DEFAULTS_NAME in filenames:
            layer = _read_defaults(folder / DEFAULTS_NAME, site_root, diagnostics)
            if layer:
                layers.append(layer)
        defaults_by_dir[folder] = tuple(layers)
        if folder == content_dir:
            dirnames[:] = [d for d in dirnames if d not in RESERVED_DIRS]
        names = set(filenames)
        used_sidecars: set[str] = set()
        for name in sorted(filenames):
            path = folder / name
            stem, ext = os.path.splitext(name)
            fmt = EXTENSIONS.get(ext.lower())
            if fmt is None:
                if not ext and not name.startswith("."):
                    diagnostics.append(Diagnostic(
                        _shown(path, site_root), None, None,
                        "skipped: no file extension; name it .txt or .md to publish it",
                        "warning"))  # fmt: skip
                continue
            if not _inside(path, content_real):
                diagnostics.append(Diagnostic(
                    _shown(path, site_root), None, None,
                    "skipped: a link to a file outside the content folder", "warning"))  # fmt: skip
                continue
            candidates = [stem + s for s in SIDECAR_SUFFIXES if stem + s in names]
            sidecar = candidates[0] if candidates else None
            used_sidecars.update(candidates)
            for ignored in candidates[1:]:
                diagnostics.append(Diagnostic(
                    _shown(folder / ignored, site_root), None, None,
                    f"ignored: {sidecar} beside it is the sidecar of {name}; merge the two "
                    "files", "warning"))  # fmt: skip
            sources.append(
                Source(
                    path=path,
                    rel=_shown(path, site_root),
                    format=fmt,
                    sidecar=folder / sidecar if sidecar else None,
                    sidecar_rel=_shown(folder / sidecar, site_root) if sidecar else None,
                    defaults=defaults_by_dir[folder],
                )
            )
        for name in sorted(filenames):
            orphan = name not in used_sidecars and name != DEFAULTS_NAME
            if orphan and name.endswith(SIDECAR_SUFFIXES):
                diagnostics.append(Diagnostic(
                    _shown(folder / name, site_root), None, None,
                    f"metadata file has no article beside it ({Path(name).stem}.txt or "
                    f"{Path(name).stem}.md); it is ignored",
                    "warning"))  # fmt: skip
    sources.sort(key=lambda s: s.rel)
    return sources, diagnostics


def _walk(top: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    """os.walk in sorted order, skipping hidden and ``_``-prefixed folders."""
    for folder, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        yield Path(folder), dirnames, [f for f in filenames if not f.startswith(".")]


def _inside(path: Path, root_real: Path) -> bool:
    if not path.is_symlink():
        return True
    try:
        path.resolve().relative_to(root_real)
    except ValueError:
        return False
    return True


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
        text, _ = decode(path.read_bytes(), shown)
        return layer_from_mapping(yamlio.load(text, shown), shown, text, 1)
    except OSError as exc:
        diagnostics.append(Diagnostic(shown, None, None, f"cannot read: {exc.strerror}"))
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


def _read_text(path: Path, shown: str, warnings: list[Diagnostic]) -> tuple[str, bytes]:
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceError.at(
                shown,
                None,
                f"file is {size:,} bytes, larger than the "
                f"{MAX_SOURCE_BYTES:,}-byte limit; split it",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError.at(shown, None, f"cannot read: {exc.strerror}") from None
    text, encoding = decode(data, shown)
    if encoding:
        warnings.append(Diagnostic(
            shown, None, None,
            f"not UTF-8; decoded as {encoding}. Save it as UTF-8 to silence this warning",
            "warning"))  # fmt: skip
    return text, data


def _load(source: Source, options: LoadOptions, warnings: list[Diagnostic]) -> Article:
    shown = source.rel
    text, data = _read_text(source.path, shown, warnings)
    if not text.strip():
        raise SourceError.at(shown, None, "file has no text; write the article or delete the file")
    fm_text, fm_line, body_text, body_line = split_front_matter(text, shown)
    layers: list[Layer] = list(source.defaults)
    stem = source.path.stem
    date_layer, name_slug = date_from_filename(stem, shown)
    layers.append(date_layer)
    if fm_text is not None:
        layers.append(layer_from_mapping(yamlio.load(fm_text, shown, fm_line), shown,
                                         fm_text, fm_line))  # fmt: skip
    if source.sidecar is not None:
        sidecar_shown = source.sidecar_rel or shown
        sidecar_text, _ = _read_text(source.sidecar, sidecar_shown, warnings)
        layers.append(layer_from_mapping(yamlio.load(sidecar_text, sidecar_shown),
                                         sidecar_shown, sidecar_text, 1))  # fmt: skip
    meta = coerce(layers, ZoneInfo(options.timezone), shown)
    fields = meta.fields
    body = PARSERS[source.format](body_text, body_line, options, not fields.get("headline"))
    headline = fields.get("headline") or body.headline
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
        summary=fields.get("summary") or body.summary,
        body_html=body.html,
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
