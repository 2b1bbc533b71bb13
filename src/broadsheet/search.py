"""Full-text search: the built site is indexed by Pagefind after rendering.

Pagefind (the ``pagefind`` package with its binary, ``pip install
"broadsheet[search]"``) reads the rendered HTML, indexes the article bodies
(the theme marks them ``data-pagefind-body``), and writes its index and its
search interface into ``pagefind/`` in the output.  The search page then
works from static files alone, with no server code, in any language Pagefind
segments, Chinese and Japanese included (the extended binary).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from functools import cache
from pathlib import Path

from .errors import Diagnostic

BUNDLE = "pagefind"
#: Longest an indexing run may take, in seconds.
TIMEOUT = 1800
MISSING = (
    "search is off: Pagefind is not installed. Install it with "
    'pip install "broadsheet[search]", or set search: false'
)


def _command() -> list[str]:
    return [sys.executable, "-m", "pagefind"]


@cache
def available() -> bool:
    """Whether the Pagefind package and its binary are installed."""
    if importlib.util.find_spec("pagefind") is None:
        return False
    try:
        done = subprocess.run([*_command(), "--version"], capture_output=True, timeout=60,
                              check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def index(site: Path) -> list[Diagnostic]:
    """Index ``site`` in place; problems come back as diagnostics, never exceptions."""
    try:
        done = subprocess.run(
            [*_command(), "--site", str(site), "--output-subdir", BUNDLE, "--quiet"],
            capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [Diagnostic("pagefind", None, None, f"search index not built: {exc}", "warning")]
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return [Diagnostic("pagefind", None, None,
                           f"search index not built: {detail[0]}", "warning")]  # fmt: skip
    return []
