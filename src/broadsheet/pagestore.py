"""The page store: what every page of the last build was made of, by digest.

A full build digests every page (:class:`~broadsheet.incremental.Digester`):
it pickles the page with each record in it (article, term, period...)
replaced by the record's digest.  Those pickles are kept here, in an SQLite
file in the cache folder, together with

* every record's own pickle (articles by reference: their source and URL, the
  records themselves are in the article cache),
* which pages and records refer to each article and each record that holds
  others (a tag's term holds its articles), so that the pages an edited
  article reaches are found without building the archive again,
* what the build needs to repeat itself: its sources, its warnings, the
  Jinja globals, the digest base, the inputs it scanned.

:mod:`broadsheet.patch` reads it to rebuild after a few edits in a fraction
of the time a full build takes.  A store is written beside the old one and
renamed into place, and every later change is one SQLite transaction, so a
crash leaves either the old store or the new one; it names the output
manifest it describes, and is ignored when the output is not that one.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .incremental import CACHE_DIR
from .model import Article

STORE = "pages.sqlite"
#: The store's layout; a store of another format is not used.
FORMAT = 3
#: The array type code of page numbers in parent lists (4 bytes each).
PAGE_NUMBER = "i"
#: Kinds of stored records.
COMPOSITE, FLAT, ARTICLE = 0, 1, 2
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE pages (number INTEGER PRIMARY KEY, path TEXT, data BLOB);
CREATE TABLE records (digest BLOB PRIMARY KEY, kind INTEGER, data BLOB);
CREATE TABLE parents (child BLOB PRIMARY KEY, pages BLOB, records BLOB);
"""
_BATCH = 4096


def store_path(site_root: Path) -> Path:
    return site_root / CACHE_DIR / STORE


class Rows:
    """Store rows for the records a digester meets: articles by reference (their
    source and URL), other flat records as they were pickled."""

    def __init__(self) -> None:
        self.rows: list[tuple[bytes, int, bytes]] = []
        self.tracked: set[bytes] = set()
        """Articles and records that hold others: what parents are kept for."""
        self.article_digests: dict[str, bytes] = {}
        """Each published article's digest, by source."""

    def flat(self, digest: bytes, value: Any, data: bytes) -> None:
        if type(value) is Article:
            self.tracked.add(digest)
            self.article_digests[value.source] = digest
            data = pickle.dumps((value.source, value.url), pickle.HIGHEST_PROTOCOL)
            self.rows.append((digest, ARTICLE, data))
        else:
            self.rows.append((digest, FLAT, data))


class StoreWriter(Rows):
    """Records what a full build's :class:`~broadsheet.incremental.Digester`
    pickles into a new store file (a :class:`~broadsheet.incremental.Recorder`)."""

    def __init__(self, site_root: Path) -> None:
        super().__init__()
        self.path = store_path(site_root)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = self.path.with_name(f".{STORE}.{os.getpid()}")
        self.temporary.unlink(missing_ok=True)
        self.db = sqlite3.connect(self.temporary)
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self.page_parents: defaultdict[bytes, array[int]] = defaultdict(lambda: array(PAGE_NUMBER))
        self.record_parents: defaultdict[bytes, list[bytes]] = defaultdict(list)
        self._pages: list[tuple[int, str, bytes]] = []

    def page(self, number: int, data: bytes, children: list[bytes]) -> None:
        self._pages.append((number, "", data))
        tracked = self.tracked
        for child in children:
            if child in tracked:
                self.page_parents[child].append(number)
        if len(self._pages) >= _BATCH:
            self._flush()

    def record(self, digest: bytes, data: bytes, children: list[bytes]) -> None:
        self.tracked.add(digest)
        self.rows.append((digest, COMPOSITE, data))
        tracked = self.tracked
        for child in set(children):
            if child in tracked:
                self.record_parents[child].append(digest)
        if len(self.rows) >= _BATCH:
            self._flush()

    def flat(self, digest: bytes, value: Any, data: bytes) -> None:
        super().flat(digest, value, data)
        if len(self.rows) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO pages VALUES (?, ?, ?)", self._pages)
        self.db.executemany("INSERT OR IGNORE INTO records VALUES (?, ?, ?)", self.rows)
        self._pages.clear()
        self.rows.clear()

    def settle(self, paths: list[str]) -> None:
        """Write the page paths (in page order), the parents and the article digests,
        and let go of them: called before rendering, so that the rendering processes
        do not inherit them."""
        self._flush()
        self.db.executemany("UPDATE pages SET path = ? WHERE number = ?",
                            ((path, number) for number, path in enumerate(paths)))  # fmt: skip
        children = set(self.page_parents) | set(self.record_parents)
        self.db.executemany(
            "INSERT INTO parents VALUES (?, ?, ?)",
            ((child, self.page_parents[child].tobytes() if child in self.page_parents else b"",
              b"".join(self.record_parents.get(child, ()))) for child in children),
        )  # fmt: skip
        _write_meta(self.db, {"articles": self.article_digests})
        self.page_parents.clear()
        self.record_parents.clear()
        self.tracked.clear()
        self.article_digests.clear()

    def finish(self, meta: dict[str, Any]) -> None:
        """Write ``meta`` and put the store in place of the old one (after the swap)."""
        _write_meta(self.db, {**meta, "format": FORMAT})
        self.db.commit()
        self.db.close()
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        self.db.close()
        self.temporary.unlink(missing_ok=True)


