"""Comments: storage, threads, counts, closing, the comment feed, import and moderation."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from broadsheet import comments
from broadsheet.build import build, load_articles
from broadsheet.cli_comments import comments_group
from broadsheet.comments import (
    MAX_BODY,
    MAX_DEPTH,
    Comment,
    ThreadNode,
    approve,
    comment_feed,
    comment_feed_url,
    count_label,
    email_hash,
    import_submissions,
    is_open,
    load_comments,
    pending,
    reject,
    thread,
    walk,
)
from broadsheet.config import CommentsConfig, FeedsConfig, SiteConfig, load_config
from broadsheet.errors import Diagnostic, Diagnostics
from broadsheet.model import Article, Html
from broadsheet.render import make_environment
from conftest import shared_path, write

UTC = timezone.utc
NOW = datetime(2025, 7, 9, 12, 0, tzinfo=UTC)
SLUG = "harbour-wall-repairs"
EMAIL = "Maren.Holt@Example.org"


# --- Helpers --------------------------------------------------------------------------------


def comment_file(site: Path, slug: str, name: str, text: str) -> Path:
    return write(site / "content" / "comments" / slug / name, text)


GOOD = f"""\
id: 3fa9c0e1b2
name: Maren Holt
website: https://maren.example/blog
date: 2024-06-21T09:30:00+01:00
email_hash: {email_hash(EMAIL)}
body: |
  Good to see the *harbour* wall fixed.

  > Work will begin next month
