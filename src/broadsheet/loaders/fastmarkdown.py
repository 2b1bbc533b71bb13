"""The fast Markdown path: markdown-it-pyrs, where it agrees with markdown-it-py.

markdown-it-pyrs (the ``broadsheet[fast]`` extra) wraps markdown-it.rs, the
Rust port of markdown-it: with the checks below, a typical article is ready in
about a third of markdown-it-py's time.  But it is another parser.
:func:`parse` renders a document with it only when the document is in the set
known to come out identical, and returns None otherwise, so that the caller
falls back to markdown-it-py.

The set was found by rendering real and fuzzed documents with both.  A
document falls back when it has:

* footnote syntax (``[^`` or ``^[``): pyrs has no mdit-py-plugins footnotes;
* NUL, a carriage return, or whitespace other than space, tab and newline: a
  paragraph ``"a\\u00a0"`` is ``<p>a</p>`` in markdown-it-py (Python's
  ``str.strip``) and ``<p>a\\u00a0</p>`` in pyrs (CommonMark's whitespace);
* a Unicode symbol (``€``, ``©``, an emoji) beside ``*``, ``_`` or ``~`` with
  no space on the delimiter's other side: markdown-it-py counts symbols as
  punctuation (CommonMark 0.31), pyrs does not, so ``€*:*`` is emphasis in
  one only;
* ``~~~`` inside a line: markdown-it-py pairs ``~~`` in ``~~d~~~~z``, pyrs not;
* possibly an unclosed backtick string after a ``[``: markdown-it.rs 0.6
  panics on ``[`x]`` (index out of bounds).  A panic is caught too, but Rust
  prints it on stderr, so such documents are kept away from pyrs;
* a list item that cannot interrupt a paragraph (empty, or ordered but not
  from 1) or a table delimiter row, continuing a blockquote lazily: ``"> a\\n-"``
  is a blockquote and an empty list in markdown-it-py, a paragraph ``a -``
  in pyrs; likewise such a list item after a table (a table row in pyrs);
* a link reference definition that is not one simple line, or a paragraph
  with a line like one: ``[a]:\\\\`` is a definition only in markdown-it-py,
  ``[a]:`` newline ``-`` only in pyrs;
* a table whose header line has no ``|`` (``"a\\n-|"``): a table in pyrs, a
  paragraph in markdown-it-py; and a line with a ``|`` over what may be a
  delimiter row that pyrs does not make a table (``"# a|\\n--"``, ``"a|\\n--"``,
  a fence or a definition with a ``|``), which markdown-it-py may;
* an empty blockquote (``>``, or only definitions): ``<blockquote></blockquote>``
  against ``<blockquote>``, newline, ``</blockquote>``; a blockquote with code
  and an indented lazy line: markdown-it-py keeps that line's indent in a code
  span (```a  b```), pyrs does not;
* a tight list item's text followed by a code block, fence or HTML block:
  ``<li>a<pre>`` in markdown-it-py, ``<li>a`` newline ``<pre>`` in pyrs;
* an unclosed fence or an HTML block ending a text with no final newline
  (markdown-it-py adds none), or an HTML block of CommonMark types 1 to 5
  (``<!--``, ``<?``, ``<script>``...) inside a list or blockquote;
* a code span of spaces only: pyrs trims ```   ``` to one space;
* an image whose alt text has escapes, entities, autolinks, raw HTML or hard
  breaks: pyrs leaves them out of the ``alt`` attribute;
* a link whose host is not plain ASCII (or has ``xn--`` or IPv6 brackets), or
  an autolink with ``%``: markdown-it-py punycodes a non-ASCII host
  (``http://xn--bba5d.de`` where pyrs writes ``http://%C3%A4.de``), keeps
  IPv6 brackets, and decodes an autolink's text (``<http://xn--bba5d.de>``
  shows ``http://ä.de``); and a link destination starting or ending with
  (percent-encoded) whitespace: markdown-it-py strips an entity's whitespace
  there (``[a](/&nbsp;)`` is ``/`` in one, ``/%C2%A0`` in the other);
* blockquotes and lists nested 16 deep, or links, images and emphasis nested
  16 deep: markdown-it-py stops parsing 20 levels down (``maxNesting``);
* more than ``MAX_INLINE_MARKS`` of ``*_~[``, more than ``MAX_DEFINITIONS``
  of ``]:``, or a line starting with a hundred markers or indents: pyrs
  recurses, and overflows the stack (a crash, not an exception) tens of
  thousands of levels down, and takes quadratic time over consecutive link
  reference definitions;
* raw HTML on and ``<`` in the leading ``# headline`` (the headline is cut
  from the rendered HTML at its ``</h1>``, which raw HTML could imitate);
* a syntax-tree node this module does not know.

The body fields are computed from the pyrs syntax tree the way
:func:`broadsheet.loaders.markdown.parse_py` computes them from
markdown-it-py's tokens.  Most articles are paragraphs, headings, quotes and
rules, with links and emphasis: for those, every check above can be made on
pyrs's HTML and the text, and the fields read from the HTML, without the
syntax tree, whose Python objects cost more to make and walk than pyrs's
parse itself (170 µs a typical article, against 230 with the tree).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache
from html import unescape as html_unescape

from markdown_it_pyrs import MarkdownIt, Node

from .base import Body

#: Most emphasis, strikethrough and link delimiters (``*_~[``) in a text for
#: pyrs, whose inline nesting they bound.
MAX_INLINE_MARKS = 1000
#: Most ``]:`` (link reference definitions) in a text for pyrs.
MAX_DEFINITIONS = 256
#: Deepest nesting of blockquotes, lists and list items (markdown-it-py drops
#: what lies 20 levels down: ``maxNesting``), and of emphasis and links.
MAX_BLOCK_DEPTH = 16
MAX_INLINE_DEPTH = 16
#: A line starting with a hundred container markers or indents (or more).
_DEEP_START = re.compile(r"[ \t>*+\-.)0-9]{100}")
_DEEP_LINE = re.compile(r"\n[ \t>*+\-.)0-9]{100}")
#: NUL, and whitespace Python's ``str.strip`` knows but CommonMark does not
#: (every ``str.isspace`` character but space, tab and newline).  None of them
#: is printable (``str.isprintable``), which is checked first, being faster.
_ODD_SPACE = re.compile(
    "[\x00\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
#: Three or more tildes in a line that does not open with them (a fence).
_LONG_TILDES = re.compile(r"^(?![ \t]*~~~)[^\n]*~~~", re.MULTILINE)
#: A fence line (opening or closing), possibly in a list item or blockquote.
_FENCE = re.compile(r"[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)?(?:`{3,}[^`]*|~{3,}.*)")
#: Backslash escapes, backtick strings and square brackets.
_BACKTICKS_AND_BRACKETS = re.compile(r"\\[\s\S]|`+|[\[\]]")

#: A list item that cannot interrupt a paragraph: an empty one, or an ordered
#: one not numbered 1.
_WEAK_ITEM = re.compile(r"[ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]*$|(?!1[.)])\d{1,9}[.)](?:[ \t]|$))")
#: A line with a ``|`` followed by what may be a table delimiter row.
_TABLE_START = re.compile(r"^[^\n|]*\|[^\n]*\n[ \t>]*[-:|][-:| \t]*$", re.MULTILINE)
#: A line of a blockquote that has its ``>`` (not a lazy continuation line).
_QUOTED = re.compile(r"[ \t]*>")
#: The characters of a table delimiter row.
_ROW_CHARACTERS = re.compile(r"[-:| \t]*")
#: A link reference definition on one line, without escapes.
_SIMPLE_DEFINITION = re.compile(
    r"""\[[^\[\]\\]+\]:[ \t]*(?:[^\s<>\\]+|<[^<>\\]*>)"""
    r"""(?:[ \t]+(?:"[^"\\]*"|'[^'\\]*'|\([^()\\]*\)))?[ \t]*\n?"""
)
#: A line that may open a link reference definition (in a list item, too).
_DEFINITION_LINE = re.compile(r"^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*\[.*\]:", re.MULTILINE)
#: HTML blocks that end only at their own end marker (CommonMark types 1-5).
_RAW_HTML = re.compile(r"[ \t]*<(?:[?!]|(?:script|pre|style|textarea)\b)", re.IGNORECASE)
#: Whitespace (to ``str.strip``), percent-encoded, at either end of a URL.
_SPACE = r"%(?:20|0[9A-D]|1[C-F]|C2%(?:85|A0)|E1%9A%80|E2%80%(?:8[0-9A]|A[89F])|E2%81%9F|E3%80%80)"
_SPACE_AT_END = re.compile(f"^{_SPACE}|{_SPACE}$", re.IGNORECASE)
#: The host of a URL (or, without ``//``, what may be read as one).
_HOST = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://)?[^/?#]*")

