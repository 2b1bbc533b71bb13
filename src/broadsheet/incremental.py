"""Incremental builds: reuse what has not changed, prove the rest is re-made.

Two records make a rebuild cheap:

* **The article cache** (``.broadsheet-cache/articles.pickle`` and a delta beside it, in the site
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
import io
import json
import os
import pickle
import time
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .loaders import LoadOptions, LoadResult, Source
    from .model import Page

CACHE_DIR = ".broadsheet-cache"
#: Files modified this close to the cache's writing are read again.
RACY_NS = 2_000_000_000
ARTICLE_CACHE = "articles.pickle"
DELTA_CACHE = "articles.delta.pickle"
#: A delta of up to this many entries (or a tenth of the cache) is written instead of a base.
DELTA_LIMIT = 64
MANIFEST = ".broadsheet-manifest"
_FORMAT = 1
#: The article cache's layout (a header, then the entries); records changed with it.
_CACHE_FORMAT = 3

Stamp = tuple[Any, ...]


def _flat_records() -> tuple[type, ...]:
    """Record types that hold only plain values, other such records, or small
    tuples of them: their pickle is their content."""
    from .comments import Comment, ThreadNode
    from .graph import Link, Pagination, Taxonomy, TermRef
    from .model import Article, Correction, Html

    return (Article, Correction, Html, Comment, ThreadNode, Link, Pagination, Taxonomy, TermRef)


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
    """Load results by source path, valid while their stamps hold.

    The cache is a base file of every entry and, beside it, a *delta* of the
    entries added, changed or removed since: a rebuild after a few edits writes
    those entries, not the whole archive.  The delta is folded into a new base
    when it grows past a tenth of the entries.
    """

    def __init__(self, site_root: Path, options: LoadOptions, *, trust: bool = True) -> None:
        self.path = site_root / CACHE_DIR / ARTICLE_CACHE
        self.delta_path = self.path.with_name(DELTA_CACHE)
        self.key = (_CACHE_FORMAT, __version__, options)
        self.entries: dict[str, tuple[Stamp, LoadResult]] = {}
        self.fresh: dict[str, tuple[Stamp, LoadResult]] = {}
        self.saved_ns = 0
        self.base = ""
        """The base file's token, which a delta names to apply to it."""
        self.delta: dict[str, tuple[Stamp, LoadResult] | None] = {}
        self.delta_saved_ns = 0
        if trust:
            self._load()

    def _load(self) -> None:
        # Each file is a header, then the entries: a cache for other options (or another
        # version) is never loaded, and files are streamed, never held whole in memory.
        try:
            with self.path.open("rb") as file:
                key, saved_ns, token = pickle.load(file)
                if key != self.key:
                    return
                self.entries = pickle.load(file)
                self.saved_ns, self.base = saved_ns, token
        except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError):
            self.entries, self.saved_ns, self.base = {}, 0, ""
            return
        try:
            with self.delta_path.open("rb") as file:
                key, saved_ns, base = pickle.load(file)
                if key != self.key or base != self.base:
                    return
                delta = pickle.load(file)
        except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError):
            return
        for rel, entry in delta.items():
            if entry is None:
                self.entries.pop(rel, None)
            else:
                self.entries[rel] = entry
        self.delta, self.delta_saved_ns = delta, saved_ns

    def get(self, source: Source, stamp: Stamp) -> LoadResult | None:
        found = self.entries.get(source.rel)
        if found is None or found[0] != stamp or self._racy(source.rel, stamp):
            return None
        self.fresh[source.rel] = found
        return found[1]

    def _racy(self, rel: str, stamp: Stamp) -> bool:
        """A file changed shortly before the cache was written may have changed again
        since without its size or time showing it (file times are coarse): read it
        again, as git does with its index."""
        saved_ns = self.delta_saved_ns if rel in self.delta else self.saved_ns
        times = [part[1] for part in stamp[:2] if part is not None]
        return any(t >= saved_ns - RACY_NS for t in times)

    def put(self, source: Source, stamp: Stamp, result: LoadResult) -> None:
        self.fresh[source.rel] = (stamp, result)

    def save(self) -> None:
        """Write the entries seen in this build (dropping deleted sources), atomically:
        as a delta when few changed, else as a new base."""
        changes: dict[str, tuple[Stamp, LoadResult] | None] = {
            rel: entry for rel, entry in self.fresh.items() if self.entries.get(rel) is not entry
        }
        changes.update((rel, None) for rel in self.entries if rel not in self.fresh)
        if not changes:  # (a source read again because it was racy counts as a change)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        delta = {**self.delta, **changes}
        if self.base and len(delta) <= max(DELTA_LIMIT, len(self.fresh) // 10):
            header: tuple[Any, ...] = (self.key, time.time_ns(), self.base)
            _write_pickles(self.delta_path, header, delta)
            return
        _write_pickles(self.path, (self.key, time.time_ns(), os.urandom(8).hex()), self.fresh)
        self.delta_path.unlink(missing_ok=True)


def _write_pickles(path: Path, *values: Any) -> None:
    """Write ``values`` one after another into ``path``, atomically."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with temporary.open("wb") as file:
        for value in values:
            pickle.dump(value, file, pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


class Digester:
    """Digests of page inputs, deep and memoised.

    A page's template, URL and context are pickled (at C speed), except that
    every record in them (articles, terms, periods...) is replaced by its own
    digest, computed once per build and remembered by identity: an article
    listed on a hundred pages is hashed once.  Sets are sorted first, so a
    digest does not depend on the process's string hashing.
    """

    def __init__(self, base: bytes) -> None:
        self.base = base
        self.flat = frozenset(_flat_records())
        self.memo: dict[int, bytes] = {}
        self._keep: list[Any] = []

    def page(self, page: Page) -> str:
        """The digest of a page: its template, URL and context."""
        return self.value((page.template, page.url, page.context)).hex()

    def value(self, value: Any) -> bytes:
        """The digest of ``value`` (anything a page context holds)."""
        buffer = io.BytesIO()
        buffer.write(self.base)
        _ContextPickler(buffer, self).dump(value)
        return hashlib.blake2b(buffer.getbuffer(), digest_size=16).digest()

    def record(self, value: Any) -> bytes:
        """The digest of a record (dataclass), set or range."""
        key = id(value)
        found = self.memo.get(key)
        if found is not None:
            return found
        kind = type(value)
        if kind in self.flat:
            # Records of plain values: their pickle is their content.
            result = hashlib.blake2b(_unshared_pickle(value), digest_size=16).digest()
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
            result = self.value((kind.__name__, fields))
        elif isinstance(value, (set, frozenset)):
            result = self.value((kind.__name__, sorted(value, key=repr)))
        elif isinstance(value, range):
            result = self.value(("range", value.start, value.stop, value.step))
        else:
            raise TypeError(f"cannot digest a {kind.__name__} in a page context")
        self.memo[key] = result
        self._keep.append(value)  # ids stay unique while the value is alive
        return result


def _unshared_pickle(value: Any) -> bytes:
    """``value``'s pickle, the same whichever of its equal parts are one object."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


#: Types pickled as they are; records (dataclasses), sets and ranges go through
#: Digester.record.
_PLAIN = frozenset({str, int, float, bool, type(None), bytes, tuple, list, dict, datetime, date})
_UNORDERED = frozenset({set, frozenset, range})


class _ContextPickler(pickle.Pickler):
    def __init__(self, buffer: io.BytesIO, digester: Digester) -> None:
        super().__init__(buffer, protocol=5)
        # No memo: a pickle otherwise encodes which equal strings are one object, which
        # differs between a freshly read article and a cached one of the same content.
        self.fast = True
        self.digester = digester

    def persistent_id(self, obj: Any) -> bytes | None:
        kind = type(obj)
        if kind in _PLAIN:
            return None
        if hasattr(kind, "__dataclass_fields__") or kind in _UNORDERED:
            return self.digester.record(obj)
        return None  # time zones, classes...: pickled by reference, deterministically


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
    return read_manifest_with_assets(output)[0]


def read_manifest_with_assets(output: Path) -> tuple[Manifest, list[str]]:
    """The pages of :func:`read_manifest` and the static files of ``output``."""
    data = _manifest_data(output)
    return (data["files"], data["assets"]) if data else ({}, [])


def _manifest_data(output: Path) -> dict[str, Any] | None:
    """The manifest of ``output`` with ``files`` and ``assets`` checked; None when
    there is none, or one of another format."""
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return None
    if not isinstance(data.get("files"), dict):
        return None
    if not isinstance(data.get("assets"), list):
        data["assets"] = []
    return data


def write_manifest(output: Path, files: Manifest, assets: Iterable[str] = ()) -> None:
    """Record the pages (``files``) and static files (``assets``) of ``output``."""
    data = {"format": _FORMAT, "files": dict(sorted(files.items())), "assets": sorted(assets)}
    from .output import write_new  # (not at the top: the build stamp's path stays light)

    write_new(output / MANIFEST, json.dumps(data, separators=(",", ":")))


def listed_files(output: Path) -> set[str] | None:
    """Every file the manifest of ``output`` accounts for (with the ``.gz`` and ``.br``
    siblings any of them may have), or None without a readable manifest."""
    data = _manifest_data(output)
    if data is None:
        return None
    listed = {MANIFEST, *data["assets"]}
    for _, outputs in data["files"].values():
        listed.update(outputs)
    return listed | {rel + suffix for rel in listed for suffix in (".gz", ".br")}


# --- The build stamp: a rebuild with nothing to do ----------------------------------------

STAMP = "build-stamp.json"


def scan_inputs(paths: Iterable[Path]) -> tuple[str, int]:
    """A digest of the names, sizes and modification times of every file under
    ``paths`` (files or folders; missing ones count as missing), and the newest
    modification time among them.  Contents are not read: this is the cheap
    test, like make's or git's index, that lets a rebuild with nothing changed
    finish in a fraction of a second."""
    lines: list[str] = []
    newest = 0
    seen: set[tuple[int, int]] = set()
    for root in paths:
        lines.append(f"root {root}")
        pending = [str(root)]
        while pending:
            folder = pending.pop()
            try:
                info = os.stat(folder)
            except OSError:
                lines.append(f"{folder} missing")
                continue
            if (info.st_dev, info.st_ino) in seen:  # a symlink loop
                continue
            seen.add((info.st_dev, info.st_ino))
            try:
                entries = list(os.scandir(folder))
            except NotADirectoryError:  # a file given as a root
                lines.append(f"{info.st_size} {info.st_mtime_ns} {info.st_ino}")
                newest = max(newest, info.st_mtime_ns)
                continue
            except OSError:
                lines.append(f"{folder} unreadable")
                continue
            for entry in entries:
                try:
                    if entry.is_dir():
                        pending.append(entry.path)
                        continue
                    stat = entry.stat()
                except OSError:
                    lines.append(f"{entry.path} gone")
                    continue
                lines.append(f"{entry.path} {stat.st_size} {stat.st_mtime_ns} {stat.st_ino}")
                newest = max(newest, stat.st_mtime_ns)
    lines.sort()
    text = "\n".join(lines).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=16).hexdigest(), newest


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def output_identity(output: Path) -> list[int] | None:
    """Which manifest the output folder holds (a new build writes a new file)."""
    stat = _stat(output / MANIFEST)
    return list(stat) if stat else None


