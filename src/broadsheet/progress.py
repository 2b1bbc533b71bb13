"""Progress for long runs: a rich progress bar on a terminal, plain periodic
lines elsewhere (CI logs, pipes), nothing with ``--quiet``.

Work reports through a :data:`Progress` callback, ``progress(stage, done,
total)``, called for every item; the reporters decide how often to draw.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

Progress = Callable[[str, int, int], None]
#: Seconds between plain progress lines.
PLAIN_INTERVAL = 5.0
#: Runs shorter than this many items draw nothing.
MIN_ITEMS = 200


class PlainProgress:
    """Writes ``stage: done/total`` lines, at most one every few seconds per stage."""

    def __init__(self, stream: TextIO, interval: float = PLAIN_INTERVAL) -> None:
        self.stream = stream
        self.interval = interval
        self.last: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < MIN_ITEMS:
            return
        now = time.monotonic()
        if done == total or now - self.last.setdefault(stage, now) >= self.interval:
            self.last[stage] = now
            self.stream.write(f"{stage}: {done}/{total}\n")
            self.stream.flush()


class RichProgress:
    """A rich progress bar per stage, on stderr."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < MIN_ITEMS:
            return
        task = self.tasks.get(stage)
        if task is None:
            task = self.tasks[stage] = self.bar.add_task(stage, total=total)
        if done == total or done % 50 == 0:
            self.bar.update(task, completed=done)


@contextmanager
def reporter(quiet: bool = False, stream: TextIO | None = None) -> Iterator[Progress | None]:
    """The right progress reporter for where output goes."""
    stream = stream or sys.stderr
    if quiet:
        yield None
        return
    if not stream.isatty():
        yield PlainProgress(stream)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(file=stream)
    with Progress("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:  # fmt: skip
        yield RichProgress(bar)


class LineCounter:
    """Turns one-line-per-item reports into progress: a live count on a terminal,
    a line every few seconds elsewhere (with every line kept when there are few)."""

    def __init__(self, stream: TextIO, status: Any = None, interval: float = PLAIN_INTERVAL):
        self.stream = stream
        self.status = status
        self.interval = interval
        self.count = 0
        self.last = time.monotonic()
        self.last_line = ""

    def __call__(self, line: str) -> None:
        self.count += 1
        self.last_line = line
        if self.status is not None:
            self.status.update(f"{self.count} files: {line}")
            return
        now = time.monotonic()
        if self.count <= 20 or now - self.last >= self.interval:
            self.last = now
            self.stream.write(f"{line}\n" if self.count <= 20 else f"{self.count} files: {line}\n")
            self.stream.flush()


@contextmanager
def line_reporter(quiet: bool = False, stream: TextIO | None = None) -> Iterator[
    Callable[[str], None] | None
]:
    """A reporter for per-file lines (deploys), chosen like :func:`reporter`."""
    stream = stream or sys.stdout
    if quiet:
        yield None
        return
    if not stream.isatty():
        yield LineCounter(stream)
        return
    from rich.console import Console

    console = Console(file=stream)
    with console.status("Deploying") as status:
        yield LineCounter(stream, status)
