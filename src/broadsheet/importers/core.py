"""What every importer shares: drafts, the ledger check, the staged write and the report.

An importer turns its source into :class:`Draft` records (one per item: the
article file's text, an optional sidecar, and extra files such as comments)
and :class:`NotImported` records (items it left out or could not convert,
with a reason).
:func:`run` then decides, item by item against the source's ledger, what to
write:

* an item not in the ledger is **imported**, unless one of its files already
  exists with other content (it was not written by this import): then it is
  **skipped** (``--force`` overwrites);
* an item in the ledger whose files are still as the last import wrote them
  is **updated** when its new files differ, or **unchanged**;
* an item whose files were edited (or deleted) by hand since the last import
  is **skipped** unless ``--force``.

Everything is staged and committed at the end in one
:class:`~.transaction.Transaction`, ledger included, so an import that fails
half-way leaves ``content/`` exactly as it was.  Finally the duplicate finder
runs over all drafts and the report is filled in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..config import SiteConfig
from ..errors import Diagnostic
from . import duplicates
from .ledger import Entry, Ledger, sha256
from .report import IngestReport, Outcome, Status
from .transaction import Transaction


@dataclass
class Draft:
    """One source item converted to files, not yet written."""

    key: str
    """The item's stable id in its source: the ledger key."""
    label: str
    """How the report names the item (a post id, an entry link, a file path)."""
    title: str
    """Its headline as written (possibly made up when the source had none)."""
    article: str
    """Proposed article file, relative to the content folder (kept on re-import)."""
    text: str
    """The article file's text."""
    body: str
    """The body as plain text, for duplicate detection."""
    sidecar: str | None = None
    """A sidecar ``NAME.yaml`` written beside the article, if any."""
    extra_files: dict[str, str] = field(default_factory=dict)
    """Other files (comments), relative to the content folder."""
    raw: bytes | None = None
    """The article's exact bytes when they are not ``text`` in UTF-8 (a copied file)."""
    has_headline: bool = True
    dated: bool = True
    encoding: str | None = None
    """The encoding the source was decoded from, when it was not UTF-8."""
    chrome: tuple[str, ...] = ()
    comments: int = 0
    """Comment files among ``extra_files``."""

    def files(self, article: str) -> dict[str, bytes]:
        """Every file of the item, with the article at ``article``."""
        data = self.raw if self.raw is not None else self.text.encode("utf-8")
        found = {article: data}
        if self.sidecar is not None:
            found[sidecar_path(article)] = self.sidecar.encode("utf-8")
        for rel, text in self.extra_files.items():
            found[rel] = text.encode("utf-8")
        return found


@dataclass(frozen=True, slots=True)
class NotImported:
    """A source item the importer left out (``skipped``) or could not convert (``failed``)."""

    label: str
    title: str
    status: Status
    reason: str


@dataclass(frozen=True, slots=True)
class Options:
    """How to import, and where to."""

    config: SiteConfig
    force: bool = False
    dry_run: bool = False

    @property
    def site(self) -> Path:
        return self.config.root

    @property
    def content(self) -> Path:
        return self.config.path("content")


def sidecar_path(article: str) -> str:
    stem, _ = os.path.splitext(article)
    return stem + ".yaml"


# --- Writing front matter ---------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style for mappings, flow style for lists of names, literal blocks for text."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def dump_yaml(fields: Mapping[str, Any]) -> str:
    """Metadata as YAML (keys in the given order, lists of names on one line)."""
    text: str = yaml.dump(dict(fields), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=10_000)  # fmt: skip
    return text


