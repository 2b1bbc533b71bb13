"""HTML bodies from blogs and feeds: paragraphing, shortcodes, sanitising, Markdown.

:func:`wpautop`
    WordPress stores post bodies with blank lines between paragraphs and
    single newlines for line breaks, and adds the ``<p>`` and ``<br>`` tags
    only when it displays them.  This is a smaller cousin of WordPress's own
    ``wpautop``: text between blank lines becomes a paragraph (single
    newlines inside it ``<br />``), block-level tags stand on their own,
    ``<pre>`` blocks are left exactly as they are, and HTML comments (the
    block editor's ``<!-- wp:paragraph -->`` markers) are removed.

:func:`expand_shortcodes`
    ``[caption]`` becomes a ``<figure>`` with its caption, ``[embed]`` and
    ``[youtube]`` links, ``[code]``/``[sourcecode]`` a code block; galleries,
    playlists and forms, which need the blog's media library or server, are
    removed.  Every one is noted for the report, and so are shortcodes left
    as text because they are unknown.

:func:`sanitize`
    An allowlist sanitiser (the standard library's HTML parser, no regular
    expressions over HTML): known harmless tags keep a few attributes, links
    and images only ``http``, ``https``, ``mailto`` or relative addresses,
    scripts and styles lose their content, and iframes, embeds, objects,
    audio and video become plain links to what they showed (so nothing
    vanishes without a trace).  One-pixel tracking images (FeedBurner's) are
    dropped.

:func:`to_markdown`
    Sanitised HTML through markdownify (ATX headings, ``-`` bullets, fenced
    code, backslash line breaks, Markdown punctuation escaped).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

# --- wpautop ----------------------------------------------------------------------------------

_BLOCK = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|"
    r"form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|"
    r"article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_OPENER = re.compile(rf"(<{_BLOCK}[\s/>])", re.IGNORECASE)
_CLOSER = re.compile(rf"(</{_BLOCK}>)", re.IGNORECASE)
_PROTECTED = re.compile(r"<(pre|script|style|textarea)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_LEADING_TAGS = re.compile(rf"^(?:\s*</?{_BLOCK}\b[^>]*>)+", re.IGNORECASE)
_TRAILING_TAGS = re.compile(rf"(?:</?{_BLOCK}\b[^>]*>\s*)+$", re.IGNORECASE)
#: Block tags whose text WordPress does not wrap in paragraphs.
_NO_PARAGRAPH = re.compile(r"<(?:li|td|th|dt|dd|h[1-6]|p|caption|figcaption|summary|legend|"
                           r"address|pre)\b[^>]*>\s*$", re.IGNORECASE)  # fmt: skip
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
#: HTML comments, such as the block editor's ``<!-- wp:paragraph -->`` markers.
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def wpautop(text: str) -> str:
    """HTML paragraphs for a WordPress body written with blank lines between them."""
    text = _COMMENT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        return ""
    saved: list[str] = []

    def protect(match: re.Match[str]) -> str:
        saved.append(match.group(0))
        return f"\n\n\x00{len(saved) - 1}\x00\n\n"

    text = _PROTECTED.sub(protect, text)
    text = _CLOSER.sub(r"\1\n\n", _OPENER.sub(r"\n\n\1", text))
    chunks = [_paragraph(chunk.strip()) for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    return _PLACEHOLDER.sub(lambda m: saved[int(m.group(1))], "\n\n".join(chunks))


def _paragraph(chunk: str) -> str:
    """One chunk between blank lines, with its text (if any) wrapped in ``<p>``."""
    if _PLACEHOLDER.fullmatch(chunk):
        return chunk
    lead = _LEADING_TAGS.match(chunk)
    head = lead.group(0) if lead else ""
    rest = chunk[len(head) :]
    trail = _TRAILING_TAGS.search(rest)
    tail = trail.group(0) if trail else ""
    middle = rest[: len(rest) - len(tail)].strip()
    if not middle or (head and _NO_PARAGRAPH.search(head)):
        return chunk
    lines = "<br />\n".join(line.strip() for line in middle.split("\n"))
    return f"{head}<p>{lines}</p>{tail}"


# --- Shortcodes -------------------------------------------------------------------------------

_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s\]]+))""")
_CAPTION = re.compile(r"\[(wp_caption|caption)\b([^\]]*)\](.*?)\[/\1\]", re.DOTALL)
_MEDIA = re.compile(r"^\s*(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", re.IGNORECASE)
_ENCLOSING = re.compile(r"\[(embed|youtube|code|sourcecode)\b([^\]]*)\](.*?)\[/\1\]", re.DOTALL)
_REMOVED = re.compile(r"\[/?(gallery|playlist|contact-form(?:-7)?)\b[^\]]*\]")
_SINGLE_MEDIA = re.compile(r"\[(audio|video|youtube)\b([^\]]*)\]")
_UNKNOWN = re.compile(r"\[([a-z][a-z0-9_-]*)\b[^\]]*\].*?\[/\1\]", re.DOTALL)


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
            for m in _ATTRIBUTE.finditer(text)}  # fmt: skip


