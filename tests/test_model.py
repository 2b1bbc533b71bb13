"""Records: an article's body is kept compressed and reads back exactly."""

from __future__ import annotations

import pickle
import sys

import jinja2
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.model import Article, Html


@given(st.text() | st.sampled_from(["x", "\x00", "\x00x", "x\x9c", "\ud800 lone"]),
       st.booleans())
def test_html_reads_back_exactly(text: str, compress: bool) -> None:
    html = Html.of(text, compress)
    assert str(html) == text
    assert pickle.loads(pickle.dumps(html)) == html
    assert Html.of(text, compress) == html, "the same text packs the same (digests rely on it)"
    assert Html.of(text, not compress) != html, "the two forms are told apart"


def test_bodies_are_compressed_in_large_archives_only() -> None:
    from broadsheet.config import SiteConfig
    from broadsheet.pipeline import COMPRESS_ABOVE, load_options

    config = SiteConfig()
    assert not load_options(config, COMPRESS_ABOVE).compress_bodies
    assert load_options(config, COMPRESS_ABOVE + 1).compress_bodies


def test_a_body_takes_a_fraction_of_its_text_in_memory() -> None:
    paragraph = "<p>“The harbour wall will be finished by spring,” the council said.</p>\n"
    text = paragraph * 60
    assert sys.getsizeof(Html.of(text).packed) * 4 < sys.getsizeof(text)


def test_templates_see_the_body_as_markup() -> None:
    article = Article(source="a.md", format="md", slug="a", headline="A", summary="",
                      body=Html.of("<p>Fish &amp; chips</p>"))  # fmt: skip
    env = jinja2.Environment(autoescape=True)
    assert article.body_html == "<p>Fish &amp; chips</p>"
    assert env.from_string("{{ a.body }}|{{ a.body_html | safe }}").render(a=article) == (
        "<p>Fish &amp; chips</p>|<p>Fish &amp; chips</p>")  # fmt: skip