#: Blocks whose children are inline content.
_INLINE_BLOCKS = frozenset({"paragraph", "heading", "lheading", "tcell"})
_CONTAINERS = frozenset(
    {"root", "blockquote", "bullet_list", "ordered_list", "list_item", "table", "thead",
     "tbody", "trow"}
)  # fmt: skip
_LEAF_BLOCKS = frozenset({"code_block", "fence", "hr", "html_block", "definition"})
_BLOCKS = _INLINE_BLOCKS | _CONTAINERS | _LEAF_BLOCKS
#: Containers that are a nesting level to markdown-it-py (with list items).
_LEVELS = frozenset({"blockquote", "bullet_list", "ordered_list"})
#: Leaf blocks markdown-it-py glues to a tight list item's text (no newline).
_GLUED = frozenset({"code_block", "fence", "html_block"})
#: Leaf blocks markdown-it-py leaves without a newline at the end of the text.
_UNTERMINATED = frozenset({"fence", "html_block"})
_TEXT = frozenset({"text", "text_special"})
_BREAKS = frozenset({"softbreak", "hardbreak"})
_NESTED = frozenset({"em", "strong", "strikethrough", "link", "autolink", "code_inline"})
#: Inline nodes without text for markdown-it-py (an image's alt text lives in
#: the image token's own children, not in the paragraph's).
_SILENT = frozenset({"image", "html_inline"})
_LINKS = frozenset({"link", "image", "autolink"})
#: Nodes whose text pyrs writes into an image's alt text as markdown-it-py does.
_PLAIN_ALT = frozenset(
    {"text", "softbreak", "em", "strong", "strikethrough", "link", "code_inline", "image"}
)
_H1_END = "</h1>\n"
#: A tag in pyrs's HTML other than those of paragraphs, headings, quotes, rules,
#: links, emphasis, strikethrough, code spans and breaks.
_OTHER_TAG = re.compile(r"<(?!/?(?:p|h[1-6]|blockquote|a|em|strong|s|code)[ >]|hr />|br />)")
#: The inline tags (which join the text on either side), and the block tags.
_INLINE_TAG = re.compile(r"</?(?:a|em|strong|s|code)(?: [^>]*)?>|<br />")
_BLOCK_TAG = re.compile(r"<[^>]*>")
_INLINE_OR_BLOCK = re.compile(r"</?(?:a|em|strong|s|code)[ >]|<(?:p|h[1-6])>")
_BLOCK_OPENERS = frozenset({"<p>", "<h1>", "<h2>", "<h3>", "<h4>", "<h5>", "<h6>"})
_HREF = re.compile(r'<a href="([^"]*)"')
_BLANK_CODE = re.compile(r"<code>\s*</code>")


