"""Rebuilding after a few edits without building the archive again.

A full build lays out the whole archive and digests every page; at 10,000
articles that alone takes seconds.  When the only inputs that changed are a
few article files, and each edited article keeps its place in the archive
(:func:`~broadsheet.graph.structure_key`: same URL, date, section, tags,
people, places, authors...), the archive's layout is the last build's, and the
only pages that can differ are those that refer to an edited article: its own
page, the listings and feeds it is on, the pages that link to it as a
neighbour or a related story.  The page store (:mod:`broadsheet.pagestore`)
says which pages those are and holds what they were made of; this module
loads just those pages with the edited articles swapped in, digests them,
renders those whose digest changed, and puts the new tree in place exactly as a
full build would.  The result is byte for byte what a full build writes
(``tests/test_patch.py`` compares them).

Anything else (a new, deleted or renamed file, a changed sidecar, folder
defaults, template, static file or config, an edit that moves an article, a
clock past the last build's steady period, search indexing) makes
:func:`patch` decline, and the full pipeline runs.
"""

from __future__ import annotations

import io
import logging
import pickle
import shutil
import sqlite3
from array import array
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .build import BuildResult
from .config import SiteConfig
from .errors import BroadsheetError, Diagnostic
from .graph import structure_key
from .incremental import (
    ArticleCache,
    Digester,
    InputScan,
    Stamp,
    output_identity,
    read_manifest,
    read_manifest_with_assets,
    source_stamp,
)
from .loaders import LoadResult, Source, load_source
from .model import Article, Page
from .pagestore import ARTICLE, COMPOSITE, FLAT, PAGE_NUMBER, PageStore, Rows

LOG = logging.getLogger(__name__)
#: More edited files than this are left to a full build.
PATCH_LIMIT = 32


class Declined(Exception):
    """The edits cannot be patched in; a full build is needed."""


def patch(
    config: SiteConfig,
    out: Path,
    result: BuildResult,
    *,
    scan: InputScan,
    now: datetime,
    since: str,
    jobs: int | None,
) -> datetime | None:
    """Rebuild ``out`` after edits to a few articles, filling in ``result``;
    return the moment until which the site stays the same (as
    :func:`broadsheet.pipeline.run` does), or None when a full build is needed.

    ``since`` is when the last build ran (its :class:`~broadsheet.incremental.BuildStamp`).
    """
    store = PageStore.open(config.root)
    if store is None:
        return None
    try:
        return _Patch(config, out, store, scan, now, since).run(result, jobs)
    except (Declined, BroadsheetError, sqlite3.Error, pickle.PickleError, EOFError,
            KeyError, TypeError, ValueError, AttributeError) as exc:  # fmt: skip
        # (A template error or a damaged store: the full build reports or repairs it.)
        LOG.debug("no patch: %s: %s", type(exc).__name__, exc)
        return None
    finally:
        store.close()


