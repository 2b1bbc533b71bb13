"""Static assets: fingerprinted CSS and JS, and precompressed siblings.

Stylesheets and scripts are written with a content hash in their name
(``static/broadsheet.3f9a0c1d2e.css``) and templates refer to them through the
``asset`` filter, so a host can cache them for a year: a changed file gets a
new name.  Other static files keep their names.

With ``compress: true`` every text file of the output gets ``.gz`` and ``.br``
siblings, compressed once at build time, for hosts that serve precompressed
files (see docs/publishing.md).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .output import write_new

FINGERPRINTED = frozenset({".css", ".js"})
COMPRESSIBLE = frozenset({".html", ".css", ".js", ".xml", ".json", ".txt", ".svg", ".map"})
#: Files smaller than this are not worth compressing.
MIN_COMPRESS_BYTES = 256
HASH_LENGTH = 10


@dataclass(frozen=True, slots=True)
class Asset:
    """One static file and where it goes."""

    source: Path
    """The file on disk."""
    logical: str
    """Output path without fingerprint (``static/broadsheet.css``): what templates name."""
    output: str
    """Output path as written (``static/broadsheet.3f9a0c1d2e.css``)."""


def collect(folders: Iterable[tuple[Path, str]]) -> list[Asset]:
    """Static files of ``(folder, output prefix)`` pairs; later folders win a name clash."""
    found: dict[str, Asset] = {}
    for folder, prefix in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or any(p.startswith(".") for p in path.parts[-1:]):
                continue
            logical = prefix + path.relative_to(folder).as_posix()
            found[logical] = Asset(path, logical, fingerprinted(path, logical))
    return list(found.values())


def fingerprinted(path: Path, logical: str) -> str:
    """``logical`` with a content hash before the extension, for CSS and JS."""
    stem, ext = os.path.splitext(logical)
    if ext.lower() not in FINGERPRINTED:
        return logical
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
    return f"{stem}.{digest}{ext}"


def copy_assets(assets: Iterable[Asset], target: Path) -> None:
    for asset in assets:
        destination = target / asset.output
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.unlink(missing_ok=True)  # never copy through a hard link
        shutil.copyfile(asset.source, destination)


def compress_files(root: Path, files: Iterable[str]) -> int:
    """Write ``.gz`` and ``.br`` siblings of the text files among ``files``; return how many."""
    import brotli

    count = 0
    for rel in files:
        path = root / rel
        if path.suffix.lower() not in COMPRESSIBLE or not path.is_file():
            continue
        data = path.read_bytes()
        if len(data) < MIN_COMPRESS_BYTES:
            for suffix in (".gz", ".br"):  # left by an earlier, longer version
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            continue
        # mtime=0 keeps the .gz bytes identical from build to build.
        write_new(path.with_name(path.name + ".gz"), gzip.compress(data, 9, mtime=0))
        write_new(path.with_name(path.name + ".br"), brotli.compress(data, quality=9))
        count += 1
    return count