class Unsupported(Exception):
    """The document is outside the set that pyrs renders like markdown-it-py."""


@cache
def parser(unsafe_html: bool = False) -> MarkdownIt:
    """CommonMark plus tables and strikethrough; raw HTML only if ``unsafe_html``."""
    md = MarkdownIt("zero")
    md.enable_many(
        ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
         "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link",
         "newline", "table", "strikethrough"]
    )  # fmt: skip
    if unsafe_html:
        md.enable_many(["html_block", "html_inline"])
    return md


def parse(text: str, first_line: int, unsafe_html: bool, take_heading: bool) -> Body | None:
    """Render a Markdown body with pyrs, or return None if it might differ.

    A document of paragraphs, headings, quotes and rules (most articles) is
    read from pyrs's HTML alone (:func:`_from_html`); any other is read from
    pyrs's syntax tree too, which is checked node by node (:func:`_from_tree`).
    """
    if not _safe_text(text):
        return None
    md = parser(unsafe_html)
    try:
        html = None
        if _html_may_do(text, unsafe_html):
            html = md.render(text)
            body = _from_html(text, html, first_line, take_heading)
            if body is not None:
                return body
        return _from_tree(md, text, html, first_line, unsafe_html, take_heading)
    except Unsupported:
        return None
    except BaseException as error:  # pyo3 raises a Rust panic as a BaseException
        if type(error).__name__ != "PanicException":
            raise
        return None


