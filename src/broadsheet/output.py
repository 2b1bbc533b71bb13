"""Putting a finished tree where the output was, without a moment in between.

A build writes a new tree beside the output (a *staging* folder) and swaps it
in; the previous tree is deleted by a detached process.  After a crash,
:func:`recover_output` repairs what an interrupted swap left.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def staging_dir(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    recover_output(out)
    _empty_trash(out)
    _remove_abandoned_staging(out)
    staging = out.parent / f".{out.name}.new-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def swap_into_place(staging: Path, out: Path) -> None:
    """Put ``staging`` where ``out`` is, atomically where the system allows.

    On Linux the two folders are exchanged in one ``renameat2`` call, so there
    is no moment without an output folder; elsewhere two renames are used and
    :func:`recover_output` repairs the gap after a crash.  The old tree is
    removed afterwards, by a background process: deleting tens of thousands of
    files takes seconds that the build need not wait for.
    """
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists() and _exchange(staging, out):
        discard(staging, out)
        return
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    if old.exists():
        discard(old, out)


def discard(tree: Path, out: Path) -> None:
    """Delete ``tree`` in a detached process (leftovers are removed on the next build)."""
    trash = out.parent / f".broadsheet-trash-{out.name}-{os.getpid()}-{time.time_ns()}"
    os.replace(tree, trash)
    try:
        subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)",
             str(trash)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    except OSError:
        shutil.rmtree(trash, ignore_errors=True)


def _remove_abandoned_staging(out: Path) -> None:
    """Delete the staging folders of builds that were killed (their process is gone)."""
    for leftover in out.parent.glob(f".{out.name}.new-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _empty_trash(out: Path) -> None:
    for leftover in out.parent.glob(f".broadsheet-trash-{out.name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def recover_output(out: Path) -> None:
    """After a crash between two renames, put the previous output back."""
    if out.exists():
        return
    leftovers = sorted(out.parent.glob(f".{out.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if leftovers:
        os.replace(leftovers[-1], out)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
