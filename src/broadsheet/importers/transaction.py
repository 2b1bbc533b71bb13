"""All-or-nothing changes to the content folder.

An import first writes every new file into a staging folder beside
``content/`` (same file system, so moves are renames); only when every item
has been converted and staged does :meth:`Transaction.commit` move the files
into place.  Files being replaced or deleted are first moved aside into the
staging folder, so that if anything fails while committing, everything
already moved is put back: ``content/`` ends exactly as it was.  A failure
before the commit never touches ``content/`` at all.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

STAGING_PREFIX = ".broadsheet-import-"


def _write_file(path: Path, data: bytes) -> None:
    """Write one staged file (a seam for tests that simulate a failing disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _move(source: Path, target: Path) -> None:
    """Move one file into place (a seam for tests that simulate a failing commit)."""
    os.replace(source, target)


class Transaction:
    """Staged writes and deletions under a content folder, applied together.

    Use as a context manager: leaving the block without :meth:`commit` (or
    with an exception) discards the staging folder and changes nothing.
    """

    def __init__(self, content: Path) -> None:
        self.content = content
        self._staging: Path | None = None
        self._writes: dict[str, Path] = {}
        self._deletes: set[str] = set()

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.discard()

    @property
    def empty(self) -> bool:
        return not self._writes and not self._deletes

    def _stage_root(self) -> Path:
        if self._staging is None:
            parent = self.content.parent
            parent.mkdir(parents=True, exist_ok=True)
            self._staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
        return self._staging

    def write(self, rel: str, data: bytes) -> None:
        """Stage ``data`` to become ``content/rel``."""
        staged = self._stage_root() / "new" / rel
        _write_file(staged, data)
        self._writes[rel] = staged
        self._deletes.discard(rel)

    def delete(self, rel: str) -> None:
        """Stage the removal of ``content/rel``."""
        self._writes.pop(rel, None)
        self._deletes.add(rel)

    def commit(self) -> None:
        """Move every staged change into place; on any failure undo them all and re-raise."""
        if self.empty:
            self.discard()
            return
        backups = self._stage_root() / "old"
        deleted = set(self._deletes)
        done: list[tuple[str, bool]] = []
        created: list[Path] = []
        try:
            for rel in sorted(set(self._writes) | self._deletes):
                target = self.content / rel
                had_old = target.is_file() or target.is_symlink()
                if had_old:
                    _makedirs((backups / rel).parent, [])
                    _move(target, backups / rel)
                done.append((rel, had_old))
                if rel in self._writes:
                    _makedirs(target.parent, created)
                    _move(self._writes[rel], target)
        except BaseException:
            self._rollback(done, backups, created)
            raise
        finally:
            self.discard()
        _prune_empty(self.content, deleted)

    def _rollback(self, done: list[tuple[str, bool]], backups: Path, created: list[Path]) -> None:
        """Undo the moves done so far, newest first, and remove folders created."""
        for rel, had_old in reversed(done):
            target = self.content / rel
            if rel in self._writes and target.is_file():
                target.unlink()
            if had_old:
                os.replace(backups / rel, target)
        for folder in sorted(created, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()

    def discard(self) -> None:
        """Forget everything staged and remove the staging folder."""
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
        self._writes.clear()
        self._deletes.clear()


def _makedirs(folder: Path, created: list[Path]) -> None:
    """Create ``folder`` and its missing parents, recording each one created."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        path.mkdir()
        created.append(path)


def _prune_empty(content: Path, deleted: set[str]) -> None:
    """Remove folders left empty by deletions (never the content folder itself)."""
    for rel in deleted:
        folder = (content / rel).parent
        while folder != content and content in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