def _from_tree(
    md: MarkdownIt,
    text: str,
    html: str | None,
    first_line: int,
    unsafe_html: bool,
    take_heading: bool,
) -> Body | None:
    """The Body from pyrs's syntax tree (and ``html``, its HTML, if rendered already)."""
    root = md.tree(text)
    tree = _Tree(text)
    blocks = list(tree.blocks(root.children))
    tree.check_tables()
    if not text.endswith("\n") and _last_leaf(root).name in _UNTERMINATED:
        return None
    if html is None:
        html = md.render(text)
    heading = _leading_h1(root) if take_heading else None
    if heading is None:
        return _body(None, None, html, blocks)
    end = html.find(_H1_END)
    if end < 0 or not html.startswith("<h1>") or (unsafe_html and "<" in tree.source(heading)):
        return None
    headline = tree.plain(heading.children).strip() or None
    html = html[end + len(_H1_END) :]
    return _body(headline, first_line + tree.line(heading), html, blocks[1:])


def _html_may_do(text: str, unsafe_html: bool) -> bool:
    """Whether :func:`_from_html` may read the document: it has no tables,
    definitions or images (no ``|``, ``]:`` or ``![``), nor raw HTML."""
    return not ("|" in text or "]:" in text or "![" in text or (unsafe_html and "<" in text))


def _from_html(text: str, html: str, first_line: int, take_heading: bool) -> Body | None:
    """The Body from pyrs's HTML, for a document whose blocks are only paragraphs,
    headings, blockquotes and rules; None for any other (or where a check needs
    the syntax tree), for :func:`_from_tree` to read.

    The caller has made sure of :func:`_html_may_do`.  Then every check :class:`_Tree`
    makes can be made on the HTML and the text, and the plain text of the
    blocks is the HTML without its tags (pyrs escapes the text, so no tag is
    text): inline tags join what is on either side, block tags part it.  A
    break is a newline in the HTML where it is a space in the plain text, which
    only ``str.split`` reads, but for a headline, which must then be on one line.
    """
    if _OTHER_TAG.search(html) or not _plain_inlines(html, text):
        return None
    if "<blockquote>" in html and (
        "<blockquote>\n</blockquote>" in html
        or html.count("<blockquote>") >= MAX_BLOCK_DEPTH
        or _lazy_quote_lines(text)
    ):
        return None
    headline = line = None
    if take_heading and html.startswith("<h1>"):
        end = html.find(_H1_END)
        if end < 0:
            return None
        heading = _plain_html(html[4:end])
        if "\n" in heading:
            return None
        headline = heading.strip() or None
        # The heading opens the document: it starts on its first line that is not blank.
        line = first_line + text.count("\n", 0, len(text) - len(text.lstrip(" \t\n")))
        html = html[end + len(_H1_END) :]
    start = html.find("<p>")
    summary = ""
    if start >= 0:
        summary = " ".join(_plain_html(html[start + 3 : html.index("</p>", start)]).split())
    # Every block tag pyrs writes has a newline beside it: all tags can go.
    plain = _BLOCK_TAG.sub("", html)
    words = len((html_unescape(plain) if "&" in plain else plain).split())
    return Body(headline=headline, headline_line=line, html=html, summary=summary,
                word_count=words)  # fmt: skip