class _Patch:
    def __init__(self, config: SiteConfig, out: Path, store: PageStore, scan: InputScan,
                 now: datetime, since: str) -> None:  # fmt: skip
        self.config, self.out, self.store, self.scan = config, out, store, scan
        self.now, self.since = now, since

    def run(self, result: BuildResult, jobs: int | None) -> datetime:
        store, config = self.store, self.config
        until: datetime = store.meta("until")
        edited = self._edited_sources()
        options = store.meta("options")  # the last full build's: the config is the same
        cache = ArticleCache(config.root, options)
        if cache.identity != store.meta("cache"):
            raise Declined("the article cache is not the one the store was made with")
        fresh = {source.rel: (source_stamp(source), load_source(source, options))
                 for source in edited}  # fmt: skip
        replaced = self._replacements(cache, fresh)
        cache.write(dict(fresh))
        loading = dict(store.meta("loading"))
        for rel, (_, loaded) in fresh.items():
            loading.pop(rel, None)
            if loaded.diagnostics:
                loading[rel] = loaded.diagnostics
        try:
            updates = self._write(cache, replaced, jobs)
        finally:
            cache.close()
        hashes = dict(store.meta("hashes"))
        hashes.update((rel, loaded.article.source_hash) for rel, (_, loaded) in fresh.items()
                      if loaded.article is not None and rel in hashes)  # fmt: skip
        store.set_meta({**updates, "scan": self.scan, "cache": cache.identity,
                        "output": output_identity(self.out), "loading": loading,
                        "hashes": hashes})  # fmt: skip
        store.commit()
        self._report(result, loading)
        LOG.debug("patched: %d edited, %d pages rendered", len(edited), updates["rendered"])
        return until

    def _edited_sources(self) -> list[Source]:
        """The sources whose files changed; Declined unless all changes are those."""
        store, now = self.store, self.now
        earlier: InputScan = store.meta("scan")
        if earlier is None or earlier.options != self.scan.options:
            raise Declined("options changed")
        if store.meta("output") != output_identity(self.out):
            raise Declined("the output is not the one the store describes")
        if not datetime.fromisoformat(self.since) <= now < store.meta("until"):
            raise Declined("the clock left the last build's steady period")
        if store.meta("globals").get("search_enabled"):
            raise Declined("search indexing runs over the whole site")
        if store.meta("added") > store.meta("size"):
            raise Declined("the store holds more stale records than live ones")
        changed = self.scan.changed_since(earlier)
        if changed is None or len(changed) > PATCH_LIMIT:
            raise Declined("too many changes, or changes other than files")
        sources: dict[str, tuple[str, bytes]] = store.meta("sources")
        by_path = {path: data for path, data in sources.values()}
        if not changed <= by_path.keys():
            raise Declined("files other than article sources changed")
        edited: list[Source] = [pickle.loads(by_path[path]) for path in changed]
        return sorted(edited, key=lambda source: source.rel)

    def _replacements(
        self, cache: ArticleCache, fresh: dict[str, tuple[Stamp, LoadResult]]
    ) -> dict[bytes, Article]:
        """The published articles' old digests, each with its new record; Declined
        when an edit changes the archive's layout."""
        digests: dict[str, bytes] = self.store.meta("articles")
        hashes: dict[str, str] = self.store.meta("hashes")
        replaced: dict[bytes, Article] = {}
        for rel, (_, loaded) in fresh.items():
            old = cache.result(rel)
            if old is None:
                raise Declined(f"{rel} is not in the cache")
            if old.article is None or loaded.article is None:
                if old.article is not loaded.article:
                    raise Declined(f"{rel} failed to load before or now, not both")
                continue
            if structure_key(old.article) != structure_key(loaded.article):
                raise Declined(f"{rel} moved in the archive")
            others = {h for source, h in hashes.items() if source != rel}
            if {old.article.source_hash, loaded.article.source_hash} & others:
                raise Declined(f"{rel} is, or was, a byte-identical duplicate")
            if rel in digests:
                stored = self.store.record(digests[rel])
                if stored is None or stored[0] != ARTICLE:
                    raise Declined(f"{rel}'s record is missing from the store")
                _, url = pickle.loads(stored[1])
                replaced[digests[rel]] = replace(loaded.article, url=url)
        return replaced

    def _write(
        self, cache: ArticleCache, replaced: dict[bytes, Article], jobs: int | None
    ) -> dict[str, Any]:
        """Digest the pages the edits reach, render those that changed, and put the
        new tree in place; return the store's meta updates."""
        from .output import staging_dir, swap_into_place
        from .parallel import default_jobs
        from .pipeline import (
            carry_over,
            finish_tree,
            render_pages,
            site_assets,
            with_bytecode_cache,
        )
        from .render import make_environment

        store, config, out = self.store, self.config, self.out
        stale, numbers = store.reach(replaced)
        recorder = _Recorder()
        digester = Digester(store.meta("base"), recorder)
        loader = _Loader(store, cache, replaced, stale | replaced.keys(), digester)
        pages = {number: loader.page(data) for number, data in store.pages(numbers).items()}
        new = {number: digester.page(page, number) for number, page in pages.items()}
        old = read_manifest(out)
        paths = store.paths()
        digests = [old[path][0] for path in paths]
        render = set()
        for number, digest in new.items():
            if digest != digests[number]:
                digests[number] = digest
                render.add(number)
        article_digests = dict(store.meta("articles"))
        article_digests.update(recorder.article_digests)
        # Pages are updated in place; records are added, and those they replace stay.
        updates = {"articles": article_digests, "rendered": len(render),
                   "added": store.meta("added") + len(recorder.rows)}  # fmt: skip
        store.put_pages({n: recorder.pages[n] for n in render})
        store.put_records(recorder.rows)
        store.add_parents(*recorder.parents(loader.tracked))
        if not render:
            return updates
        staging, reused = staging_dir(out, reuse=True)
        try:
            base, base_assets, siblings = (read_manifest_with_assets(staging) if reused
                                           else ({}, [], False))  # fmt: skip
            files, todo, rewritten = carry_over(staging, paths, digests, render, previous=out,
                                                old=old, base=base,
                                                compress=config.compress)  # fmt: skip
            missing = [n for n in todo if n not in pages]
            pages.update((n, loader.page(data)) for n, data in store.pages(missing).items())
            listed: list[Page | None] = [pages.get(n) for n in range(len(paths))]
            env = with_bytecode_cache(make_environment(config, store.meta("globals")), config)
            files.update(render_pages(env, listed, todo, staging, digests=digests,
                                      compress=config.compress,
                                      jobs=min(jobs or default_jobs(), max(1, len(todo) // 64))))
            finish_tree(staging, files, site_assets(config), base_assets if base else None,
                        config.compress, rewritten, siblings=bool(base) and siblings)  # fmt: skip
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        swap_into_place(staging, out)
        return updates

    def _report(self, result: BuildResult, loading: dict[str, tuple[Diagnostic, ...]]) -> None:
        """The diagnostics, in the order a full build gives them."""
        store = self.store
        result.diagnostics.extend(store.meta("found"))
        for rel in store.meta("sources"):
            result.diagnostics.extend(loading.get(rel, ()))
        result.diagnostics.extend(store.meta("after"))
        result.articles, result.failed, result.pages = store.meta("counts")


class _Loader:
    """Pages and records back from the store, with edited articles swapped in.

    Records the edits cannot have changed keep their stored digests (the
    digester is told them, and does not hash them again); ``stale`` ones (those
    that hold an edited article) are rebuilt from their parts and digested
    afresh.
    """

    def __init__(self, store: PageStore, cache: ArticleCache, replaced: dict[bytes, Article],
                 stale: set[bytes], digester: Digester) -> None:  # fmt: skip
        self.store, self.cache, self.replaced = store, cache, replaced
        self.stale, self.digester = stale, digester
        self.memo: dict[bytes, Any] = {}
        self.tracked: set[bytes] = set()
        """Digests of the articles and composite records loaded."""

    def page(self, data: bytes) -> Page:
        template, url, title, context = self._unpickle(data)
        return Page(url, template, context, title)

    def _unpickle(self, data: bytes) -> Any:
        unpickler = pickle.Unpickler(io.BytesIO(data))
        unpickler.persistent_load = self.resolve  # type: ignore[method-assign]
        return unpickler.load()

    def resolve(self, digest: bytes | str) -> Any:
        if isinstance(digest, str):  # a datetime (see Digester)
            return datetime.fromisoformat(digest)
        found = self.memo.get(digest)
        if found is not None:
            return found
        value = self.replaced.get(digest)
        if value is None:
            value = self._load(digest)
            if digest not in self.stale:
                self.digester.know(value, digest)
        else:
            self.tracked.add(digest)
        self.memo[digest] = value
        return value

    def _load(self, digest: bytes) -> Any:
        row = self.store.record(digest)
        if row is None:
            raise KeyError(f"record {digest.hex()} is missing from the store")
        kind, data = row
        if kind == FLAT:
            return pickle.loads(data)
        self.tracked.add(digest)
        if kind == ARTICLE:
            source, url = pickle.loads(data)
            loaded = self.cache.result(source)
            if loaded is None or loaded.article is None:
                raise KeyError(f"{source} is missing from the article cache")
            return replace(loaded.article, url=url) if url else loaded.article
        if kind != COMPOSITE:
            raise KeyError(f"record {digest.hex()} is of an unknown kind")
        cls, payload = self._unpickle(data)
        return _assemble(cls, payload)


def _assemble(cls: type, payload: Any) -> Any:
    """A record from what :meth:`Digester.record` pickled of it."""
    if cls in (set, frozenset):
        return cls(payload)
    if cls is range:
        return range(*payload)
    value: Any = object.__new__(cls)
    for name, field_value in payload:
        object.__setattr__(value, name, field_value)
    return value


class _Recorder(Rows):
    """What digesting the reached pages again produced (a
    :class:`~broadsheet.incremental.Recorder`), to add to the store."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[int, bytes] = {}
        self._children: list[tuple[int | bytes, list[bytes]]] = []

    def page(self, number: int, data: bytes, children: list[bytes]) -> None:
        self.pages[number] = data
        self._children.append((number, children))

    def record(self, digest: bytes, data: bytes, children: list[bytes]) -> None:
        self.tracked.add(digest)
        self.rows.append((digest, COMPOSITE, data))
        self._children.append((digest, children))

    def parents(
        self, loaded: set[bytes]
    ) -> tuple[dict[bytes, array[int]], dict[bytes, list[bytes]]]:
        """New parent links.  A page keeps its number, so only the records made
        here need to learn of it; a record made here is new to every article and
        record it holds, made here or ``loaded``."""
        pages: defaultdict[bytes, array[int]] = defaultdict(lambda: array(PAGE_NUMBER))
        records: defaultdict[bytes, list[bytes]] = defaultdict(list)
        held = self.tracked | loaded
        for parent, children in self._children:
            if isinstance(parent, int):
                for child in set(children) & self.tracked:
                    pages[child].append(parent)
            else:
                for child in set(children) & held:
                    records[child].append(parent)
        return pages, records
