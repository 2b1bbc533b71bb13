"""The fast Markdown path: markdown-it-pyrs gives the Body markdown-it-py gives, or falls back.

:func:`broadsheet.loaders.markdown.parse` renders with markdown-it-pyrs (the
``broadsheet[fast]`` extra) when :mod:`broadsheet.loaders.fastmarkdown`
accepts a document, and with markdown-it-py (``parse_py``, the reference)
otherwise.  These tests hold the two to the same Body, field for field, over
the sample archive, the shared corpora and generated documents; show that each
known difference falls back; and check that the fast path is really taken, so
that the comparisons cannot pass by never using it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.errors import SourceError
from broadsheet.loaders import MAX_MARKDOWN_BYTES, markdown
from broadsheet.loaders.base import Body
from broadsheet.loaders.decode import decode
from broadsheet.loaders.meta import split_front_matter
from conftest import REPO, shared_path

fastmarkdown = pytest.importorskip(
    "broadsheet.loaders.fastmarkdown",
    reason="markdown-it-pyrs (the broadsheet[fast] extra) is not installed",
)


@pytest.fixture(autouse=True)
def _default_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test with the parser chosen automatically, whatever the shell says."""
    monkeypatch.delenv(markdown.PARSER_VARIABLE, raising=False)


@pytest.fixture
def fast_results(monkeypatch: pytest.MonkeyPatch) -> list[Body | None]:
    """What each call to the fast path returned (a Body, or None for a fallback)."""
    results: list[Body | None] = []
    real = fastmarkdown.parse

    def spy(text: str, first_line: int, unsafe_html: bool, take_heading: bool) -> Body | None:
        body = real(text, first_line, unsafe_html, take_heading)
        results.append(body)
        return body

    monkeypatch.setattr(fastmarkdown, "parse", spy)
    return results


def markdown_inputs(root: Path) -> Iterator[tuple[str, str, int]]:
    """``(path, body, first line)`` for every text file under ``root``, read as Markdown.

    Every text is valid Markdown, so plain-text articles, sidecars, comment
    files and feeds are read as Markdown bodies too (front matter split off
    where there is any).  Files over the Markdown size limit, and files that
    are not text, are left out.
    """
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.stat().st_size > MAX_MARKDOWN_BYTES:
            continue
        try:
            text, _ = decode(path.read_bytes(), str(path))
        except SourceError:
            continue
        try:
            _, _, body, first_line = split_front_matter(text, str(path))
        except SourceError:
            body, first_line = text, 1
        yield path.relative_to(root).as_posix(), body, first_line


def assert_same_bodies(root: Path, unsafe_html: bool, fast_results: list[Body | None]) -> None:
    """Every file under ``root`` parses to the same Body on both paths."""
    differing: list[str] = []
    count = 0
    for name, text, first_line in markdown_inputs(root):
        count += 1
        expected = markdown.parse_py(text, first_line, unsafe_html, True)
        if markdown.parse(text, first_line, unsafe_html, True) != expected:
            differing.append(name)
    assert differing == [], f"markdown-it-pyrs renders these differently: {differing}"
    fast = sum(body is not None for body in fast_results)
    assert count and len(fast_results) == count
    # The fast path must really have been taken, or the comparison proves nothing.
    assert fast >= count * 0.8, f"only {fast} of {count} files took the fast path"


@pytest.mark.parametrize("unsafe_html", [False, True], ids=["escaped-html", "raw-html"])
def test_sample_archive_same_with_both_parsers(
    unsafe_html: bool, fast_results: list[Body | None]
) -> None:
    assert_same_bodies(REPO / "content", unsafe_html, fast_results)


@pytest.mark.parametrize("unsafe_html", [False, True], ids=["escaped-html", "raw-html"])
def test_shared_corpora_same_with_both_parsers(
    unsafe_html: bool, fast_results: list[Body | None]
) -> None:
    assert_same_bodies(shared_path("corpora"), unsafe_html, fast_results)


#: Emphasis 20 deep, ``*w0 _w1 *w2 ... _w19_*_*...``.
DEEP_EMPHASIS = " ".join(f"{'*_'[i % 2]}w{i}" for i in range(20)) + "_*" * 10 + "\n"

