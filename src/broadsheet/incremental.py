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

A third record, the page store (:mod:`broadsheet.pagestore`), keeps what each
page was digested from, so that a rebuild after a few edits need not lay out
the archive again (:mod:`broadsheet.patch`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import pickle
import struct
import time
from collections.abc import Iterable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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
_CACHE_FORMAT = 5

Stamp = tuple[Any, ...]


def _flat_records() -> tuple[type, ...]:
    """Record types that hold only plain values, other such records, or small
    tuples of them: their pickle is their content."""
    from .comments import Comment, ThreadNode
    from .graph import Link, Pagination, PeriodSummary, Taxonomy, TermRef, TermSummary
    from .model import Article, Correction, Html

    return (Article, Correction, Html, Comment, ThreadNode, Link, Pagination, Taxonomy, TermRef,
            TermSummary, PeriodSummary)


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

    The base file is a header, the entries (each its own pickle), their index
    and the index's offset: an entry is unpickled only when it is asked for, so
    a rebuild that needs a few records (:mod:`broadsheet.patch`) reads only those.
    """

    def __init__(self, site_root: Path, options: LoadOptions, *, trust: bool = True) -> None:
        self.path = site_root / CACHE_DIR / ARTICLE_CACHE
        self.delta_path = self.path.with_name(DELTA_CACHE)
        self.key = (_CACHE_FORMAT, __version__, options)
        self.stamps: dict[str, Stamp] = {}
        """Every entry's stamp, base and delta together."""
        self.fresh: dict[str, tuple[Stamp, LoadResult]] = {}
        self.saved_ns = 0
        self.base = ""
        """The base file's token, which a delta names to apply to it."""
        self.delta: dict[str, tuple[Stamp, LoadResult] | None] = {}
        self.delta_saved_ns = 0
        self._file: io.BufferedReader | None = None
        self._spans: dict[str, tuple[int, int]] = {}
        self._results: dict[str, LoadResult] = {}
        self._read: set[str] = set()
        """Sources read again in this build (:meth:`put`)."""
        self._pickled: dict[str, tuple[LoadResult, bytes]] = {}
        if trust:
            self._load()

    def _load(self) -> None:
        # A cache for other options (or another version) is never used.  Entries are
        # read one by one when asked for (os.pread): the file is not held in memory.
        try:
            file = self.path.open("rb")
        except OSError:
            return
        try:
            key, saved_ns, token = pickle.load(file)
            if key != self.key:
                file.close()
                return
            size = os.fstat(file.fileno()).st_size
            (index_at,) = struct.unpack("<Q", os.pread(file.fileno(), 8, size - 8))
            index: dict[str, tuple[Stamp, int, int]] = pickle.loads(
                os.pread(file.fileno(), size - 8 - index_at, index_at))
        except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError,
                struct.error, IndexError):  # fmt: skip
            file.close()
            return
        self._file, self.saved_ns, self.base = file, saved_ns, token
        self.stamps = {rel: stamp for rel, (stamp, _, _) in index.items()}
        self._spans = {rel: (start, end) for rel, (_, start, end) in index.items()}
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
                self.stamps.pop(rel, None)
                self._spans.pop(rel, None)
            else:
                self.stamps[rel], self._results[rel] = entry
                self._spans.pop(rel, None)
        self.delta, self.delta_saved_ns = delta, saved_ns

    @property
    def identity(self) -> tuple[str, int]:
        """Which base and delta the cache holds (each save changes it)."""
        return (self.base, self.delta_saved_ns)

    def result(self, rel: str) -> LoadResult | None:
        """The cached load result of ``rel``, whatever its stamp; None when unknown."""
        found = self._results.get(rel)
        if found is None and rel in self._spans:
            try:
                found = pickle.loads(self._span(rel))
            except (OSError, pickle.PickleError, EOFError, ValueError, TypeError,
                    AttributeError):  # fmt: skip
                return None
            self._results[rel] = found
        return found

    def _span(self, rel: str) -> bytes:
        """The pickled entry of ``rel`` in the base file."""
        start, end = self._spans[rel]
        assert self._file is not None
        data = os.pread(self._file.fileno(), end - start, start)
        if len(data) != end - start:
            raise EOFError(f"the article cache ends inside the entry of {rel}")
        return data

    def close(self) -> None:
        """Let go of the base file (entries not read yet can no longer be)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._spans = {rel: span for rel, span in self._spans.items() if rel in self._results}

    def get(self, source: Source, stamp: Stamp) -> LoadResult | None:
        if self.stamps.get(source.rel) != stamp or self._racy(source.rel, stamp):
            return None
        found = self.result(source.rel)
        if found is not None:
            self.fresh[source.rel] = (stamp, found)
        return found

    def _racy(self, rel: str, stamp: Stamp) -> bool:
        """A file changed shortly before the cache was written may have changed again
        since without its size or time showing it (file times are coarse): read it
        again, as git does with its index."""
        saved_ns = self.delta_saved_ns if rel in self.delta else self.saved_ns
        times = [part[1] for part in stamp[:2] if part is not None]
        return any(t >= saved_ns - RACY_NS for t in times)

    def put(self, source: Source, stamp: Stamp, result: LoadResult, data: bytes = b"") -> None:
        """Record a source read again; ``data``, when given, is ``result`` pickled."""
        self.fresh[source.rel] = (stamp, result)
        self._read.add(source.rel)
        if data:
            self._pickled[source.rel] = (result, data)

    def save(self) -> None:
        """Write the entries seen in this build (dropping deleted sources), atomically:
        as a delta when few changed, else as a new base.  (A source read again
        because it was racy counts as a change.)"""
        changes: dict[str, tuple[Stamp, LoadResult] | None] = {
            rel: self.fresh[rel] for rel in self._read
        }
        changes.update((rel, None) for rel in self.stamps if rel not in self.fresh)
        self.write(changes, everything=self.fresh)

    def write(
        self,
        changes: dict[str, tuple[Stamp, LoadResult] | None],
        everything: dict[str, tuple[Stamp, LoadResult]] | None = None,
    ) -> None:
        """Record ``changes`` (an entry, or None for a deleted source): as a delta
        when they are few, else as a new base of ``everything`` (by default, the
        cached entries with the changes applied, all read back)."""
        if not changes:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        delta = {**self.delta, **changes}
        total = len(everything) if everything is not None else len(self.stamps)
        if self.base and len(delta) <= max(DELTA_LIMIT, total // 10):
            saved_ns = time.time_ns()
            header: tuple[Any, ...] = (self.key, saved_ns, self.base)
            _write_pickles(self.delta_path, header, delta)
            self.delta, self.delta_saved_ns = delta, saved_ns
            return
        if everything is None:
            everything = {}
            for rel, stamp in self.stamps.items():
                found = self.result(rel)
                if found is not None:
                    everything[rel] = (stamp, found)
            for rel, entry in changes.items():
                if entry is None:
                    everything.pop(rel, None)
                else:
                    everything[rel] = entry
        self._write_base(everything)
        self.delta_path.unlink(missing_ok=True)

    def _write_base(self, entries: dict[str, tuple[Stamp, LoadResult]]) -> None:
        token = os.urandom(8).hex()
        saved_ns = time.time_ns()
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        index: dict[str, tuple[Stamp, int, int]] = {}
        with temporary.open("wb") as file:
            pickle.dump((self.key, saved_ns, token), file, pickle.HIGHEST_PROTOCOL)
            for rel, (stamp, result) in entries.items():
                start = file.tell()
                pickled = self._pickled.get(rel)
                if pickled is not None and pickled[0] is result:
                    file.write(pickled[1])
                elif rel in self._spans and self._results.get(rel) is result and self._file:
                    file.write(self._span(rel))  # read from here: its bytes again
                else:
                    pickle.dump(result, file, pickle.HIGHEST_PROTOCOL)
                index[rel] = (stamp, start, file.tell())
            index_at = file.tell()
            pickle.dump(index, file, pickle.HIGHEST_PROTOCOL)
            file.write(struct.pack("<Q", index_at))
        os.replace(temporary, self.path)
        self._pickled.clear()
        self.close()
        self.saved_ns, self.base, self.delta, self.delta_saved_ns = saved_ns, token, {}, 0


def _write_pickles(path: Path, *values: Any) -> None:
    """Write ``values`` one after another into ``path``, atomically."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with temporary.open("wb") as file:
        for value in values:
            pickle.dump(value, file, pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


class Digester:
    """Digests of page inputs, deep and memoised.

    A page's template, URL, title and context are pickled (at C speed), except
    that every record in them (articles, terms, periods...) is replaced by its
    own digest, computed once per build and remembered by identity: an article
    listed on a hundred pages is hashed once.  Sets are sorted first, so a
    digest does not depend on the process's string hashing.

    With a ``recorder`` (:class:`broadsheet.pagestore.StoreWriter`), the pickles
    are kept too: they are what a page is made of, records by digest, so a later
    build can load the pages an edit touches (:mod:`broadsheet.patch`).
    """

    def __init__(self, base: bytes, recorder: Recorder | None = None) -> None:
        self.base = base
        self.flat = frozenset(_flat_records())
        self.memo: dict[int, bytes] = {}
        self._keep: list[Any] = []
        self._names: dict[type, tuple[str, ...]] = {}
        """Each record type's field names."""
        self.recorder = recorder

    def page(self, page: Page, number: int = -1) -> str:
        """The digest of a page: its template, URL, title and context."""
        digest, data, children = self._dump((page.template, page.url, page.title, page.context))
        if self.recorder is not None:
            self.recorder.page(number, data, children)
        return digest.hex()

    def value(self, value: Any) -> bytes:
        """The digest of ``value`` (anything a page context holds)."""
        return self._dump(value)[0]

    def _dump(self, value: Any) -> tuple[bytes, bytes, list[bytes]]:
        buffer = io.BytesIO()
        buffer.write(self.base)
        pickler = _ContextPickler(buffer, self)
        pickler.dump(value)
        view = buffer.getbuffer()
        digest = hashlib.blake2b(view, digest_size=16).digest()
        data = bytes(view[len(self.base) :]) if self.recorder is not None else b""
        return digest, data, pickler.children

    def record(self, value: Any) -> bytes:
        """The digest of a record (dataclass), set or range."""
        key = id(value)
        found = self.memo.get(key)
        if found is not None:
            return found
        kind = type(value)
        recorder = self.recorder
        if kind in self.flat:
            # Records of plain values: their pickle is their content.
            data = _unshared_pickle(value)
            result = hashlib.blake2b(data, digest_size=16).digest()
            if recorder is not None:
                recorder.flat(result, value, data)
        else:
            names = self._names.get(kind)
            if names is None and dataclasses.is_dataclass(kind):
                names = self._names[kind] = tuple(f.name for f in dataclasses.fields(kind))
            if names is not None:
                payload: Any = [(name, getattr(value, name)) for name in names]
            elif isinstance(value, (set, frozenset)):
                payload = sorted(value, key=repr)
            elif isinstance(value, range):
                payload = (value.start, value.stop, value.step)
            else:
                raise TypeError(f"cannot digest a {kind.__name__} in a page context")
            result, data, children = self._dump((kind, payload))
            if recorder is not None:
                recorder.record(result, data, children)
        self.memo[key] = result
        self._keep.append(value)  # ids stay unique while the value is alive
        return result

    def know(self, value: Any, digest: bytes) -> None:
        """Take ``digest`` as ``value``'s (a record loaded from a store under it)."""
        self.memo[id(value)] = digest
        self._keep.append(value)


class Recorder(Protocol):
    """Keeps what a :class:`Digester` pickles (see :mod:`broadsheet.pagestore`)."""

    def page(self, number: int, data: bytes, children: list[bytes]) -> None: ...

    def record(self, digest: bytes, data: bytes, children: list[bytes]) -> None: ...

    def flat(self, digest: bytes, value: Any, data: bytes) -> None: ...


def _unshared_pickle(value: Any) -> bytes:
    """``value``'s pickle, the same whichever of its equal parts are one object."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


#: Types pickled as they are; records (dataclasses), sets and ranges go through
#: Digester.record.
_PLAIN = frozenset({str, int, float, bool, type(None), bytes, tuple, list, dict, date})
#: Time zones of a datetime that its ISO text says all of (none, or a fixed offset).
_FIXED_ZONES = frozenset({type(None), timezone})
_UNORDERED = frozenset({set, frozenset, range})


class _ContextPickler(pickle.Pickler):
    def __init__(self, buffer: io.BytesIO, digester: Digester) -> None:
        super().__init__(buffer, protocol=5)
        # No memo: a pickle otherwise encodes which equal strings are one object, which
        # differs between a freshly read article and a cached one of the same content.
        self.fast = True
        self.digester = digester
        self.children: list[bytes] = []
        """The digests of the records this pickle refers to, in order."""

    def persistent_id(self, obj: Any) -> bytes | str | None:
        kind = type(obj)
        if kind in _PLAIN:
            return None
        if kind is datetime:
            # Its ISO text, when that says all of it: one string, where its pickle is
            # a dozen objects, each through this method (a site map lists thousands).
            # broadsheet.patch reads it back.
            return obj.isoformat() if type(obj.tzinfo) in _FIXED_ZONES else None
        digester = self.digester
        if kind in digester.flat or kind in _UNORDERED or hasattr(kind, "__dataclass_fields__"):
            digest = digester.record(obj)
            self.children.append(digest)
            return digest
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


def read_manifest_with_assets(output: Path) -> tuple[Manifest, list[str], bool]:
    """The pages of :func:`read_manifest`, the static files of ``output``, and
    whether it may hold compressed siblings (``.gz``, ``.br``) of them: not when
    the build that wrote it did not compress (it deleted those of earlier builds),
    so that the next one need not look for them (two failed look-ups a file)."""
    data = _manifest_data(output)
    if not data:
        return {}, [], False
    return data["files"], data["assets"], data["compressed"]


def _manifest_data(output: Path) -> dict[str, Any] | None:
    """The manifest of ``output`` with ``files``, ``assets`` and ``compressed`` checked
    (a manifest from before ``compressed`` was recorded may have siblings); None
    when there is none, or one of another format."""
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
    data["compressed"] = data.get("compressed") is not False
    return data


def write_manifest(
    output: Path, files: Manifest, assets: Iterable[str] = (), *, compressed: bool = True
) -> None:
    """Record the pages (``files``) and static files (``assets``) of ``output``, and
    whether they have compressed siblings."""
    data = {"format": _FORMAT, "files": dict(sorted(files.items())), "assets": sorted(assets),
            "compressed": compressed}  # fmt: skip
    from .output import write_new  # (not at the top: the build stamp's path stays light)

    write_new(output / MANIFEST, json.dumps(data, separators=(",", ":")))


def listed_files(output: Path) -> set[str] | None:
    """Every file the manifest of ``output`` accounts for (with the ``.gz`` and ``.br``
    siblings any of them may have, unless the build did not compress), or None
    without a readable manifest."""
    data = _manifest_data(output)
    if data is None:
        return None
    listed = {MANIFEST, *data["assets"]}
    for _, outputs in data["files"].values():
        listed.update(outputs)
    if not data["compressed"]:
        return listed
    return listed | {rel + suffix for rel in listed for suffix in (".gz", ".br")}


# --- The build stamp: a rebuild with nothing to do ----------------------------------------

STAMP = "build-stamp.json"


def scan_inputs(paths: Iterable[Path]) -> tuple[str, int, list[str]]:
    """A digest of the names, sizes and modification times of every file under
    ``paths`` (files or folders; missing ones count as missing), the newest
    modification time among them, and the lines digested (``path size mtime
    inode``, sorted).  Contents are not read: this is the cheap
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
                lines.append(f"{folder} {info.st_size} {info.st_mtime_ns} {info.st_ino}")
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
    return hashlib.blake2b(text, digest_size=16).hexdigest(), newest, lines


@dataclasses.dataclass(frozen=True)
class InputScan:
    """What a build found of its inputs before reading any (:func:`scan_inputs`)."""

    options: str
    """A digest of everything but the files: version, config, output, flags."""
    key: str
    """A digest of the options and the files' names, sizes and times."""
    newest_ns: int
    scanned_ns: int
    lines: tuple[str, ...]
    """The scanned files, one line each (see :func:`scan_inputs`)."""

    def changed_since(self, earlier: InputScan) -> set[str] | None:
        """Paths of the files changed since ``earlier``, or modified so shortly
        before it that a change could not show (racy, see :data:`RACY_NS`); None
        when files were added or deleted, or something else changed (a folder
        went missing...)."""
        racy_ns = earlier.scanned_ns - RACY_NS
        if earlier.newest_ns >= racy_ns:  # some file was racy: look at every one
            before_lines, now_lines = set(earlier.lines), set(self.lines)
        else:  # only the lines that differ
            before_lines = set(earlier.lines).difference(self.lines)
            now_lines = set(self.lines).difference(earlier.lines)
        before, before_other = _files(before_lines)
        now, now_other = _files(now_lines)
        if before_other != now_other or before.keys() != now.keys():
            return None
        return {path for path, (line, mtime) in now.items()
                if line != before[path][0] or mtime >= racy_ns}  # fmt: skip


def _files(lines: Iterable[str]) -> tuple[dict[str, tuple[str, int]], set[str]]:
    """Each scanned file's path, with its line and modification time; and the
    other lines (roots, missing or unreadable folders...)."""
    files: dict[str, tuple[str, int]] = {}
    other: set[str] = set()
    for line in lines:
        parts = line.rsplit(" ", 3)
        if len(parts) == 4 and all(part.isdigit() for part in parts[1:]):
            files[parts[0]] = (line, int(parts[2]))
        else:
            other.add(line)
    return files, other


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
