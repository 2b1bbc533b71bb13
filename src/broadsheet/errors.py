"""Diagnostics: every problem Broadsheet reports names ``path:line:col``.

A :class:`Diagnostic` is one finding (an error or a warning) about one place in
one file.  Loaders raise :class:`SourceError` for a file they cannot turn into
a record; the build collects diagnostics in a :class:`Diagnostics` list and
keeps going, so one bad article never stops the rest of the archive.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from .records import fast_pickle

Severity = Literal["error", "warning"]


@fast_pickle
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about one place in one file."""

    path: str
    """The file, relative to the site folder where possible, in POSIX form."""
    line: int | None
    """1-based line number, or None when the finding concerns the whole file."""
    col: int | None
    """1-based column, or None when unknown."""
    message: str
    """What is wrong and what to do about it."""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.severity}: {self.message}"


class BroadsheetError(Exception):
    """Base class of the errors Broadsheet raises on purpose."""


class SourceError(BroadsheetError):
    """A file that cannot be used, with one or more diagnostics saying why."""

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def at(cls, path: str, line: int | None, message: str, col: int | None = None) -> SourceError:
        """Shorthand for an error with a single diagnostic."""
        return cls(Diagnostic(path, line, col, message))


class ConfigError(SourceError):
    """The site configuration is invalid; the build stops (exit status 2)."""


class TemplateError(SourceError):
    """A template cannot be loaded or rendered; the build stops (exit status 2)."""


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics gathered during one run."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    def error(self, path: str, line: int | None, message: str) -> None:
        self.add(Diagnostic(path, line, None, message, "error"))

    def warning(self, path: str, line: int | None, message: str) -> None:
        self.add(Diagnostic(path, line, None, message, "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
