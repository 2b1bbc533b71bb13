"""Rendering on a dask.distributed cluster gives the same output as a local build."""

from __future__ import annotations

import hashlib
import importlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from broadsheet import build
from broadsheet.cli import main

NOW = datetime(2025, 7, 9, 12, 0, tzinfo=timezone.utc)
pytest.importorskip(
    "dask.distributed", reason='dask is not installed: pip install "broadsheet[dask]"'
)


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }  # fmt: skip


@pytest.mark.parametrize("compress_above", [20_000, 0], ids=["bodies in memory", "spilled"])
def test_a_local_dask_cluster_writes_what_a_local_build_writes(
    sample_site: Path, compress_above: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Spilled bodies (broadsheet.spill) travel to the cluster's workers as their bytes.
    monkeypatch.setattr(importlib.import_module("broadsheet.pipeline"), "COMPRESS_ABOVE",
                        compress_above)  # fmt: skip
    (sample_site / "broadsheet.yaml").write_text(
        "title: T\nbase_url: https://example.org/\nsearch: false\n", encoding="utf-8")
    local = build(sample_site, sample_site / "local", now=NOW, clean=True, jobs=1)
    cluster = build(sample_site, sample_site / "cluster", now=NOW, clean=True, jobs=2,
                    executor="dask-local")  # fmt: skip
    assert cluster.exit_code == local.exit_code == 0
    files = tree(sample_site / "local")
    assert len(files) > 80
    assert tree(sample_site / "cluster") == files


def test_an_unknown_executor_is_a_command_line_error(sample_site: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(sample_site), "--executor", "spark://x"])
    assert result.exit_code == 2
    assert "unknown executor 'spark://x'" in result.stderr