#: One document for each kind of difference found between the two parsers; each
#: must fall back to markdown-it-py.  ``True`` marks raw HTML on.
FALLBACKS: dict[str, tuple[str, bool]] = {
    "footnote": ("Fares rose[^1].\n\n[^1]: From April.\n", False),
    "inline footnote": ("Fares rose^[from April].\n", False),
    "no-break space": ("Fares rose.\u00a0\n", False),
    "form feed line": ("Fares rose.\n\f\n\nMore.\n", False),
    "carriage return": ("Fares\rrose.\n", False),
    "NUL": ("Fares\x00rose.\n", False),
    "symbol beside emphasis": ("Up €*:* today\n", False),
    "tildes in a line": ("~~d~~~~z\n", False),
    "unclosed code in a link label": ("See [`x] here.\n", False),
    "empty list item after a quote": ("> quoted\n-\n", False),
    "list from 2 after a quote": ("> quoted\n2. item\n", False),
    "delimiter row after a quote": ("> a|b\n-|-\n", False),
    "empty list item after a table": ("a|b\n-|-\n-\n", False),
    "definition of a backslash": ("[a]:\\\n", False),
    "definition over two lines": ("[a]:\n-\n", False),
    "table header without a pipe": ("a\n-|\n", False),
    "heading over a delimiter row": ("# a|\n--\n", False),
    "setext heading with a pipe": ("a|\n--\n", False),
    "empty blockquote": (">\n", False),
    "blockquote of a definition": ("> [a]: /u\n", False),
    "indented lazy line with code": ("> `a\n b`\n", False),
    "fence after a tight item's text": ("- a\n  ```\n  x\n  ```\n", False),
    "unclosed fence, no final newline": ("```\ncode", False),
    "HTML block, no final newline": ("<div>\nx", True),
    "comment in a list item": ("- <!--\n\n", True),
    "blank code span": ("`   `\n", False),
    "escape in alt text": ("![a\\*b](u)\n", False),
    "hard break in alt text": ("![a  \nb](u)\n", False),
    "non-ASCII host": ("[x](http://ä.de)\n", False),
    "punycode autolink": ("<http://xn--bba5d.de>\n", False),
    "escaped autolink": ("<http://a.b/%C3%A4>\n", False),
    "IPv6 host": ("[a](http://[::1]/)\n", False),
    "entity space ending a URL": ("[a](/&nbsp;)\n", False),
    "raw HTML in the headline": ("# A <em>b</em>\n\nText.\n", True),
    "blockquotes 20 deep": (">" * 20 + " a\n", False),
    "emphasis 20 deep": (DEEP_EMPHASIS, False),
    "images 20 deep": ("![" * 20 + "a" + "](u)" * 20 + "\n", False),
    "many definitions": ("[a]: /u\n" * 300, False),
    "deep line": ("- " * 100 + "a\n", False),
    "many delimiters": ("*a* " * 600 + "\n", False),
}


@pytest.mark.parametrize("case", FALLBACKS.values(), ids=FALLBACKS.keys())
def test_known_differences_fall_back(case: tuple[str, bool]) -> None:
    text, unsafe_html = case
    assert fastmarkdown.parse(text, 3, unsafe_html, True) is None
    for take_heading in (True, False):
        expected = markdown.parse_py(text, 3, unsafe_html, take_heading)
        assert markdown.parse(text, 3, unsafe_html, take_heading) == expected


def test_rust_panic_falls_back(capfd: pytest.CaptureFixture[str]) -> None:
    # markdown-it.rs 0.6 panics on a backtick string it meets twice; this one
    # gets past the check made before parsing (an autolink hides the "]").
    text = "[<http://a]> `x\n"
    assert fastmarkdown.parse(text, 1, False, True) is None
    assert markdown.parse(text, 1, False, True) == markdown.parse_py(text, 1, False, True)
    assert "panicked" in capfd.readouterr().err
    # The parser is still usable after a panic.
    assert fastmarkdown.parse("Fine *text*.\n", 1, False, True) is not None


ORDINARY = (
    "# Harbour wall to be repaired\n"
    "\n"
    "The council voted on **Monday** to repair the [harbour wall][wall], at a cost of\n"
    "£1.2 million — *the* largest repair since 1962.\n"
    "\n"
    "> It is long overdue, said one fisherman.\n"
    "\n"
    "- Work starts in March\n"
    "- The quay stays open\n"
    "\n"
    "1. First the wall\n"
    "2. Then the slipway\n"
    "\n"
    "| Item | Cost |\n"
    "|---|--:|\n"
    "| Wall | £1m |\n"
    "\n"
    "```\n"
    "cost = 1_200_000\n"
    "```\n"
    "\n"
    "See `minutes.pdf` and <https://example.org/minutes>. ![Wall](wall.jpg)\n"
    "\n"
    '[wall]: https://example.org/wall "The wall"\n'
)