def _write_meta(db: sqlite3.Connection, meta: dict[str, Any]) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        ((key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL)) for key, value in meta.items()),
    )


class PageStore:
    """An existing store, read and patched in place (in one transaction)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._meta: dict[str, Any] = {}

    @classmethod
    def open(cls, site_root: Path) -> PageStore | None:
        """The site's store, or None when there is none of this format."""
        path = store_path(site_root)
        if not path.is_file():
            return None
        try:
            db = sqlite3.connect(path, isolation_level="DEFERRED")
            store = cls(db)
            if store.meta("format") != FORMAT:
                db.close()
                return None
        except (sqlite3.Error, pickle.PickleError, EOFError, ValueError, TypeError):
            return None
        return store

    def meta(self, key: str) -> Any:
        if key not in self._meta:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            self._meta[key] = pickle.loads(row[0]) if row else None
        return self._meta[key]

    def set_meta(self, meta: dict[str, Any]) -> None:
        self._meta.update(meta)
        _write_meta(self.db, meta)

    def paths(self) -> list[str]:
        """Every page's output path, in page order."""
        return [row[0] for row in self.db.execute("SELECT path FROM pages ORDER BY number")]

    def pages(self, numbers: Iterable[int]) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        for chunk in _chunks(sorted(numbers)):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT number, data FROM pages WHERE number IN ({marks})"
            found.update(self.db.execute(query, chunk))
        return found

    def record(self, digest: bytes) -> tuple[int, bytes] | None:
        row = self.db.execute("SELECT kind, data FROM records WHERE digest = ?",
                              (digest,)).fetchone()  # fmt: skip
        return (row[0], row[1]) if row else None

    def reach(self, digests: Iterable[bytes]) -> tuple[set[bytes], set[int]]:
        """The records that hold any of ``digests`` (directly or through others), and
        the pages that refer to any of them or those records."""
        records: set[bytes] = set()
        pages: set[int] = set()
        pending = list(digests)
        seen = set(pending)
        while pending:
            child = pending.pop()
            row = self.db.execute("SELECT pages, records FROM parents WHERE child = ?",
                                  (child,)).fetchone()  # fmt: skip
            if row is None:
                continue
            numbers = array(PAGE_NUMBER)
            numbers.frombytes(row[0])
            pages.update(numbers)
            held = row[1]
            for start in range(0, len(held), 16):
                parent = held[start : start + 16]
                if parent not in seen:
                    seen.add(parent)
                    records.add(parent)
                    pending.append(parent)
        return records, pages

    def put_pages(self, pages: dict[int, bytes]) -> None:
        self.db.executemany("UPDATE pages SET data = ? WHERE number = ?",
                            ((data, number) for number, data in pages.items()))  # fmt: skip

    def put_records(self, rows: Iterable[tuple[bytes, int, bytes]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO records VALUES (?, ?, ?)", rows)

    def add_parents(
        self, page_parents: dict[bytes, array[int]], record_parents: dict[bytes, list[bytes]]
    ) -> None:
        """Add parents to the children's lists (duplicates do no harm: they are sets)."""
        for child in set(page_parents) | set(record_parents):
            row = self.db.execute("SELECT pages, records FROM parents WHERE child = ?",
                                  (child,)).fetchone()  # fmt: skip
            pages_blob, records_blob = row if row else (b"", b"")
            pages_blob += page_parents[child].tobytes() if child in page_parents else b""
            records_blob += b"".join(record_parents.get(child, ()))
            self.db.execute("INSERT OR REPLACE INTO parents VALUES (?, ?, ?)",
                            (child, pages_blob, records_blob))  # fmt: skip

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def _chunks(items: list[int], size: int = 900) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
