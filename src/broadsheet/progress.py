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