def _plain_html(html: str) -> str:
    """``html`` without its inline tags, unescaped."""
    if "<" in html:
        html = _INLINE_TAG.sub("", html)
    return html_unescape(html) if "&" in html else html


def _lazy_quote_lines(text: str) -> bool:
    """Whether a line :meth:`_Tree._check_quote` would refuse may be in a blockquote.

    A blockquote lies in a stretch of lines between blank lines, from a line
    with its ``>`` on; each later line of the stretch is taken as one of its
    lines (and ``text`` as its source, for backticks): the check refuses the
    same documents, and some more.
    """
    code = "`" in text
    quoted = False
    for line in text.split("\n"):
        if not line.strip(" \t"):
            quoted = False
        elif _QUOTED.match(line):
            quoted = True
        elif quoted and (
            _WEAK_ITEM.match(line) or _delimiter_row(line) or (code and line[:1] in (" ", "\t"))
        ):
            return True
    return False


def _plain_inlines(html: str, text: str) -> bool:
    """Whether the inline HTML of the document passes :func:`_check_inline`'s
    checks (links, code spans, nesting), as far as its tags show."""
    if html.count("<") >= 2 * MAX_INLINE_DEPTH and _inline_depth(html) >= MAX_INLINE_DEPTH:
        return False
    if "`" in text and _BLANK_CODE.search(html):
        return False
    # Only a URL with a "%" or punycode ("xn--", in any case) may be refused.  The
    # HTML does not tell autolinks from links: any link may be one where the text
    # has a "<".
    if "%" in html or ("--" in html and ("n--" in html or "N--" in html)):
        autolinks = "<" in text
        return not any(_unsafe_url(html_unescape(match.group(1)), autolinks)
                       for match in _HREF.finditer(html))  # fmt: skip
    return True


def _inline_depth(html: str) -> int:
    """How deep inline elements nest in a block of the HTML, at the deepest."""
    depth = deepest = 0
    for tag in _INLINE_OR_BLOCK.findall(html):
        if tag[1] == "/":
            depth -= 1
        elif tag in _BLOCK_OPENERS:
            depth = 0
        else:
            depth += 1
            if depth > deepest:
                deepest = depth
    return deepest


def _safe_text(text: str) -> bool:
    """Whether the text passes the checks made before parsing.

    Each check is a few microseconds on a typical article: one regular
    expression pass over the text costs more than pyrs's whole parse, so the
    checks use string methods first.
    """
    return not (
        not _bounded(text)
        or ("^" in text and ("[^" in text or "^[" in text))
        or _odd_space(text)
        or _symbol_delimiter(text)
        or ("~~~" in text and _LONG_TILDES.search(text))
        or _unpaired_backticks(text)
    )


def _bounded(text: str) -> bool:
    """Whether the text is safe to hand to pyrs at all.

    markdown-it.rs renders nested blocks and inlines recursively, and overflows
    the stack (a segmentation fault, which no ``except`` catches) some tens of
    thousands of levels down (``"> " * 20000``); and it takes quadratic time
    over consecutive link reference definitions (2.5 s for 8,000).  A line
    starting with fewer than ``_DEEP_LINE`` container markers and indents
    cannot open more than twice as many nested blocks, and inline nesting needs
    a ``*``, ``_``, ``~`` or ``[`` a level.
    """
    if sum(map(text.count, "*_~[")) > MAX_INLINE_MARKS or text.count("]:") > MAX_DEFINITIONS:
        return False
    return not (_DEEP_START.match(text) or _DEEP_LINE.search(text))


