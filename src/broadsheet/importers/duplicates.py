"""Exact and near duplicates among imported items, found in roughly linear time.

Exact duplicates
    Items whose bodies are the same once whitespace is normalised (the SHA-256
    of the body's words).  Each group says whether the headlines match too; a
    group whose headlines differ is the same story re-headlined.

Near duplicates
    Pairs, not already in one exact group, that share a headline (compared
    case-insensitively, whitespace normalised) or whose bodies are at least
    90% similar.  Similarity is difflib's ratio over the two word sequences.
    Comparing every pair would be quadratic, so candidates come from an
    inverted index of word 4-shingles: two bodies become a candidate pair only
    when they share at least half of the smaller one's shingles (very common
    shingles, in more than :data:`MAX_POSTING` bodies, are ignored), then
    difflib confirms.  Two texts 90% similar by ratio share far more than half
    their shingles, unless the differences are spread evenly through the text
    (one changed word in every four), which is not how copies of one story
    differ.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations

from .report import DuplicateGroup, NearDuplicate

#: Bodies at least this similar are near duplicates.
THRESHOLD = 0.9
#: Words per shingle.
SHINGLE = 4
#: Shingles found in more bodies than this are boilerplate and ignored for candidates.
MAX_POSTING = 64
#: Share of the smaller body's shingles two bodies must share to be compared.
MIN_SHARED = 0.5


@dataclass(frozen=True, slots=True)
class Document:
    """What the finder needs of an item."""

    label: str
    headline: str
    """Empty when the item had no headline of its own."""
    body: str


def _words(text: str) -> list[str]:
    return text.casefold().split()


def _exact_groups(docs: Sequence[Document]) -> list[list[int]]:
    by_hash: dict[str, list[int]] = defaultdict(list)
    for number, doc in enumerate(docs):
        words = doc.body.split()
        if words:
            by_hash[hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()].append(number)
    return [members for members in by_hash.values() if len(members) > 1]


def exact(docs: Sequence[Document]) -> list[DuplicateGroup]:
    """Groups (of two or more) of items with the same non-empty body, in input order."""
    groups = []
    for members in _exact_groups(docs):
        heads = {" ".join(docs[n].headline.casefold().split()) for n in members}
        groups.append(DuplicateGroup([docs[n].label for n in members], len(heads) == 1))
    return groups


def near(docs: Sequence[Document], threshold: float = THRESHOLD) -> list[NearDuplicate]:
    """Pairs with the same headline or similar bodies, excluding exact duplicates."""
    words = [_words(doc.body) for doc in docs]
    same_body = _exact_pairs(docs)
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    for pair in _same_headline(docs):
        reasons[pair].append("same headline")
    similarity: dict[tuple[int, int], float] = {}
    for pair in _candidates(words):
        ratio = _similarity(words[pair[0]], words[pair[1]], threshold)
        if ratio >= threshold:
            similarity[pair] = ratio
            reasons[pair].append("similar text")
    found = []
    for pair in sorted(reasons):
        if pair in same_body:
            continue
        a, b = pair
        known = similarity.get(pair)
        ratio = known if known is not None else (
            SequenceMatcher(None, words[a], words[b], autojunk=False).ratio())
        found.append(NearDuplicate(docs[a].label, docs[b].label, ", ".join(reasons[pair]),
                                   round(ratio, 3)))  # fmt: skip
    return found


def _exact_pairs(docs: Sequence[Document]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for members in _exact_groups(docs):
        pairs.update(combinations(sorted(members), 2))
    return pairs


def _same_headline(docs: Sequence[Document]) -> Iterator[tuple[int, int]]:
    by_headline: dict[str, list[int]] = defaultdict(list)
    for number, doc in enumerate(docs):
        key = " ".join(doc.headline.casefold().split())
        if key:
            by_headline[key].append(number)
    for members in by_headline.values():
        yield from combinations(members, 2)


def _shingles(words: list[str]) -> set[int]:
    if len(words) < SHINGLE:
        return {hash(tuple(words))} if words else set()
    return {hash(tuple(words[i : i + SHINGLE])) for i in range(len(words) - SHINGLE + 1)}


def _candidates(words: Sequence[list[str]]) -> list[tuple[int, int]]:
    """Pairs of bodies sharing at least :data:`MIN_SHARED` of the smaller one's shingles."""
    shingles = [_shingles(w) for w in words]
    postings: dict[int, list[int]] = defaultdict(list)
    for number, found in enumerate(shingles):
        for shingle in found:
            postings[shingle].append(number)
    shared: Counter[tuple[int, int]] = Counter()
    for members in postings.values():
        if 1 < len(members) <= MAX_POSTING:
            shared.update(combinations(members, 2))
    return sorted(pair for pair, count in shared.items()
                  if count >= MIN_SHARED * min(len(shingles[pair[0]]), len(shingles[pair[1]])))


def _similarity(a: list[str], b: list[str], threshold: float) -> float:
    """difflib's ratio of two word lists, or 0.0 as soon as it cannot reach ``threshold``."""
    if 2 * min(len(a), len(b)) / max(len(a) + len(b), 1) < threshold:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.quick_ratio() < threshold:
        return 0.0
    return matcher.ratio()