@dataclasses.dataclass
class BuildStamp:
    """What the last successful build saw, and what it reported.

    A build whose inputs scan the same (:func:`scan_inputs`), at a moment
    within ``[since, until)`` (no article comes out of the future, leaves the
    news sitemap, closes for comments or changes "on this day" in between), and
    whose output folder still holds that build's manifest, would write exactly
    what is there: it is skipped.
    """

    key: str
    scanned_ns: int
    """When the inputs were scanned (before they were read)."""
    newest_ns: int
    """The newest modification time among the inputs."""
    since: str
    until: str
    output: list[int] | None
    articles: int
    failed: int
    pages: int
    diagnostics: list[list[Any]]

    def holds(self, key: str, now: datetime, output: list[int] | None) -> bool:
        racy = self.newest_ns >= self.scanned_ns - RACY_NS
        within = datetime.fromisoformat(self.since) <= now < datetime.fromisoformat(self.until)
        return (
            not racy and key == self.key and within and output is not None
            and output == self.output
        )  # fmt: skip


def read_stamp(site_root: Path) -> BuildStamp | None:
    try:
        data = json.loads((site_root / CACHE_DIR / STAMP).read_text(encoding="utf-8"))
        return BuildStamp(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_stamp(site_root: Path, stamp: BuildStamp | None) -> None:
    """Record ``stamp`` (or forget the last one), atomically."""
    path = site_root / CACHE_DIR / STAMP
    if stamp is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{STAMP}.{os.getpid()}")
    temporary.write_text(json.dumps(dataclasses.asdict(stamp)), encoding="utf-8")
    os.replace(temporary, path)
