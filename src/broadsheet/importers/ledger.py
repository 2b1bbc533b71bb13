"""The import ledger: which files each source item was written to, with their hashes.

One JSON file per source, at ``content/.imports/<source hash>.json`` (the
content loader ignores folders whose names start with ``.``)::

    {"version": 1, "kind": "wordpress", "source": "https://blog.example/",
     "items": {"422": {"article": "2012/with-comments.md",
                       "files": {"2012/with-comments.md": "<sha256>", ...}}}}

Paths are relative to the content folder.  A file whose current hash differs
from the ledger's was edited by hand since the last import; the next import
leaves it alone unless told ``--force``.  Ledgers never hold email addresses
or any other personal data: only paths and hashes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

LEDGER_DIR = ".imports"
VERSION = 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_hash(source_key: str) -> str:
    """The ledger file's name for a source: the first 16 hex digits of its SHA-256."""
    return sha256(source_key.encode("utf-8"))[:16]


@dataclass
class Entry:
    """The files one source item was written to."""

    article: str
    """The article file, relative to the content folder."""
    files: dict[str, str] = field(default_factory=dict)
    """Every file written for the item (article, sidecar, comments) -> SHA-256."""


@dataclass
class Ledger:
    """The ledger of one source."""

    kind: str
    source: str
    """The source's stable key (a blog's URL, a feed's id, a folder)."""
    items: dict[str, Entry] = field(default_factory=dict)
    unreadable: bool = False
    """The ledger file exists but could not be read (it is then treated as empty)."""

    @staticmethod
    def path_for(content: Path, source_key: str) -> Path:
        return content / LEDGER_DIR / f"{source_hash(source_key)}.json"

    @classmethod
    def load(cls, content: Path, kind: str, source_key: str) -> Ledger:
        """The ledger of ``source_key``; an empty one when there is none or it is unreadable."""
        path = cls.path_for(content, source_key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(kind, source_key)
        except (OSError, ValueError):
            return cls(kind, source_key, unreadable=True)
        return cls(kind, source_key, _entries(data))

    def relative_path(self) -> str:
        """The ledger file, relative to the content folder."""
        return f"{LEDGER_DIR}/{source_hash(self.source)}.json"

    def dumps(self) -> str:
        items = {key: {"article": e.article, "files": dict(sorted(e.files.items()))}
                 for key, e in sorted(self.items.items())}  # fmt: skip
        data = {"version": VERSION, "kind": self.kind, "source": self.source, "items": items}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def safe_path(rel: str) -> bool:
    """Whether ``rel`` stays inside the content folder (relative, no ``..``)."""
    path = PurePosixPath(rel)
    return bool(rel) and not path.is_absolute() and ".." not in path.parts and "\\" not in rel


def _entries(data: Any) -> dict[str, Entry]:
    """Entries from a parsed ledger, skipping any malformed one or any leaving ``content/``."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, dict):
        return {}
    found: dict[str, Entry] = {}
    for key, raw in items.items():
        if not isinstance(raw, dict) or not isinstance(raw.get("article"), str):
            continue
        files = raw.get("files")
        if isinstance(files, dict) and all(safe_path(str(p)) for p in [raw["article"], *files]):
            hashes = {str(p): str(h) for p, h in files.items()}
            found[str(key)] = Entry(raw["article"], hashes)
    return found