"""


def make(
    comment_id: str, minute: int, reply_to: str | None = None, name: str | None = None
) -> Comment:
    return Comment(
        id=comment_id, article=SLUG, name=name or f"Reader {comment_id}", website=None,
        date=datetime(2024, 1, 1, 12, minute, tzinfo=UTC), body_html=f"<p>{comment_id}</p>\n",
        reply_to=reply_to, email_hash=None, source=f"content/comments/{SLUG}/{comment_id}.yaml",
    )  # fmt: skip


def article(**changes: Any) -> Article:
    values: dict[str, Any] = {
        "source": "content/news/x.md", "format": "md", "slug": SLUG,
        "headline": "Harbour wall repairs", "summary": "", "body": Html.of("<p>x</p>"),
        "date": datetime(2024, 6, 1, 9, 0, tzinfo=UTC), "url": f"2024/06/01/{SLUG}/",
    }  # fmt: skip
    values.update(changes)
    return Article(**values)


def shape(nodes: tuple[ThreadNode, ...]) -> list[Any]:
    """A thread as nested lists of ``(id, depth)`` for compact comparison."""
    return [((n.comment.id, n.depth), shape(n.replies)) if n.replies else (n.comment.id, n.depth)
            for n in nodes]  # fmt: skip


def xp(element: Any, path: str) -> list[Any]:
    """Elements matching an XPath below ``element``."""
    found: list[Any] = element.xpath(path)
    return found


def messages(diagnostics: list[Diagnostic]) -> list[str]:
    return [str(d) for d in diagnostics]


# --- Storage --------------------------------------------------------------------------------


def test_a_good_comment_file_is_read(tmp_path: Path) -> None:
    comment_file(tmp_path, SLUG, "20240621T083000Z-3fa9c0e1b2.yaml", GOOD)
    found, diagnostics = load_comments(tmp_path / "content", tmp_path)
    assert diagnostics == []
    (comment,) = found[SLUG]
    assert comment.id == "3fa9c0e1b2"
    assert comment.article == SLUG
    assert comment.name == "Maren Holt"
    assert comment.website == "https://maren.example/blog"
    assert comment.date == datetime(2024, 6, 21, 8, 30, tzinfo=UTC)
    assert comment.date.tzinfo == UTC
    assert comment.email_hash == email_hash(EMAIL)
    assert comment.reply_to is None
    assert comment.source == f"content/comments/{SLUG}/20240621T083000Z-3fa9c0e1b2.yaml"
    assert comment.body_html == (
        "<p>Good to see the <em>harbour</em> wall fixed.</p>\n"
        "<blockquote>\n<p>Work will begin next month</p>\n</blockquote>\n"
    )


def test_comments_are_in_date_order_and_dates_without_offset_are_utc(tmp_path: Path) -> None:
    comment_file(tmp_path, SLUG, "b.yaml", "id: b\nname: B\ndate: 2024-01-02 10:00\nbody: x\n")
    comment_file(tmp_path, SLUG, "a.yaml", "id: a\nname: A\ndate: 2024-01-03\nbody: x\n")
    comment_file(tmp_path, SLUG, "c.yaml",
                 "id: c\nname: C\ndate: 2024-01-02T11:00:00+02:00\nbody: x\n")  # fmt: skip
    found, _ = load_comments(tmp_path / "content", tmp_path)
    assert [c.id for c in found[SLUG]] == ["c", "b", "a"]
    assert found[SLUG][1].date == datetime(2024, 1, 2, 10, 0, tzinfo=UTC)


def test_pending_rejected_and_hidden_folders_are_not_published(tmp_path: Path) -> None:
    for folder in ("_pending", "_rejected", ".git"):
        comment_file(tmp_path, folder, "x.yaml", "id: x\nname: X\ndate: 2024-01-01\nbody: x\n")
    found, diagnostics = load_comments(tmp_path / "content", tmp_path)
    assert found == {}
    assert diagnostics == []


def test_no_comments_folder_is_fine(tmp_path: Path) -> None:
    assert load_comments(tmp_path / "content", tmp_path) == ({}, [])


def test_malformed_yaml_is_reported_with_path_and_line_and_skipped(tmp_path: Path) -> None:
    comment_file(tmp_path, SLUG, "1.yaml", 'id: abc\nname: "Unclosed\ndate: 2024-01-01\n')
    comment_file(tmp_path, SLUG, "2.yaml", "id: ok\nname: Fine\ndate: 2024-01-01\nbody: hi\n")
    found, diagnostics = load_comments(tmp_path / "content", tmp_path)
    assert messages(diagnostics) == [
        f"content/comments/{SLUG}/1.yaml:2:7: error: invalid YAML: a quoted string opened "
        "here is never closed"
    ]
    assert [c.id for c in found[SLUG]] == ["ok"]


def test_missing_fields_are_named(tmp_path: Path) -> None:
    comment_file(tmp_path, SLUG, "3.yaml", "id: abe\nname: X\n")
    found, diagnostics = load_comments(tmp_path / "content", tmp_path)
    assert found == {}
    assert messages(diagnostics) == [
        f"content/comments/{SLUG}/3.yaml: error: missing date, body: a comment needs id, "
        "name, date and body"
    ]


def test_a_bad_date_is_reported_at_its_line(tmp_path: Path) -> None:
    comment_file(tmp_path, SLUG, "2.yaml", "id: abd\nname: X\ndate: 2024-13-45\nbody: hi\n")
    _, diagnostics = load_comments(tmp_path / "content", tmp_path)
    assert messages(diagnostics) == [
        f"content/comments/{SLUG}/2.yaml:3: error: date: '2024-13-45' is not a real date or "
        "time (month must be in 1..12)"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "1: error: a comment file must be a mapping of keys to values"),
        ("id: a b\nname: X\ndate: 2024-01-01\nbody: x\n", "1: error: id: 'a b' is not an id"),
        ("id: name\nname: X\ndate: 2024-01-01\nbody: x\n", "1: error: id: 'name' is reserved"),
        ("id: a\nname: '\u200b\u202e'\ndate: 2024-01-01\nbody: x\n",
         "2: error: name: is empty once invisible characters are removed"),
        ("id: a\nname: [X]\ndate: 2024-01-01\nbody: x\n", "2: error: name: expected text"),
        ("id: a\nname: X\ndate: 2024-01-01\nbody: '   '\n", "4: error: body: is empty"),
        ("id: a\nname: X\ndate: 20240101\nbody: x\n", "3: error: date: expected a date"),
        ("id: a\narticle: ../x\nname: X\ndate: 2024-01-01\nbody: x\n",
         "2: error: article: '../x' is not an article slug"),
    ],
)  # fmt: skip
def test_other_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    comment_file(tmp_path, SLUG, "f.yaml", text)
    found, diagnostics = load_comments(tmp_path / "content", tmp_path)
    assert found == {}
    assert len(diagnostics) == 1
    assert str(diagnostics[0]).startswith(f"content/comments/{SLUG}/f.yaml:{message}")


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "content" / "comments" / SLUG / "x.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"id: x\nname: J\xf6rg\ndate: 2024-01-01\nbody: x\n")
    _, diagnostics = load_comments(tmp_path / "content", tmp_path)
    assert messages(diagnostics) == [
        f"content/comments/{SLUG}/x.yaml: error: not UTF-8 text; save the file as UTF-8"
    ]


def test_minor_problems_are_warnings_and_the_comment_is_kept(tmp_path: Path) -> None:
    text = ("id: w\nname: W\ndate: 2024-01-01\nbody: hi\nfoo: 1\nwebsite: javascript:x\n"
            "email_hash: w@example.org\nreply_to: '../x'\n")  # fmt: skip
    comment_file(tmp_path, SLUG, "w.yaml", text)
    found, diagnostics = load_comments(tmp_path / "content", tmp_path)
    (comment,) = found[SLUG]
    assert (comment.website, comment.email_hash, comment.reply_to) == (None, None, None)
    shown = f"content/comments/{SLUG}/w.yaml"
    assert messages(diagnostics) == [
        f"{shown}:5: warning: foo: unknown key, ignored; comment files have id, article, name, "
        "website, date, reply_to, email_hash, body",
        f"{shown}:6: warning: website: 'javascript:x' is not an http or https address; the "
        "name is shown without a link",
        f"{shown}:7: warning: email_hash: holds an email address, which must not be stored: "
        "replace it with its SHA-256 hash (import does this)",
        f"{shown}:8: warning: reply_to: '../x' is not a comment id; shown at the top level",
    ]


def test_a_duplicate_id_in_one_folder_is_skipped(tmp_path: Path) -> None:
    comment_file(tmp_path, SLUG, "1.yaml", "id: d\nname: First\ndate: 2024-01-01\nbody: x\n")
    comment_file(tmp_path, SLUG, "2.yaml", "id: d\nname: Second\ndate: 2024-01-02\nbody: x\n")
    found, diagnostics = load_comments(tmp_path / "content", tmp_path)
    assert [c.name for c in found[SLUG]] == ["First"]
    assert messages(diagnostics) == [
        f"content/comments/{SLUG}/2.yaml: error: id: 'd' is already used by "
        f"content/comments/{SLUG}/1.yaml; skipped"
    ]


def test_comments_for_an_unknown_article_get_one_warning_per_folder(tmp_path: Path) -> None:
    for name in ("1.yaml", "2.yaml"):
        comment_file(tmp_path, "gone", name, f"id: {name[0]}\nname: X\ndate: 2024-01-01\nbody: x\n")
    comment_file(tmp_path, SLUG, "1.yaml", "id: k\nname: K\ndate: 2024-01-01\nbody: x\n")
    found, diagnostics = load_comments(tmp_path / "content", tmp_path, known_slugs={SLUG})
    assert list(found) == [SLUG]
    assert messages(diagnostics) == [
        "content/comments/gone: warning: no article has the slug 'gone'; its 2 comments are "
        "not shown"
    ]


# --- Threads --------------------------------------------------------------------------------


def test_replies_nest_under_their_parents_in_date_order() -> None:
    given = [make("c", 30), make("a", 10), make("r2", 25, "a"), make("r1", 20, "a"),
             make("rr", 40, "r1"), make("b", 15)]  # fmt: skip
    diagnostics: list[Diagnostic] = []
    nodes = thread(given, diagnostics)
    assert shape(nodes) == [
        (("a", 1), [(("r1", 2), [("rr", 3)]), ("r2", 2)]),
        ("b", 1),
        ("c", 1),
    ]
    assert diagnostics == []
    assert [n.comment.id for n in walk(nodes)] == ["a", "r1", "rr", "r2", "b", "c"]
    assert all(n.in_reply_to is None for n in walk(nodes))


def test_deep_replies_are_shown_at_the_depth_cap() -> None:
    chain = [make("c1", 1)] + [make(f"c{i}", i, f"c{i - 1}") for i in range(2, 8)]
    nodes = thread(chain)
    assert MAX_DEPTH == 4
    assert shape(nodes) == [
        (("c1", 1), [(("c2", 2), [(("c3", 3), [("c4", 4), ("c5", 4), ("c6", 4), ("c7", 4)])])])
    ]
    flat = nodes[0].replies[0].replies[0].replies
    assert flat[0].in_reply_to is None  # directly below its parent
    assert [n.in_reply_to.id if n.in_reply_to else None for n in flat[1:]] == ["c4", "c5", "c6"]
    assert max(n.depth for n in walk(nodes)) == MAX_DEPTH


def test_flattened_replies_are_in_date_order_across_branches() -> None:
    given = [make("a", 1), make("b", 2, "a"), make("c", 3, "b"), make("d1", 4, "c"),
             make("e1", 9, "d1"), make("d2", 5, "c"), make("e2", 6, "d2")]  # fmt: skip
    nodes = thread(given)
    third = nodes[0].replies[0].replies[0]
    assert [n.comment.id for n in third.replies] == ["d1", "d2", "e2", "e1"]


def test_a_reply_to_an_unknown_comment_is_shown_at_the_top_level_with_a_warning() -> None:
    diagnostics: list[Diagnostic] = []
    nodes = thread([make("a", 1), make("orphan", 2, "missing")], diagnostics)
    assert shape(nodes) == [("a", 1), ("orphan", 1)]
    assert messages(diagnostics) == [
        f"content/comments/{SLUG}/orphan.yaml: warning: reply_to: answers 'missing', which is "
        "not a comment here; shown at the top level"
    ]


def test_self_replies_and_reply_loops_do_not_hide_comments() -> None:
    diagnostics: list[Diagnostic] = []
    nodes = thread([make("s", 1, "s"), make("x", 2, "z"), make("y", 3, "x"),
                    make("z", 4, "y")], diagnostics)  # fmt: skip
    assert shape(nodes) == [("s", 1), (("x", 1), [(("y", 2), [("z", 3)])])]
    assert [d.severity for d in diagnostics] == ["warning", "warning"]
    assert "answers itself" in diagnostics[0].message
    assert "loop (x -> z -> y)" in diagnostics[1].message


def test_an_empty_thread() -> None:
    assert thread([]) == ()


# --- Counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "label"),
    [(0, "Be the first to comment"), (1, "1 Comment"), (2, "2 Comments"), (1000, "1000 Comments")],
)
def test_count_label(n: int, label: str) -> None:
    assert count_label(n) == label


def test_count_label_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        count_label(-1)


# --- Opening and closing ----------------------------------------------------------------------


def site(days: int | None = None, **changes: Any) -> SiteConfig:
    return SiteConfig(comments=CommentsConfig(close_after_days=days), **changes)


def test_comments_closed_in_the_article_are_closed() -> None:
    assert not is_open(article(comments="closed"), site(), NOW)
    assert is_open(article(), site(), NOW)


def test_comments_close_after_the_configured_days() -> None:
    published = article(date=datetime(2024, 6, 1, 9, 0, tzinfo=UTC))
    closing = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
    assert is_open(published, site(30), closing - timedelta(seconds=1))
    assert not is_open(published, site(30), closing)
    assert not is_open(published, site(30), closing + timedelta(days=400))
    assert is_open(published, site(None), closing + timedelta(days=400))


def test_closing_compares_instants_across_time_zones() -> None:
    published = article(date=datetime(2024, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=2))))
    assert is_open(published, site(1), datetime(2024, 6, 2, 6, 59, tzinfo=UTC))
    assert not is_open(published, site(1), datetime(2024, 6, 2, 7, 0, tzinfo=UTC))


def test_undated_articles_follow_only_their_own_setting() -> None:
    assert is_open(article(date=None), site(1), NOW)
    assert not is_open(article(date=None, comments="closed"), site(1), NOW)


def test_is_open_needs_an_aware_time() -> None:
    with pytest.raises(ValueError):
        is_open(article(), site(1), datetime(2024, 1, 1))


# --- The comment feed -----------------------------------------------------------------------

FEED_SITE = SiteConfig(base_url="https://courier.example/", title="The Courier")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(file=str(shared_path("schemas", "atom.rng")))


def feed_comments() -> list[Comment]:
    first = make("a1", 1, name="Ann <Admin>")
    second = Comment(**{**{f: getattr(make("b2", 2, "a1"), f) for f in Comment.__slots__},
                        "website": "https://b.example/", "body_html": "<p>x &amp; <em>y</em></p>"})
    return [first, second]


@pytest.mark.parametrize("base_url", ["https://courier.example/", "/"])
def test_the_comment_feed_is_valid_atom(atom_schema: etree.RelaxNG, base_url: str) -> None:
    config = SiteConfig(base_url=base_url)
    for items in (feed_comments(), []):
        text = comment_feed(article(), items, config)
        document = etree.fromstring(text.encode("utf-8"))
        assert atom_schema.validate(document), atom_schema.error_log


def test_the_comment_feed_lists_comments_newest_first() -> None:
    text = comment_feed(article(), feed_comments(), FEED_SITE)
    document = etree.fromstring(text.encode("utf-8"))
    entries = document.findall(f"{ATOM}entry")
    url = f"https://courier.example/2024/06/01/{SLUG}/"
    assert document.findtext(f"{ATOM}title") == "Comments on Harbour wall repairs"
    assert document.findtext(f"{ATOM}id") == url + "#comments"
    assert document.findtext(f"{ATOM}updated") == "2024-01-01T12:02:00+00:00"
    self_link = document.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == url + "comments.xml"
    assert [e.findtext(f"{ATOM}id") for e in entries] == [url + "#comment-b2", url + "#comment-a1"]
    assert entries[1].findtext(f"{ATOM}author/{ATOM}name") == "Ann <Admin>"
    assert entries[0].findtext(f"{ATOM}author/{ATOM}uri") == "https://b.example/"
    assert entries[0].findtext(f"{ATOM}content") == "<p>x &amp; <em>y</em></p>"
    assert entries[0].find(f"{ATOM}content").get("type") == "html"  # type: ignore[union-attr]


def test_the_comment_feed_is_cut_to_the_configured_length() -> None:
    many = [make(f"c{i:02d}", i) for i in range(30)]
    config = SiteConfig(feeds=FeedsConfig(entries=5))
    document = etree.fromstring(comment_feed(article(), many, config).encode("utf-8"))
    ids = [e.findtext(f"{ATOM}id") or "" for e in document.findall(f"{ATOM}entry")]
    assert [i.rsplit("-", 1)[1] for i in ids] == ["c29", "c28", "c27", "c26", "c25"]


def test_an_empty_comment_feed_dates_from_the_article() -> None:
    document = etree.fromstring(comment_feed(article(), [], FEED_SITE).encode("utf-8"))
    assert document.findtext(f"{ATOM}updated") == "2024-06-01T09:00:00+00:00"
    assert document.findall(f"{ATOM}entry") == []


def test_comment_feed_url_sits_beside_the_article_page() -> None:
    assert comment_feed_url(article()) == f"2024/06/01/{SLUG}/comments.xml"
    assert comment_feed_url(article(url="2024/x.html")) == "2024/x.comments.xml"


# --- Import ---------------------------------------------------------------------------------

SUBMISSION = {
    "fields": {"name": "Maren Holt", "email": EMAIL, "url": "https://maren.example/",
               "message": "First!\n\nSecond paragraph.", "honeypot": ""},
    "options": {"slug": SLUG, "parent": ""},
}  # fmt: skip
SLUGS = {SLUG, "council-budget-vote"}


def run_import(site_root: Path, *files: Path) -> comments.ImportReport:
    return import_submissions(files, site_root, SLUGS, NOW)


def pending_files(site_root: Path) -> list[Path]:
    return sorted((site_root / "content" / "comments" / "_pending").glob("*.yaml"))


def test_importing_a_staticman_json_object(tmp_path: Path) -> None:
    source = write(tmp_path / "in.json", json.dumps(SUBMISSION))
    report = run_import(tmp_path, source)
    assert (report.accepted, report.skipped, report.rejected) == (1, 0, 0)
    (outcome,) = report.outcomes
    assert outcome.where == str(source)
    assert outcome.comment_id is not None and len(outcome.comment_id) == 10
    (path,) = pending_files(tmp_path)
    assert path.name == f"20250709T120000Z-{outcome.comment_id}.yaml"
    (item,) = pending(tmp_path)
    assert (item.id, item.article, item.name, item.website, item.date, item.reply_to) == (
        outcome.comment_id, SLUG, "Maren Holt", "https://maren.example/", NOW, None)
    assert item.body == "First!\n\nSecond paragraph."
    assert item.email_hash == email_hash(EMAIL) == email_hash("  maren.holt@example.org ")


def test_importing_a_json_array_and_json_lines(tmp_path: Path) -> None:
    second = {**SUBMISSION, "fields": {**SUBMISSION["fields"], "message": "Another"}}
    array = write(tmp_path / "in.json", json.dumps([SUBMISSION, second]))
    lines = write(tmp_path / "in.jsonl",
                  json.dumps({**SUBMISSION, "fields": {**SUBMISSION["fields"], "message": "L1"}})
                  + "\n\n" + json.dumps({"name": "Flat", "email": "f@example.org",
                                         "message": "L3", "slug": SLUG}) + "\n")  # fmt: skip
    report = run_import(tmp_path, array, lines)
    assert [(o.where, o.status) for o in report.outcomes] == [
        (f"{array}#1", "accepted"), (f"{array}#2", "accepted"),
        (f"{lines}:1", "accepted"), (f"{lines}:3", "accepted"),
    ]  # fmt: skip
    assert len(pending_files(tmp_path)) == 4


def test_importing_staticman_yaml_with_fields_and_flat_keys(tmp_path: Path) -> None:
    nested = write(tmp_path / "a.yaml", f"""\
