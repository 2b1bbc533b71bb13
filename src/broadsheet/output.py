"""Putting a finished tree where the output was, without a moment in between.

A build writes a new tree beside the output (a *staging* folder) and swaps it
in.  After a crash, :func:`recover_output` repairs what an interrupted swap left.

The previous output is not thrown away: a detached process tidies it (deletes
every file its manifest does not account for) and keeps it as the *spare*
(``.site.spare`` beside ``site/``).  The next build takes the spare as its
staging folder and brings it up to date: pages the spare already holds in
their new form stay, pages the current output holds are hard-linked from it,
the rest are rendered, and what no longer exists is deleted.  A rebuild after
an edit thus touches a few hundred files instead of re-creating a tree of tens
of thousands, and the output is still swapped in whole, atomically.  Files are
never written through: the spare and the output share unchanged files by hard
link, so a file with another link is unlinked before its replacement is
written (one only the spare holds is overwritten in place: :func:`write_new`).
"""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

#: Tidy the previous output into the spare in a detached process (tests turn it off
#: to make the spare's use deterministic).
TIDY_IN_BACKGROUND = True

#: The unit in which files are read from disk into memory.
PAGE_SIZE = mmap.PAGESIZE


def staging_dir(out: Path, *, reuse: bool = False) -> tuple[Path, bool]:
    """A folder beside ``out`` to build into, and whether it is the spare (which
    holds an earlier build, described by its manifest) rather than empty."""
    out.parent.mkdir(parents=True, exist_ok=True)
    recover_output(out)
    _empty_trash(out)
    if reuse:
        await_spare(out)
    _remove_abandoned_staging(out)
    staging = out.parent / f".{out.name}.new-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    spare = spare_dir(out)
    if reuse and spare.is_dir():
        try:
            os.rename(spare, staging)
        except OSError:
            pass
        else:
            return staging, True
    elif spare.is_dir():
        discard(spare, out)
    staging.mkdir()
    return staging, False


def write_new(path: Path, text: str | bytes) -> None:
    """Write ``path`` (creating its folder), never through a file another tree
    shares: in the spare, an old file may be a hard link to the live output's, so
    such a file is replaced by a new one.  A file no other tree holds is rewritten
    in place, keeping its inode: on ext4 without a journal, each new file skips,
    one by one, every inode freed in the last half minute, so deleting and
    re-creating the files of a whole site costs more than the rendering."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        pass
    else:
        if info.st_nlink == 1 and stat.S_ISREG(info.st_mode):
            _overwrite(path, data)
            return
        path.unlink()
    _create(path, data)


#: Open a file that must not exist yet, for writing.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def write_fresh(path: Path, text: str | bytes) -> None:
    """:func:`write_new` for a file expected not to exist (a page of a build into an
    empty folder): created at once (open, write, close), without first looking for
    an old file; its folder is made only when the open fails for want of it.  An
    existing file is left to :func:`write_new`."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        _create(path, data)
    except FileExistsError:
        write_new(path, data)