def _odd_space(text: str) -> bool:
    """Whether the text has NUL or whitespace other than space, tab and newline."""
    printable = text.replace("\n", " ").replace("\t", " ").isprintable()
    return not printable and _ODD_SPACE.search(text) is not None


def _body(
    headline: str | None, line: int | None, html: str, blocks: Sequence[tuple[bool, str]]
) -> Body:
    """The Body, with the summary and word count taken from ``blocks``."""
    summary = ""
    words = 0
    for is_paragraph, plain in blocks:
        words += len(plain.split())
        if not summary and is_paragraph:
            summary = " ".join(plain.split())
    return Body(headline=headline, headline_line=line, html=html, summary=summary,
                word_count=words)  # fmt: skip


def _symbol_delimiter(text: str) -> bool:
    """Whether a delimiter string is between a Unicode symbol and a non-space.

    Whether ``*`` can open or close emphasis depends on whether its neighbours
    are punctuation; markdown-it-py counts symbols (category S) as punctuation,
    pyrs does not.  With a space (or a line end) on the other side, the
    answer is the same in both.
    """
    if text.isascii():
        return False
    for delimiter in "*_~":
        start = text.find(delimiter)
        while start != -1:
            end = start + 1
            while end < len(text) and text[end] == delimiter:
                end += 1
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if (_is_symbol(before) and not after.isspace()) or (
                _is_symbol(after) and not before.isspace()
            ):
                return True
            start = text.find(delimiter, end)
    return False


def _is_symbol(char: str) -> bool:
    """Whether ``char`` is a non-ASCII symbol (ASCII ones are punctuation to both)."""
    return not char.isascii() and unicodedata.category(char)[0] == "S"


def _unpaired_backticks(text: str) -> bool:
    """Whether a backtick string after a ``[`` may have no closing string.

    markdown-it.rs panics on such a string when it meets it twice, first while
    scanning a link label (``[`x]``).  Strings are paired within each stretch
    of lines between blank lines and fences (within each line where a line
    has a ``|``, as table cells are parsed apart).  This is a heuristic to
    keep the panic's message off stderr, not a guarantee: a panic that slips
    through is caught all the same.
    """
    if "`" not in text or "[" not in text:
        return False
    stretch: list[str] = []
    for line in text[text.rfind("\n", 0, text.index("[")) + 1 :].split("\n"):
        if line.strip() and not _FENCE.fullmatch(line):
            stretch.append(line)
        elif stretch:
            if _unpaired_in_stretch(stretch):
                return True
            stretch = []
    return _unpaired_in_stretch(stretch)


def _unpaired_in_stretch(lines: Sequence[str]) -> bool:
    """Whether a backtick string inside ``[`` is unpaired in these lines."""
    joined = "\n".join(lines)
    if "`" not in joined or "[" not in joined:
        return False
    pieces = [piece for line in lines for piece in line.split("|")] if "|" in joined else [joined]
    return any(_unpaired_in_piece(piece) for piece in pieces)


def _unpaired_in_piece(text: str) -> bool:
    """Whether an unpaired backtick string in ``text`` is inside square brackets."""
    strings: list[str] = []
    bracketed: list[bool] = []
    depth = 0
    for match in _BACKTICKS_AND_BRACKETS.finditer(text):
        token = match.group()
        if token[0] == "`":
            strings.append(token)
            bracketed.append(depth > 0)
        elif token == "[":
            depth += 1
        elif token == "]":
            depth = max(0, depth - 1)
    index = 0
    while index < len(strings):
        try:
            index = strings.index(strings[index], index + 1) + 1
        except ValueError:  # no closing string: the opener stays text
            if bracketed[index]:
                return True
            index += 1
    return False


def _delimiter_row(line: str) -> bool:
    """Whether ``line`` may be a table delimiter row."""
    return ("|" in line or ":" in line) and _ROW_CHARACTERS.fullmatch(line) is not None