fields:
  name: Sunniva Crane
  email: s@example.org
  message: |
    Line one
    line two
options:
  slug: {SLUG}
  parent: 3fa9c0e1b2
""")
    flat = write(tmp_path / "b.yml", """\
name: Flat Reader
email: flat@example.org
url: http://flat.example/
message: Hello
slug: council-budget-vote
date: 2024-11-05T10:00:00+01:00
""")
    bracketed = write(tmp_path / "c.json", json.dumps(
        {"fields[name]": "Form", "fields[email]": "form@example.org",
         "fields[message]": "From a form", "options[slug]": SLUG}))  # fmt: skip
    report = run_import(tmp_path, nested, flat, bracketed)
    assert report.rejected == 0, [str(o) for o in report.outcomes]
    by_name = {p.name: p for p in pending(tmp_path)}
    assert by_name["Sunniva Crane"].reply_to == "3fa9c0e1b2"
    assert by_name["Sunniva Crane"].body == "Line one\nline two"
    assert by_name["Flat Reader"].date == datetime(2024, 11, 5, 9, 0, tzinfo=UTC)
    assert by_name["Flat Reader"].article == "council-budget-vote"
    assert by_name["Form"].article == SLUG
    flat_file = next(p for p in pending_files(tmp_path) if by_name["Flat Reader"].id in p.name)
    assert flat_file.name.startswith("20241105T090000Z-")


def test_unix_timestamps_are_accepted(tmp_path: Path) -> None:
    source = write(tmp_path / "t.json", json.dumps(
        [{**SUBMISSION, "date": 1718962200}, {**SUBMISSION, "date": "1718962200000"}]))
    report = run_import(tmp_path, source)
    assert report.accepted == 1 and report.skipped == 1  # the same instant, the same comment
    assert pending(tmp_path)[0].date == datetime(2024, 6, 21, 9, 30, tzinfo=UTC)


def reject_case(**fields: Any) -> dict[str, Any]:
    merged = {**SUBMISSION["fields"], **fields}
    return {"fields": {k: v for k, v in merged.items() if v is not None},
            "options": SUBMISSION["options"]}


@pytest.mark.parametrize(
    ("submission", "reason"),
    [
        (reject_case(honeypot="http://spam.example"), "the honeypot field is filled in (spam)"),
        (reject_case(name=None, email=""), "missing name, email"),
        (reject_case(message="   \n"), "missing message"),
        ({"fields": SUBMISSION["fields"]}, "missing slug"),
        ({**SUBMISSION, "options": {"slug": "no-such-article"}},
         "unknown article 'no-such-article'"),
        (reject_case(message="x" * (MAX_BODY + 1)),
         "message is 10,001 characters long; the limit is 10,000"),
        (reject_case(email="not-an-address"), "invalid email address 'not-an-address'"),
        (reject_case(email="a@b@example.org"), "invalid email address 'a@b@example.org'"),
        (reject_case(url="javascript:alert(1)"),
         "website 'javascript:alert(1)' is not an http or https address"),
        (reject_case(url="maren.example"), "website 'maren.example' is not an http or https"),
        (reject_case(name="N" * 101), "name is 101 characters long; the limit is 100"),
        (reject_case(name=["a"]), "name must be text, not list"),
        ({**SUBMISSION, "options": {"slug": SLUG, "parent": "../../etc"}},
         "parent '../../etc' is not a comment id"),
        ({**SUBMISSION, "date": "2024-02-30"}, "date: '2024-02-30' is not a real date"),
        (["not", "a", "mapping"], "expected a mapping of fields, not list"),
    ],
)  # fmt: skip
def test_bad_submissions_are_rejected_with_a_reason(
    tmp_path: Path, submission: Any, reason: str
) -> None:
    source = write(tmp_path / "bad.json", json.dumps([submission]))
    report = run_import(tmp_path, source)
    (outcome,) = report.outcomes
    assert outcome.status == "rejected"
    assert str(outcome).startswith(f"{source}#1: rejected: {reason}")
    assert pending_files(tmp_path) == []


def test_a_body_of_exactly_the_limit_is_accepted(tmp_path: Path) -> None:
    source = write(tmp_path / "ok.json", json.dumps(reject_case(message="x" * MAX_BODY)))
    assert run_import(tmp_path, source).accepted == 1


def test_unreadable_files_are_rejected_with_their_line(tmp_path: Path) -> None:
    broken_json = write(tmp_path / "broken.json", '{"fields":\n  {"name": }\n}')
    broken_yaml = write(tmp_path / "broken.yaml", "fields:\n  name: 'open\n")
    broken_line = write(tmp_path / "broken.jsonl", json.dumps(SUBMISSION) + "\n{nope\n")
    report = run_import(tmp_path, broken_json, broken_yaml, broken_line)
    assert [str(o).split(": rejected: ")[0] for o in report.outcomes if o.status == "rejected"
            ] == [f"{broken_json}:2", f"{broken_yaml}:2", f"{broken_line}:2"]  # fmt: skip
    assert report.accepted == 1


def test_reimporting_does_not_duplicate(tmp_path: Path) -> None:
    source = write(tmp_path / "in.json", json.dumps(SUBMISSION))
    first = run_import(tmp_path, source)
    later = import_submissions([source], tmp_path, SLUGS, NOW + timedelta(days=3))
    assert first.accepted == 1
    assert (later.accepted, later.skipped) == (0, 1)
    assert str(later.outcomes[0]) == f"{source}: skipped: already imported as " + str(
        first.outcomes[0].comment_id)
    assert len(pending_files(tmp_path)) == 1


def test_approved_and_rejected_submissions_are_not_imported_again(tmp_path: Path) -> None:
    one = write(tmp_path / "one.json", json.dumps(SUBMISSION))
    two = write(tmp_path / "two.json", json.dumps(reject_case(message="Spam")))
    ids = [o.comment_id or "" for o in run_import(tmp_path, one, two).outcomes]
    approve(tmp_path, [ids[0]])
    reject(tmp_path, [ids[1]])
    again = run_import(tmp_path, one, two)
    assert [o.status for o in again.outcomes] == ["skipped", "skipped"]
    assert pending_files(tmp_path) == []


def test_the_email_address_is_never_stored(tmp_path: Path) -> None:
    addresses = [EMAIL, "sunniva@example.org"]
    source = write(tmp_path / "in.jsonl", "\n".join(
        json.dumps(reject_case(email=a, message=f"from {i}")) for i, a in enumerate(addresses)))
    import_submissions([source], tmp_path, SLUGS, NOW)
    written = list((tmp_path / "content").rglob("*"))
    texts = [p.read_text(encoding="utf-8").lower() for p in written if p.is_file()]
    assert len(texts) == 2
    for address in addresses:
        assert all(address.lower() not in text for text in texts)
        assert all(address.lower().split("@")[0] not in text for text in texts)
        assert any(email_hash(address) in text for text in texts)


def test_import_needs_an_aware_now(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        import_submissions([], tmp_path, SLUGS, datetime(2024, 1, 1))


# --- Moderation API ---------------------------------------------------------------------------


def queue_two(site_root: Path) -> list[str]:
    source = write(site_root / "in.json", json.dumps(
        [SUBMISSION, {**reject_case(message="Second"), "date": "2025-01-01T00:00:00Z"}]))
    report = import_submissions([source], site_root, SLUGS, NOW)
    return [o.comment_id or "" for o in report.outcomes]


def test_approving_moves_the_file_and_the_next_load_shows_it(tmp_path: Path) -> None:
    first, second = queue_two(tmp_path)
    (moved,) = approve(tmp_path, [first])
    assert moved.parent == tmp_path / "content" / "comments" / SLUG
    assert [p.id for p in pending(tmp_path)] == [second]
    found, diagnostics = load_comments(tmp_path / "content", tmp_path, known_slugs=SLUGS)
    assert diagnostics == []
    (comment,) = found[SLUG]
    assert (comment.id, comment.name) == (first, "Maren Holt")
    assert comment.body_html == "<p>First!</p>\n<p>Second paragraph.</p>\n"


def test_unknown_ids_move_nothing(tmp_path: Path) -> None:
    first, _ = queue_two(tmp_path)
    with pytest.raises(comments.UnknownCommentError, match="'nope'"):
        approve(tmp_path, [first, "nope"])
    with pytest.raises(comments.UnknownCommentError):
        reject(tmp_path, ["nope"])
    assert len(pending(tmp_path)) == 2


def test_rejecting_moves_the_file_aside(tmp_path: Path) -> None:
    first, second = queue_two(tmp_path)
    (moved,) = reject(tmp_path, [second])
    assert moved.parent == tmp_path / "content" / "comments" / "_rejected"
    assert [p.id for p in pending(tmp_path)] == [first]
    assert load_comments(tmp_path / "content", tmp_path)[0] == {}


def test_a_malformed_pending_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "content" / "comments" / "_pending" / "x.yaml", "id: x\nname: X\n")
    write(tmp_path / "content" / "comments" / "_pending" / "y.yaml",
          "id: y\nname: Y\ndate: 2024-01-01\nbody: b\n")  # fmt: skip
    diagnostics: list[Diagnostic] = []
    assert pending(tmp_path, diagnostics=diagnostics) == []
    assert messages(diagnostics) == [
        "content/comments/_pending/x.yaml: error: missing date, body: a comment needs id, "
        "name, date and body",
        "content/comments/_pending/y.yaml: error: missing article: a pending comment must "
        "name the slug of its article",
    ]


# --- The command line -------------------------------------------------------------------------


def cli(*args: str) -> Any:
    return CliRunner().invoke(comments_group, list(args), catch_exceptions=False)


def test_cli_import_list_show_approve(sample_site: Path) -> None:
    first = {**SUBMISSION, "date": "2025-07-09T12:00:00Z"}
    second = {**reject_case(message="Second " + "long " * 30), "date": "2025-01-01"}
    good = write(sample_site / "good.json", json.dumps([first, second]))
    imported = cli("import", str(good), "--site", str(sample_site))
    assert imported.exit_code == 0, imported.output
    assert "2 queued for moderation, 0 already imported, 0 rejected." in imported.stdout
    ids = [item.id for item in pending(sample_site)]

    listed = cli("list", str(sample_site))
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0] == f"{ids[0]}  2025-01-01 00:00  {SLUG}  Maren Holt: Second " + (
        "long " * 30)[: 60 - len("Second ")] + "…"
    assert lines[1] == f"{ids[1]}  2025-07-09 12:00  {SLUG}  Maren Holt: First! Second paragraph."
    assert cli("list", "--site", str(sample_site)).stdout == listed.stdout

    shown = cli("show", ids[1], "--site", str(sample_site))
    assert shown.exit_code == 0
    assert f"article:  {SLUG}" in shown.stdout
    assert "website:  https://maren.example/" in shown.stdout
    assert shown.stdout.endswith("\nFirst!\n\nSecond paragraph.\n")
    assert EMAIL.lower() not in shown.stdout.lower()

    approved = cli("approve", ids[1], "--site", str(sample_site))
    assert approved.exit_code == 0
    assert approved.stdout.startswith(f"approved {ids[1]}: content/comments/{SLUG}/")
    assert (sample_site / "content" / "comments" / SLUG).is_dir()
    assert [item.id for item in pending(sample_site)] == [ids[0]]

    rejected = cli("reject", ids[0], "--site", str(sample_site))
    assert rejected.exit_code == 0
    assert rejected.stdout.startswith(f"rejected {ids[0]}: content/comments/_rejected/")
    assert cli("list", "--site", str(sample_site)).stdout == (
        "No comments are waiting for moderation.\n")


def test_cli_import_reports_rejections_and_exits_1(sample_site: Path) -> None:
    bad = write(sample_site / "bad.jsonl", json.dumps(reject_case(honeypot="x")) + "\n"
                + json.dumps({**SUBMISSION, "options": {"slug": "nope"}}) + "\n")  # fmt: skip
    result = cli("import", str(bad), "--site", str(sample_site))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}:1: rejected: the honeypot field is filled in (spam)",
        f"{bad}:2: rejected: unknown article 'nope'",
    ]
    assert "0 queued for moderation, 0 already imported, 2 rejected." in result.stdout


def test_cli_unknown_ids_exit_1(sample_site: Path) -> None:
    for command in ("show", "approve", "reject"):
        result = cli(command, "deadbeef00", "--site", str(sample_site))
        assert result.exit_code == 1
        assert result.stderr == ("error: no pending comment with id 'deadbeef00'; see "
                                 "'broadsheet comments list'\n")  # fmt: skip


def test_cli_approve_with_one_unknown_id_moves_nothing(sample_site: Path) -> None:
    source = write(sample_site / "in.json", json.dumps(SUBMISSION))
    cli("import", str(source), "--site", str(sample_site))
    (item,) = pending(sample_site)
    result = cli("approve", item.id, "nope", "--site", str(sample_site))
    assert result.exit_code == 1
    assert "'nope'" in result.stderr
    assert [p.id for p in pending(sample_site)] == [item.id]


def test_cli_bad_config_exits_2(tmp_path: Path) -> None:
    write(tmp_path / "broadsheet.yaml", "per_page: many\n")
    result = cli("list", "--site", str(tmp_path))
    assert result.exit_code == 2
    assert "broadsheet.yaml:1: error: per_page" in result.stderr


def test_cli_import_needs_existing_files(tmp_path: Path) -> None:
    result = cli("import", str(tmp_path / "missing.json"), "--site", str(tmp_path))
    assert result.exit_code == 2


# --- End to end: files in the sample site, rendered by the theme ------------------------------


def sample_article(site_root: Path, slug: str = SLUG) -> Article:
    articles, _ = load_articles(load_config(site_root), Diagnostics())
    return next(a for a in articles if a.slug == slug)


def render_section(site_root: Path, slug: str = SLUG, **context: Any) -> lxml.html.HtmlElement:
    config = load_config(site_root)
    env = make_environment(config)
    subject = context.pop("article", None) or sample_article(site_root, slug)
    subject = Article(**{**{f: getattr(subject, f) for f in Article.__slots__},
                         "url": "2023/03/14/harbour-wall-repairs/"})  # fmt: skip
    html = env.get_template("_comments.html").render(
        article=subject, root="../../../../", **context)
    return lxml.html.fragment_fromstring(html)


def sample_thread(site_root: Path) -> tuple[ThreadNode, ...]:
    # Start from no comments: the sample archive ships some of its own.
    shutil.rmtree(site_root / "content" / "comments", ignore_errors=True)
    comment_file(site_root, SLUG, "20240101T100000Z-aaaaaaaaaa.yaml", """\
