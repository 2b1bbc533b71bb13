"""A deterministic synthetic news corpus for benchmarks and large-archive tests.

``python -m benchmarks.corpus DIR --articles N [--seed S]`` writes a Broadsheet
site (``DIR/content`` plus ``DIR/broadsheet.yaml``) with N articles of 300 to
1,200 words: dates over 20 years, 8 sections, about 500 tags, 200 authors,
people and places, with emphasis, quotes and links in the bodies.  Nine in
ten are Markdown with front matter; one in ten is plain text in the seed shape
(headline, paragraphs, comment chrome) with a sidecar.  The same seed always
gives byte-identical files.

``--format pelican`` and ``--format hugo`` write the same stories for those tools instead
(see ``benchmarks/peers.py``): every story becomes Markdown there, since neither reads
Broadsheet's plain-text shape.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

SECTIONS = ("News", "Business", "Politics", "Sport", "Culture", "Science", "World", "Opinion")
_SYLLABLES = (
    "har", "row", "mere", "port", "el", "ler", "cald", "beck", "mor", "ven", "tal", "is",
    "bran", "ock", "wyn", "fal", "den", "ash", "by", "ford", "ley", "ton", "mar", "cus",
    "ri", "ta", "no", "va", "sel", "kirk", "gar", "th", "lin", "don", "bel", "ros",
)  # fmt: skip
_WORDS = tuple(
    " ".join(
        (
            "the council said on a plan for new homes near harbour while residents asked",
            "questions about the cost of repairs and the budget for next year as officials",
            "promised more meetings with local businesses schools and families who depend on",
            "the ferry service that runs every morning between the two towns across the bay",
            "where fishing boats return with their catch before markets open and traders set",
            "out stalls under bright awnings in the square beside the old church",
        )
    ).split()
)
START = datetime(2005, 1, 1, tzinfo=timezone.utc)
SPAN_DAYS = 20 * 365
SITE_TITLE = "Benchmark Gazette"
BASE_URL = "https://gazette.example/"
PER_PAGE = 20
# Search indexing (Pagefind) is off: neither peer builds a search index.
BROADSHEET_CONFIG = (
    f"title: {SITE_TITLE}\nbase_url: {BASE_URL}\nper_page: {PER_PAGE}\nsearch: false\n"
)
#: ``--pages peers``: Broadsheet builds the pages the peers' layouts build (articles, the
#: paginated home page, sections, tags and authors with their indexes, 404; and its archive
#: index), leaving out its date archives, "on this day", people and places pages, and the
#: same feeds (RSS for the site and each section, tag and author; not Atom and JSON Feed).
PEER_PAGES_CONFIG = (
    "pages: {year_archives: false, month_archives: false, day_archives: false,\n"
    "        on_this_day: false, people: false, places: false}\n"
    "feeds: {formats: [rss]}\n"
)
#: Which pages the Broadsheet corpus builds: all of them (the default), or the peers'.
PAGE_SETS = ("all", "peers")
FORMATS = ("broadsheet", "pelican", "hugo")


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


@dataclass(frozen=True)
class Vocabulary:
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    people: tuple[str, ...]
    places: tuple[str, ...]


def vocabulary(rng: random.Random) -> Vocabulary:
    def unique(make: object, count: int) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        while len(seen) < count:
            seen[make()] = None  # type: ignore[operator]
        return tuple(seen)

    return Vocabulary(
        tags=unique(lambda: _name(rng, 2).lower(), 500),
        authors=unique(lambda: f"{_name(rng, 2)} {_name(rng, 3)}", 200),
        people=unique(lambda: f"{_name(rng, 2)} {_name(rng, 2)}", 400),
        places=unique(lambda: _name(rng, 3), 150),
    )


def _sentence(rng: random.Random, vocab: Vocabulary) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 22))]
    roll = rng.random()
    if roll < 0.15:
        words.insert(rng.randrange(len(words)), f"*{rng.choice(_WORDS)}*")
    elif roll < 0.25:
        words.insert(rng.randrange(len(words)), rng.choice(vocab.people))
    elif roll < 0.3:
        link = f"[{rng.choice(_WORDS)}](https://example.org/{rng.randint(1, 999)})"
        words.insert(rng.randrange(len(words)), link)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _paragraphs(rng: random.Random, vocab: Vocabulary, words: int) -> list[str]:
    paragraphs: list[str] = []
    count = 0
    while count < words:
        sentences = [_sentence(rng, vocab) for _ in range(rng.randint(2, 5))]
        paragraph = " ".join(sentences)
        if rng.random() < 0.1:
            paragraph = f"“{paragraph}” said {rng.choice(vocab.people)}."
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return paragraphs


@dataclass(frozen=True)
class Item:
    path: str
    text: str


@dataclass(frozen=True)
class Story:
    """One generated article, before it is written in any tool's format.

    ``plain`` stories are the one-in-ten written as seed-shape plain text for Broadsheet;
    ``quote`` is the closing block quote some Markdown stories carry (or None).
    """

    number: int
    date: datetime
    section: str
    headline: str
    meta: dict[str, list[str]]
    paragraphs: list[str]
    plain: bool
    quote: str | None

    @property
    def slug(self) -> str:
        return f"story-{self.number:06d}"

    @property
    def authors(self) -> list[str]:
        return self.meta["authors"]

    @property
    def tags(self) -> list[str]:
        return self.meta["tags"]

    @property
    def people(self) -> list[str]:
        return self.meta["people"]

    @property
    def places(self) -> list[str]:
        return self.meta["places"]


def stories(count: int, seed: int = 1) -> Iterator[Story]:
    """The corpus as records: the same random draws, in the same order, as ``articles``."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    for number in range(count):
        date = START + timedelta(minutes=rng.randrange(SPAN_DAYS * 24 * 60))
        section = rng.choice(SECTIONS)
        headline = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 10))).capitalize()
        headline = f"{headline} in {rng.choice(vocab.places)}"
        meta = {
            "authors": rng.sample(vocab.authors, rng.choice((1, 1, 1, 2))),
            "tags": rng.sample(vocab.tags, rng.randint(1, 4)),
            "people": rng.sample(vocab.people, rng.randint(0, 3)),
            "places": rng.sample(vocab.places, rng.randint(1, 2)),
        }
        paragraphs = _paragraphs(rng, vocab, rng.randint(300, 1200))
        plain = number % 10 == 9
        quote = None
        if not plain and rng.random() < 0.2:
            quote = _sentence(rng, vocab)
        yield Story(number, date, section, headline, meta, paragraphs, plain, quote)