def test_fast_path_is_taken_for_ordinary_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    # The sample archive's Markdown articles, but the one with a footnote.
    articles = [text for name, text, _ in markdown_inputs(REPO / "content") if name.endswith(".md")]
    documents = [ORDINARY] + [text for text in articles if "[^" not in text]
    expected = [markdown.parse_py(text, 5, False, True) for text in documents]

    def reference_parser(*args: object) -> Body:
        raise AssertionError("markdown-it-py was used for an ordinary document")

    monkeypatch.setattr(markdown, "parse_py", reference_parser)
    bodies = [markdown.parse(text, 5, False, True) for text in documents]
    assert bodies == expected
    assert len(bodies) >= 5
    headline = bodies[0]
    assert headline.headline == "Harbour wall to be repaired" and headline.headline_line == 5
    assert headline.summary.startswith("The council voted on Monday to repair the harbour wall")
    assert "<table>" in headline.html and "<h1>" not in headline.html


#: Ordinary documents whose Body needs care on the fast path: where the
#: summary, word count and headline come from.
SHAPES: dict[str, str] = {
    "summary from a tight list": "- First point\n- Second *point*\n\nA paragraph.\n",
    "summary from a loose list": "1. First\n\n2. Second\n",
    "summary after an image": "![Quay](quay.jpg)\n\nThe quay reopened.\n",
    "summary after a heading": "## Later\n\nThe quay reopened.\n",
    "headline after definitions": "[café]: /café\n[b]: /b\n\n# Café reopens\n\nAt [café].\n",
    "setext headline": "\n\nQuay reopens\n============\n\nText.\n",
    "headline with markup": "# The *new* `quay` [opens](/q)  \n\nText.\n",
    "empty headline": "#\n\nText.\n",
    "no headline at h2": "## Quay\n\nText.\n",
    "words in table cells": "| a b | c |\n|---|---|\n| d e f | |\n",
    "words in breaks": "one\ntwo  \nthree\\\nfour `five six`\n",
    "alt text is not words": "Quay ![three more words](q.jpg) and <b>tag</b>\n",
    "nested list and quote": "- a\n  - b\n    > c\n    > d\n- e\n",
    "code and html blocks": "Para.\n\n    code block\n\n<div>\nblock\n</div>\n",
    "headline over two lines": "Quay\nreopens\n===\n\nText.\n",
    "newline entity in the headline": "# Quay&#10;reopens\n\nText.\n",
    "entities in text": "Fish &amp; chips, &lt;b&gt; &copy; &quot;x&quot;\\&amp;\n",
    "quote with a lazy line": "> The quay\nreopened.\n\nText *here*.\n",
    "rule, heading, code span": "Text.\n\n---\n\n## Later\n\nMore *em*, ~~gone~~ and `x y`.\n",
    "autolink and breaks": "See <https://example.org/a>  \nnext\\\nline\nsoft.\n",
    "indented headline": "\n  \n   # Quay\n\nText.\n",
}


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_fast_body_fields(text: str) -> None:
    for unsafe_html in (False, True):
        for take_heading in (True, False):
            expected = markdown.parse_py(text, 4, unsafe_html, take_heading)
            assert fastmarkdown.parse(text, 4, unsafe_html, take_heading) == expected


def test_plain_articles_are_read_from_the_html(monkeypatch: pytest.MonkeyPatch) -> None:
    def tree(*args: object) -> Body:
        raise AssertionError("the syntax tree was read for a plain article")

    text = "# Quay reopens\n\nThe *quay* [reopened](https://example.org/q).\n\n> Good.\n"
    expected = markdown.parse_py(text, 3, False, True)
    monkeypatch.setattr(fastmarkdown, "_from_tree", tree)
    assert fastmarkdown.parse(text, 3, False, True) == expected
    with pytest.raises(AssertionError, match="syntax tree"):
        fastmarkdown.parse("- a list\n", 3, False, True)


def test_environment_variable_forces_markdown_it_py(monkeypatch: pytest.MonkeyPatch) -> None:
    def fast_parser(*args: object) -> Body:
        raise AssertionError("markdown-it-pyrs was used despite BROADSHEET_MARKDOWN=py")

    expected = markdown.parse_py(ORDINARY, 1, False, True)
    monkeypatch.setattr(fastmarkdown, "parse", fast_parser)
    monkeypatch.setenv("BROADSHEET_MARKDOWN", "py")
    assert markdown.parse(ORDINARY, 1, False, True) == expected
    monkeypatch.delenv("BROADSHEET_MARKDOWN")
    with pytest.raises(AssertionError, match="markdown-it-pyrs was used"):
        markdown.parse(ORDINARY, 1, False, True)


