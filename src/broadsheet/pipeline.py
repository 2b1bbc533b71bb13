"""The pipeline of a build: load every source, lay out the archive, digest every
page, render what changed and write a new tree beside the output.

:func:`broadsheet.build.build` is the entry point; it calls :func:`run` when
the inputs changed since the last build.
"""

from __future__ import annotations

import gc
import os
import pickle
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

from . import __version__, search
from .assets import Asset, collect, compress_files, copy_assets
from .build import BuildResult, BuildStopped
from .comments import load_comments
from .config import CONFIG_NAME, SiteConfig
from .errors import BroadsheetError, Diagnostic, Diagnostics, TemplateError
from .feeds import FeedSpec
from .graph import (
    Archive,
    RelatedNow,
    RelatedSearch,
    build_archive,
    related_positions,
    steady_until,
)
from .incremental import (
    CACHE_DIR,
    MANIFEST,
    ArticleCache,
    Digester,
    InputScan,
    Manifest,
    Stamp,
    files_digest,
    output_identity,
    read_manifest,
    read_manifest_with_assets,
    source_stamp,
    write_manifest,
)
from .loaders import LoadOptions, LoadResult, Source, discover, load_source
from .model import Article, Page
from .output import prefetch, staging_dir, swap_into_place, write_fresh, write_new
from .pagestore import StoreWriter
from .parallel import default_jobs, pimap, pmap, pstart, share, shared
from .progress import Progress
from .render import OutputCodeGenerator, make_environment, render_files
from .spill import BodyFile
from .theme import theme_dir


def run(
    config: SiteConfig,
    out: Path,
    result: BuildResult,
    *,
    now: datetime,
    drafts: bool,
    future: bool,
    progress: Progress | None,
    jobs: int | None,
    clean: bool,
    executor: str,
    scan: InputScan | None = None,
) -> datetime:
    """Build ``config``'s site into ``out``, filling in ``result``; return the moment
    until which the same inputs build the same site (:func:`~broadsheet.graph.steady_until`).

    With ``scan`` (what :func:`broadsheet.build.build` found of the inputs), the
    page store is written for :mod:`broadsheet.patch`.
    """
    diagnostics = result.diagnostics
    jobs = jobs or default_jobs()
    reading = Reading()
    articles, result.failed = load_articles(config, diagnostics, progress, jobs=jobs,
                                            use_cache=True, trust_cache=not clean,
                                            reading=reading)  # fmt: skip
    after_loading = len(diagnostics)
    search_on = config.search and search.available()
    if config.search and not search_on:
        diagnostics.add(Diagnostic(CONFIG_NAME, None, None, search.MISSING, "warning"))
    approved, found = load_comments(
        config.path("content"), config.root, known_slugs={a.slug for a in articles}
    )
    diagnostics.extend(found)
    with collector_paused():
        archive = build_archive(
            articles,
            config,
            now=now,
            drafts=drafts,
            future=future,
            search=search_on,
            comments=approved,
            find_related=partial(find_related, jobs=jobs),
        )
    diagnostics.extend(archive.diagnostics)
    result.articles = len(archive.articles)

    previous = {} if clean else read_manifest(out)
    staging: Path | None = None
    writer = StoreWriter(config.root) if scan is not None else None
    store_inputs: dict[str, Any] = {}
    try:
        plan = plan_site(config, archive, search=search_on, previous=previous, recorder=writer)
        if writer is not None:
            # 0.15 s at 10,000 sources: done while the workers render, not after.
            plan.later.append(lambda: store_inputs.update(_store_inputs(reading, archive)))
        if plan.unchanged(previous, out, config.compress):
            result.pages = plan.html_pages
        else:
            staging, reused = staging_dir(out, reuse=bool(previous) or clean)
            base, base_assets, siblings = (read_manifest_with_assets(staging) if reused
                                           else ({}, [], False))  # fmt: skip
            # With --clean the spare's files are overwritten, none kept as they are.
            result.pages = write_site(config, archive, staging, plan=plan, previous=out,
                                      old=previous, base=base, base_assets=base_assets,
                                      base_siblings=siblings, keep=not clean, jobs=jobs,
                                      progress=progress, executor=executor)  # fmt: skip
            if search_on:
                diagnostics.extend(index_search(staging, out, plan))
    except BroadsheetError as exc:
        _abandon(staging, writer)
        raise BuildStopped(list(getattr(exc, "diagnostics", ()))) from None
    except BaseException:
        _abandon(staging, writer)
        raise
    if staging is not None:
        swap_into_place(staging, out)
    until = steady_until(articles, config, now)
    if writer is not None:
        plan.settle()  # (when no page was rendered)
        writer.finish({
            "scan": scan, "base": plan.base, "globals": plan.globals, **store_inputs,
            "found": reading.found,
            "loading": reading.diagnostics, "after": list(diagnostics)[after_loading:],
            "counts": (result.articles, result.failed, result.pages),
            "cache": reading.cache, "options": reading.options,
            "output": output_identity(out), "until": until,
            "added": 0, "size": len(archive.pages),
        })  # fmt: skip
    return until


