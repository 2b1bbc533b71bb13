"""Coverage-guided fuzz target for the plain-text loader (atheris).

Feeds arbitrary bytes through the same path a ``.txt`` article takes: bytes ->
:func:`broadsheet.loaders.decode.decode` -> front matter split ->
:func:`broadsheet.loaders.plaintext.parse`, and also through
:func:`broadsheet.loaders.load_source` on a real file.  A finding is any
exception other than the documented :class:`~broadsheet.errors.SourceError`,
a broken invariant (asserted below), or a single input that takes longer than
libFuzzer's ``-timeout``.

Run it (see fuzz/README.md)::

    pip install atheris
    python fuzz/fuzz_plaintext.py -max_total_time=60 -timeout=10 fuzz/corpus

The test suite does not depend on atheris: tests/test_properties.py covers the
same functions with hypothesis.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from html import unescape
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from broadsheet.errors import SourceError
    from broadsheet.loaders import LoadOptions, Source, load_source, plaintext
    from broadsheet.loaders.decode import decode
    from broadsheet.loaders.meta import split_front_matter

#: The only markup plain text may produce.
_OWN_TAGS = re.compile(r"</?(?:p|ul|li)>")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WORK = Path(tempfile.mkdtemp(prefix="broadsheet-fuzz-"))
_FILE = _WORK / "article.txt"
_OPTIONS = LoadOptions()


def check_parse(text: str) -> None:
    """Invariants of plaintext.parse on any text."""
    body = plaintext.parse(text)
    leftover = _OWN_TAGS.sub("", body.html)
    assert "<" not in leftover and ">" not in leftover, "unescaped markup in the body"
    if body.headline is not None:
        assert body.headline.strip() == body.headline and body.headline, "ragged headline"
        assert "\n" not in body.headline
    assert body.word_count >= 0
    # Never a word lost: every visible character comes out, in order, in the
    # headline, the body or the recorded chrome (list markers aside).
    def visible(s: str) -> str:
        return "".join(ch for ch in s if not ch.isspace())

    expected = []
    headline_seen = False
    for line in text.split("\n"):
        stripped = line.strip()
        # The first line with text is the headline, kept whole; later lines lose
        # a list marker ("- ", "* ").
        marker = plaintext._LIST_ITEM.match(stripped) if headline_seen else None
        headline_seen = headline_seen or bool(stripped)
        expected.append(visible(stripped[marker.end() :] if marker else stripped))
    produced = visible(body.headline or "") + visible(unescape(leftover)) + visible(
        "".join(body.chrome)
    )
    assert produced == "".join(expected), "text lost or reordered"


def TestOneInput(data: bytes) -> None:
    try:
        text, _ = decode(data, "fuzz.txt")
    except SourceError:
        return
    try:
        _, _, body_text, _ = split_front_matter(text, "fuzz.txt")
    except SourceError:
        body_text = text
    check_parse(text)
    check_parse(body_text)
    _FILE.write_bytes(data)
    result = load_source(Source(_FILE, "content/article.txt", "txt"), _OPTIONS)
    if result.article is None:
        assert any(d.severity == "error" for d in result.diagnostics), "failed without an error"
    else:
        assert _SLUG.match(result.article.slug), result.article.slug
        assert "\x00" not in result.article.headline


def main() -> None:
    os.environ.setdefault("PYTHONHASHSEED", "0")
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
