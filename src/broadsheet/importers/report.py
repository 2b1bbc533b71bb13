"""The ingest report: what an import did with every item, and what it noticed.

Every import ends with an :class:`IngestReport`: one :class:`Outcome` per
source item (imported, updated, unchanged, skipped or failed, each with a
reason), the exact and near duplicates among the items, the items that had
no date or no headline, the web chrome the plain-text loader will remove, the
files that were re-encoded to UTF-8, the attachments a WordPress export
lists, and any problems with the source file itself (as diagnostics).

:meth:`IngestReport.table` renders it as aligned text columns for the
terminal; :meth:`IngestReport.to_json` as a JSON document (``--report
FILE``).  Neither ever contains an email address: importers hash them before
anything reaches a report.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..errors import Diagnostic

Status = Literal["imported", "updated", "unchanged", "skipped", "failed"]
#: Statuses in the order the report lists them.
STATUSES: tuple[Status, ...] = ("imported", "updated", "unchanged", "skipped", "failed")
#: Rows shown per list in the terminal table unless ``verbose``.
TABLE_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one source item."""

    item: str
    """The item's id in the source (WordPress post id, feed entry id, file path)."""
    title: str
    """Its headline, or a short description when it has none."""
    status: Status
    reason: str
    path: str | None = None
    """The article file written (or that would have been), relative to the site folder."""


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Items with the same body (whitespace normalised)."""

    items: list[str]
    same_headline: bool
    """False when the same text was published under different headlines."""


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """Two items that are probably the same story."""

    first: str
    second: str
    reason: str
    """``"same headline"``, ``"similar text"`` or both."""
    similarity: float
    """Similarity of the two bodies, 0..1 (difflib ratio over words)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a WordPress export lists (not downloaded)."""

    id: str
    title: str
    url: str
    parent: str | None
    """The post id it is attached to, if any."""


@dataclass
class IngestReport:
    """Everything one import did and found."""

    kind: str
    """``wordpress``, ``feed`` or ``text``."""
    source: str
    """The file, URL or folder imported."""
    dry_run: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    duplicates: list[DuplicateGroup] = field(default_factory=list)
    near_duplicates: list[NearDuplicate] = field(default_factory=list)
    missing_date: list[str] = field(default_factory=list)
    missing_headline: list[str] = field(default_factory=list)
    chrome: dict[str, list[str]] = field(default_factory=dict)
    """Item -> web chrome lines the plain-text loader removes from it."""
    reencoded: dict[str, str] = field(default_factory=dict)
    """Item -> the encoding it was decoded from (it was written as UTF-8)."""
    attachments: list[Attachment] = field(default_factory=list)
    comments: Counter[str] = field(default_factory=Counter)
    """Comment counts by what happened to them (``imported``, ``unapproved``...)."""
    notes: dict[str, list[str]] = field(default_factory=dict)
    """Item -> remarks about its conversion (embeds made links, tracking pixels...)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Problems with the source itself (XML errors recovered from, encodings...)."""
    recovered: bool = False
    """Malformed XML was skipped past (``--recover``): part of the source may be missing."""
    stopped: str | None = None
    """Why the import stopped before writing anything, if it did."""

    # --- Building -------------------------------------------------------------------------

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    def note(self, item: str, remark: str) -> None:
        self.notes.setdefault(item, []).append(remark)

    # --- Reading --------------------------------------------------------------------------

    def count(self, status: Status) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    def by_status(self, status: Status) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def failed(self) -> bool:
        """Whether any item failed (exit status 1)."""
        return any(outcome.status == "failed" for outcome in self.outcomes)

    def summary(self) -> str:
        """One line: the counts of every status."""
        counts = ", ".join(f"{self.count(status)} {status}" for status in STATUSES)
        verb = "Would import" if self.dry_run else "Imported"
        return f"{verb} {self.kind} {self.source}: {counts}."

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (what ``--report FILE`` writes)."""
        return {
            "kind": self.kind,
            "source": self.source,
            "dry_run": self.dry_run,
            "recovered": self.recovered,
            "stopped": self.stopped,
            "counts": {status: self.count(status) for status in STATUSES},
            "items": [asdict(outcome) for outcome in self.outcomes],
            "duplicates": [asdict(group) for group in self.duplicates],
            "near_duplicates": [asdict(pair) for pair in self.near_duplicates],
            "missing_date": self.missing_date,
            "missing_headline": self.missing_headline,
            "chrome": self.chrome,
            "chrome_lines": sum(len(lines) for lines in self.chrome.values()),
            "reencoded": self.reencoded,
            "attachments": [asdict(attachment) for attachment in self.attachments],
            "comments": dict(sorted(self.comments.items())),
            "notes": self.notes,
            "diagnostics": [str(diagnostic) for diagnostic in self.diagnostics],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    # --- The terminal table ---------------------------------------------------------------

    def table(self, verbose: bool = False) -> str:
        """The report as aligned text: counts, then each list of findings."""
        limit = None if verbose else TABLE_LIMIT
        parts = [self.summary(), "", _columns(("status", "items"), self._count_rows())]
        listed: list[Status] = ["imported", "updated", "skipped", "failed"]
        if verbose:
            listed.insert(2, "unchanged")
        for status in listed:
            rows = [(o.item, o.title, o.path or "", o.reason) for o in self.by_status(status)]
            parts += _section(f"{status.capitalize()}", ("item", "headline", "file", "reason"),
                              rows, limit)  # fmt: skip
        parts += self._findings(limit)
        return "\n".join(parts).rstrip() + "\n"

    def _count_rows(self) -> list[tuple[str, ...]]:
        """The summary rows: one count per status and per finding."""
        rows: list[tuple[str, ...]] = [(s, str(self.count(s))) for s in STATUSES]
        rows.append(("exact duplicates (groups)", str(len(self.duplicates))))
        rows.append(("near duplicates (pairs)", str(len(self.near_duplicates))))
        rows.append(("missing a date", str(len(self.missing_date))))
        rows.append(("missing a headline", str(len(self.missing_headline))))
        chrome_lines = sum(len(lines) for lines in self.chrome.values())
        rows.append(("chrome lines removed", f"{chrome_lines} in {len(self.chrome)} items"))
        rows.append(("re-encoded to UTF-8", str(len(self.reencoded))))
        if self.attachments:
            rows.append(("attachments (not downloaded)", str(len(self.attachments))))
        for what, number in sorted(self.comments.items()):
            rows.append((f"comments {what}", str(number)))
        return rows

    def _findings(self, limit: int | None) -> list[str]:
        """The lists of findings, each under its title."""
        parts: list[str] = []
        groups = [(" = ".join(g.items), "same" if g.same_headline else "different")
                  for g in self.duplicates]  # fmt: skip
        parts += _section("Exact duplicates (same text)", ("items", "headlines"), groups, limit)
        near = [(p.first, p.second, p.reason, f"{p.similarity:.0%}") for p in self.near_duplicates]
        parts += _section("Near duplicates", ("item", "item", "why", "similar"), near, limit)
        parts += _section("Missing a date", ("item",), [(i,) for i in self.missing_date], limit)
        parts += _section("Missing a headline", ("item",),
                          [(i,) for i in self.missing_headline], limit)  # fmt: skip
        chrome = [(item, " / ".join(lines)) for item, lines in self.chrome.items()]
        parts += _section("Chrome removed by the loader", ("item", "lines"), chrome, limit)
        encoded = list(self.reencoded.items())
        parts += _section("Re-encoded to UTF-8", ("item", "from"), encoded, limit)
        attached = [(a.id, a.title, a.url, a.parent or "") for a in self.attachments]
        parts += _section("Attachments (listed, not downloaded)",
                          ("id", "title", "url", "post"), attached, limit)  # fmt: skip
        notes = [(item, "; ".join(remarks)) for item, remarks in self.notes.items()]
        parts += _section("Notes", ("item", "note"), notes, limit)
        parts += _section("Source problems", ("problem",),
                          [(str(d),) for d in self.diagnostics], limit)  # fmt: skip
        return parts


def _section(
    title: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], limit: int | None
) -> list[str]:
    """A titled table, or nothing when there are no rows; long lists are cut at ``limit``."""
    if not rows:
        return []
    shown = rows if limit is None else rows[:limit]
    lines = ["", f"{title} ({len(rows)}):", _columns(header, shown)]
    if len(shown) < len(rows):
        lines.append(f"  ... and {len(rows) - len(shown)} more (all of them with --verbose "
                     "or in --report FILE)")  # fmt: skip
    return lines


#: Widest a column gets in the terminal table (but the last); longer cells are cut short.
_MAX_CELL = 60


def _columns(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    """Rows as left-aligned columns under a header, two spaces apart."""
    table = [header, *([*(_cell(c) for c in row[:-1]), " ".join(row[-1].split())]
                       for row in rows)]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in table]  # fmt: skip
    lines.insert(1, "  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"