def _create(path: Path, data: bytes) -> None:
    """Create ``path`` (and its folder when missing) holding ``data``; an existing
    file is an error (FileExistsError)."""
    try:
        descriptor = os.open(path, _NEW_FILE, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, _NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def prefetch(path: Path, *, whole: bool = False) -> None:
    """Start reading ``path`` from disk, if it exists, without waiting.

    A file :func:`write_new` overwrites in place must be read first (the page its
    new end falls in), and a spare that has sat for a while is no longer in
    memory.  Asked for before a page renders, the read is done by the time the
    page is written, instead of costing each write a wait for the disk (a third
    of a millisecond per page, seconds for a whole site, on our virtual disks).
    Only the page the file ends in is asked for (the pages before it are written
    whole, and the new text is mostly of a length close to the old): a third of
    the cost of asking for all of it.  With ``whole``, all of it is (a source
    about to be loaded).  Where the system cannot be asked to read ahead, or
    ``path`` is not a file that can, nothing is done.
    """
    if not hasattr(os, "posix_fadvise"):  # pragma: no cover - not Linux or BSD
        return
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block
    except OSError:
        return
    try:
        if whole:
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
        elif size := os.fstat(descriptor).st_size:
            last = (size - 1) // PAGE_SIZE * PAGE_SIZE
            os.posix_fadvise(descriptor, last, PAGE_SIZE, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass  # not a file (a FIFO, a device): it is not read ahead
    finally:
        os.close(descriptor)


def _overwrite(path: Path, data: bytes) -> None:
    """Write ``data`` over a file's old bytes and cut what is left of them: truncating
    it first would free all its blocks, and on a disk mounted with ``discard`` freed
    blocks are trimmed there and then."""
    with open(path, "r+b") as file:
        file.write(data)
        file.truncate()


def spare_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.spare"


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
        retire(staging, out)
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


def retire(tree: Path, out: Path) -> None:
    """Hand the previous output ``tree`` to a detached process that tidies it into
    the spare (:func:`tidy_into_spare`)."""
    tidy = out.parent / f".{out.name}.tidy-{os.getpid()}"
    shutil.rmtree(tidy, ignore_errors=True)
    os.replace(tree, tidy)
    if not TIDY_IN_BACKGROUND:
        tidy_into_spare(tidy, spare_dir(out))
        return
    code = "import sys; from broadsheet.output import tidy_into_spare as t; t(*sys.argv[1:])"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        subprocess.Popen(
            [sys.executable, "-c", code, str(tidy), str(spare_dir(out))],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, env=environment,
        )  # fmt: skip
    except OSError:
        discard(tidy, out)


def tidy_into_spare(tree: Path | str, spare: Path | str) -> None:
    """Delete every file of ``tree`` its manifest does not list (stray files, a search
    index, empty folders), then make it the spare; without a manifest, delete it."""
    from .incremental import listed_files

    tree, spare = Path(tree), Path(spare)
    mine = tree.with_name(f"{tree.name.rsplit('-', 1)[0]}-{os.getpid()}")
    try:
        os.rename(tree, mine)  # named after this process: not abandoned while it runs
    except OSError:
        return
    listed = listed_files(mine)
    if listed is None or spare.exists():
        shutil.rmtree(mine, ignore_errors=True)
        return
    for folder, _, names in os.walk(mine, topdown=False):
        relative = os.path.relpath(folder, mine).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        for name in names:
            if prefix + name not in listed:
                os.unlink(os.path.join(folder, name))
        if prefix:
            with contextlib.suppress(OSError):
                os.rmdir(folder)  # only if empty
    try:
        os.rename(mine, spare)
    except OSError:
        shutil.rmtree(mine, ignore_errors=True)


#: How long a build waits for the previous one's tidier to make the spare.
SPARE_WAIT = 60.0
#: A tidying folder this recent may be waiting for its tidier to start.
TIDY_START = 5.0


def await_spare(out: Path, limit: float = SPARE_WAIT) -> None:
    """Wait, at most ``limit`` seconds, for the tidier of the last build to make the
    spare: in a large archive it takes seconds, but linking every file into a new
    tree instead (what a build does without a spare) takes longer."""
    deadline = time.monotonic() + limit
    while not spare_dir(out).is_dir() and time.monotonic() < deadline:
        if not any(_tidying(folder) for folder in out.parent.glob(f".{out.name}.tidy-*")):
            return
        time.sleep(0.02)


def _tidying(folder: Path) -> bool:
    """Whether a tidier works on ``folder``, or may be about to (it was renamed
    there moments ago by a build that has since finished)."""
    pid = folder.name.rsplit("-", 1)[-1]
    if pid.isdigit() and int(pid) != os.getpid() and _running(int(pid)):
        return True
    try:
        return time.time() - folder.stat().st_ctime < TIDY_START
    except OSError:
        return False


def _remove_abandoned_staging(out: Path) -> None:
    """Delete the staging and tidying folders of processes that were killed."""
    for pattern in (f".{out.name}.new-*", f".{out.name}.tidy-*"):
        for leftover in out.parent.glob(pattern):
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
