"""Hostile input: every bad source gives a clear error or a safe result.

Each test builds a site that holds one kind of hostile source next to a good
article and checks that the build

* finishes, within a time limit (an alarm, or a subprocess timeout and memory
  limit for the 50 MB article), without raising;
* reports the exact diagnostic expected, or publishes a safe page;
* writes nothing in the site folder but ``site/`` and ``.broadsheet-cache/``
  (and nothing beside the site folder);
* executes nothing, and leaves no script, event handler or ``javascript:`` URL
  in the pages;
* still builds the good article.

docs/security.md names the test behind each guarantee.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import Any

import lxml.html
import pytest
from lxml import etree

from broadsheet import build
from broadsheet.build import BuildResult, BuildStopped
from broadsheet.loaders import MAX_MARKDOWN_BYTES, MAX_SOURCE_BYTES
from conftest import write

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
CONFIG = "title: Hostile Courier\nbase_url: https://example.org/\nsearch: false\n"
GOOD = "content/news/2024-01-02-good-news.md"
GOOD_PAGE = "2024/01/02/good-news/index.html"
GOOD_HEADLINE = "Harbour reopens after repairs"
GOOD_TEXT = (f"---\nheadline: {GOOD_HEADLINE}\nauthors: [Maren Holt]\ntags: [harbour]\n---\n"
             "The harbour reopened on Tuesday.\n")  # fmt: skip
#: Slug-shaped names: what every folder the build writes must look like.
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WINDOWS_DEVICES = re.compile(r"^(?:con|prn|aux|nul|com\d|lpt\d)(?:\..*)?$", re.IGNORECASE)
#: Attributes whose value is a URL a browser may follow or load.
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "cite", "data", "srcset",
                  "background", "ping", "xlink:href")  # fmt: skip
#: Invisible characters that must not reach a page: bidi controls, zero-width
#: spaces, the BOM, C0 and C1 controls (tab and newline aside).
INVISIBLE = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


class TookTooLong(Exception):
    """A build ran past its time limit."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`TookTooLong` in this (main) thread after ``seconds``."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TookTooLong(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site folder with a config and one good article."""
    root = tmp_path / "courier"
    write(root / "broadsheet.yaml", CONFIG)
    write(root / GOOD, GOOD_TEXT)
    return root


def snapshot(top: Path, skip: tuple[Path, ...]) -> dict[str, str]:
    """Every file (and link) under ``top`` but those below ``skip``, with a digest."""
    found: dict[str, str] = {}
    for folder, dirnames, filenames in os.walk(top):
        here = Path(folder)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in dirnames + filenames:
            path = here / name
            if path.is_symlink():
                found[path.relative_to(top).as_posix()] = "-> " + os.readlink(path)
            elif stat.S_ISREG(path.stat().st_mode):
                info = path.stat()
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:  # unreadable on purpose: its size and time stand in
                    digest = f"unreadable {info.st_size} {info.st_mtime_ns}"
                found[path.relative_to(top).as_posix()] = digest
            elif path.is_dir():
                found[path.relative_to(top).as_posix() + "/"] = ""
            else:
                found[path.relative_to(top).as_posix()] = "special"
    return found


def settle(root: Path) -> None:
    """Wait for the background removal of a replaced output to finish."""
    stop = time.monotonic() + 20
    while list(root.glob(".broadsheet-trash-*")) and time.monotonic() < stop:
        time.sleep(0.05)


def build_site(root: Path, seconds: float = 30, times: int = 1, **options: Any) -> BuildResult:
    """Build (``times`` times, the later ones incremental) under a time limit and check
    the invariants every hostile build must keep."""
    around = root.parent
    skip = (root / "site", root / ".broadsheet-cache")
    before = snapshot(around, skip)
    result = None
    with deadline(seconds):
        for _ in range(times):
            result = build(root, now=NOW, jobs=1, **options)
    assert result is not None
    settle(root)
    after = snapshot(around, skip)
    assert after == before, "the build wrote outside its output and cache folders"
    good = root / "site" / GOOD_PAGE
    assert good.is_file(), "the good article was not built"
    assert GOOD_HEADLINE in good.read_text(encoding="utf-8")
    return result


def messages(result: BuildResult) -> list[str]:
    return [str(d) for d in result.diagnostics]


#: Parses pages of any depth (libxml2 stops at 256 levels otherwise).
DEEP_PARSER = lxml.html.HTMLParser(huge_tree=True)


def page(root: Path, rel: str) -> Any:
    return lxml.html.fromstring((root / "site" / rel).read_bytes(), parser=DEEP_PARSER)


def body_html(root: Path, rel: str) -> str:
    story = page(root, rel).find_class("story__body")[0]
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in story).strip()


def headline(root: Path, rel: str) -> str:
    return str(page(root, rel).find_class("story__headline")[0].text_content())


def output_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "site").rglob("*") if p.is_file())


# ---------------------------------------------------------------------------
# Empty, BOM-only, NUL bytes, invalid UTF-8, line endings
# ---------------------------------------------------------------------------


def test_files_without_text_are_errors(site: Path) -> None:
    for name, data in [("empty.txt", b""), ("empty.md", b""), ("bom.txt", b"\xef\xbb\xbf"),
                       ("bom.md", b"\xef\xbb\xbf"), ("blank.txt", b" \r\n\t\n\r")]:  # fmt: skip
        (site / "content/news" / name).write_bytes(data)
    result = build_site(site)
    no_text = "error: file has no text; write the article or delete the file"
    assert messages(result) == [
        f"content/news/{name}: {no_text}"
        for name in ("blank.txt", "bom.md", "bom.txt", "empty.md", "empty.txt")
    ]
    assert (result.articles, result.failed, result.exit_code) == (1, 5, 1)


def test_nul_bytes_are_left_out_with_a_warning(site: Path) -> None:
    (site / "content/news/2024-01-03-nul-bytes.txt").write_bytes(
        b"Headline \x00with nul\n\nBody \x00\x00text.\n")
    write(site / "content/news/2024-01-04-nul-yaml.md",
          '---\nheadline: "Nul\\0 in YAML"\n---\nBody\n')
    # UTF-16 saved without a byte-order mark is ASCII interleaved with NULs.
    (site / "content/news/2024-01-05-utf16.txt").write_bytes(
        "Harbour news in UTF-16\n\nText here.\n".encode("utf-16-le"))  # fmt: skip
    result = build_site(site)
    assert messages(result) == [
        "content/news/2024-01-03-nul-bytes.txt:1: warning: 3 NUL character(s) left out; is this a "
        "text file saved as UTF-8?",
        "content/news/2024-01-05-utf16.txt:1: warning: 35 NUL character(s) left out; is this "
        "a text file saved as UTF-8?",
    ]
    assert headline(site, "2024/01/03/nul-bytes/index.html") == "Headline with nul"
    assert body_html(site, "2024/01/03/nul-bytes/index.html") == "<p>Body text.</p>"
    assert headline(site, "2024/01/04/nul-yaml/index.html") == "Nul in YAML"
    assert headline(site, "2024/01/05/utf16/index.html") == "Harbour news in UTF-16"
    for path in output_files(site):
        assert b"\x00" not in path.read_bytes(), path


def test_text_that_is_not_utf8(site: Path) -> None:
    (site / "content/news/2024-01-03-cafe.txt").write_bytes(
        b"Caf\xe9 opens on the quay\n\nThe caf\xe9 serves tea for \x802.\n")
    (site / "content/news/noise.txt").write_bytes(random.Random(9).randbytes(4096))
    (site / "content/news/high.md").write_bytes(bytes(range(128, 256)) * 8)
    result = build_site(site)
    assert messages(result) == [
        "content/news/2024-01-03-cafe.txt: warning: not UTF-8; decoded as cp1252. Save it as "
        "UTF-8 to silence this warning",
        "content/news/high.md: error: cannot tell which text encoding this file uses; save "
        "it as UTF-8",
        "content/news/noise.txt: error: cannot tell which text encoding this file uses; save "
        "it as UTF-8",
    ]
    assert headline(site, "2024/01/03/cafe/index.html") == "Café opens on the quay"
    assert body_html(site, "2024/01/03/cafe/index.html") == "<p>The café serves tea for €2.</p>"


def test_mixed_and_old_mac_line_endings(site: Path) -> None:
    (site / "content/news/2024-01-03-mixed.txt").write_bytes(
        b"Mixed endings\r\n\r\nPara one\rline two\n\r\nPara three\r\r- a\r\n- b\r")
    (site / "content/news/2024-01-04-old-mac.md").write_bytes(
        b"---\rheadline: Old Mac\rtags: [a, b]\r---\rBody\r\rSecond\r")
    result = build_site(site)
    assert messages(result) == []
    assert headline(site, "2024/01/03/mixed/index.html") == "Mixed endings"
    assert body_html(site, "2024/01/03/mixed/index.html") == (
        "<p>Para one line two</p>\n<p>Para three</p>\n<ul><li>a</li><li>b</li></ul>")
    assert headline(site, "2024/01/04/old-mac/index.html") == "Old Mac"
    assert body_html(site, "2024/01/04/old-mac/index.html") == "<p>Body</p>\n<p>Second</p>"


# ---------------------------------------------------------------------------
# Size: 50 MB, over the limits, 10,000 paragraphs, deep nesting
# ---------------------------------------------------------------------------

#: Address space the 50 MB build may use (it needs about 600 MB resident).
MEMORY_LIMIT = 3 * 1024**3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def test_a_50_mb_article_builds_within_time_and_memory(site: Path) -> None:
    """Plain text up to MAX_SOURCE_BYTES (64 MiB) is read: its parser is linear.

    The build runs in a subprocess with a 3 GiB address-space limit and a
    two-minute timeout.
    """
    paragraph = b"word " * 100 + b"\n\n"
    count = 50 * 1024 * 1024 // len(paragraph)
    with (site / "content/news/2024-01-03-big.txt").open("wb") as handle:
        handle.write(b"A very long article\n\n")
        for _ in range(count // 1000):
            handle.write(paragraph * 1000)
        size = handle.tell()
    assert 50 * 1024 * 1024 - 1000 * len(paragraph) < size <= MAX_SOURCE_BYTES
    script = ("import sys; from datetime import datetime, timezone; from broadsheet import build;"
              "r = build(sys.argv[1], now=datetime(2025, 1, 1, tzinfo=timezone.utc), jobs=1);"
              "print(r.articles, r.failed, [str(d) for d in r.diagnostics])")  # fmt: skip
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script, str(site)], capture_output=True,
                          text=True, timeout=120, preexec_fn=_limit_memory)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "2 0 []"
    assert time.monotonic() - started < 120
    big = site / "site/2024/01/03/big/index.html"
    assert big.stat().st_size > 50 * 1024 * 1024
    with big.open("rb") as handle:
        handle.seek(big.stat().st_size - 200_000)
        tail = handle.read()
    assert tail.count(b"<p>" + paragraph.strip() + b"</p>") > 300
    assert (site / "site" / GOOD_PAGE).is_file()
    # About 260 MB (the page and three full-content feeds): not kept for later runs.
    shutil.rmtree(site / "site")
    shutil.rmtree(site / ".broadsheet-cache")
    (site / "content/news/2024-01-03-big.txt").unlink()


def test_sources_over_the_limits_are_refused_unread(site: Path) -> None:
    # Sparse files: the size is checked before a byte is read.
    with (site / "content/news/huge.txt").open("wb") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 1)
    with (site / "content/news/huge.md").open("wb") as handle:
        handle.truncate(MAX_MARKDOWN_BYTES + 1)
    write(site / "content/news/2024-01-03-fine.md", "---\nheadline: Fine\n---\n"
          + "Just under the Markdown limit.\n" * (MAX_MARKDOWN_BYTES // 40))
    result = build_site(site)
    assert messages(result) == [
        "content/news/huge.md: error: file is 1,048,577 bytes, larger than the 1,048,576-byte "
        "limit; split it, or save it as plain text (.txt)",
        "content/news/huge.txt: error: file is 67,108,865 bytes, larger than the "
        "67,108,864-byte limit; split it",
    ]
    assert (site / "site/2024/01/03/fine/index.html").is_file()


@pytest.mark.parametrize("suffix", ["txt", "md"])
def test_ten_thousand_paragraphs(site: Path, suffix: str) -> None:
    head = "Many paragraphs\n\n" if suffix == "txt" else "# Many paragraphs\n\n"
    text = head + "".join(f"Paragraph {n} of the record.\n\n" for n in range(10_000))
    write(site / f"content/news/2024-01-03-many.{suffix}", text)
    result = build_site(site, seconds=60)
    assert messages(result) == []
    body = page(site, "2024/01/03/many/index.html").find_class("story__body")[0]
    paragraphs = body.findall("p")
    assert len(paragraphs) == 10_000
    assert paragraphs[-1].text == "Paragraph 9999 of the record."


def _depth(element: Any) -> int:
    deepest, stack = 0, [(element, 0)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in node)
    return deepest


#: Block structures nested 10,000 deep (990 for indented lists: their indentation
#: grows with the square of the depth, and the Markdown limit is 1 MiB).
DEEP = {
    "quotes": ">" * 10_000 + " deep\n",
    "spaced-quotes": "> " * 10_000 + "deep\n",
    "list-markers": "- " * 10_000 + "item\n",
    "indented-lists": "".join("  " * n + "- item\n" for n in range(990)),
    "quote-lists": "> - " * 5_000 + "item\n",
}
#: Inline structures: emphasis pairs are matched after parsing, so their depth is
#: not capped by the nesting limit (browsers cap the DOM depth), but they are
#: parsed without recursion, in time linear in their size.
DEEP_INLINE = {
    "emphasis": ("*" * 10_000 + "x" + "*" * 10_000 + "\n",
                 "<strong>" * 5_000 + "x" + "</strong>" * 5_000),
    "brackets": ("[" * 10_000 + "x" + "](u)" * 10_000 + "\n",
                 "[" * 9_999 + '<a href="u">x</a>' + "](u)" * 9_999),
    "links": ("[a](" * 10_000 + "\n", "<p>" + "[a](" * 10_000 + "</p>"),
}


@pytest.mark.parametrize("name", list(DEEP) + list(DEEP_INLINE))
def test_deep_nesting_is_bounded(site: Path, name: str) -> None:
    """markdown-it-py stops nesting blocks at its limit: no recursion error, a shallow page."""
    source = DEEP[name] if name in DEEP else DEEP_INLINE[name][0]
    write(site / f"content/news/2024-01-03-{name}.md", f"---\nheadline: Deep {name}\n---\n"
          + source)  # fmt: skip
    write(site / "content/news/2024-01-04-deep-text.txt",
          "Deep text\n\n" + "".join("  " * (n % 200) + "- item\n" for n in range(10_000)))
    result = build_site(site, seconds=60)
    assert messages(result) == []
    if name in DEEP:
        body = page(site, f"2024/01/03/{name}/index.html").find_class("story__body")[0]
        assert _depth(body) <= 64
    else:
        raw = (site / f"site/2024/01/03/{name}/index.html").read_text(encoding="utf-8")
        assert DEEP_INLINE[name][1] in raw
    text_list = page(site, "2024/01/04/deep-text/index.html").find_class("story__body")[0]
    assert [len(ul) for ul in text_list.findall("ul")] == [10_000]


# ---------------------------------------------------------------------------
# YAML: alias bombs, self-reference, tags
# ---------------------------------------------------------------------------


def bomb(levels: int = 9, key: str = "stuff") -> str:
    """A 'billion laughs' document: 9**levels strings from a few hundred bytes."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels)]
    lines.append(f"{key}: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def test_alias_bombs_are_refused_in_every_metadata_file(site: Path) -> None:
    write(site / "content/news/front.md", "---\nheadline: Bomb\n" + bomb() + "---\nBody\n")
    write(site / "content/news/tags.md", "---\nheadline: Tags\n" + bomb(key="tags") + "---\nB\n")
    write(site / "content/news/side.txt", "Sidecar bomb\n\nBody\n")
    write(site / "content/news/side.yaml", bomb())
    write(site / "content/deep/_defaults.yaml", bomb())
    write(site / "content/deep/2024-01-03-under.txt", "Under the bomb\n\nBody\n")
    # Built twice: the second build compares cached metadata with fresh metadata,
    # which is where an expanded structure cost minutes before the budget.
    result = build_site(site, seconds=20, times=2)
    expand = "YAML aliases here expand to more than 10,000 values; write the values out "
    expand += "instead of repeating aliases"
    assert messages(result) == [
        # The line where the expansion first passes the budget: a4, 9**5 strings.
        f"content/deep/_defaults.yaml:5:5: error: {expand}",
        f"content/news/front.md:7:5: error: {expand}",
        f"content/news/side.yaml:5:5: error: {expand}",
        f"content/news/tags.md:7:5: error: {expand}",
    ]
    assert (site / "site/2024/01/03/under/index.html").is_file()


def test_a_value_that_contains_itself_is_refused(site: Path) -> None:
    write(site / "content/news/loop.md", "---\nheadline: Loop\nstuff: &a [1, *a]\n---\nBody\n")
    write(site / "content/news/map.md", "---\nheadline: Map\nm: &m {k: [*m]}\n---\nBody\n")
    result = build_site(site, times=2)
    refers = "error: a YAML alias refers to the value that contains it; remove the alias"
    assert messages(result) == [f"content/news/loop.md:3:8: {refers}",
                                f"content/news/map.md:3:4: {refers}"]  # fmt: skip


def test_ordinary_anchors_and_merge_keys_still_work(site: Path) -> None:
    write(site / "content/news/2024-01-03-merge.md",
          "---\nheadline: Merged\nbase: &base {a: 1, b: [x, y]}\nmore:\n  <<: *base\n  c: 3\n"
          "people: &who [Ada Holt, Ben Ray]\nplaces: [Harrowmere]\nalso: *who\n---\nBody\n")
    result = build_site(site)
    assert messages(result) == []
    terms = page(site, "2024/01/03/merge/index.html").find_class("story__terms")[0]
    names = [a.text for a in terms.iter("a")]
    assert names == ["Ada Holt", "Ben Ray", "Harrowmere"]


def test_yaml_tags_are_refused_and_nothing_runs(site: Path, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    write(site / "content/news/apply.md",
          f"---\nheadline: !!python/object/apply:os.system ['touch {marker}']\n---\nBody\n")
    write(site / "content/news/name.md", "---\nheadline: N\nx: !!python/name:os.system\n---\nB\n")
    write(site / "content/news/new.txt", "New\n\nBody\n")
    write(site / "content/news/new.yaml", f"x: !!python/object/new:os.system ['touch {marker}']\n")
    write(site / "content/news/local.md", "---\nheadline: !shout hi\n---\nBody\n")
    write(site / "content/tagged/_defaults.yaml", "section: !!python/module:os\n")
    write(site / "content/news/set.md", "---\nheadline: Set\ntags: !!set {a, b}\n---\nBody\n")
    result = build_site(site)
    assert messages(result) == [
        "content/tagged/_defaults.yaml:1:10: error: YAML tag !!python/module:os is not allowed; "
        "remove it",
        "content/news/apply.md:2:11: error: YAML tag !!python/object/apply:os.system is not "
        "allowed; remove it",
        "content/news/local.md:2:11: error: YAML tag !shout is not allowed; remove it",
        "content/news/name.md:3:4: error: YAML tag !!python/name:os.system is not allowed; "
        "remove it",
        "content/news/new.yaml:1:4: error: YAML tag !!python/object/new:os.system is not "
        "allowed; remove it",
        "content/news/set.md:3: error: tags: expected a list of names or 'a, b', not a set",
    ]
    assert not marker.exists()


def test_yaml_tags_in_the_config_stop_the_build(site: Path, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    write(site / "broadsheet.yaml",
          CONFIG + f"x: !!python/object/apply:os.system ['touch {marker}']\n")
    with deadline(20), pytest.raises(BuildStopped) as stopped:
        build(site, now=NOW, jobs=1)
    assert [str(d) for d in stopped.value.diagnostics] == [
        "broadsheet.yaml:4:4: error: YAML tag !!python/object/apply:os.system is not allowed; "
        "remove it"]  # fmt: skip
    assert not marker.exists()
    assert not (site / "site").exists()


# ---------------------------------------------------------------------------
# Dates out of range
# ---------------------------------------------------------------------------


def test_dates_out_of_range_are_errors(site: Path) -> None:
    cases = {
        "year0": "date: 0000-01-01",
        "year1": "date: 0001-01-01T00:00:00+14:00",
        "year9999": "date: 9999-12-31T23:59:59-12:00",
        "year10000": "date: 10000-01-01",
        "year99999": "date: 99999-12-31",
        "updated": "date: 2024-01-01\nupdated: 9999-12-31T23:00:00-10:00",
        "correction": "date: 2024-01-01\ncorrections:\n  - {date: 0999-12-31, text: Old}",
    }
    for name, front in cases.items():
        write(site / f"content/news/{name}.md", f"---\nheadline: {name}\n{front}\n---\nBody\n")
    write(site / "content/news/0001-01-01-ancient.txt", "Ancient\n\nBody\n")
    result = build_site(site)
    read = "write it as YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM-DDTHH:MM:SS+01:00"
    span = "is out of range: dates must fall between the years 1000 and 9000"
    assert messages(result) == [
        f"content/news/0001-01-01-ancient.txt: error: date: '0001-01-01T00:00:00+00:00' {span}",
        f"content/news/correction.md:4: error: corrections: entry 1: '0999-12-31' {span}",
        f"content/news/updated.md:4: error: updated: '9999-12-31T23:00:00-10:00' {span}",
        "content/news/year0.md:3: error: date: '0000-01-01' is not a real date or time (year 0 "
        "is out of range)",
        f"content/news/year1.md:3: error: date: '0001-01-01T00:00:00+14:00' {span}",
        f"content/news/year10000.md:3: error: date: cannot read '10000-01-01' as a date; {read}",
        f"content/news/year9999.md:3: error: date: '9999-12-31T23:59:59-12:00' {span}",
        f"content/news/year99999.md:3: error: date: cannot read '99999-12-31' as a date; {read}",
    ]


def test_the_edges_of_the_date_range_build(site: Path) -> None:
    write(site / "content/news/early.md",
          "---\nheadline: Early\ndate: 1000-01-01T00:00:00+00:00\n---\nBody\n")
    write(site / "content/news/late.md",
          "---\nheadline: Late\ndate: 9000-12-31T23:59:59+00:00\n---\nBody\n")
    # UTC+14: the late edge becomes 9001 locally, still far from Python's year 9999.
    write(site / "broadsheet.yaml", CONFIG + "timezone: Etc/GMT-14\n"
          "comments:\n  close_after_days: 30\n")  # fmt: skip
    result = build_site(site, future=True)
    assert messages(result) == []
    assert (site / "site/1000/01/01/early/index.html").is_file()
    assert page(site, "1000/01/01/early/index.html").find("body/main//time").get(
        "datetime") == "1000-01-01T00:00:00+00:00"  # fmt: skip
    assert (site / "site/9001/01/01/late/index.html").is_file()


def test_a_comment_dated_out_of_range_is_an_error(site: Path) -> None:
    write(site / "content/comments/good-news/c1.yaml",
          "id: c1\nname: Ann\ndate: 9999-12-31T23:59:59-12:00\nbody: Hello\n")
    result = build_site(site)
    assert messages(result) == [
        "content/comments/good-news/c1.yaml:3: error: date: '9999-12-31T23:59:59-12:00' is out "
        "of range: dates must fall between the years 1000 and 9000"]  # fmt: skip


def test_a_huge_close_after_days_does_not_crash_the_build(site: Path) -> None:
    write(site / "broadsheet.yaml", CONFIG + "comments:\n  close_after_days: 999999999\n")
    with pytest.raises(BuildStopped) as stopped:
        build(site, now=NOW, jobs=1)
    assert [str(d) for d in stopped.value.diagnostics] == [
        "broadsheet.yaml:5: error: comments.close_after_days: must be at most 36500 (100 years); "
        "leave it out to keep comments open"]  # fmt: skip


# ---------------------------------------------------------------------------
# Paths: traversal, absolute paths, Windows device names, long names
# ---------------------------------------------------------------------------


def test_slugs_and_terms_stay_inside_the_output(site: Path) -> None:
    long = "é" * 200
    slugs = {
        "up": ("../../../../tmp/escaped", "tmp-escaped"),
        "root": ("/etc/passwd", "etc-passwd"),
        "encoded": ("'%2e%2e/%2e%2e/x'", "2e-2e-2e-2e-x"),
        "windows": ("'C:\\Windows\\system32'", "c-windows-system32"),
        "device": ("CON", "con-1"),
        "nuldevice": ("nul", "nul-1"),
        "port": ("LPT9", "lpt9-1"),
        "long": (long, "e" * 80),
    }
    for name, (slug, _) in slugs.items():
        write(site / f"content/news/{name}.md",
              f"---\nheadline: {name}\nslug: {slug}\ndate: 2024-01-03\n---\nBody\n")
    write(site / "content/news/terms.md",
          "---\nheadline: '../../../etc'\ndate: 2024-01-04\nsection: '../../..'\n"
          f"tags: [CON, aux, '..', '/', 'a/../../b', '{long}']\npeople: ['../../x', '/abs']\n"
          f"places: ['%2e%2e', 'COM1']\nauthors: ['{'x' * 400}']\n---\nBody\n")
    write(site / "content/news/CON.txt", "Device name file\n\nBody\n")
    write(site / "content/news" / ("n" * 250 + ".txt"), "Long file name\n\nBody\n")
    result = build_site(site)
    assert all(d.severity == "warning" for d in result.diagnostics), messages(result)
    for name, (_, slug) in slugs.items():
        built = site / "site/2024/01/03" / slug / "index.html"
        assert built.is_file(), (name, slug)
        assert headline(site, f"2024/01/03/{slug}/index.html") == name
    for folder in ("tags/con-1", "tags/aux-1", "places/com1-1", "places/2e-2e", "people/x",
                   "people/abs", "tags/a-b", "tags/" + "e" * 80, "authors/" + "x" * 80,
                   "undated/con-1", "undated/" + "n" * 80):  # fmt: skip
        assert (site / "site" / folder / "index.html").is_file(), folder
    output = site / "site"
    for path in output.rglob("*"):
        rel = path.relative_to(output)
        folders = rel.parts if path.is_dir() else rel.parts[:-1]
        for part in folders:
            if rel.parts[0] in ("static",):
                continue
            assert SLUG.match(part), rel
            assert not WINDOWS_DEVICES.match(part), rel
            assert len(part.encode()) <= 255, rel
        assert not WINDOWS_DEVICES.match(rel.parts[-1]), rel
        assert path.resolve().is_relative_to(output.resolve()), rel


# ---------------------------------------------------------------------------
# Unicode: confusables, bidi overrides, zero-width characters
# ---------------------------------------------------------------------------


def test_invisible_characters_never_reach_a_page(site: Path) -> None:
    write(site / "content/news/2024-01-03-spoof.md",
          "---\nheadline: \"Pа\u200bypal\u202e gnp.exe\u202c update\"\n"
          "authors: [\"Ann\u202eHolt\", \"Zero\u200bWidth\"]\ntags: [\"\u2066isolated\u2069\"]\n"
          "summary: \"Sum\u200dmary \u2067x\"\n---\nText with \u202e override inside.\n")
    write(site / "content/news/2024-01-04-persian.md",
          "---\nheadline: \"می\u200cخواهم\"\nauthors: [\"👩\u200d💻 Coder\"]\n---\nمتن\n")
    write(site / "content/news/2024-01-05-plain.txt",
          "Plain \u202eheadline\u200b here\n\nBody.\n")
    result = build_site(site)
    assert messages(result) == []
    assert headline(site, "2024/01/03/spoof/index.html") == "Pаypal gnp.exe update"
    assert headline(site, "2024/01/05/plain/index.html") == "Plain headline here"
    # Joiners that scripts and emoji need stay.
    assert headline(site, "2024/01/04/persian/index.html") == "می\u200cخواهم"
    assert (site / "site/authors/coder/index.html").is_file()
    assert "👩\u200d💻 Coder" in (site / "site/authors/coder/index.html").read_text("utf-8")
    assert (site / "site/authors/annholt/index.html").is_file()
    for path in output_files(site):
        if path.suffix in (".html", ".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            # The body is the author's text: kept as written, in its own paragraph,
            # where a bidi control cannot reach past the paragraph's end.
            text = text.replace("Text with \u202e override inside.", "")
            found = INVISIBLE.findall(text.replace("\t", "").replace("\n", "").replace("\r", ""))
            assert found == [], (path, found)


def test_confusable_headlines_get_distinct_safe_slugs(site: Path) -> None:
    write(site / "content/news/2024-01-03-a.md", "---\nheadline: Paypal\nslug: paypal\n---\nA\n")
    write(site / "content/news/2024-01-03-b.md", "---\nheadline: Pаypal\nslug: Pаypal\n---\nB\n")
    result = build_site(site)
    assert messages(result) == [
        "content/news/2024-01-03-b.md: warning: URL /2024/01/03/paypal/ is already taken by "
        "content/news/2024-01-03-a.md; this one is published at /2024/01/03/paypal-2/ instead. "
        "Give one of them another slug to choose"]  # fmt: skip
    assert headline(site, "2024/01/03/paypal/index.html") == "Paypal"
    assert headline(site, "2024/01/03/paypal-2/index.html") == "Pаypal"


# ---------------------------------------------------------------------------
# Markup and script in every metadata field
# ---------------------------------------------------------------------------

PAYLOAD = ('<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">'
           "j</a>\"'&{{ 7*7 }}{% raw %}")  # fmt: skip


def _theme_script(element: Any) -> bool:
    """The theme's own scripts: JSON-LD data blocks and its fingerprinted files."""
    if element.get("type") == "application/ld+json" and element.get("src") is None:
        return True
    source = element.get("src") or ""
    return bool(re.fullmatch(r"(?:\.\./)*(?:static/search\.[0-9a-f]+\.js|pagefind/pagefind-ui\.js)",
                             source)) and not (element.text or "").strip()  # fmt: skip


def test_markup_in_every_field_is_text(site: Path) -> None:
    def j(value: Any) -> str:
        return json.dumps(value)

    language = j('en" onload="alert(1)')

    front = "\n".join([
        f"headline: {j('H ' + PAYLOAD)}", f"summary: {j('S ' + PAYLOAD)}",
        f"authors: {j(['A ' + PAYLOAD, 'javascript:alert(1)'])}", f"tags: {j(['T ' + PAYLOAD])}",
        f"section: {j('Sec ' + PAYLOAD)}", f"people: {j(['P ' + PAYLOAD])}",
        f"places: {j(['Pl ' + PAYLOAD])}", f"language: {language}",
        "date: 2024-03-03", f"corrections: {j([{'date': '2024-03-04', 'text': 'C ' + PAYLOAD}])}",
        f"website: {j('javascript:alert(1)')}", f"image: {j('javascript:alert(1)')}",
    ])  # fmt: skip
    write(site / "content/news/x.md", f"---\n{front}\n---\nBody {PAYLOAD} "
          "[l](javascript:alert(4)) ![i](javascript:alert(5)) <a href=x onclick=y>z</a>\n"
          "[r]: vbscript:msgbox\n\n[ref][r] <javascript:alert(6)>\n")  # fmt: skip
    write(site / "content/news/2024-03-05-t.txt", f"TXT {PAYLOAD}\n\nBody {PAYLOAD}\n")
    write(site / "content/<b onmouseover=alert(1)>dir/2024-03-06-folder.txt", "Folder\n\nBody\n")
    write(site / "content/comments/x/c1.yaml",
          f"id: c1\nname: {j('N ' + PAYLOAD)}\ndate: 2024-03-05T10:00:00Z\n"
          f"website: 'javascript:alert(1)'\nbody: {j('B ' + PAYLOAD + ' [l](javascript:x)')}\n")
    write(site / "content/comments/x/c2.yaml",
          "id: c2\nname: N2\ndate: 2024-03-05T11:00:00Z\n"
          "website: 'https://ok.example/\" onmouseover=\"x'\nbody: hi\n")
    result = build_site(site)
    assert messages(result) == [
        "content/comments/x/c1.yaml:4: warning: website: 'javascript:alert(1)' is not an http "
        "or https address; the name is shown without a link",
        "content/comments/x/c2.yaml:4: warning: website: 'https://ok.example/\" onmouseover=\"x' "
        "is not an http or https address; the name is shown without a link",
    ]
    pages = [p for p in output_files(site) if p.suffix == ".html"]
    assert len(pages) > 20
    for path in pages:
        document = lxml.html.fromstring(path.read_bytes())
        for script in document.iter("script"):
            assert _theme_script(script), (path, lxml.html.tostring(script)[:200])
        for element in document.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (path, name, value)
                if name.lower() in URL_ATTRIBUTES:
                    squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                    assert not squeezed.startswith(("javascript:", "vbscript:", "data:")), (
                        path, name, value)
        for tag in ("iframe", "object", "embed", "img", "base", "form"):
            for element in document.iter(tag):
                # The theme's only form is the comment form, posting nowhere yet.
                assert tag == "form" and element.get("action") is None, (path, tag)
    article = site / "site/2024/03/03/x/index.html"
    document = lxml.html.fromstring(article.read_bytes())
    assert document.find_class("story__headline")[0].text_content() == "H " + PAYLOAD
    assert document.get("lang") == 'en" onload="alert(1)'
    (data,) = [s.text for s in document.iter("script") if s.get("type") == "application/ld+json"]
    assert "</" not in data and "<!--" not in data
    graph = json.loads(data)["@graph"]
    assert graph[0]["headline"] == "H " + PAYLOAD
    assert graph[0]["articleSection"] == "Sec " + PAYLOAD
    assert "49" not in document.find_class("story__headline")[0].text_content()
    for feed in ("feed.xml", "rss.xml", "2024/03/03/x/comments.xml"):
        etree.parse(str(site / "site" / feed), etree.XMLParser(resolve_entities=False))
    feed_json = json.loads((site / "site/feed.json").read_text(encoding="utf-8"))
    assert "H " + PAYLOAD in [item["title"] for item in feed_json["items"]]


# ---------------------------------------------------------------------------
# Links, special files, unreadable files
# ---------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files beside the site that no build may publish."""
    folder = tmp_path / "outside"
    write(folder / "secret.txt", "OUTSIDE SECRET\n\nleaked body\n")
    write(folder / "secret.yaml", "headline: OUTSIDE SECRET\nsummary: leaked\ndraft: false\n")
    write(folder / "comment.yaml",
          "id: c9\nname: Outsider\ndate: 2024-01-03T00:00:00Z\nbody: OUTSIDE SECRET\n")
    return folder


def _published(site: Path, text: str) -> list[str]:
    return [p.relative_to(site / "site").as_posix() for p in output_files(site)
            if text.encode() in p.read_bytes()]  # fmt: skip


def test_links_out_of_the_content_folder_are_not_followed(site: Path, outside: Path) -> None:
    content = site / "content/news"
    (content / "link.txt").symlink_to(outside / "secret.txt")
    write(content / "2024-01-03-side.txt", "Sidecar linked out\n\nBody\n")
    (content / "2024-01-03-side.yaml").symlink_to(outside / "secret.yaml")
    write(site / "content/linked/2024-01-03-under.txt", "Defaults linked out\n\nBody\n")
    (site / "content/linked/_defaults.yaml").symlink_to(outside / "secret.yaml")
    (site / "content/folder").symlink_to(outside, target_is_directory=True)
    (content / "loop-a.txt").symlink_to(content / "loop-b.txt")
    (content / "loop-b.txt").symlink_to(content / "loop-a.txt")
    (content / "inside.md").symlink_to(site / GOOD)
    result = build_site(site)
    assert messages(result) == [
        "content/linked/_defaults.yaml: error: not read: a link to a file outside the content "
        "folder",
        "content/news/2024-01-03-side.txt: warning: skipped: its metadata file "
        "2024-01-03-side.yaml is a link to a file outside the content folder",
        "content/news/link.txt: warning: skipped: a link to a file outside the content folder",
        "content/news/loop-a.txt: warning: skipped: a link that leads back to itself",
        "content/news/loop-b.txt: warning: skipped: a link that leads back to itself",
        "content/news/inside.md: warning: byte-identical duplicate of "
        "content/news/2024-01-02-good-news.md; both are published. Delete one of them if that "
        "was not meant",
        "content/news/inside.md: warning: no date: listed on the Undated page. Add 'date:' or "
        "a YYYY-MM-DD- file name prefix",
    ]
    assert _published(site, "OUTSIDE SECRET") == []
    assert _published(site, "leaked") == []
    assert (site / "site/2024/01/03/under/index.html").is_file()


def test_comment_files_linked_out_of_the_content_folder_are_not_read(
    site: Path, outside: Path
) -> None:
    folder = site / "content/comments/good-news"
    folder.mkdir(parents=True)
    (folder / "c9.yaml").symlink_to(outside / "comment.yaml")
    build_site(site)
    assert _published(site, "OUTSIDE SECRET") == []


def test_special_files_are_refused_without_blocking(site: Path) -> None:
    os.mkfifo(site / "content/news/fifo.txt")
    write(site / "content/news/2024-01-03-fifo-side.txt", "Sidecar is a FIFO\n\nBody\n")
    os.mkfifo(site / "content/news/2024-01-03-fifo-side.yaml")
    (site / "content/pipes").mkdir()
    os.mkfifo(site / "content/pipes/_defaults.yaml")
    write(site / "content/pipes/2024-01-04-piped.txt", "Under a FIFO default\n\nBody\n")
    (site / "content/news/dangling.txt").symlink_to(site / "content/news/nothing.txt")
    result = build_site(site, seconds=20)
    regular = "error: not a regular file; only files are read"
    assert messages(result) == [
        f"content/pipes/_defaults.yaml: {regular}",
        f"content/news/2024-01-03-fifo-side.yaml: {regular}",
        "content/news/dangling.txt: error: cannot read: No such file or directory",
        f"content/news/fifo.txt: {regular}",
    ]
    assert (site / "site/2024/01/04/piped/index.html").is_file()


def test_a_file_that_grows_after_its_size_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader asks for the size it saw, then for what the file grew by, never for
    more than the limit: a file growing while it is read is still refused past it."""
    from broadsheet.errors import SourceError
    from broadsheet.loaders import _read_bytes

    grown = tmp_path / "grown.txt"
    grown.write_bytes(b"x" * 100)
    real = grown.stat()
    fields = list(real)
    fields[stat.ST_SIZE] = 10  # as it was when looked at
    small = os.stat_result(fields)
    original = Path.stat
    monkeypatch.setattr(
        Path, "stat", lambda self, **kw: small if self == grown else original(self, **kw)
    )
    assert _read_bytes(grown, "grown.txt", limit=200) == b"x" * 100
    with pytest.raises(SourceError, match="file is 51 bytes, larger than the 50-byte limit"):
        _read_bytes(grown, "grown.txt", limit=50)


def test_unreadable_files_are_errors(site: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root, where chmod 000 does not stop reading; "
                    "test_special_files_are_refused_without_blocking covers unreadable "
                    "sources (a FIFO, a dangling link) for root too")  # fmt: skip
    locked = write(site / "content/news/locked.txt", "Locked\n\nBody\n")
    locked_side = write(site / "content/news/2024-01-03-side.yaml", "headline: x\n")
    write(site / "content/news/2024-01-03-side.txt", "Side\n\nBody\n")
    locked_defaults = write(site / "content/closed/_defaults.yaml", "section: Closed\n")
    for path in (locked, locked_side, locked_defaults):
        path.chmod(0)
    try:
        result = build_site(site)
    finally:
        for path in (locked, locked_side, locked_defaults):
            path.chmod(0o644)
    assert messages(result) == [
        "content/closed/_defaults.yaml: error: cannot read: Permission denied",
        "content/news/2024-01-03-side.yaml: error: cannot read: Permission denied",
        "content/news/locked.txt: error: cannot read: Permission denied",
    ]


# ---------------------------------------------------------------------------
# All of it at once
# ---------------------------------------------------------------------------


def test_every_hostile_source_at_once(site: Path, outside: Path) -> None:
    """One site holding a sample of everything: the good article still builds."""
    content = site / "content/mixed"
    content.mkdir(parents=True)
    (content / "empty.txt").write_bytes(b"")
    (content / "nul.txt").write_bytes(b"Nul\x00 headline\n\nBody\n")
    (content / "noise.txt").write_bytes(random.Random(1).randbytes(2048))
    write(content / "bomb.md", "---\nheadline: Bomb\n" + bomb() + "---\nBody\n")
    write(content / "tag.md", "---\nheadline: !!python/object/apply:os.getpid []\n---\nB\n")
    write(content / "date.md", "---\nheadline: Date\ndate: 9999-12-31T23:59:59-12:00\n---\nB\n")
    write(content / "slug.md", "---\nheadline: Slug\nslug: ../../../x\n---\nB\n")
    write(content / "deep.md", "---\nheadline: Deep\n---\n" + ">" * 10_000 + "\n")
    write(content / "script.md", f"---\nheadline: {json.dumps(PAYLOAD)}\n---\nB\n")
    (content / "link.txt").symlink_to(outside / "secret.txt")
    os.mkfifo(content / "fifo.md")
    result = build_site(site, times=2)
    assert result.exit_code == 1
    assert sorted({d.path for d in result.diagnostics.errors}) == [
        "content/mixed/bomb.md", "content/mixed/date.md", "content/mixed/empty.txt",
        "content/mixed/fifo.md", "content/mixed/noise.txt", "content/mixed/tag.md",
    ]  # fmt: skip
    assert (site / "site/undated/x/index.html").is_file()
    assert _published(site, "OUTSIDE SECRET") == []