def _leading_h1(root: Node) -> Node | None:
    """The level-1 heading that opens the document, if one does."""
    for node in root.children:
        if node.name != "definition":
            is_h1 = node.name in ("heading", "lheading") and node.meta.get("level") == 1
            return node if is_h1 else None
    return None


def _last_leaf(node: Node) -> Node:
    """The last block of the document, inside any lists and blockquotes."""
    while node.children and node.name in _CONTAINERS:
        node = node.children[-1]
    return node


class _Tree:
    """Walks a pyrs syntax tree, reading source text by its byte offsets.

    Raises :class:`Unsupported` where pyrs's HTML would differ.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._bytes: bytes | None = None
        self.definitions = "]:" in text
        self.table_lines: set[int] = set()
        self.verbatim: list[Node] = []

    def source(self, node: Node) -> str:
        """The source text of a block."""
        if node.srcmap is None:
            raise Unsupported(node.name)
        start, end = node.srcmap
        return self._encoded()[start:end].decode()

    def line(self, node: Node) -> int:
        """The 0-based line on which a block starts."""
        if node.srcmap is None:
            raise Unsupported(node.name)
        return self._encoded()[: node.srcmap[0]].count(b"\n")

    def _encoded(self) -> bytes:
        if self._bytes is None:
            self._bytes = self.text.encode()
        return self._bytes

    def blocks(self, nodes: Sequence[Node], depth: int = 0) -> Iterator[tuple[bool, str]]:
        """``(is_paragraph, plain text)`` of each stretch of inline content.

        ``depth`` counts the blockquotes, lists and list items around ``nodes``.
        """
        for node in nodes:
            name = node.name
            if name in _INLINE_BLOCKS:
                if name in ("paragraph", "lheading") and self.definitions:
                    self._check_paragraph(node)
                yield name == "paragraph", self.plain(node.children)
            elif name in _LEAF_BLOCKS:
                self._check_leaf(node, depth > 0)
            elif name not in _CONTAINERS:
                raise Unsupported(name)
            elif depth >= MAX_BLOCK_DEPTH:
                raise Unsupported("deep nesting")
            elif name == "list_item":
                if self.definitions:
                    self._check_paragraph(node)
                yield from self._list_item(node.children, depth + 1)
            else:
                self._check_container(node)
                yield from self.blocks(node.children, depth + (name in _LEVELS))

    def check_tables(self) -> None:
        """Every line that markdown-it-py may take for a table header must be one.

        Lines inside code and HTML blocks are not (their first line may be).
        """
        if "|" not in self.text:
            return
        inside: list[range] | None = None
        for match in _TABLE_START.finditer(self.text):
            line = self.text.count("\n", 0, match.start())
            if line in self.table_lines:
                continue
            if inside is None:
                inside = [self._inner_lines(node) for node in self.verbatim]
            if not any(line in lines for lines in inside):
                raise Unsupported("table header that pyrs does not see")

    def _inner_lines(self, node: Node) -> range:
        """The lines of a code or HTML block that no other block can start on."""
        if node.srcmap is None:
            return range(0)
        start, end = node.srcmap
        first = self.line(node) + (node.name != "code_block")
        return range(first, self._encoded()[: max(start, end - 1)].count(b"\n") + 1)

    def _check_container(self, node: Node) -> None:
        name = node.name
        if name == "blockquote":
            if all(child.name == "definition" for child in node.children):
                raise Unsupported("empty blockquote")
            self._check_quote(self.source(node))
        elif name == "table":
            if "|" not in self.source(node).split("\n", 1)[0]:
                raise Unsupported("table header without a pipe")
            self.table_lines.add(self.line(node))
        elif name == "trow" and _WEAK_ITEM.match(self.source(node)):
            raise Unsupported("list item after a table")

    @staticmethod
    def _check_quote(source: str) -> None:
        """A blockquote's lines after the first (lazy ones too)."""
        code = "`" in source
        for line in source.split("\n")[1:]:
            if _WEAK_ITEM.match(line) or _delimiter_row(line):
                raise Unsupported("list item or table row after a quote")
            if code and line[:1] in (" ", "\t") and not _QUOTED.match(line):
                raise Unsupported("indented lazy line in a quote with code")

    def _check_paragraph(self, node: Node) -> None:
        """A paragraph, setext heading or list item must not hold a definition-like line."""
        if _DEFINITION_LINE.search(self.source(node)):
            raise Unsupported("line like a link reference definition")

    def _check_leaf(self, node: Node, nested: bool) -> None:
        name = node.name
        if name in _GLUED:
            self.verbatim.append(node)
        if name == "definition":
            source = self.source(node).lstrip(" \t")
            if not _SIMPLE_DEFINITION.fullmatch(source):
                raise Unsupported("definition")
        elif nested and name == "html_block" and _RAW_HTML.match(node.meta["content"]):
            raise Unsupported("nested HTML block of type 1 to 5")

    def _list_item(self, nodes: Sequence[Node], depth: int) -> Iterator[tuple[bool, str]]:
        """A list item's blocks; inline nodes directly in it are a tight paragraph."""
        run: list[Node] = []
        for node in nodes:
            if node.name not in _BLOCKS:
                run.append(node)
                continue
            if run:
                if node.name in _GLUED:
                    raise Unsupported("block after a tight list item's text")
                yield True, self.plain(run)
                run = []
            yield from self.blocks((node,), depth)
        if run:
            yield True, self.plain(run)

    def plain(self, nodes: Sequence[Node]) -> str:
        """Plain text of inline nodes, as :func:`broadsheet.markup.inline_text` has it."""
        parts: list[str] = []
        _collect(nodes, parts, 0)
        return "".join(parts)


