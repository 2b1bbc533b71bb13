"""Running work on several processes.

On systems with ``fork`` (Linux, macOS) worker processes inherit the
parent's records and its Jinja Environment, so nothing is sent to them but
page numbers: records and shared context cross once, by copy-on-write, not
per page.  Elsewhere, and for small jobs, work runs in this process.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, Generic, TypeVar

from .progress import Progress

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items, starting processes costs more than it saves.
MIN_PARALLEL = 64


def default_jobs() -> int:
    """The CPU count this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def pmap(func: Callable[[T], R], items: Sequence[T], jobs: int, **options: Any) -> list[R]:
    """``[func(x) for x in items]``, in order, on ``jobs`` processes when worthwhile
    (:func:`pimap`, whose ``options`` it takes, gathered)."""
    return list(pimap(func, items, jobs, **options))


def pimap(
    func: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    *,
    progress: Progress | None = None,
    stage: str = "",
    chunk: int = 0,
    meanwhile: Callable[[], None] | None = None,
) -> Generator[R, None, None]:
    """``func(x)`` for each of ``items``, in order, on ``jobs`` processes when
    worthwhile, one at a time as they arrive: the caller works on each while the
    workers go on with the rest.

    ``meanwhile`` runs in this process once the workers have started (before, when
    there are none); progress is reported after it.
    """
    total = len(items)
    if not _worthwhile(total, jobs):
        if meanwhile is not None:
            meanwhile()
        for number, item in enumerate(items, 1):
            yield func(item)
            if progress:
                progress(stage, number, total)
        return
    try:
        with _forked_pool(jobs) as pool:
            mapped = pool.imap(func, items, chunksize=chunk or _chunk_size(total, jobs))
            if meanwhile is not None:
                meanwhile()
            for number, result in enumerate(mapped, 1):
                yield result
                if progress:
                    progress(stage, number, total)
    finally:
        gc.unfreeze()


class Pending(Generic[R]):
    """``[func(x) for x in items]``, started on worker processes by :func:`pstart`
    while this process goes on with other work."""

    def __init__(self, func: Callable[[T], R], items: Sequence[T], jobs: int) -> None:
        self._pool: Any = None
        self._started: Any = None
        self._serial: Callable[[], list[R]] | None = None
        if not _worthwhile(len(items), jobs):
            self._serial = lambda: [func(item) for item in items]
            return
        try:
            size = _chunk_size(len(items), jobs)
            self._pool = _forked_pool(jobs)
            self._started = self._pool.map_async(func, items, chunksize=size)
        except BaseException:
            self.cancel()
            raise

    def result(self) -> list[R]:
        """The results, in order, once every worker is done (here, without workers)."""
        if self._serial is not None:
            return self._serial()
        if self._started is None:
            raise RuntimeError("the work was cancelled")
        try:
            return list(self._started.get())
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the workers (nothing, once the results are in)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None
            self._started = None
            gc.unfreeze()


def pstart(func: Callable[[T], R], items: Sequence[T], jobs: int) -> Pending[R]:
    """Start ``[func(x) for x in items]`` on ``jobs`` processes, when worthwhile, and
    return at once: :meth:`Pending.result` waits for the results.  (Without
    workers the work is done when they are asked for.)  The caller must end with
    ``result()`` or ``cancel()``."""
    return Pending(func, items, jobs)


def _worthwhile(total: int, jobs: int) -> bool:
    """Whether ``total`` items are worth spreading over ``jobs`` forked processes."""
    return jobs > 1 and total >= MIN_PARALLEL and can_fork()


def _chunk_size(total: int, jobs: int) -> int:
    """Items per task: about eight tasks a worker, at most 256 items each."""
    return max(1, min(256, total // (jobs * 8)))


def _forked_pool(jobs: int) -> Any:
    """A pool of ``jobs`` forked workers.  Objects that exist before the fork go to
    the collector's permanent generation first (the caller calls ``gc.unfreeze()``
    once the workers are done): otherwise each worker's collections would touch
    (and so copy) every page of the parent's memory that holds the archive.  The
    workers collect whether or not the parent has paused collection
    (:func:`broadsheet.pipeline.collector_paused`)."""
    release_free_memory()
    gc.freeze()
    try:
        return multiprocessing.get_context("fork").Pool(jobs, initializer=gc.enable)
    except BaseException:
        gc.unfreeze()
        raise


def release_free_memory() -> None:
    """Give memory that was freed but kept by the C allocator back to the system
    (glibc's ``malloc_trim``; elsewhere nothing).  A forked worker starts with every
    page the parent holds, so memory the parent no longer uses would be counted,
    once more, in each worker."""
    with contextlib.suppress(OSError, AttributeError):  # (AttributeError: not glibc)
        ctypes.CDLL(None).malloc_trim(0)


_SHARED: Any = None


def share(value: Any) -> None:
    """Hand ``value`` to the workers of the next :func:`pmap` (inherited on fork)."""
    global _SHARED
    _SHARED = value


def shared() -> Any:
    return _SHARED


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