def articles(count: int, seed: int = 1) -> Iterator[Item]:
    """The corpus, one file at a time (sidecars are separate items)."""
    for story in stories(count, seed):
        yield from _broadsheet_items(story)


def _broadsheet_items(story: Story) -> Iterator[Item]:
    """A story as Broadsheet reads it: Markdown with front matter, or plain text + sidecar."""
    date, headline, paragraphs = story.date, story.headline, story.paragraphs
    folder = story.section.lower()
    lists = "\n".join(f"{key}: [{', '.join(values)}]" for key, values in story.meta.items())
    if story.plain:
        plain = [p.replace("*", "") for p in paragraphs]
        body = "\n\n".join([headline, *plain])
        chrome = (
            "Be the first to comment\n\nLeave a Reply\n\n"
            "Your email address will not be published."
        )
        stem = f"content/{folder}/{date:%Y-%m-%d}-{story.slug}"
        yield Item(f"{stem}.txt", f"{body}\n\n{chrome}\n")
        yield Item(f"{stem}.yaml", f"date: {date:%Y-%m-%d %H:%M}\n{lists}\n")
    else:
        front = f"---\nheadline: \"{headline}\"\ndate: {date.isoformat()}\n{lists}\n---\n"
        body = "\n\n".join(paragraphs)
        if story.quote is not None:
            body += f"\n\n> {story.quote}\n"
        yield Item(f"content/{folder}/{story.slug}.md", front + body + "\n")


def write(site: Path, count: int, seed: int = 1, pages: str = "all") -> int:
    """Write the corpus into ``site``; return the number of files written.  With
    ``pages="peers"`` its config leaves out the pages the peers do not build."""
    written = 0
    for item in articles(count, seed):
        path = site / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item.text, encoding="utf-8")
        written += 1
    config = BROADSHEET_CONFIG + (PEER_PAGES_CONFIG if pages == "peers" else "")
    (site / "broadsheet.yaml").write_text(config, encoding="utf-8")
    return written


def write_format(
    site: Path, count: int, seed: int = 1, fmt: str = "broadsheet", pages: str = "all"
) -> int:
    """Write the corpus for ``fmt`` (broadsheet, pelican or hugo); return the files written.
    ``pages`` is Broadsheet's page set (:func:`write`)."""
    if fmt == "broadsheet":
        return write(site, count, seed, pages)
    from benchmarks import peers  # the peers import this module: load them only when asked

    writers = {"pelican": peers.write_pelican, "hugo": peers.write_hugo}
    return writers[fmt](site, count, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--format", choices=FORMATS, default="broadsheet",
        help="whose input to write: Broadsheet's (default), Pelican's or Hugo's",
    )  # fmt: skip
    parser.add_argument(
        "--pages", choices=PAGE_SETS, default="all",
        help="Broadsheet's pages: all (default), or only those the peers build",
    )  # fmt: skip
    args = parser.parse_args()
    written = write_format(args.site, args.articles, args.seed, args.format, args.pages)
    print(f"wrote {written} files for {args.articles} articles into {args.site}")


if __name__ == "__main__":
    main()
