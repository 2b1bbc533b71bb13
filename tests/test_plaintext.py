"""The plain-text loader: the seed article, the BBC corpus, parse() units and encodings."""

from __future__ import annotations

import codecs
import html
import re
from pathlib import Path

import pytest

from broadsheet.loaders import LoadOptions, LoadResult, Source, load_source
from broadsheet.loaders.plaintext import is_chrome, parse
from conftest import shared_path

SEED_HEADLINE = "According to Xi, growth depends on new productive forces"
SEED_CHROME = (
    "Be the first to comment",
    "Leave a Reply",
    "Your email address will not be published.",
)
NO_TEXT = "file has no text; write the article or delete the file"


def load_file(path: Path, rel: str | None = None, **options: object) -> LoadResult:
    """Load one .txt file the way the build does."""
    return load_source(Source(path, rel or path.name, "txt"), LoadOptions(**options))  # type: ignore[arg-type]


def load_bytes(tmp_path: Path, name: str, data: bytes) -> LoadResult:
    path = tmp_path / name
    path.write_bytes(data)
    return load_file(path)


def words_of_html(body_html: str) -> list[str]:
    """The words of rendered HTML: tags become spaces, entities are unescaped."""
    return html.unescape(re.sub(r"<[^>]+>", " ", body_html)).split()


# ---------------------------------------------------------------------------
# The seed article
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> LoadResult:
    path = shared_path("seed", "000_9382e96ec20301d5.txt")
    return load_file(path, "seed/000_9382e96ec20301d5.txt")


def test_seed_loads_without_diagnostics(seed: LoadResult) -> None:
    assert [str(d) for d in seed.diagnostics] == []
    assert seed.article is not None


def test_seed_headline(seed: LoadResult) -> None:
    assert seed.article is not None
    assert seed.article.headline == SEED_HEADLINE


def test_seed_body_has_three_paragraphs(seed: LoadResult) -> None:
    assert seed.article is not None
    body = seed.article.body_html
    assert body.count("<p>") == 3
    assert body.count("</p>") == 3
    assert "<ul>" not in body
    assert body.startswith("<p>In order to achieve a high degree of sci-tech self-reliance")
    assert body.endswith("This involves leveraging disruptive and cutting-edge technology.</p>")


def test_seed_chrome_is_recorded_and_removed(seed: LoadResult) -> None:
    assert seed.article is not None
    assert seed.article.chrome == SEED_CHROME
    for line in SEED_CHROME:
        assert line not in seed.article.body_html
    assert "comment" not in seed.article.body_html.lower()


def test_seed_typography_is_kept_byte_for_byte(seed: LoadResult) -> None:
    assert seed.article is not None
    body = seed.article.body_html
    assert "China’s high-quality development" in body
    assert "the country’s high-quality development" in body
    assert "“A major increase in productivity" in body
    assert "industries.” Xi first brought up the phrase “new productive forces” in" in body
    for char in "’“”":
        assert char in body
    # Not re-encoded as entities or straightened into ASCII quotes.
    assert "&#" not in body
    assert "&rsquo;" not in body
    assert '"' not in body


def test_seed_summary_and_word_count(seed: LoadResult) -> None:
    assert seed.article is not None
    assert seed.article.summary.startswith("In order to achieve a high degree of sci-tech")
    assert seed.article.summary.endswith("all made contributions to the study session.")
    assert seed.article.word_count == len(words_of_html(seed.article.body_html))


# ---------------------------------------------------------------------------
# The BBC corpus: every file loads, nothing is lost
# ---------------------------------------------------------------------------