def markdown_file(fields: Mapping[str, Any], body: str) -> str:
    """A Markdown article: front matter between ``---`` lines, then the body."""
    body = body.strip("\n")
    return f"---\n{dump_yaml(fields)}---\n{body}\n" if body else f"---\n{dump_yaml(fields)}---\n"


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``... whichever is not taken; the result is taken."""
    candidate, number = name, 2
    while candidate in taken:
        candidate = f"{name}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def headline_from_text(text: str, words: int = 10) -> str:
    """A stand-in headline: the first words of the text, with an ellipsis when cut."""
    found = text.split()
    if not found:
        return ""
    return " ".join(found[:words]) + (" …" if len(found) > words else "")


# --- Running an import ------------------------------------------------------------------------


def run(
    report: IngestReport,
    ledger: Ledger,
    drafts: Sequence[Draft],
    left_out: Sequence[NotImported],
    options: Options,
) -> IngestReport:
    """Write ``drafts`` (all or nothing), fill in ``report`` and return it."""
    content = options.content
    if ledger.unreadable:
        report.diagnostics.append(Diagnostic(_shown(options, ledger.relative_path()), None, None,
                                             "the import ledger cannot be read; items are "
                                             "treated as new", "warning"))  # fmt: skip
    _find_problems(report, drafts)
    recorded = ledger.dumps()
    claimed: set[str] = set()
    keys: set[str] = set()
    with Transaction(content) as transaction:
        for draft in drafts:
            if draft.key in keys:
                report.add(Outcome(draft.label, draft.title, "failed",
                                   f"another item of this source has the same id {draft.key!r}"))
                continue
            keys.add(draft.key)
            report.add(_apply(draft, ledger, options, transaction, claimed))
        for item in left_out:
            report.add(Outcome(item.label, item.title, item.status, item.reason))
        if not options.dry_run and (not transaction.empty or ledger.dumps() != recorded
                                    or ledger.unreadable):  # fmt: skip
            transaction.write(ledger.relative_path(), ledger.dumps().encode("utf-8"))
            transaction.commit()
    return report


def _shown(options: Options, rel: str) -> str:
    path = options.content / rel
    try:
        return path.relative_to(options.site).as_posix()
    except ValueError:
        return path.as_posix()


def _current(content: Path, rel: str) -> str | None:
    """The SHA-256 of ``content/rel``, or None when there is no such file."""
    try:
        return sha256((content / rel).read_bytes())
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _apply(
    draft: Draft, ledger: Ledger, options: Options, transaction: Transaction, claimed: set[str]
) -> Outcome:
    """Decide what to do with one draft and stage it; return the outcome."""
    content = options.content
    entry = ledger.items.get(draft.key)
    article = entry.article if entry else draft.article
    files = draft.files(article)
    hashes = {rel: sha256(data) for rel, data in files.items()}
    old = entry.files if entry else {}

    def result(status: Status, reason: str) -> Outcome:
        return Outcome(draft.label, draft.title, status, reason, _shown(options, article))

    edited = _edited(old, content)
    if edited and not options.force:
        return result("skipped", _edited_reason(edited, options))
    taken = sorted(rel for rel in files if rel in claimed)
    if taken:
        return result("skipped", f"another item of this source writes {_list(taken, options)}")
    foreign = sorted(rel for rel in files
                     if rel not in old and _current(content, rel) not in (None, hashes[rel]))
    if foreign and not options.force:
        return result("skipped", f"{_list(foreign, options)} already exists and was not "
                      "written by this import; --force overwrites it")  # fmt: skip
    claimed.update(files)
    changed = [rel for rel, digest in hashes.items() if _current(content, rel) != digest]
    gone = [rel for rel in old if rel not in files and _current(content, rel) is not None]
    ledger.items[draft.key] = Entry(article, hashes)
    if not changed and not gone:
        if entry is None:
            return result("unchanged", "already in the content folder; now in the ledger")
        return result("unchanged", "unchanged since the last import")
    if not options.dry_run:
        for rel in changed:
            transaction.write(rel, files[rel])
        for rel in gone:
            transaction.delete(rel)
    if entry is None:
        return result("imported", "new" + (" (overwrote existing files: --force)"
                                           if foreign else ""))  # fmt: skip
    return result("updated", "edited by hand, overwritten (--force)" if edited
                  else "changed in the source")  # fmt: skip


def _edited(old: dict[str, str], content: Path) -> dict[str, str | None]:
    """Files of the last import that are no longer as it wrote them -> their hash now."""
    now = {rel: _current(content, rel) for rel in sorted(old)}
    return {rel: digest for rel, digest in now.items() if digest != old[rel]}


def _edited_reason(edited: dict[str, str | None], options: Options) -> str:
    kinds = sorted({"deleted" if digest is None else "edited" for digest in edited.values()})
    return (f"{' and '.join(kinds)} by hand since the last import: "
            f"{_list(list(edited), options)}; --force overwrites")


def _list(paths: list[str], options: Options, limit: int = 3) -> str:
    shown = ", ".join(_shown(options, rel) for rel in paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def _find_problems(report: IngestReport, drafts: Sequence[Draft]) -> None:
    """Duplicates, near duplicates, missing dates and headlines, chrome and encodings."""
    docs = [duplicates.Document(d.label, d.title if d.has_headline else "", d.body)
            for d in drafts]  # fmt: skip
    report.duplicates = duplicates.exact(docs)
    report.near_duplicates = duplicates.near(docs)
    for draft in drafts:
        if not draft.dated:
            report.missing_date.append(draft.label)
        if not draft.has_headline:
            report.missing_headline.append(draft.label)
        if draft.chrome:
            report.chrome[draft.label] = list(draft.chrome)
        if draft.encoding:
            report.reencoded[draft.label] = draft.encoding