id: aaaaaaaaaa
name: Maren Holt
website: https://maren.example/
date: 2024-01-01T10:00:00Z
body: "Glad the *wall* is done. See [the plan](https://council.example/plan)."
""")
    comment_file(site_root, SLUG, "20240101T110000Z-bbbbbbbbbb.yaml", """\
id: bbbbbbbbbb
name: Sunniva Crane
date: 2024-01-01T11:00:00Z
reply_to: aaaaaaaaaa
body: "Agreed."
""")
    found, diagnostics = load_comments(site_root / "content", site_root,
                                       known_slugs={SLUG})  # fmt: skip
    assert diagnostics == []
    return thread(found[SLUG])


def test_the_comment_section_renders_a_thread(sample_site: Path) -> None:
    nodes = sample_thread(sample_site)
    section = render_section(sample_site, comments_thread=nodes, comment_count=2,
                             comments_open=True,
                             comment_feed_url=f"2023/03/14/{SLUG}/comments.xml")  # fmt: skip
    assert section.get_element_by_id("comments-title").text_content() == "2 Comments"
    first = section.get_element_by_id("comment-aaaaaaaaaa")
    reply = section.get_element_by_id("comment-bbbbbbbbbb")
    assert first.tag == "article" and "comment" in first.classes
    assert reply.getparent().getparent().get("class") == "comment-replies"
    assert reply.getparent().getparent().getparent().getparent() is first.getparent().getparent()
    author = xp(first, ".//*[@class='comment__author']/a")[0]
    assert (author.get("href"), author.get("rel"), author.text_content()) == (
        "https://maren.example/", "nofollow ugc", "Maren Holt")
    assert xp(reply, ".//*[@class='comment__author']/a") == []
    assert xp(first, ".//time")[0].get("datetime") == "2024-01-01T10:00:00+00:00"
    body_link = xp(first, ".//*[@class='comment__body']//a")[0]
    assert body_link.get("rel") == "nofollow ugc"
    reply_link = xp(first, ".//a[@class='comment__reply']")[0]
    assert (reply_link.get("href"), reply_link.get("data-reply-to")) == ("#respond", "aaaaaaaaaa")
    # Replying without JavaScript: one options[parent] control, a select of the comments.
    (parent,) = xp(section, ".//*[@name='options[parent]']")
    assert parent.tag == "select"
    options = [(o.get("value"), o.text_content()) for o in xp(parent, ".//option")]
    assert options == [("", "Nobody: a new comment"),
                       ("aaaaaaaaaa", "Maren Holt (1 January 2024, 10:00)"),
                       ("bbbbbbbbbb", "Sunniva Crane (1 January 2024, 11:00)")]  # fmt: skip
    label = xp(section, ".//label[@for='comment-parent']")[0]
    assert label.text_content() == "Reply to"
    feed = xp(section, ".//*[@class='comments__feed']/a")[0]
    assert feed.get("href") == f"../../../../2023/03/14/{SLUG}/comments.xml"
    assert xp(section, ".//form[@id='respond']")


def test_the_form_keeps_its_fields(sample_site: Path) -> None:
    section = render_section(sample_site, comments_thread=(), comment_count=0,
                             comments_open=True, comment_feed_url="x/comments.xml")  # fmt: skip
    assert section.get_element_by_id("comments-title").text_content() == "Be the first to comment"
    form = xp(section, ".//form[@class='comment-form']")[0]
    assert xp(form, ".//h3")[0].text_content() == "Leave a Reply"
    labels = {lab.get("for"): " ".join(lab.text_content().split())
              for lab in xp(form, ".//label")}  # fmt: skip
    assert labels["comment-name"] == "Name *"
    assert labels["comment-email"] == "Email *"
    assert labels["comment-url"] == "Website"
    assert labels["comment-message"] == "Comment *"
    notice = " ".join(xp(form, ".//*[@class='comment-form__notice']")[0].text_content().split())
    assert notice == "Your email address will not be published. Required fields are marked *"
    hidden = {i.get("name"): i.get("value") for i in xp(form, ".//input[@type='hidden']")}
    assert hidden == {"options[slug]": SLUG, "options[parent]": ""}
    assert xp(form, ".//*[@name='fields[honeypot]']")
    # The sample config has no endpoint: the form is shown disabled, with a note.
    assert form.get("action") is None
    assert xp(form, ".//fieldset")[0].get("disabled") is not None
    assert section.get_element_by_id("comments-off") is not None
    assert xp(section, ".//*[@class='comment-list']") == []


def test_closed_comments_show_the_thread_but_no_form(sample_site: Path) -> None:
    nodes = sample_thread(sample_site)
    section = render_section(sample_site, comments_thread=nodes, comment_count=2,
                             comments_open=False, comment_feed_url="x/comments.xml")  # fmt: skip
    (closed,) = xp(section, ".//*[@class='comments__closed']")
    assert closed.text_content() == "Comments are closed."
    assert xp(section, ".//form") == []
    assert xp(section, ".//*[@class='comment__reply']") == []
    assert len(xp(section, ".//article[contains(@class, 'comment ')]")) == 2
    empty = render_section(sample_site, comments_thread=(), comment_count=0,
                           comments_open=False, comment_feed_url="x/comments.xml")  # fmt: skip
    assert empty.get_element_by_id("comments-title").text_content() == "Comments"


def test_one_comment_is_counted_in_the_singular(sample_site: Path) -> None:
    nodes = sample_thread(sample_site)[:1]
    section = render_section(sample_site, comments_thread=nodes[0].replies, comment_count=1,
                             comments_open=True, comment_feed_url="x/comments.xml")  # fmt: skip
    assert section.get_element_by_id("comments-title").text_content() == count_label(1)


def test_the_form_posts_to_the_configured_endpoint(sample_site: Path) -> None:
    config = sample_site / "broadsheet.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "comments:\n  endpoint: https://comments.example/v2/entry/\n",
                      encoding="utf-8")  # fmt: skip
    section = render_section(sample_site, comments_thread=(), comment_count=0,
                             comments_open=True, comment_feed_url="x/comments.xml")  # fmt: skip
    form = xp(section, ".//form[@class='comment-form']")[0]
    assert form.get("action") == "https://comments.example/v2/entry/"
    assert xp(form, ".//fieldset")[0].get("disabled") is None
    assert xp(section, ".//*[@id='comments-off']") == []


def test_the_build_still_works_with_comment_files_present(sample_site: Path) -> None:
    sample_thread(sample_site)
    write(sample_site / "content" / "comments" / "_pending" / "x.yaml", "not: [valid\n")
    out = sample_site / "site"
    result = build(sample_site, out, now=NOW)
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    assert result.articles == 12
    page = (out / "2023" / "03" / "14" / SLUG / "index.html").read_text(encoding="utf-8")
    assert 'id="comments"' in page


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
               max_size=200))  # fmt: skip
def test_stored_bodies_read_back_exactly(message: str) -> None:
    expected = comments.clean_text(message).strip()
    assume(expected)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = write(root / "in.json", json.dumps(reject_case(message=message)))
        report = import_submissions([source], root, SLUGS, NOW)
        assert report.accepted == 1, [str(o) for o in report.outcomes]
        (item,) = pending(root)
        assert item.body == expected


def test_comment_feeds_exist_once_an_article_has_comments(sample_site: Path) -> None:
    out = sample_site / "site"
    build(sample_site, out, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    with_comments = "2023/03/14/harbour-wall-repairs/"
    without = "2025/01/20/caldbeck-creamery-expansion/"
    assert (out / with_comments / "comments.xml").is_file()
    page = lxml.html.parse(str(out / with_comments / "index.html")).getroot()
    feed_links = page.xpath("//link[@rel='alternate'][contains(@href, 'comments.xml')]/@href")
    assert feed_links == ["../../../../2023/03/14/harbour-wall-repairs/comments.xml"]
    assert page.xpath("//p[@class='comments__feed']/a/@href") == feed_links
    assert not (out / without / "comments.xml").exists()
    bare = lxml.html.parse(str(out / without / "index.html")).getroot()
    assert not bare.xpath("//a[contains(@href, 'comments.xml')] | //link[contains(@href, "
                          "'comments.xml')]")  # fmt: skip
    assert not list(out.rglob("*.comments.xml")) and len(list(out.rglob("comments.xml"))) == 2
