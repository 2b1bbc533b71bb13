"""Property-based tests (hypothesis) of the loaders, YAML reading and slugs.

* ``plaintext.parse`` and ``markdown.parse`` accept any text; plain text keeps
  every visible character and produces no markup of its own but ``p``, ``ul``
  and ``li``; Markdown (raw HTML off) produces only its own elements, with no
  event handler and no script URL.
* ``decode``, ``split_front_matter`` and ``yamlio.load`` raise nothing but
  :class:`SourceError`; what ``yamlio.load`` returns stays within its value
  budget however the document uses aliases.
* ``load_source`` never raises, for any bytes in a ``.txt`` or ``.md`` file and
  any metadata; an article it returns has a non-empty, URL-safe slug.
* ``slugify`` gives ``[a-z0-9-]`` only, at most 80 characters, never a Windows
  device name, and a name that stays inside its folder when joined to a path.
* ``coerce_datetime`` raises nothing but :class:`CoercionError`, and a date it
  accepts can be converted to any time zone and moved by a century.

fuzz/fuzz_plaintext.py runs the plain-text properties under atheris.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import timedelta, timezone
from html import unescape
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from broadsheet import yamlio
from broadsheet.errors import SourceError
from broadsheet.loaders import LoadOptions, Source, load_source, markdown, meta, plaintext
from broadsheet.loaders.decode import decode
from broadsheet.loaders.meta import (
    MAX_METADATA_VALUES,
    MAX_SLUG,
    MAX_YEAR,
    MIN_YEAR,
    CoercionError,
    clean_text,
    coerce_datetime,
    slugify,
    split_front_matter,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WINDOWS_DEVICES = re.compile(r"^(?:con|prn|aux|nul|com\d|lpt\d)$")
INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\x00-\x1f\x7f-\x9f]")
OWN_TAGS = re.compile(r"</?(?:p|ul|li)>")

CHROME = ["Be the first to comment", "Leave a Reply", "3 Comments", "Share this:", "Facebook",
          "Your email address will not be published.", "Related", "Cancel reply", "Name *"]
#: Pieces that make hostile text likelier than uniform characters would.
PIECES = ["", " ", "  ", "\t", "\r", "\n", "\n\n", "- ", "* ", "-", "*", "---", "...", "#",
          "<script>", "</p>", "&amp;", "&", "<", ">", "{{ x }}", "\x00", "\ufeff", "\u202e",
          "\u200b", "\u200d", "é", "北京", "..", "/", "\\", "%2e", "CON", "nul", *CHROME]
hostile_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)),
                        max_size=40).map("".join)  # fmt: skip
any_text = st.one_of(st.text(), hostile_text)

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def visible(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


# ---------------------------------------------------------------------------
# Plain text and Markdown bodies
# ---------------------------------------------------------------------------


@SETTINGS
@given(any_text)
@example("Headline\n\n- item\n\nBe the first to comment\n\nLeave a Reply\n")
@example("- starts with a marker\n\n- a list\n* item")
@example("Share\n" * 50)
def test_plaintext_parse_keeps_every_visible_character(text: str) -> None:
    body = plaintext.parse(text)
    leftover = OWN_TAGS.sub("", body.html)
    assert "<" not in leftover and ">" not in leftover
    if body.headline is not None:
        assert body.headline == body.headline.strip() != ""
        assert "\n" not in body.headline
    assert body.word_count >= 0
    expected = []
    headline_seen = False
    for line in text.split("\n"):
        stripped = line.strip()
        marker = plaintext._LIST_ITEM.match(stripped) if headline_seen else None
        headline_seen = headline_seen or bool(stripped)
        expected.append(visible(stripped[marker.end() :] if marker else stripped))
    produced = visible(body.headline or "") + visible(unescape(leftover))
    assert produced + visible("".join(body.chrome)) == "".join(expected)
    assert all(plaintext.is_chrome(line) for line in body.chrome)


MARKDOWN_PIECES = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                   "[a](javascript:alert(1))", "[a](JaVaScRiPt:x)", "![i](vbscript:x)",
                   "<a href='javascript:x'>", "[r]: javascript:x\n\n[r]", "<javascript:x>",
                   "[d](data:text/html,<script>x</script>)", "![p](data:image/png;base64,AA)",
                   "| a | b |\n|:-|-:|\n| 1 | 2 |\n", "[^1]\n\n[^1]: note\n", "```\ncode\n```\n",
                   "> ", "- ", "1. ", "# ", "*", "_", "`", "~~", "\n\n", "<!-- x -->",
                   "<style>x</style>", "<iframe src=x>", " onclick=x ",
                   "&#106;avascript:"]  # fmt: skip
markdown_text = st.lists(st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=8)),
                         max_size=30).map("".join)  # fmt: skip
#: Elements markdown-it (CommonMark, tables, strikethrough, footnotes) produces.
MARKDOWN_TAGS = {"p", "em", "strong", "a", "img", "code", "pre", "blockquote", "ul", "ol", "li",
                 "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br", "table", "thead", "tbody", "tr",
                 "th", "td", "s", "section", "sup", "div"}  # fmt: skip
ALIGN = re.compile(r"^text-align:(?:left|center|right)$")
SAFE_DATA = re.compile(r"^data:image/(?:gif|png|jpeg|webp);")


@SETTINGS
@given(markdown_text)
def test_markdown_produces_only_its_own_safe_markup(text: str) -> None:
    body = markdown.parse(text, 1, False, False)
    if not body.html.strip():
        return
    root = lxml.html.fragment_fromstring(body.html, create_parent="div")
    for element in root.iterdescendants():
        if not isinstance(element.tag, str):
            continue
        assert element.tag in MARKDOWN_TAGS, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, value)
            if name == "style":
                assert ALIGN.match(value), value
            if name in ("href", "src"):
                url = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                assert not url.startswith(("javascript:", "vbscript:", "file:")), value
                assert not url.startswith("data:") or SAFE_DATA.match(url), value


# ---------------------------------------------------------------------------
# Decoding, front matter, YAML
# ---------------------------------------------------------------------------


@SETTINGS
@given(st.one_of(st.binary(), hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.text().map(lambda t: t.encode("utf-16"))))  # fmt: skip
@example(b"\xef\xbb\xbf")
@example(b"a\r\nb\rc\n")
def test_decode_raises_only_source_errors(data: bytes) -> None:
    try:
        text, encoding = decode(data, "x.txt")
    except SourceError as exc:
        assert exc.diagnostics[0].path == "x.txt"
        return
    assert "\r" not in text
    raw = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    try:
        plain = raw.decode("utf-8")
    except UnicodeDecodeError:
        assert encoding is not None
    else:
        assert encoding is None
        assert text == plain.replace("\r\n", "\n").replace("\r", "\n")


front_matter_text = st.builds(
    lambda head, yaml_text, close, rest: head + yaml_text + close + rest,
    st.sampled_from(["---\n", "---", "--- \n", "", "---\r"]), any_text,
    st.sampled_from(["\n---\n", "\n...\n", "\n--- \t\n", "\n", "---", "\n----\n"]), any_text,
)  # fmt: skip


@SETTINGS
@given(st.one_of(any_text, front_matter_text))
def test_split_front_matter_raises_only_source_errors(text: str) -> None:
    try:
        yaml_text, yaml_line, body, body_line = split_front_matter(text, "x.md")
    except SourceError as exc:
        assert str(exc).startswith("x.md:1: error: front matter opened with '---'")
        return
    if yaml_text is None:
        assert (yaml_line, body, body_line) == (0, text, 1)
        return
    assert text.startswith("---")
    assert text[4 : 4 + len(yaml_text)] == yaml_text
    assert text.endswith(body)
    assert yaml_line == 2 and body_line == 3 + yaml_text.count("\n")


@SETTINGS
@given(st.one_of(any_text, st.text(alphabet="&*[]{}:,-!?|>'\"#%@` \n\tab01", max_size=60)))
@example("a: &a [*a]")
@example("!!python/object/apply:os.system ['true']")
@example("- !!binary 'AAAA'\n- !!set {a}\n- !!timestamp 2024-13-45\n- !!float nan")
def test_yaml_load_raises_only_source_errors(text: str) -> None:
    try:
        yamlio.load(text, "x.yaml", 3, max_values=200)
    except SourceError as exc:
        assert all(d.path == "x.yaml" and (d.line or 3) >= 3 for d in exc.diagnostics)


@st.composite
def alias_documents(draw: st.DrawFn) -> str:
    """YAML whose anchors are reused any number of times, in lists and mappings."""
    count = draw(st.integers(1, 8))
    lines = []
    for n in range(count):
        refs = draw(st.lists(st.integers(0, max(n - 1, 0)), min_size=0, max_size=12))
        items = [f"*a{r}" for r in refs if n > 0] + ["x"]
        if draw(st.booleans()):
            lines.append(f"a{n}: &a{n} [{', '.join(items)}]")
        else:
            lines.append(f"a{n}: &a{n} {{{', '.join(f'k{i}: {v}' for i, v in enumerate(items))}}}")
    return "\n".join(lines) + "\n"


def count_values(value: Any, budget: int) -> int:
    """Values in ``value`` with shared parts counted every time; stops past ``budget``."""
    total, stack = 0, [value]
    while stack and total <= budget:
        item = stack.pop()
        total += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return total


@SETTINGS
@given(alias_documents())
def test_what_yaml_load_returns_stays_within_its_budget(text: str) -> None:
    budget = 500
    try:
        data = yamlio.load(text, "x.yaml", max_values=budget)
    except SourceError as exc:
        assert "expand to more than 500 values" in str(exc) or "more than 500" in str(exc)
        return
    assert count_values(data, budget) <= budget


def composed_nodes(text: str) -> int:
    node = yaml.compose(text, Loader=yaml.CSafeLoader)
    total, stack = 0, [node] if node is not None else []
    while stack:
        item = stack.pop()
        total += 1
        if isinstance(item, yaml.SequenceNode):
            stack.extend(item.value)
        elif isinstance(item, yaml.MappingNode):
            stack.extend(part for pair in item.value for part in pair)
    return total


@SETTINGS
@given(st.text(alphabet="[]{}:,-?|>'\"# \n\tab01", max_size=80))
@example("a:\nb:\n")
@example("- - - -")
@example("? \n? \n")
def test_documents_without_aliases_have_fewer_values_than_twice_their_length(text: str) -> None:
    # yamlio skips its value-budget walk for such documents shorter than half the budget.
    try:
        nodes = composed_nodes(text)
    except yaml.YAMLError:
        return
    assert nodes <= 2 * len(text) + 2


# ---------------------------------------------------------------------------
# load_source on real files
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


ODD_VALUES = ["2024-01-31", "2024-13-45", "0000-01-01", "9999-12-31T23:59:59-12:00", "yes",
              "closed"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    any_text, st.sampled_from(ODD_VALUES))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=12)  # fmt: skip
keys = st.one_of(st.sampled_from(["headline", "title", "date", "updated", "authors", "author",
                                  "section", "category", "tags", "keywords", "people", "places",
                                  "language", "draft", "summary", "slug", "comments",
                                  "corrections"]), st.text(max_size=8))  # fmt: skip
metadata = st.dictionaries(keys, values, max_size=8)


def article_files(workdir: Path, name: str, data: bytes, sidecar: str | None) -> Source:
    path = workdir / name
    path.write_bytes(data)
    side = None
    if sidecar is not None:
        side = path.with_suffix(".yaml")
        side.write_text(sidecar, encoding="utf-8", errors="surrogatepass")
    fmt = "md" if name.endswith(".md") else "txt"
    return Source(path, f"content/{name}", fmt, sidecar=side,
                  sidecar_rel=f"content/{side.name}" if side else None)  # fmt: skip


def check_result(source: Source) -> None:
    result = load_source(source, LoadOptions(timezone="Europe/London"))
    if result.article is None:
        assert any(d.severity == "error" for d in result.diagnostics), result.diagnostics
        return
    article = result.article
    assert SLUG.match(article.slug), article.slug
    assert article.headline and not INVISIBLE.search(article.headline)
    assert article.headline == article.headline.strip()
    for name in article.authors + article.tags + article.people + article.places:
        assert name and not INVISIBLE.search(name), name
    if article.date is not None:
        assert MIN_YEAR <= article.date.astimezone(timezone.utc).year <= MAX_YEAR


NAMES = ["2024-01-31-harbour.txt", "x.md", "2024-13-45-bad.txt", "...md", "CON.txt",
         "0001-01-01-old.md", "é北京.txt", "-.md", "2024-01-31-.txt"]  # fmt: skip


@SETTINGS
@given(st.sampled_from(NAMES), st.one_of(st.binary(max_size=3000), any_text.map(
    lambda t: t.encode("utf-8", "surrogatepass"))))  # fmt: skip
def test_load_source_never_raises_for_any_bytes(workdir: Path, name: str, data: bytes) -> None:
    check_result(article_files(workdir, name, data, None))


@SETTINGS
@given(st.sampled_from(NAMES), metadata, any_text, st.one_of(st.none(), metadata))
def test_load_source_never_raises_for_any_metadata(
    workdir: Path, name: str, front: dict[str, Any], body: str, side: dict[str, Any] | None
) -> None:
    front_text = yaml.safe_dump(front, allow_unicode=True) if front else ""
    data = f"---\n{front_text}---\n{body}".encode("utf-8", "surrogatepass")
    sidecar = yaml.safe_dump(side, allow_unicode=True) if side is not None else None
    check_result(article_files(workdir, name, data, sidecar))


SLUG_PIECES = ["..", ".", "/", "\\", "%2e", "%2f", "CON", "nul", "Com1", "lpt9", "C:", "~", " ",
               "é", "\u202e", "\u200b", "\x00", "-", "_", "北京", "x" * 90]
hostile_slug = st.lists(st.sampled_from(SLUG_PIECES), max_size=10).map("".join)


@SETTINGS
@given(hostile_slug, hostile_slug, st.sampled_from(["slug", "headline", "both"]),
       st.sampled_from(["md", "txt"]))  # fmt: skip
@example("..", "...", "both", "md")
@example("", "\u202e\u200b", "headline", "txt")
def test_the_article_slug_is_never_empty_and_stays_in_its_folder(
    workdir: Path, slug: str, headline: str, which: str, fmt: str
) -> None:
    fields = {}
    if which in ("slug", "both"):
        fields["slug"] = slug
    if which in ("headline", "both"):
        fields["headline"] = headline
    name = "---." + fmt  # a file name with no letters: the slug must come from elsewhere
    front = yaml.safe_dump(fields, allow_unicode=True) if fields else ""
    data = f"---\n{front}---\n{headline or 'x'}\n\nBody\n".encode("utf-8", "surrogatepass")
    source = article_files(workdir, name, data, None)
    result = load_source(source, LoadOptions())
    if result.article is None:
        assert any(d.severity == "error" for d in result.diagnostics)
        return
    assert SLUG.match(result.article.slug)
    base = workdir / "out" / "2024" / "01" / "31"
    assert (base / result.article.slug).resolve().parent == base.resolve()


# ---------------------------------------------------------------------------
# Slugs, dates, text hygiene
# ---------------------------------------------------------------------------


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(), hostile_slug, hostile_text))
@example("con")
@example("COM1")
@example("x" * 300)
def test_slugs_are_url_safe_and_stay_inside_their_folder(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or SLUG.match(slug), slug
    assert len(slug) <= MAX_SLUG
    assert not WINDOWS_DEVICES.match(slug)
    assert slugify(slug) == slug if slug else True
    if slug:
        base = Path("/srv/site/tags")
        assert (base / slug).parent == base and (base / slug).name == slug


def _offsets() -> Iterator[timezone]:
    for hours in (-14, -12, 0, 12, 14):
        yield timezone(timedelta(hours=hours))


@SETTINGS
@given(st.one_of(
    any_text,
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.builds("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:00{}".format, st.integers(0, 9999),
              st.integers(0, 13), st.integers(0, 32), st.integers(0, 24), st.integers(0, 60),
              st.sampled_from(["", "Z", "+14:00", "-12:00", "+2359", "-99"])),
))  # fmt: skip
@example("9999-12-31T23:59:59-12:00")
@example("0001-01-01T00:00:00+14:00")
def test_accepted_dates_survive_time_zones_and_arithmetic(text: str) -> None:
    try:
        moment = coerce_datetime(text, timezone.utc)
    except CoercionError:
        return
    assert MIN_YEAR <= moment.astimezone(timezone.utc).year <= MAX_YEAR
    for zone in _offsets():
        moment.astimezone(zone)
    assert (moment + timedelta(days=36_500)).year > moment.year
    assert (moment - timedelta(days=36_500)).year < moment.year


@SETTINGS
@given(any_text)
def test_clean_text_is_visible_single_line_and_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert not INVISIBLE.search(cleaned)
    assert cleaned == cleaned.strip() and "  " not in cleaned and "\n" not in cleaned
    assert clean_text(cleaned) == cleaned


@SETTINGS
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text(alphabet="\t\n\r ab\x0b\x1c"))
def test_clean_text_skips_nothing_on_plain_ascii(text: str) -> None:
    """The shortcut for printable ASCII gives what the full cleaning gives."""
    assert clean_text(text) == meta._clean(text)


def test_metadata_budget_is_what_the_loaders_use() -> None:
    """The loaders refuse metadata past MAX_METADATA_VALUES (checked above on yamlio)."""
    text = "tags: [" + ", ".join(["a"] * MAX_METADATA_VALUES) + "]\n"
    with pytest.raises(SourceError, match="more than 10,000 values"):
        yamlio.load(text, "x.yaml", max_values=MAX_METADATA_VALUES)
    assert len(yamlio.load(text, "x.yaml")["tags"]) == MAX_METADATA_VALUES
