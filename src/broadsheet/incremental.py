"""Incremental builds: reuse what has not changed, prove the rest is re-made.

Two records make a rebuild cheap:

* **The article cache** (``.broadsheet-cache/articles.pickle`` in the site
  folder) keeps each source's load result with the size and modification time
  of the files it was read from (the source, its sidecar) and a digest of its
  folder defaults.  A source whose stamp is unchanged is not read again.
* **The page manifest** (``.broadsheet-manifest`` inside the output folder, so
  that it is swapped in and out together with the pages it describes) maps
  every output file to a digest of everything its page was made from: the
  templates, the theme, the config, the globals, and the page's own context,
  hashed deeply (articles, terms and periods down to their last field).  A page
  whose digest is unchanged is not rendered again: its previous file is
  hard-linked into the new output.

Because digests cover every input of a page, an incremental build writes the
same bytes as a clean build; ``tests/test_incremental.py`` checks that over
random sequences of edits.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import time
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .loaders import LoadOptions, LoadResult, Source
from .model import Article, Correction, Page

CACHE_DIR = ".broadsheet-cache"
#: Files modified this close to the cache's writing are read again.
RACY_NS = 2_000_000_000
ARTICLE_CACHE = "articles.pickle"
MANIFEST = ".broadsheet-manifest"
_FORMAT = 1

Stamp = tuple[Any, ...]
def _flat_records() -> tuple[type, ...]:
    """Record types that hold only plain values, other such records, or small
    tuples of them: their pickle is their content."""
    from .comments import Comment, ThreadNode
    from .graph import Link, Pagination, Taxonomy, TermRef

    return (Article, Correction, Comment, ThreadNode, Link, Pagination, Taxonomy, TermRef)


def _file_stamp(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def source_stamp(source: Source) -> Stamp:
    """What must stay the same for a cached load result to be reused."""
    return (
        _file_stamp(source.path),
        _file_stamp(source.sidecar),
        source.format,
        repr(source.defaults),
    )


class ArticleCache:
    """Load results by source path, valid while their stamps hold."""

    def __init__(self, site_root: Path, options: LoadOptions, *, trust: bool = True) -> None:
        self.path = site_root / CACHE_DIR / ARTICLE_CACHE
        self.key = (_FORMAT, __version__, options)
        self.entries: dict[str, tuple[Stamp, LoadResult]] = {}
        self.fresh: dict[str, tuple[Stamp, LoadResult]] = {}
        self.saved_ns = 0
        try:
            key, saved_ns, entries = pickle.loads(self.path.read_bytes())
        except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError):
            return
        if key == self.key and trust:
            self.entries = entries
            self.saved_ns = saved_ns

    def get(self, source: Source, stamp: Stamp) -> LoadResult | None:
        found = self.entries.get(source.rel)
        if found is None or found[0] != stamp or self._racy(stamp):
            return None
        self.fresh[source.rel] = found
        return found[1]

    def _racy(self, stamp: Stamp) -> bool:
        """A file changed shortly before the cache was written may have changed again
        since without its size or time showing it (file times are coarse): read it
        again, as git does with its index."""
        times = [part[1] for part in stamp[:2] if part is not None]
        return any(t >= self.saved_ns - RACY_NS for t in times)

    def put(self, source: Source, stamp: Stamp, result: LoadResult) -> None:
        self.fresh[source.rel] = (stamp, result)

    def save(self) -> None:
        """Write the entries seen in this build (dropping deleted sources), atomically."""
        if self.fresh == self.entries and not any(
            self._racy(stamp) for stamp, _ in self.fresh.values()
        ):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        data = (self.key, time.time_ns(), self.fresh)
        temporary.write_bytes(pickle.dumps(data, pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, self.path)


class Digester:
    """Deep, memoised digests of page inputs.

    Records (dataclasses) are digested field by field and remembered by
    identity, so an article listed on a hundred pages is hashed once.
    """

    def __init__(self, base: bytes) -> None:
        self.base = base
        self.flat = _flat_records()
        self.memo: dict[int, bytes] = {}
        self._keep: list[Any] = []

    def page(self, page: Page) -> str:
        h = hashlib.blake2b(self.base, digest_size=16)
        h.update(page.template.encode())
        h.update(b"\0")
        h.update(page.url.encode())
        h.update(self.value(page.context))
        return h.hexdigest()

    def value(self, value: Any) -> bytes:
        if isinstance(value, str):
            return b"s" + value.encode("utf-8", "surrogatepass")
        if value is None or isinstance(value, (int, float, bool)):
            return repr(value).encode()
        if isinstance(value, (datetime, date)):
            return value.isoformat().encode()
        key = id(value)
        found = self.memo.get(key)
        if found is not None:
            return found
        if isinstance(value, self.flat):
            # Records of plain values: their pickle is their content, and far
            # quicker to hash than a walk over their fields.
            result = hashlib.blake2b(pickle.dumps(value, 5), digest_size=16).digest()
            self.memo[key] = result
            self._keep.append(value)
            return result
        h = hashlib.blake2b(digest_size=16)
        h.update(type(value).__name__.encode())
        if isinstance(value, Mapping):
            for item_key in sorted(value, key=str):
                h.update(self.value(item_key))
                h.update(self.value(value[item_key]))
        elif isinstance(value, (tuple, list, frozenset, set)):
            unordered = isinstance(value, (set, frozenset))
            items: Iterable[Any] = sorted(value, key=repr) if unordered else value
            for item in items:
                h.update(self.value(item))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for field in dataclasses.fields(value):
                h.update(field.name.encode())
                h.update(self.value(getattr(value, field.name)))
        elif isinstance(value, range):
            h.update(repr(value).encode())
        else:
            raise TypeError(f"cannot digest a {type(value).__name__} in a page context")
        result = h.digest()
        self.memo[key] = result
        self._keep.append(value)  # ids stay unique while the value is alive
        return result


def files_digest(paths: Iterable[Path]) -> bytes:
    """A digest of the names and contents of files (templates, theme, static files)."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(paths):
        h.update(str(path).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.digest()


Manifest = dict[str, list[Any]]


def read_manifest(output: Path) -> Manifest:
    """Page output path -> ``[digest, [files it wrote]]``; empty when unknown."""
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def write_manifest(output: Path, files: Manifest) -> None:
    data = {"format": _FORMAT, "files": dict(sorted(files.items()))}
    (output / MANIFEST).write_text(json.dumps(data, indent=0), encoding="utf-8")