def expand_shortcodes(text: str, notes: list[str]) -> str:
    """WordPress shortcodes made HTML (or removed); each kind is noted once in ``notes``."""
    seen: set[str] = set()

    def note(remark: str) -> None:
        if remark not in seen:
            seen.add(remark)
            notes.append(remark)

    def caption(match: re.Match[str]) -> str:
        note("[caption] made a figure")
        inner = match.group(3)
        media = _MEDIA.match(inner)
        image = media.group(0).strip() if media else ""
        if image.lower().startswith("<a") and "</a>" not in image.lower():
            image += "</a>"
        words = inner[media.end() :] if media else inner
        words = words.strip() or _attributes(match.group(2)).get("caption", "")
        if not image:
            return words
        figcaption = f"<figcaption>{words}</figcaption>" if words else ""
        return f"<figure>{image}{figcaption}</figure>"

    def enclosing(match: re.Match[str]) -> str:
        name, inner = match.group(1), match.group(3).strip()
        if name in ("code", "sourcecode"):
            note(f"[{name}] made a code block")
            return f"<pre><code>{escape(unescape(inner), quote=False)}</code></pre>"
        note(f"[{name}] made a link")
        return _link(inner)

    def single(match: re.Match[str]) -> str:
        attributes = _attributes(match.group(2))
        url = next((attributes[k] for k in ("src", "mp3", "mp4", "url", "id") if k in attributes),
                   "")  # fmt: skip
        note(f"[{match.group(1)}] made a link")
        return _link(url) if url.startswith(("http://", "https://")) else ""

    def removed(match: re.Match[str]) -> str:
        note(f"[{match.group(1)}] removed (it needs the blog's server or media library)")
        return ""

    text = _CAPTION.sub(caption, text)
    text = _ENCLOSING.sub(enclosing, text)
    text = _SINGLE_MEDIA.sub(single, text)
    text = _REMOVED.sub(removed, text)
    for match in _UNKNOWN.finditer(text):
        note(f"[{match.group(1)}] shortcode left as text")
    return text


def _link(url: str) -> str:
    url = url.strip()
    return f'<a href="{escape(url)}">{escape(url)}</a>'


# --- Sanitising -------------------------------------------------------------------------------

