"""Rendering on a dask.distributed cluster (``--executor dask://HOST:PORT``).

For archives that outgrow one machine.  The render job (the site config, the
template globals and every page with its records) is scattered to each worker
once; tasks then carry only page numbers.  Workers build their own Jinja
Environment from the config, read the same templates, and write into the
same output folder, so the folder must be on storage that every worker
shares (see docs/scaling.md).  ``dask-local`` starts a cluster of local
processes on 127.0.0.1, which is how the tests run it.

Needs ``pip install "broadsheet[dask]"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import SiteConfig
from .errors import BroadsheetError, TemplateError
from .model import Page

#: Pages per task: enough to amortise scheduling, few enough to balance load.
CHUNK = 200


@dataclass(frozen=True)
class RenderJob:
    """Everything a worker needs to render pages (picklable)."""

    config: SiteConfig
    globals: dict[str, Any]
    pages: Sequence[Page]
    target: Path
    compress: bool


_ENVIRONMENTS: dict[int, Any] = {}


def _environment(job: RenderJob) -> Any:
    """One Environment per job per worker process."""
    from .render import make_environment

    key = id(job)
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS.clear()
        _ENVIRONMENTS[key] = make_environment(job.config, job.globals)
    return _ENVIRONMENTS[key]


def render_chunk(job: RenderJob, numbers: Sequence[int]) -> list[tuple[int, Any]]:
    """Render and write pages ``numbers`` of ``job``; errors come back as values."""
    from .assets import compress_files
    from .output import write_new
    from .render import render_files

    env = _environment(job)
    done: list[tuple[int, Any]] = []
    for number in numbers:
        try:
            rendered = render_files(env, job.pages[number])
        except BroadsheetError as exc:
            done.append((number, list(getattr(exc, "diagnostics", ()))))
            continue
        written = []
        for rel, text in rendered:
            write_new(job.target / rel, text)
            written.append(rel)
        if job.compress:
            compress_files(job.target, written)
        done.append((number, written))
    return done


def render(executor: str, job: RenderJob, numbers: Sequence[int], jobs: int) -> dict[int, Any]:
    """Render ``numbers`` on the cluster ``executor`` names; page number -> files.

    Raises :class:`TemplateError` for the first page that failed.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise BroadsheetError(
            f'--executor {executor} needs dask: pip install "broadsheet[dask]"'
        ) from None
    cluster = None
    if executor == "dask-local":
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)  # fmt: skip
        client = Client(cluster)
    elif executor.startswith("dask://"):
        client = Client("tcp://" + executor.removeprefix("dask://"))
    else:
        raise BroadsheetError(f"unknown executor {executor!r}: use local, dask-local or "
                              "dask://HOST:PORT")  # fmt: skip
    try:
        shared = client.scatter(job, broadcast=True)
        chunks = [numbers[i : i + CHUNK] for i in range(0, len(numbers), CHUNK)]
        futures = client.map(render_chunk, [shared] * len(chunks), chunks, pure=False)
        results: dict[int, Any] = {}
        for chunk in client.gather(futures):
            for number, outcome in chunk:
                if outcome and not isinstance(outcome[0], str):
                    raise TemplateError(outcome)
                results[number] = outcome
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