def _collect(nodes: Sequence[Node], parts: list[str], depth: int) -> None:
    """Append the text of ``nodes`` (``depth`` levels down in inlines) to ``parts``."""
    for node in nodes:
        name = node.name
        if name in _TEXT:
            parts.append(node.meta["content"])
        elif name in _BREAKS:
            parts.append(" ")
        elif name not in _NESTED and name not in _SILENT:
            raise Unsupported(name)
        elif depth >= MAX_INLINE_DEPTH:
            raise Unsupported("deep nesting")
        else:
            _check_inline(node)
            if name in _NESTED:
                _collect(node.children, parts, depth + 1)


def _check_inline(node: Node) -> None:
    """Links, images and code spans pyrs writes differently."""
    name = node.name
    if name in _LINKS and _unsafe_url(str(node.meta.get("url", "")), name == "autolink"):
        raise Unsupported("link destination")
    if name == "image":
        inside = [child.name for child in node.walk(include_self=False)]
        if any(child not in _PLAIN_ALT for child in inside):
            raise Unsupported("image alt text")
        if inside.count("image") + inside.count("link") >= MAX_INLINE_DEPTH:
            raise Unsupported("deep nesting")
    if name == "code_inline" and all(
        child.name == "text" and not child.meta["content"].strip() for child in node.children
    ):
        raise Unsupported("blank code span")


def _unsafe_url(url: str, autolink: bool) -> bool:
    """Whether markdown-it-py might write a link's URL (as pyrs normalised it) or,
    for an ``autolink``, its text differently.

    pyrs percent-encodes a non-ASCII host, markdown-it-py punycodes it (and
    keeps IPv6 brackets, ``%5B`` in pyrs); in an autolink's text it decodes
    punycode and percent-escapes, pyrs does not; and markdown-it-py strips
    whitespace that entities put at either end (``[a](/&nbsp;)``).
    """
    if autolink and "%" in url:
        return True
    if "%" in url and _SPACE_AT_END.search(url):
        return True
    host = _HOST.match(url)
    return host is not None and ("%" in host.group() or "xn--" in host.group().lower())