def _store_inputs(reading: Reading, archive: Archive) -> dict[str, Any]:
    """What the page store keeps of the sources: each one pickled, by its path,
    and each article's source hash."""
    return {
        "sources": {source.rel: (str(source.path), pickle.dumps(source))
                    for source in reading.sources},
        "hashes": {a.source: a.source_hash for a in archive.articles},
    }  # fmt: skip


def _abandon(staging: Path | None, writer: StoreWriter | None) -> None:
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    if writer is not None:
        writer.discard()


#: Archives of more sources than this keep article bodies compressed, and in a
#: temporary file rather than in memory (:mod:`broadsheet.spill`); at 10,000
#: articles the bodies take about 50 MB as they are, 19 MB compressed.
COMPRESS_ABOVE = 20_000


def load_options(config: SiteConfig, sources: int = 0) -> LoadOptions:
    """How to load the ``sources`` sources of ``config``'s site."""
    return LoadOptions(
        timezone=config.timezone,
        unsafe_html=config.markdown.unsafe_html,
        entities=config.entities == "auto",
        compress_bodies=sources > COMPRESS_ABOVE,
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for laying out the archive, which makes
    hundreds of thousands of objects that all live on (pages, contexts, listings),
    each young-generation collection finding nothing to free while its full ones
    walk everything made so far (at 10,000 articles, 0.1 s of a 0.7 s layout)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_articles(
    config: SiteConfig,
    diagnostics: Diagnostics,
    progress: Progress | None = None,
    *,
    jobs: int = 1,
    use_cache: bool = False,
    trust_cache: bool = True,
    reading: Reading | None = None,
) -> tuple[list[Article], int]:
    """Discover and load every article source; return the articles and the failure count.

    With ``use_cache``, sources unchanged since the last build are not read again
    (unless not ``trust_cache``: then all are read, and the cache is rewritten).
    ``reading``, when given, is filled in with what was seen.
    """
    sources, found = discover(config.root, config.path("content"))
    diagnostics.extend(found)
    options = load_options(config, len(sources))
    cache = ArticleCache(config.root, options, trust=trust_cache) if use_cache else None
    # A large archive's bodies go to a file as they arrive (see broadsheet.spill).
    spill = _body_file(config) if options.compress_bodies else None
    # An empty cache (a first or clean build) has nothing to look up; the workers
    # stamp what they read, as they read it.
    known = cache if cache is not None and cache.stamps else None
    results: list[LoadResult | None] = [
        _spilled(known.get(source, source_stamp(source)), spill) if known is not None else None
        for source in sources
    ]
    todo = [number for number, found_result in enumerate(results) if found_result is None]
    # The workers inherit the sources (on fork) and are sent their numbers only:
    # 10,000 sources pickled into the tasks' chunks and out of them took about
    # 0.02 CPU-seconds here and 0.06-0.08 in the workers.
    share((sources, options, cache is not None))
    # Each result is taken in as it arrives, while the workers read the rest.
    # While the workers start, the sources they will read are asked of the disk,
    # all at once: a folder not read for a while is not in memory, and reading its
    # files one by one would wait on the disk for each.
    reads = pimap(_read_shared, todo, jobs, progress=progress, stage="Reading",
                  meanwhile=lambda: _read_ahead(sources[n].path for n in todo))  # fmt: skip
    with closing(reads) as loaded:  # the workers stop if this loop fails
        for number, got in zip(todo, loaded, strict=True):
            if isinstance(got, tuple):
                # The worker's pickle goes into the cache as it is: no second pickling.
                stamp, data = got
                fresh = pickle.loads(data)
                cache.put(sources[number], stamp, fresh, data)  # type: ignore[union-attr]
            else:
                fresh = got
            results[number] = _spilled(fresh, spill)
    if spill is not None:
        spill.flush()
    if cache:
        cache.save()
        cache.close()
    articles = []
    failed = 0
    for source, outcome in zip(sources, results, strict=True):
        assert outcome is not None
        diagnostics.extend(outcome.diagnostics)
        if outcome.article is None:
            failed += 1
        else:
            articles.append(outcome.article)
        if reading is not None and outcome.diagnostics:
            reading.diagnostics[source.rel] = outcome.diagnostics
    if reading is not None:
        reading.sources, reading.found, reading.options = sources, found, options
        reading.cache = cache.identity if cache else None
    return articles, failed


#: From this many articles on, related articles are found on several processes.
RELATED_IN_PARALLEL = 5000


def find_related(
    ordered: Sequence[Article], index: Mapping[str, list[int]], jobs: int = 1
) -> RelatedSearch:
    """Start :func:`broadsheet.graph.related_positions` on ``jobs`` processes (each
    article counts the articles of each of its terms, lists that grow with the
    archive); this process lays out the rest of the archive meanwhile."""
    if jobs <= 1 or len(ordered) < RELATED_IN_PARALLEL:
        return RelatedNow(ordered, index)
    # Inherited by the workers as they start (and kept until the next share, for any
    # worker the pool starts again).
    share((ordered, index))
    return pstart(_related_at, range(len(ordered)), jobs)


def _related_at(position: int) -> tuple[int, ...]:
    ordered, index = shared()
    return related_positions(ordered, index, (position,))[0]


def _body_file(config: SiteConfig) -> BodyFile | None:
    """A file for the bodies of ``config``'s site, if its cache folder can hold one
    (else they stay in memory)."""
    try:
        return BodyFile(config.root / CACHE_DIR)
    except OSError:
        return None


def _spilled(result: LoadResult | None, spill: BodyFile | None) -> LoadResult | None:
    """``result``, its article's body moved into ``spill`` (when given)."""
    if spill is not None and result is not None and result.article is not None:
        result.article.body.spill(spill)
    return result


def _read_ahead(paths: Iterable[Path]) -> None:
    for path in paths:
        prefetch(path, whole=True)


def _read_shared(number: int) -> LoadResult | tuple[Stamp, bytes]:
    """:func:`load_source` of source ``number`` of the shared ones.  When they are
    cached: the source's stamp, taken before it is read, and the result pickled
    (in a worker: for the parent and the cache alike)."""
    sources, options, cached = shared()
    source = sources[number]
    if not cached:
        return load_source(source, options=options)
    stamp = source_stamp(source)
    return stamp, pickle.dumps(load_source(source, options=options), pickle.HIGHEST_PROTOCOL)


@dataclass
class Reading:
    """What :func:`load_articles` saw, for the page store."""

    sources: list[Source] = field(default_factory=list)
    """Every source, in order."""
    found: list[Diagnostic] = field(default_factory=list)
    """What discovering them reported."""
    diagnostics: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    """What loading reported, by source (sources without any are left out)."""
    cache: tuple[str, int] | None = None
    """The article cache's :attr:`~broadsheet.incremental.ArticleCache.identity` after."""
    options: LoadOptions | None = None
    """What the sources were loaded with."""


@dataclass
class SitePlan:
    """What a build will write: every page with its digest, and which to render."""

    env: Any
    globals: dict[str, Any]
    assets: list[Asset]
    digests: list[str]
    render: list[int]
    """Indices of the pages whose digest differs from the previous build's."""
    html_pages: int
    search: bool
    base: bytes = b""
    """What every page digest starts from (templates, theme, config, globals)."""
    pending: Callable[[], None] | None = None
    """Computes :attr:`digests` when they are left for later (every page renders)."""
    later: list[Callable[[], None]] = field(default_factory=list)
    """Other work for this process, done while the workers render when any do."""

    def settle(self) -> None:
        """Compute the digests, if they were left for later, and do the work left
        for :attr:`later`."""
        if self.pending is not None:
            self.pending()
        while self.later:
            self.later.pop(0)()

    def unchanged(self, previous: dict[str, Any], out: Path, compress: bool) -> bool:
        """Whether the output already is exactly what this build would write."""
        if self.render or not previous or len(previous) != len(self.digests):
            return False
        expected = {rel for _, outputs in previous.values() for rel in outputs}
        expected.update(asset.output for asset in self.assets)
        if compress:
            expected |= {rel + suffix for rel in expected for suffix in (".gz", ".br")}
        expected.add(MANIFEST)
        return _files_in(out, skip=search.BUNDLE if self.search else None) == expected


def _files_in(root: Path, skip: str | None = None) -> set[str]:
    """Every file under ``root``, relative; the folder ``skip`` is left out."""
    found: set[str] = set()
    for folder, dirnames, filenames in os.walk(root):
        relative = os.path.relpath(folder, root)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        if skip is not None and prefix == "":
            dirnames[:] = [d for d in dirnames if d != skip]
        found.update(prefix + name for name in filenames)
    return found


def plan_site(
    config: SiteConfig,
    archive: Archive,
    *,
    search: bool,
    previous: dict[str, Any],
    recorder: StoreWriter | None = None,
) -> SitePlan:
    """Build the Environment, digest every page, and compare with the last build
    (handing what is digested to ``recorder``, when given, and settling it)."""
    assets = site_assets(config)
    # Every page links to the site's feeds; their URLs are all it needs of them.
    site_feeds = FeedSpec(config.title, "", ())
    globals_ = {
        "sections": tuple(section.ref for section in archive.sections),
        "site_feeds": site_feeds,
        "assets": {a.logical: a.output for a in assets},
        "search_enabled": search,
    }
    env = with_bytecode_cache(make_environment(config, globals_), config)
    template_files = [p for folder in (config.path("templates"), theme_dir()) if folder.is_dir()
                      for p in folder.rglob("*") if p.is_file()]  # fmt: skip
    static_files = [a.source for a in assets]
    digester = Digester(b"")
    base = b"".join([
        __version__.encode(),
        repr(replace(config, root=Path("."))).encode(),
        files_digest(template_files),
        files_digest(static_files),
        digester.value(globals_),
    ])  # fmt: skip
    html_pages = sum(1 for page in archive.pages if page.template.endswith(".html"))
    plan = SitePlan(env, globals_, assets, [], [], html_pages, search, base)

    def digest_pages() -> None:
        digester = Digester(base, recorder)
        plan.digests[:] = [digester.page(page, number)
                           for number, page in enumerate(archive.pages)]  # fmt: skip
        plan.pending = None
        if recorder is not None:
            recorder.settle([page.path for page in archive.pages])

    if previous:
        digest_pages()
        plan.render = [
            number for number, page in enumerate(archive.pages)
            if previous.get(page.path, [None])[0] != plan.digests[number]
        ]  # fmt: skip
    else:
        # No page to keep: every page is rendered, and digests (for the manifest) can be
        # computed while the workers render (:func:`render_pages`).
        plan.render = list(range(len(archive.pages)))
        plan.pending = digest_pages
    return plan


def with_bytecode_cache(env: jinja2.Environment, config: SiteConfig) -> jinja2.Environment:
    """``env``, keeping compiled templates in the cache folder: compiling the theme
    takes a quarter of a second in every process that renders.  (Jinja checks a
    template's source before it uses its compiled form.)"""
    folder = config.root / CACHE_DIR / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = _TemplateCache(str(folder))
    return env


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates, also keyed by the version of Broadsheet's code generator
    (Jinja's key is the template's name and its source's)."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{OutputCodeGenerator.VERSION}:{name}", filename)


def site_assets(config: SiteConfig) -> list[Asset]:
    """The theme's static files and the site's."""
    return collect([(theme_dir() / "static", "static/"), (config.path("static"), "")])


def write_site(
    config: SiteConfig,
    archive: Archive,
    target: Path,
    *,
    plan: SitePlan | None = None,
    previous: Path | None = None,
    old: Manifest | None = None,
    base: Manifest | None = None,
    base_assets: Iterable[str] = (),
    base_siblings: bool = True,
    keep: bool = True,
    jobs: int = 1,
    progress: Progress | None = None,
    executor: str = "local",
) -> int:
    """Write every page of ``archive`` into ``target``: render the pages the plan
    names, hard-link the others from ``previous`` (whose manifest is ``old``, read
    when not given); copy static files; write the manifest.  Return the number of
    HTML pages.

    ``base`` is the manifest of what ``target`` already holds when it is the
    spare (:mod:`broadsheet.output`): pages it holds in their new form stay
    (unless not ``keep``), and its files that no page or asset claims any more
    are deleted; so are the compressed siblings of its files, when this build
    does not compress and ``base_siblings`` says it may hold some.

    ``old`` and ``base`` are emptied once used: at 100,000 articles each holds
    hundreds of thousands of entries that the rendering processes need not inherit.
    """
    plan = plan or plan_site(config, archive, search=False, previous={})
    if old is None:
        old = read_manifest(previous) if previous is not None else {}
    base = base if base is not None else {}
    spare = bool(base)
    paths = [page.path for page in archive.pages]
    files, todo, replaced = carry_over(target, paths, plan.digests, set(plan.render),
                                       previous=previous, old=old, base=base,
                                       compress=config.compress, keep=keep)  # fmt: skip
    old.clear()
    base.clear()
    if executor != "local" and todo:
        from .distributed import RenderJob, render

        plan.settle()
        job = RenderJob(config, plan.globals, archive.pages, target, config.compress)
        for number, outcome in render(executor, job, todo, jobs).items():
            files[paths[number]] = [plan.digests[number], outcome]
    else:
        files.update(render_pages(plan.env, archive.pages, todo, target, digests=plan.digests,
                                  compress=config.compress, jobs=jobs, progress=progress,
                                  meanwhile=plan.settle, fresh=not spare))  # fmt: skip
    plan.settle()
    finish_tree(target, files, plan.assets, base_assets if spare else None, config.compress,
                replaced, siblings=spare and base_siblings)  # fmt: skip
    return plan.html_pages


def carry_over(
    target: Path,
    paths: Sequence[str],
    digests: Sequence[str],
    rendering: set[int],
    *,
    previous: Path | None,
    old: Manifest,
    base: Manifest,
    compress: bool,
    keep: bool = True,
) -> tuple[Manifest, list[int], Manifest]:
    """Put into ``target`` every page that need not be rendered: kept from the
    spare (``base``) when it holds the page as it is now (and ``keep``; when not,
    the spare's pages are all rendered again), else hard-linked from
    ``previous``.  Return the manifest entries so far, the pages to render
    (those in ``rendering`` and those that could not be linked), in order, and
    the spare's entries of the pages to render: their files are left in place to
    be rewritten (:func:`~broadsheet.output.write_new`), and :func:`finish_tree`
    deletes those the pages no longer write."""
    _MADE.clear()
    files: Manifest = {}
    replaced: Manifest = {}
    rendering = set(rendering)
    variants = (".gz", ".br") if compress else ()
    for number, path in enumerate(paths):
        held = base.get(path)
        if keep and held is not None and held[0] == digests[number]:
            files[path] = held  # the spare has it already
            rendering.discard(number)
            continue
        if number in rendering:
            if held is not None:
                replaced[path] = held
            continue
        if held is not None:
            # Its folder stays for the link (removing and making it again would free
            # an inode and take another: see output.write_new).
            _unlink_all(target, held[1], prune=False)
        digest, outputs = old[path]
        if not all(_link(previous, target, rel) for rel in outputs):  # type: ignore[arg-type]
            rendering.add(number)
            continue
        files[path] = [digest, outputs]
        for rel in outputs:
            for suffix in variants:
                _link(previous, target, rel + suffix)  # type: ignore[arg-type]
    if base:
        _unlink_all(target, [rel for path, (_, outputs) in base.items()
                             if path not in replaced
                             and (path not in files or files[path][1] != outputs)
                             for rel in outputs])  # fmt: skip
    return files, sorted(rendering), replaced


def render_pages(
    env: Any,
    pages: Sequence[Page | None],
    todo: list[int],
    target: Path,
    *,
    digests: Sequence[str],
    compress: bool,
    jobs: int,
    progress: Progress | None = None,
    meanwhile: Callable[[], None] | None = None,
    fresh: bool = False,
) -> Manifest:
    """Render pages ``todo`` (indices into ``pages``, where only those need be
    given) into ``target`` in ``jobs`` processes; return their manifest entries.
    ``meanwhile`` runs in this process while the workers render (it may fill in
    ``digests``).  ``fresh`` says that ``target`` started empty: files are created
    without first looking for old ones (:func:`~broadsheet.output.write_fresh`)."""
    share((env, pages, target, compress, fresh))
    done = pmap(_render_page, todo, jobs, progress=progress, stage="Rendering",
                meanwhile=meanwhile)  # fmt: skip
    files: Manifest = {}
    for number, outcome in zip(todo, done, strict=True):
        if isinstance(outcome, BroadsheetError):
            raise outcome
        page = pages[number]
        assert page is not None
        files[page.path] = [digests[number], outcome]
    return files


def finish_tree(
    target: Path,
    files: Manifest,
    assets: list[Asset],
    base_assets: Iterable[str] | None,
    compress: bool,
    replaced: Manifest | None = None,
    *,
    siblings: bool = True,
) -> None:
    """Delete what the spare held for the pages rendered again (``replaced``, from
    :func:`carry_over`) that they no longer write; copy the static files (deleting
    those of the spare, ``base_assets``, that are gone) and write the manifest.
    Without ``compress``, compressed siblings the spare holds are deleted, if it
    may hold any (``siblings``)."""
    stale_siblings = siblings and not compress
    if replaced:
        _drop_replaced(target, files, replaced, stale_siblings)
    if base_assets is not None:
        current = {asset.output for asset in assets}
        _unlink_all(target, [rel for rel in base_assets if rel not in current])
        if stale_siblings:
            _unlink_all(target, _siblings(target, current))
    copy_assets(assets, target)
    if compress:
        compress_files(target, [a.output for a in assets])
    write_manifest(target, files, [a.output for a in assets], compressed=compress)


def _drop_replaced(target: Path, files: Manifest, replaced: Manifest, siblings: bool) -> None:
    """Files of the spare that re-rendered pages no longer write: those they wrote
    before and not now, and (with ``siblings``) compressed siblings of those they
    wrote, from a build that compressed."""
    stale: list[str] = []
    for path, (_, outputs) in replaced.items():
        written = files[path][1]
        stale.extend(rel for rel in outputs if rel not in written)
        if siblings:
            stale.extend(_siblings(target, written))
    _unlink_all(target, stale)


def _siblings(target: Path, rels: Iterable[str]) -> list[str]:
    """The ``.gz`` and ``.br`` files of ``rels`` that ``target`` holds."""
    return [rel + suffix for rel in rels for suffix in (".gz", ".br")
            if os.path.lexists(target / (rel + suffix))]  # fmt: skip


def _unlink_all(root: Path, rels: Iterable[str], prune: bool = True) -> None:
    """Delete files (and their compressed siblings) of a tree, and (with ``prune``)
    folders left empty."""
    for rel in rels:
        for suffix in ("", ".gz", ".br"):
            try:
                os.unlink(root / (rel + suffix))
            except FileNotFoundError:
                continue
            except IsADirectoryError:
                shutil.rmtree(root / rel, ignore_errors=True)
        folder = (root / rel).parent
        while prune and folder != root:
            try:
                folder.rmdir()
            except OSError:
                break
            _MADE.discard(folder)
            folder = folder.parent


def _render_page(number: int) -> list[str] | BroadsheetError:
    """Render page ``number`` of the shared job and write its files (in a worker)."""
    env, pages, target, compress, fresh = shared()
    if not fresh:
        prefetch(target / pages[number].path)  # read while the page renders
    try:
        rendered = render_files(env, pages[number])
    except BroadsheetError as exc:
        return TemplateError(getattr(exc, "diagnostics", ()))
    written = []
    write = write_fresh if fresh else write_new
    for rel, text in rendered:
        write(target / rel, text)
        written.append(rel)
    if compress:
        compress_files(target, written)
    return written


_MADE: set[Path] = set()


def _link(source_root: Path, target_root: Path, rel: str) -> bool:
    """Hard-link (or, across file systems, copy) one file of the last build."""
    source = source_root / rel
    target = target_root / rel
    if target.parent not in _MADE:
        target.parent.mkdir(parents=True, exist_ok=True)
        _MADE.add(target.parent)
    try:
        os.link(source, target)
    except FileExistsError:
        return True
    except OSError:
        try:
            shutil.copy2(source, target)
        except OSError:
            return False
    return True


def index_search(staging: Path, out: Path, plan: SitePlan) -> list[Diagnostic]:
    """Run Pagefind (unless no page changed and the last index can be reused)."""
    old_bundle = out / search.BUNDLE
    if not plan.render and old_bundle.is_dir():
        for file in old_bundle.rglob("*"):
            if file.is_file():
                _link(out, staging, file.relative_to(out).as_posix())
        return []
    return search.index(staging)
