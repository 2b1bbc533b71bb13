"""Two versions of Broadsheet building the same corpus at the same time, to compare them.

``python -m benchmarks.paired --old-src OLD/src --new-src src --site DIR [--runs 2]
[--jobs 2]``

On a shared virtual machine the speed of the whole machine drifts by ten percent between
runs minutes apart, more than most changes save.  Here both versions build at once, each
on its own copy of the site's inputs (``--site``: a folder with ``broadsheet.yaml`` and
``content/``, such as one written by ``python -m benchmarks.corpus``), so they meet the
same machine; each build is a clean one (``--clean``, outputs and caches moved aside
first, as in ``benchmarks.run``), timed with ``/usr/bin/time``.  ``--old-src`` is the
``src`` folder of another checkout (``git worktree add /tmp/old COMMIT``).  Compare user
CPU first: with four processes on two cores, wall time mostly tells how they shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.run import INPUTS, clear_set_aside, set_aside

GNU_TIME = "/usr/bin/time"
FORMAT = "%e %U %S %M"


def copy_inputs(site: Path, target: Path) -> None:
    """A fresh copy of ``site``'s config and content in ``target``."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(site / "broadsheet.yaml", target / "broadsheet.yaml")
    shutil.copytree(site / "content", target / "content")


def start(src: Path, site: Path, jobs: int, report: Path) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(src.resolve())}
    command = [GNU_TIME, "-f", FORMAT, "-o", str(report), sys.executable, "-m", "broadsheet",
               "build", str(site), "-q", "--clean", "--jobs", str(jobs)]  # fmt: skip
    return subprocess.Popen(command, env=environment, cwd=site.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.paired",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("--old-src", type=Path, required=True)
    parser.add_argument("--new-src", type=Path, required=True)
    parser.add_argument("--site", type=Path, required=True, help="config and content to build")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of each build")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/broadsheet-paired"))
    args = parser.parse_args(argv)
    work = args.workdir
    sides = {"old": (args.old_src, work / "old"), "new": (args.new_src, work / "new")}
    for _, folder in sides.values():
        copy_inputs(args.site, folder)
    try:
        for run in range(1, args.runs + 1):
            for _, folder in sides.values():
                set_aside(folder, INPUTS["broadsheet"])
            reports = {name: work / f"{name}.time" for name in sides}
            running = [start(src, folder, args.jobs, reports[name])
                       for name, (src, folder) in sides.items()]  # fmt: skip
            if any(process.wait() != 0 for process in running):
                print(f"run {run}: a build failed", file=sys.stderr)
                return 1
            for name, report in reports.items():
                wall, user, system, rss = report.read_text().split()[-4:]
                print(f"run {run} {name}: {wall} s wall, {user} s user, {system} s system, "
                      f"{int(rss) // 1024} MiB")  # fmt: skip
    finally:
        clear_set_aside(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