_PLAIN_TAGS = (
    "abbr", "b", "br", "caption", "code", "dd", "del", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li",
    "mark", "p", "pre", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody",
    "tfoot", "thead", "tr", "u", "ul",
)
#: Tags kept, with the attributes each may keep.
ALLOWED: dict[str, frozenset[str]] = {
    **dict.fromkeys(_PLAIN_TAGS, frozenset()),
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "ol": frozenset({"start"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "time": frozenset({"datetime"}),
}  # fmt: skip
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
_VOID = frozenset({"br", "hr", "img", "wbr", "source", "embed", "param", "input", "meta",
                   "link", "col", "area", "base", "track", "keygen"})  # fmt: skip
#: Tags dropped together with everything inside them.
_DROP_CONTENT = frozenset({"script", "style", "template", "noscript", "head", "title",
                           "textarea", "select", "svg", "math", "canvas", "button"})  # fmt: skip
#: Tags that show something from elsewhere; they become links to it.
_EMBEDS: dict[str, tuple[str, ...]] = {
    "iframe": ("src",), "embed": ("src",), "video": ("src",), "audio": ("src",),
    "source": ("src",), "object": ("data",),
}  # fmt: skip
_SCHEMES = frozenset({"http", "https", "mailto", ""})
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def safe_url(url: str) -> str | None:
    """``url`` when it is http(s), mailto or relative; None for ``javascript:`` and the like."""
    cleaned = _INVISIBLE.sub("", url)
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in _SCHEMES else None


def _tracking_pixel(attributes: dict[str, str]) -> bool:
    """A one-pixel image, or FeedBurner's tracking image."""
    src = attributes.get("src", "")
    tiny = attributes.get("width") == "1" and attributes.get("height") == "1"
    return tiny or "feeds.feedburner.com/~r/" in src


@dataclass
class Cleaned:
    """Sanitised HTML and what was done to it."""

    html: str
    embeds: list[str] = field(default_factory=list)
    """Addresses of iframes, objects, audio and video, now links."""
    pixels: int = 0
    """Tracking images removed."""
    dropped: set[str] = field(default_factory=set)
    """Tags removed together with their content (script, style...)."""


class _Sanitizer(HTMLParser):
    """Rewrites HTML tag by tag, keeping only what :data:`ALLOWED` lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping: list[str] = []
        self.result = Cleaned("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag in _DROP_CONTENT and tag not in _VOID:
                self.skipping.append(tag)
            return
        attributes = {name: value or "" for name, value in attrs}
        if tag in _DROP_CONTENT:
            self.result.dropped.add(tag)
            self.skipping.append(tag)
        elif tag in _EMBEDS or tag == "param":
            self._embed(tag, attributes)
        elif tag == "img" and _tracking_pixel(attributes):
            self.result.pixels += 1
        elif tag in ALLOWED:
            self._emit_start(tag, attributes)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def _embed(self, tag: str, attributes: dict[str, str]) -> None:
        keys = _EMBEDS.get(tag, ())
        url = next((attributes[k] for k in keys if attributes.get(k)), "")
        if tag == "param" and attributes.get("name", "").lower() in ("movie", "src"):
            url = attributes.get("value", "")
        url = safe_url(url) or "" if url else ""
        if url and url not in self.result.embeds:
            self.result.embeds.append(url)
            self.out.append(f'<a href="{escape(url)}">{escape(url)}</a>')

    def _emit_start(self, tag: str, attributes: dict[str, str]) -> None:
        kept = []
        for name, value in attributes.items():
            if name not in ALLOWED[tag]:
                continue
            if name in _URL_ATTRIBUTES:
                checked = safe_url(value)
                if checked is None:
                    continue
                value = checked
            kept.append(f' {name}="{escape(value)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in self.open:
            while self.open:
                closing = self.open.pop()
                self.out.append(f"</{closing}>")
                if closing == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(escape(data, quote=False))

    def finish(self) -> Cleaned:
        self.close()
        self.out.extend(f"</{tag}>" for tag in reversed(self.open))
        self.open.clear()
        self.result.html = "".join(self.out)
        return self.result


def sanitize(html: str) -> Cleaned:
    """Allowlisted HTML: see the module docstring."""
    parser = _Sanitizer()
    parser.feed(html)
    return parser.finish()


def note_cleaning(cleaned: Cleaned, note: Callable[[str], None]) -> None:
    """Tell the report what sanitising changed."""
    if cleaned.embeds:
        note(f"{len(cleaned.embeds)} embedded item(s) made links: {', '.join(cleaned.embeds)}")
    if cleaned.pixels:
        note(f"{cleaned.pixels} tracking image(s) removed")
    if cleaned.dropped:
        note(f"removed with their content: {', '.join(sorted(cleaned.dropped))}")


# --- Markdown and text ------------------------------------------------------------------------


def to_markdown(html: str) -> str:
    """Sanitised HTML as Markdown."""
    from markdownify import markdownify

    text = markdownify(html, heading_style="ATX", bullets="-", newline_style="BACKSLASH",
                       escape_misc=True)  # fmt: skip
    text = _tidy_breaks(re.sub(r"[ \t]+\n", "\n", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _breaks_at_end(line: str) -> bool:
    """Whether a Markdown line ends in a hard line break (an unescaped backslash)."""
    stripped = line.rstrip()
    return (len(stripped) - len(stripped.rstrip("\\"))) % 2 == 1


def _tidy_breaks(text: str) -> str:
    """Drop line breaks that break nothing: ``<br>`` runs and breaks before a blank line.

    Blogs write ``<br /><br />`` for paragraph breaks; markdownify makes lines of a
    lone backslash of them, which Markdown shows as a backslash.  Code blocks are
    left alone.
    """
    lines = text.split("\n")
    fenced = False
    for number, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced:
            continue
        following = lines[number + 1].strip() if number + 1 < len(lines) else ""
        if line.strip() == "\\":
            lines[number] = ""
        elif following in ("", "\\") and _breaks_at_end(line):
            lines[number] = line.rstrip()[:-1].rstrip()
    return "\n".join(lines)


class _Text(HTMLParser):
    """Collects the text of an HTML fragment, a line per block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
            self.parts.append("\n")


def to_text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())
