"""``broadsheet import text``: folders of plain-text articles.

Each ``.txt`` (or ``.text``) file below the folder is copied into
``content/<its folder>/`` in the seed shape, as it is: a UTF-8 file byte for
byte; a file in another encoding (detected as the content loader does)
decoded and written as UTF-8, and reported.  Files directly in the imported
folder go to ``content/<the folder's name>/``.  Folder names become sections,
as they do for any content folder; a sidecar ``NAME.yaml`` records the
section and a slug made from the headline (unique within the import, so
that same-named files in different folders, ``business/001.txt`` and
``tech/001.txt``, do not compete for one URL).  A sidecar that already sits
beside the source file is kept, with those two keys added when it lacks them.

README, LICENSE and similar files are skipped, hidden files and folders and
folders starting with ``_`` ignored.  Web chrome is not removed from the
copies (the loader removes it on every build, and records it), but the
report counts it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import yamlio
from ..errors import SourceError
from ..loaders import _section_from_folder, plain_text
from ..loaders.decode import decode
from ..loaders.meta import date_from_filename, slugify
from ..loaders.plaintext import parse
from .core import Draft, NotImported, Options, dump_yaml, run, unique
from .ledger import Ledger
from .report import IngestReport

SUFFIXES = (".txt", ".text")
SIDECARS = (".yaml", ".yml")
#: File names (without extension, lower case) that describe a collection, not an article.
NOT_ARTICLES = frozenset({"readme", "license", "licence", "copying", "changelog", "changes",
                          "notice", "authors", "contributing", "install"})  # fmt: skip
#: Largest file imported, in bytes.
MAX_BYTES = 64 * 1024 * 1024


def _walk(folder: Path) -> Iterator[Path]:
    """Text files below ``folder``, skipping hidden and ``_`` folders and files.

    Sorted by name without extension, so ``wall.txt`` comes before ``wall-copy.txt``
    (and gets the plain slug when the two share a headline).
    """
    for root, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in sorted(filenames, key=lambda n: (os.path.splitext(n)[0], n)):
            if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                yield Path(root) / name


def _target_folder(rel: Path, folder: Path) -> str:
    parent = rel.parent.as_posix()
    return parent if parent != "." else folder.resolve().name


def _source_sidecar(path: Path, shown: str) -> dict[str, Any]:
    """The metadata of a sidecar beside the source file, or an empty mapping."""
    for suffix in SIDECARS:
        sidecar = path.with_suffix(suffix)
        if sidecar.is_file():
            text, _ = decode(sidecar.read_bytes(), shown + suffix)
            data = yamlio.load(text, sidecar.name)
            if data is None:
                return {}
            if not isinstance(data, dict):
                raise SourceError.at(sidecar.name, 1, "a sidecar must be a mapping of keys")
            return data
    return {}


def _dated(stem: str, sidecar: dict[str, Any], shown: str) -> bool:
    if sidecar.get("date"):
        return True
    try:
        layer, _ = date_from_filename(stem, shown)
    except SourceError:
        return False
    return "date" in layer


def _draft(path: Path, rel: Path, folder: Path, taken: set[str]) -> Draft | str:
    """The draft of one file, or why it cannot be imported."""
    shown = rel.as_posix()
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        return f"larger than {MAX_BYTES:,} bytes"
    text, encoding = decode(data, shown)
    if not text.strip():
        return "the file has no text"
    body = parse(text)
    headline = body.headline or ""
    target = _target_folder(rel, folder)
    sidecar = _source_sidecar(path, shown)
    section = _section_from_folder(Path(target).name)
    meta = dict(sidecar)
    if section and not any(k in meta for k in ("section", "category")):
        meta["section"] = section
    if "slug" not in meta:
        meta["slug"] = unique(slugify(headline) or slugify(path.stem) or "article", taken)
    return Draft(
        key=shown,
        label=shown,
        title=headline,
        article=f"{target}/{path.name}",
        text=text,
        body=plain_text(body.html),
        sidecar=dump_yaml(meta),
        raw=data if encoding is None else text.encode("utf-8"),
        has_headline=bool(headline),
        dated=_dated(path.stem, sidecar, shown),
        encoding=encoding,
        chrome=body.chrome,
    )


def import_text(folder: Path, options: Options) -> IngestReport:
    """Import the plain-text articles below ``folder``; :class:`SourceError` if it is no folder."""
    shown = folder.as_posix()
    if not folder.is_dir():
        raise SourceError.at(shown, None, "not a folder: give the folder that holds the articles")
    report = IngestReport("text", shown, dry_run=options.dry_run)
    drafts: list[Draft] = []
    left_out: list[NotImported] = []
    taken: set[str] = set()
    for path in _walk(folder):
        rel = path.relative_to(folder)
        if path.stem.lower() in NOT_ARTICLES:
            left_out.append(NotImported(rel.as_posix(), path.name, "skipped",
                                        "not an article (a README, licence or similar file)"))
            continue
        try:
            made = _draft(path, rel, folder, taken)
        except SourceError as exc:
            made = "; ".join(d.message for d in exc.diagnostics)
        except OSError as exc:
            made = f"cannot read: {exc.strerror}"
        if isinstance(made, str):
            left_out.append(NotImported(rel.as_posix(), path.name, "failed", made))
        else:
            drafts.append(made)
    ledger = Ledger.load(options.content, "text", f"text:{folder.resolve()}")
    return run(report, ledger, drafts, left_out, options)