def test_without_markdown_it_pyrs_markdown_it_py_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "fastmarkdown", None)
    assert markdown.parse(ORDINARY, 1, False, True) == markdown.parse_py(ORDINARY, 1, False, True)


#: Pieces of Markdown that generated documents are made of: ordinary text and
#: markup, and the characters and constructs near which the parsers differ.
WORDS = [
    "the", "harbour", "council", "said", "on", "monday", "that", "boats", "café", "naïve",
    "2024", "£5", "it's", "x_y", "a-b",
]  # fmt: skip
MARKUP = [
    "*a*", "**b**", "_c_", "`d`", "~~e~~", "[f](https://example.org/f)", "![g](g.png)",
    "[h][r]", "<https://example.org/i>", "&amp;", "&copy;", "\\*", "<b>j</b>", "<!-- k -->",
    "*", "_", "~", "`", "[", "]", "<", ">", "|", "  \n", "\\\n", "\n", "€", "—", "“", "😀",
    "%20", "[r]", "](/u)", "![", "</div>",
]  # fmt: skip
LINE_STARTS = [
    "# ", "## ", "> ", "- ", "* ", "1. ", "2) ", "    ", "```", "~~~", "---", "===", "| a | b |",
    "|---|---|", "<div>", "<!--", "[r]: /u 't'", "[r]:", "- [ ] ", "", "", "", "",
]  # fmt: skip


#: Line starts and markup of the documents read from pyrs's HTML: paragraphs,
#: headings, quotes and rules, with inline markup but images.
PROSE_LINE_STARTS = ["# ", "## ", "> ", ">> ", "  > ", "---", "===", "    ", "", "", "", ""]
PROSE_MARKUP = [piece for piece in MARKUP if "!" not in piece and "|" not in piece]


def generated_document(
    rng: random.Random, starts: list[str] = LINE_STARTS, markup: list[str] = MARKUP
) -> str:
    """A random document of a few lines, mostly words with some markup."""
    lines = []
    for _ in range(rng.randint(1, 8)):
        pieces = [
            rng.choice(markup) if rng.random() < 0.3 else rng.choice(WORDS)
            for _ in range(rng.randint(0, 8))
        ]
        lines.append(rng.choice(starts) + " ".join(pieces))
        if rng.random() < 0.4:
            lines.append("")
    return "\n".join(lines) + ("\n" if rng.random() < 0.8 else "")


def test_generated_documents_same_with_both_parsers(fast_results: list[Body | None]) -> None:
    rng = random.Random(20240621)
    differing: list[tuple[str, bool, bool]] = []
    documents = [generated_document(rng) for _ in range(400)]
    documents += [generated_document(rng, PROSE_LINE_STARTS, PROSE_MARKUP) for _ in range(400)]
    for text in documents:
        for unsafe_html in (False, True):
            for take_heading in (True, False):
                expected = markdown.parse_py(text, 2, unsafe_html, take_heading)
                if markdown.parse(text, 2, unsafe_html, take_heading) != expected:
                    differing.append((text, unsafe_html, take_heading))
    assert differing == []
    fast = sum(body is not None for body in fast_results)
    assert fast >= len(fast_results) * 0.3, f"only {fast} of {len(fast_results)} were fast"


def test_documents_read_from_the_html_are_read_as_from_the_tree() -> None:
    """Where the HTML alone is read (:func:`fastmarkdown._from_html`), the Body is
    the one the syntax tree gives; and that path is taken for most documents of
    paragraphs, headings and quotes."""
    rng = random.Random(20261208)
    documents = list(SHAPES.values()) + [ORDINARY] + [
        generated_document(rng, *random_shape) for _ in range(400)
        for random_shape in ((LINE_STARTS, MARKUP), (PROSE_LINE_STARTS, PROSE_MARKUP))
    ]  # fmt: skip
    read_from_html = 0
    for text in documents:
        for unsafe_html in (False, True):
            if not (fastmarkdown._safe_text(text) and fastmarkdown._html_may_do(text, unsafe_html)):
                continue
            md = fastmarkdown.parser(unsafe_html)
            html = md.render(text)
            for take_heading in (True, False):
                body = fastmarkdown._from_html(text, html, 2, take_heading)
                if body is None:
                    continue
                read_from_html += 1
                expected = fastmarkdown._from_tree(md, text, None, 2, unsafe_html, take_heading)
                assert body == expected, text
    assert read_from_html >= len(documents)