def _source_words(text: str, chrome: tuple[str, ...]) -> tuple[str, list[str]]:
    """The first non-blank line, and the words of every later line except chrome."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    headline, rest = lines[0], lines[1:]
    if chrome:
        assert tuple(rest[-len(chrome) :]) == chrome
        rest = rest[: -len(chrome)]
    words: list[str] = []
    for line in rest:
        line = re.sub(r"^[-*][ \t]+(?=\S)", "", line)
        words.extend(line.split())
    return headline, words


def test_bbc_corpus_loads_completely() -> None:
    corpus = shared_path("corpora", "bbc")
    files = sorted(corpus.rglob("*.txt"))
    assert len(files) >= 900, f"expected the 911 BBC articles, found {len(files)}"
    failures: list[str] = []
    for path in files:
        rel = path.relative_to(corpus).as_posix()
        result = load_file(path, rel)
        errors = [str(d) for d in result.diagnostics if d.severity == "error"]
        if errors or result.article is None:
            failures.append(f"{rel}: did not load: {errors}")
            continue
        article = result.article
        text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        headline, expected = _source_words(text, article.chrome)
        if article.headline != headline:
            failures.append(f"{rel}: headline {article.headline!r} != first line {headline!r}")
        got = words_of_html(article.body_html)
        if got != expected:
            at = next(
                (i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
                min(len(got), len(expected)),
            )
            failures.append(
                f"{rel}: body words differ from the source at word {at}: "
                f"body {got[at : at + 8]} vs source {expected[at : at + 8]} "
                f"({len(got)} vs {len(expected)} words)"
            )
        if article.word_count != len(expected):
            failures.append(f"{rel}: word_count {article.word_count} != {len(expected)}")
    assert not failures, f"{len(failures)} of {len(files)} files failed:\n" + "\n".join(
        failures[:20]
    )


# ---------------------------------------------------------------------------
# parse() units
# ---------------------------------------------------------------------------


def test_headline_is_first_non_blank_line_stripped() -> None:
    body = parse("\n\n   Council approves budget  \n\nThe council met.\n")
    assert body.headline == "Council approves budget"
    assert body.headline_line == 3
    assert body.html == "<p>The council met.</p>"


def test_headline_line_counts_from_first_line() -> None:
    assert parse("Headline\n\nBody.", first_line=7).headline_line == 7


def test_wrapped_paragraph_is_joined_with_single_spaces() -> None:
    body = parse("Headline\n\nThe council met\n   on Thursday  \n\tand agreed the budget.\n")
    assert body.html == "<p>The council met on Thursday and agreed the budget.</p>"
    assert body.summary == "The council met on Thursday and agreed the budget."


def test_whitespace_only_lines_separate_paragraphs() -> None:
    body = parse("Headline\n \t \nFirst paragraph.\n    \nSecond paragraph.\n\t\n\n")
    assert body.html == "<p>First paragraph.</p>\n<p>Second paragraph.</p>"


def test_several_blank_lines_are_one_separator() -> None:
    body = parse("Headline\n\n\n\nOne.\n\n\n\n\nTwo.")
    assert body.html == "<p>One.</p>\n<p>Two.</p>"


def test_dash_and_star_lines_become_one_list() -> None:
    text = "Headline\n\nThe plan:\n- new roads\n* a library\n - a bus lane\n  *\tparks\n\nAfter."
    body = parse(text)
    assert body.html == (
        "<p>The plan:</p>\n"
        "<ul><li>new roads</li><li>a library</li><li>a bus lane</li><li>parks</li></ul>\n"
        "<p>After.</p>"
    )
    assert body.html.count("<ul>") == 1


def test_list_item_wraps_onto_the_next_line() -> None:
    body = parse("Headline\n\n- a long item\n  that wraps\n- short\n")
    assert body.html == "<ul><li>a long item that wraps</li><li>short</li></ul>"


def test_hyphen_without_space_is_not_a_list() -> None:
    body = parse("Headline\n\n-5 degrees overnight.\n*Correction* issued.\n")
    assert body.html == "<p>-5 degrees overnight. *Correction* issued.</p>"


def test_sentence_containing_chrome_words_stays() -> None:
    text = "Headline\n\nReaders can Leave a Reply below the article.\n\nLeave a Reply\n"
    body = parse(text)
    assert body.html == "<p>Readers can Leave a Reply below the article.</p>"
    assert body.chrome == ("Leave a Reply",)


def test_chrome_in_the_middle_is_kept() -> None:
    text = (
        "Headline\n\nFirst paragraph.\n\nLeave a Reply\n\nShare this:\n\n"
        "A real closing paragraph.\n"
    )
    body = parse(text)
    assert body.html == (
        "<p>First paragraph.</p>\n<p>Leave a Reply</p>\n<p>Share this:</p>\n"
        "<p>A real closing paragraph.</p>"
    )
    assert body.chrome == ()


@pytest.mark.parametrize(
    "line",
    [
        "2 Comments",
        "Leave a Comment",
        "Required fields are marked *",
        "Cancel reply",
        "Share this:",
    ],
)
def test_chrome_variants_are_recognised(line: str) -> None:
    assert is_chrome(line)
    assert is_chrome(f"  {line.upper()}  ")


@pytest.mark.parametrize(
    "line",
    ["Please leave a reply", "Share prices fell", "Comments from readers were mixed."],
)
def test_ordinary_sentences_are_not_chrome(line: str) -> None:
    assert not is_chrome(line)


def test_trailing_chrome_variants_removed_in_order() -> None:
    text = (
        "Headline\n\nThe article.\n\n2 Comments\n\nLeave a Comment\n"
        "Required fields are marked *\n\n  Cancel reply  \n\nShare this:\n\n\n"
    )
    body = parse(text)
    assert body.html == "<p>The article.</p>"
    assert body.chrome == (
        "2 Comments",
        "Leave a Comment",
        "Required fields are marked *",
        "Cancel reply",
        "Share this:",
    )
    assert body.word_count == 2


def test_headline_and_chrome_only_keeps_headline() -> None:
    body = parse("Leave a Reply\n\nBe the first to comment\n\nLeave a Reply\n")
    assert body.headline == "Leave a Reply"
    assert body.html == ""
    assert body.chrome == ("Be the first to comment", "Leave a Reply")


def test_headline_followed_only_by_chrome() -> None:
    body = parse("Council meets\n\nShare this:\n\nLeave a Reply\n")
    assert body.headline == "Council meets"
    assert body.html == ""
    assert body.summary == ""
    assert body.word_count == 0
    assert body.chrome == ("Share this:", "Leave a Reply")


def test_no_comment_quote_at_the_end_is_real_text() -> None:
    text = "Minister silent\n\nAsked whether he would resign, the minister said:\n\nNo comment.\n"
    body = parse(text)
    assert body.html.endswith("<p>No comment.</p>")
    assert body.chrome == ()


def test_html_special_characters_are_escaped() -> None:
    body = parse("Headline\n\n<script>alert(1)</script> &amp; a < b > c & d\n")
    assert body.html == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; a &lt; b &gt; c &amp; d</p>"
    )
    assert "<script>" not in body.html
    # The summary is plain text, not HTML: it keeps the characters as written.
    assert body.summary == "<script>alert(1)</script> &amp; a < b > c & d"


def test_html_in_list_items_is_escaped() -> None:
    body = parse("Headline\n\n- <b>bold</b> & co\n")
    assert body.html == "<ul><li>&lt;b&gt;bold&lt;/b&gt; &amp; co</li></ul>"


def test_typography_kept_exactly() -> None:
    line = "“Quoted” and ‘single’ – en — em £5 €6 $7 don’t"
    body = parse(f"Prices “rise”\n\n{line}\n")
    assert body.headline == "Prices “rise”"
    assert body.html == f"<p>{line}</p>"
    assert body.html.encode("utf-8") == f"<p>{line}</p>".encode()


def test_word_count_counts_paragraphs_and_list_items_not_headline() -> None:
    body = parse(
        "Five words in the headline\n\nOne two three.\n\n- four five\n- six\n\nLeave a Reply"
    )
    assert body.word_count == 6


def test_summary_is_first_paragraph() -> None:
    body = parse("Headline\n\n- a list first\n\nThe first\nparagraph.\n\nSecond.")
    assert body.summary == "The first paragraph."


def test_empty_text_has_no_headline() -> None:
    body = parse("")
    assert body.headline is None
    assert body.html == ""


# ---------------------------------------------------------------------------
# Encodings and line endings, through load_source
# ---------------------------------------------------------------------------

FRENCH = (
    "Le café de la gare rouvre ses portes\n\n"
    "Après des mois de travaux, le café de la gare a rouvert ses portes mercredi. Les "
    "habitués étaient nombreux à se presser devant le comptoir, où la propriétaire, Hélène "
    "Dupré, servait elle-même les premiers cafés crème. « C'était long, mais ça valait la "
    "peine », a-t-elle déclaré, très émue.\n\n"
    "Le maire a salué une réussite pour le quartier et a promis que la place serait rénovée "
    "l'été prochain. Les travaux, d'un coût de 120 000 €, ont été financés en partie par la "
    "région.\n"
)
WESTERN = {"cp1252", "iso8859-1", "iso8859-15"}


def _assert_one_western_encoding_warning(result: LoadResult, name: str) -> None:
    assert [d.severity for d in result.diagnostics] == ["warning"], [
        str(d) for d in result.diagnostics
    ]
    warning = result.diagnostics[0]
    assert warning.path == name
    assert warning.line is None
    match = re.search(r"decoded as (\S+?)\.", warning.message)
    assert match, warning.message
    assert codecs.lookup(match.group(1)).name in WESTERN, warning.message
    assert "UTF-8" in warning.message


def test_cp1252_article_decodes_with_one_warning(tmp_path: Path) -> None:
    result = load_bytes(tmp_path, "cafe.txt", FRENCH.encode("cp1252"))
    assert result.article is not None
    assert result.article.headline == "Le café de la gare rouvre ses portes"
    assert "Hélène Dupré, servait elle-même les premiers cafés crème." in result.article.body_html
    assert "120 000 €" in result.article.body_html
    _assert_one_western_encoding_warning(result, "cafe.txt")


@pytest.mark.parametrize(
    "text",
    [
        "Prices up\n\nTea costs £2 – up from £1.50.\n",
        "Crème brûlée\n\nLe garçon a mangé une crème brûlée près de la fenêtre.\n",
        "Café reopens on the square\n\nThe café on the square reopened on Thursday after a "
        "long renovation, said its owner, Renée Dubois. Prices are unchanged, she said, and "
        "the terrace will open in the spring when the weather improves.\n",
    ],
    ids=["pound", "french", "english-with-accents"],
)
def test_short_cp1252_article_decodes_correctly(tmp_path: Path, text: str) -> None:
    result = load_bytes(tmp_path, "short.txt", text.encode("cp1252"))
    assert result.article is not None
    headline, body = text.split("\n\n", 1)
    assert result.article.headline == headline
    assert result.article.body_html == f"<p>{html.escape(body.strip(), quote=False)}</p>"
    _assert_one_western_encoding_warning(result, "short.txt")


def test_utf8_bom_is_dropped_without_warning(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + "Café reopens\n\nThe café reopened.\n".encode()
    result = load_bytes(tmp_path, "bom.txt", data)
    assert result.diagnostics == ()
    assert result.article is not None
    assert result.article.headline == "Café reopens"
    assert "\ufeff" not in result.article.headline
    assert "\ufeff" not in result.article.body_html
    assert result.article.body_html == "<p>The café reopened.</p>"


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "old-mac-cr"])
def test_windows_and_old_mac_line_endings(tmp_path: Path, newline: str) -> None:
    text = (
        "Council meets\n\nThe council met\non Thursday.\n\nIt agreed the budget.\n\nLeave a Reply\n"
    )
    result = load_bytes(tmp_path, "endings.txt", text.replace("\n", newline).encode())
    assert result.diagnostics == ()
    assert result.article is not None
    assert result.article.headline == "Council meets"
    assert result.article.body_html == (
        "<p>The council met on Thursday.</p>\n<p>It agreed the budget.</p>"
    )
    assert result.article.chrome == ("Leave a Reply",)
    assert "\r" not in result.article.body_html


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\t\n  \r\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b" \n"],
    ids=["empty", "whitespace", "bom-only", "bom-and-space"],
)
def test_file_without_text_is_one_error(tmp_path: Path, data: bytes) -> None:
    result = load_bytes(tmp_path, "blank.txt", data)
    assert result.article is None
    assert [str(d) for d in result.diagnostics] == [f"blank.txt: error: {NO_TEXT}"]
