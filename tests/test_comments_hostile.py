"""Hostile comments: whatever a commenter writes, the page gets no script, handler or bad link.

Payloads go through every path a comment takes to the page: the Markdown body
(:func:`render_body`), a stored comment file (name, website, body) loaded and
rendered by the theme's ``_comments.html``, and a submission imported into the
queue.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.comments import (
    MAX_BODY,
    clean_name,
    import_submissions,
    load_comments,
    pending,
    render_body,
    thread,
)
from broadsheet.config import SiteConfig
from broadsheet.render import make_environment
from conftest import write

SAFE_SCHEMES = ("http://", "https://", "mailto:")
#: What the body renderer may produce at all.
ALLOWED_TAGS = {"div", "p", "br", "em", "strong", "a", "blockquote", "code", "pre"}
BIDI_AND_ZERO_WIDTH = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u2060\ufeff"


def fragment(html: str) -> Any:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def assert_safe_body(html: str) -> Any:
    """Check rendered body HTML; return the parsed fragment."""
    root = fragment(html)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        assert element.tag in ALLOWED_TAGS, (element.tag, html)
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, html)
            assert name in ("href", "rel", "class"), (name, html)
            if name == "href":
                assert value.lower().startswith(SAFE_SCHEMES), (value, html)
                assert not any(ch.isspace() for ch in value), (value, html)
        if element.tag == "a":
            assert element.get("rel") == "nofollow ugc", html
            assert element.get("href"), html
    return root


def text(html: str) -> str:
    return str(fragment(html).text_content())


# --- Bodies ---------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (SCRIPT, SCRIPT),
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ('<a href="javascript:alert(1)">x</a>', '<a href="javascript:alert(1)">x</a>'),
        ("<div onmouseover='x'>hover</div>", "<div onmouseover='x'>hover</div>"),
        ("<!-- comment --><style>body{}</style>", "<!-- comment --><style>body{}</style>"),
        ("<svg/onload=alert(1)>", "<svg/onload=alert(1)>"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", SCRIPT),
        ("&#60;script&#62;", "<script>"),
        ("&amp;lt;b&amp;gt;", "&lt;b&gt;"),
        ("`<script>`", "<script>"),
        ("```html\n<script>alert(1)</script>\n```", SCRIPT),
        ("    <iframe src=x></iframe>", "<iframe src=x></iframe>"),
        ("<scr<script>ipt>alert(1)</script>", "<scr<script>ipt>alert(1)</script>"),
    ],
)  # fmt: skip
def test_raw_html_in_a_body_is_text(body: str, shown: str) -> None:
    html = render_body(body)
    assert_safe_body(html)
    assert shown in text(html)


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1)  )",
        "[click](&#106;avascript:alert(1))",
        "[click](&#x6A;avascript&#x3A;alert(1))",
        "[click](&#0000106avascript:alert(1))",
        "[click](java&#09;script:alert(1))",
        "[click](javascript&colon;alert(1))",
        "[click](\x01javascript:alert(1))",
        "[click](\u200bjavascript:alert(1))",
        "[click](java\u202escript:alert(1))",
        "[click](<javascript:alert(1)>)",
        "[click](<java script:alert(1)>)",
        "[click](javascript://%0aalert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](DATA:text/html,<script>alert(1)</script>)",
        "[click](data:image/png;base64,iVBORw0KGgo=)",
        "[click](vbscript:msgbox(1))",
        "[click](VBScript:msgbox(1))",
        "[click](file:///etc/passwd)",
        "[click](//evil.example/x)",
        "[click](/relative/path)",
        "[click](https:evil.example)",
        "[click](http:/evil.example)",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
        "[click][ref]\n\n[ref]: <data:text/html,x>",
        "[click]\n\n[click]: vbscript:x",
    ],
)
def test_links_to_unsafe_schemes_keep_only_their_text(link: str) -> None:
    html = render_body(link)
    root = assert_safe_body(html)
    assert root.xpath("//a") == []
    assert "click" in text(html)


@pytest.mark.parametrize(
    "autolink",
    [
        "<javascript:alert(1)>",
        "<JAVASCRIPT:alert(1)>",
        "<vbscript:msgbox(1)>",
        "<data:text/html,x>",
        "<&#106;avascript:alert(1)>",
        "<java\tscript:alert(1)>",
        "<javascript\x00:alert(1)>",
    ],
)
def test_autolinks_to_unsafe_schemes_are_text(autolink: str) -> None:
    html = render_body(autolink)
    root = assert_safe_body(html)
    assert root.xpath("//a") == []
    assert "alert(1)" in text(html) or "msgbox(1)" in text(html) or "text/html" in text(html)


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[x](https://example.org/a?b=1&c=2)", "https://example.org/a?b=1&c=2"),
        ("[x](HTTP://EXAMPLE.ORG/)", "HTTP://EXAMPLE.ORG/"),
        ("[x](mailto:ed@example.org)", "mailto:ed@example.org"),
        ("<https://example.org/x>", "https://example.org/x"),
        ("<ed@example.org>", "mailto:ed@example.org"),
        ('[x](<https://example.org/" onmouseover="alert(1)>)',
         "https://example.org/%22%20onmouseover=%22alert(1)"),
        ("[x](https://example.org/'onmouseover='alert(1))",
         "https://example.org/'onmouseover='alert(1)"),
        ("[x](https://example.org/<script>)", "https://example.org/%3Cscript%3E"),
        ("[x](https://exämple.org/ü)", "https://xn--exmple-cua.org/%C3%BC"),
    ],
)  # fmt: skip
def test_safe_links_are_kept_with_nofollow_ugc(source: str, href: str) -> None:
    html = render_body(source)
    root = assert_safe_body(html)
    (anchor,) = root.xpath("//a")
    assert anchor.get("href") == href
    assert anchor.get("rel") == "nofollow ugc"
    assert len(anchor.attrib) == 2


def test_attribute_injection_through_a_link_title_goes_nowhere() -> None:
    html = render_body('[x](https://example.org/ "a\\" onmouseover=\\"alert(1)")')
    (anchor,) = assert_safe_body(html).xpath("//a")
    assert set(anchor.attrib) == {"href", "rel"}


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("![a cat](https://example.org/cat.png)", "a cat"),
        ("![x](javascript:alert(1))", "x"),
        ('![alt" onerror="alert(1)](x.png)', 'alt" onerror="alert(1)'),
        ("![*emphasised* alt](data:image/png;base64,AAAA)", "emphasised alt"),
        ("[![inner](https://example.org/i.png)](https://example.org/)", "inner"),
    ],
)
def test_images_become_their_alt_text(source: str, shown: str) -> None:
    html = render_body(source)
    root = assert_safe_body(html)
    assert root.xpath("//img") == []
    assert text(html).strip() == shown


def test_headings_tables_and_lists_stay_paragraph_text() -> None:
    html = render_body("# Big\n\nSetext\n===\n\n| a | b |\n|---|---|\n\n- item\n1. one\n\n***")
    root = assert_safe_body(html)
    assert {e.tag for e in root.iter()} <= {"div", "p", "br"}
    for piece in ("# Big", "Setext", "===", "| a | b |", "- item", "1. one", "***"):
        assert piece in text(html)


def test_code_blocks_carry_the_wrapping_class_and_no_language_attribute() -> None:
    html = render_body('```js" onclick="alert(1)\nlet a = "<b>";\n```\n\n    indented')
    root = assert_safe_body(html)
    blocks = root.xpath("//pre")
    assert [b.get("class") for b in blocks] == ["comment-code", "comment-code"]
    assert root.xpath("//code[@class]") == []
    assert 'let a = "<b>";' in text(html)


def test_a_10000_character_word_is_kept_whole_in_one_text_node() -> None:
    word = "a" * MAX_BODY
    html = render_body(word)
    root = assert_safe_body(html)
    (paragraph,) = root.xpath("//p")
    assert paragraph.text == word
    assert len(paragraph) == 0  # nothing inserted into the word
    assert "style" not in html and "nowrap" not in html


@pytest.mark.parametrize(
    "nasty",
    ["*a" * 5000, "[" * 10000, ">" * 10000, "`" * 10000, "<" * 10000, "![" * 5000,
     "[a](" * 2500, "_" * 10000, "&#" * 5000, "\\" * 10000, "- " * 5000, "*a**" * 2500],
)  # fmt: skip
def test_pathological_bodies_render_quickly_and_safely(nasty: str) -> None:
    started = time.perf_counter()
    html = render_body(nasty)
    assert time.perf_counter() - started < 2.0
    assert_safe_body(html)


def test_bidi_overrides_and_zero_width_characters_are_removed() -> None:
    body = "Price: \u202e0001$\u202c and ad\u200bmin, pay\u2060pal, \ufeffx, \u2066iso\u2069"
    html = render_body(body)
    assert not set(BIDI_AND_ZERO_WIDTH) & set(html)
    assert text(html).strip() == "Price: 0001$ and admin, paypal, x, iso"


def test_joiners_survive_inside_scripts_that_need_them() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ between letters
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # ZWJ emoji sequence
    html = render_body(f"{persian} {family} pay\u200dpal \u200c")
    shown = text(html).strip()
    assert persian in shown and family in shown
    assert "paypal" in shown
    assert not shown.endswith("\u200c")


def test_names_lose_every_invisible_character() -> None:
    assert clean_name(" Ad\u200dmin\u202e \u200b \n Team\u0007 ") == "Admin Team"


# --- Stored comments through the theme --------------------------------------------------------

SLUG = "harbour-wall-repairs"

HOSTILE_NAMES = [
    SCRIPT,
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    "</bdi></a><script>alert(1)</script>",
    "{{ 7 * 7 }}",
    "Admin\u202e\u2066 (moderator)",
]
HOSTILE_WEBSITES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
    'https://example.org/" onmouseover="alert(1)',
    "https://example.org/\u202e",
]


def store(site: Path, number: int, name: str, website: str, body: str) -> None:
    record = {"id": f"c{number:03d}", "name": name, "website": website,
              "date": f"2024-01-01T10:{number:02d}:00Z", "body": body}  # fmt: skip
    write(site / "content" / "comments" / SLUG / f"c{number:03d}.yaml", json.dumps(record))


def render(site: Path) -> tuple[str, list[str]]:
    found, diagnostics = load_comments(site / "content", site, known_slugs={SLUG})
    nodes = thread(found[SLUG])
    env = make_environment(SiteConfig(root=site))
    from broadsheet.model import Article, Html

    article = Article(source="x.md", format="md", slug=SLUG, headline="H", summary="",
                      body=Html.of(""), url=f"2023/03/14/{SLUG}/")  # fmt: skip
    html = env.get_template("_comments.html").render(
        article=article, root="../../../../", comments_thread=nodes,
        comment_count=len(found[SLUG]), comments_open=True,
        comment_feed_url=f"2023/03/14/{SLUG}/comments.xml")  # fmt: skip
    return html, [str(d) for d in diagnostics]


def test_hostile_names_websites_and_bodies_render_safely(tmp_path: Path) -> None:
    bodies = ["[x](javascript:alert(1))", SCRIPT, "<javascript:alert(1)>", "![i](x.png)"]
    number = 0
    for name in HOSTILE_NAMES:
        for website in HOSTILE_WEBSITES:
            store(tmp_path, number, name, website, bodies[number % len(bodies)])
            number += 1
    html, _ = render(tmp_path)
    root = lxml.html.fragment_fromstring(html)
    for tag in ("script", "style", "img", "iframe", "object", "embed", "svg", "math", "base"):
        assert root.xpath(f"//{tag}") == [], tag
    for element in root.iter():
        if isinstance(element.tag, str):
            assert not [a for a in element.attrib if a.lower().startswith("on")], element.attrib
    for href in root.xpath("//@href"):
        assert href.startswith(("#", "../../../../", "http://", "https://", "mailto:")), href
        assert not any(ch.isspace() for ch in href)
    for anchor in root.xpath("//*[@class='comment__author']//a | //*[@class='comment__body']//a"):
        assert anchor.get("rel") == "nofollow ugc"
    # Every name is there, as text: escaped, not interpreted.
    authors = [a.text_content() for a in root.xpath("//*[@class='comment__author']")]
    assert set(authors) == {clean_name(n) for n in HOSTILE_NAMES}
    assert "Admin (moderator)" in authors
    assert "{{ 7 * 7 }}" in authors
    assert not set(BIDI_AND_ZERO_WIDTH) & set(html)
    options = [o.text_content() for o in root.xpath("//option")]
    assert any(o.startswith(SCRIPT) for o in options)


def test_only_http_websites_become_links(tmp_path: Path) -> None:
    for number, website in enumerate(HOSTILE_WEBSITES):
        store(tmp_path, number, f"N{number}", website, "hi")
    store(tmp_path, 50, "Good", "https://good.example/ü?q=1&r='2'", "hi")
    html, diagnostics = render(tmp_path)
    root = lxml.html.fragment_fromstring(html)
    links = [a.get("href") for a in root.xpath("//*[@class='comment__author']//a")]
    assert links == ["https://good.example/%C3%BC?q=1&r='2'"]
    assert len(diagnostics) == len(HOSTILE_WEBSITES)
    assert all(": warning: website: " in d for d in diagnostics)


def test_hostile_anchor_ids_cannot_be_stored(tmp_path: Path) -> None:
    for number, bad in enumerate(['x" onclick="alert(1)', "a b", "../x", "<b>", "email"]):
        write(tmp_path / "content" / "comments" / SLUG / f"{number}.yaml",
              json.dumps({"id": bad, "name": "N", "date": "2024-01-01", "body": "b"}))
    found, diagnostics = load_comments(tmp_path / "content", tmp_path)
    assert found == {}
    assert len(diagnostics) == 5
    assert all(": error: id: " in str(d) for d in diagnostics)


# --- Submissions ------------------------------------------------------------------------------


def test_hostile_submissions_are_rejected_or_neutralised(tmp_path: Path) -> None:
    base = {"email": "a@example.org", "slug": SLUG}
    submissions = [
        {**base, "name": "Ok", "message": "x", "url": "javascript:alert(1)"},
        {**base, "name": "Ok", "message": "x", "url": "data:text/html,x"},
        {**base, "name": "Ok", "message": "x", "url": "https://a.example/ x"},
        {**base, "name": "Ok", "message": "x", "email": "a@example.org\nBcc: b@example.org"},
        {**base, "name": "Ok", "message": "x", "slug": "../../../etc"},
        {**base, "name": "Ok", "message": "x", "parent": "x\" onclick=\"y"},
        {**base, "name": "\u202eNimda\u200b\x1b[2J", "message": "Hi\u202e there\x00"},
    ]
    source = write(tmp_path / "in.json", json.dumps(submissions))
    report = import_submissions([source], tmp_path, {SLUG}, _now())
    assert [o.status for o in report.outcomes] == ["rejected"] * 6 + ["accepted"]
    (item,) = pending(tmp_path)
    assert item.name == "Nimda[2J"
    assert item.body == "Hi there"
    stored = next((tmp_path / "content" / "comments" / "_pending").glob("*.yaml"))
    raw = stored.read_text(encoding="utf-8")
    assert not set(BIDI_AND_ZERO_WIDTH + "\x1b\x00") & set(raw)


def _now() -> Any:
    from datetime import datetime, timezone

    return datetime(2025, 1, 1, tzinfo=timezone.utc)


# --- Fuzzing --------------------------------------------------------------------------------

PIECES = ["<", ">", "&", '"', "'", "`", "*", "_", "[", "]", "(", ")", "!", ":", "\\", "\n",
          " ", "#", ";", "=", "javascript", "JavaScript", "data", "vbscript", "script", "on",
          "mouseover", "&#106;", "&#x3A;", "&colon;", "http", "https", "//", "mailto",
          "\u202e", "\u200b", "\t", "\x00", "img", "src", "a", "href", "<", "x"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_fuzzed_bodies_are_always_safe(pieces: list[str]) -> None:
    assert_safe_body(render_body("".join(pieces)))
