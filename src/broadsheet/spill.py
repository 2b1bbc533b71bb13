"""Article bodies kept in a temporary file instead of memory while a large archive builds.

Above :data:`broadsheet.pipeline.COMPRESS_ABOVE` sources the bodies are most of
what a build holds, about 180 MB even compressed at 100,000 articles: in the
main process and, as forked workers start with its memory, in every worker.
:func:`broadsheet.pipeline.load_articles` moves each body into a
:class:`BodyFile` as it arrives (:meth:`broadsheet.model.Html.spill`), and a
page that shows one reads it back by offset.  The file has no name (it is
unlinked as it is made), so it goes when the build's processes end, however
they end.  What cannot be written (a full disk) stays in memory, as it would
have without the file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Bytes gathered before they are written out.
CHUNK = 1 << 20


class BodyFile:
    """An unnamed file of byte strings, appended in one process and read by
    offset (``os.pread``) in it and in the workers it forks, which share the
    descriptor but need no file position."""

    def __init__(self, folder: Path) -> None:
        """Raises OSError when ``folder`` cannot hold the file."""
        folder.mkdir(parents=True, exist_ok=True)
        # It lives as long as the bodies in it, not a block.
        self._file = tempfile.TemporaryFile(dir=folder, buffering=0)  # noqa: SIM115
        self._written = 0
        """Bytes in the file; those after them are still in :attr:`_pending`."""
        self._pending = bytearray()

    def write(self, data: bytes) -> tuple[int, int]:
        """Append ``data``; return its offset and size."""
        offset = self._written + len(self._pending)
        self._pending += data
        if len(self._pending) >= CHUNK:
            self.flush()
        return offset, len(data)

    def flush(self) -> None:
        """Write out what :meth:`write` gathered (before forking, so that workers
        do not inherit it); what the disk does not take stays gathered."""
        try:
            while self._pending:
                done = os.pwrite(self._file.fileno(), self._pending, self._written)
                self._written += done
                del self._pending[:done]
        except OSError:
            return

    def read(self, offset: int, size: int) -> bytes:
        """The ``size`` bytes written at ``offset``."""
        end = offset + size
        written = self._written
        data = b""
        if offset < written:
            wanted = min(end, written) - offset
            data = os.pread(self._file.fileno(), wanted, offset)
            if len(data) != wanted:
                raise OSError(f"the body file {self._file.name} ends inside a body")
        if end > written:
            data += self._pending[max(offset, written) - written : end - written]
        return data
