"""Article metadata: front matter, sidecars, folder defaults and strict coercion.

Metadata comes in layers, later ones winning:

1. folder defaults (``_defaults.yaml`` in any folder, inherited by subfolders;
   the folder's name is the default section);
2. a date prefix in the file name (``2024-01-31-slug.txt``);
3. a YAML front-matter block at the top of the file;
4. a sidecar ``NAME.yaml`` next to ``NAME.txt``.

Each value remembers the file and line it came from, so a value that cannot be
coerced is reported where it was written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from slugify import slugify as _slugify

from ..errors import Diagnostic, SourceError
from ..model import Correction

#: Metadata keys Broadsheet interprets, with the spellings it also accepts.
ALIASES: dict[str, str] = {
    "title": "headline",
    "author": "authors",
    "category": "section",
    "lang": "language",
    "description": "summary",
    "keywords": "tags",
}

FIELDS = frozenset(
    {
        "headline", "date", "updated", "authors", "section", "tags", "people",
        "places", "language", "draft", "summary", "slug", "comments", "corrections",
    }
)  # fmt: skip

#: Most values one metadata block (front matter, sidecar, ``_defaults.yaml``) may
#: hold, aliases expanded: metadata is compared and printed whole, per article.
MAX_METADATA_VALUES = 10_000

_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_ ]?(.*)$")


@dataclass(frozen=True, slots=True)
class Value:
    """A metadata value and where it was written."""

    value: Any
    path: str
    line: int | None


Layer = Mapping[str, Value]


def layer_from_mapping(
    data: Any, path: str, lines: Mapping[str, int], first_line: int
) -> dict[str, Value]:
    """Turn a parsed YAML mapping into a layer, resolving aliases; ``lines`` are its
    keys' lines (:func:`broadsheet.yamlio.load` fills them in)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SourceError.at(
            path, first_line, "metadata must be a mapping of keys to values (key: value)"
        )
    layer: dict[str, Value] = {}
    for raw_key, value in data.items():
        key = str(raw_key)
        name = ALIASES.get(key, key)
        if name in layer and name != key:
            continue  # the canonical spelling wins over an alias
        layer[name] = Value(value, path, lines.get(key, first_line))
    return layer


def split_front_matter(text: str, path: str) -> tuple[str | None, int, str, int]:
    """Split ``---`` front matter from a document.

    Returns ``(yaml_text or None, yaml_first_line, body, body_first_line)``.
    """
    if not (text.startswith("---\n") or text.startswith("---\r") or text.rstrip() == "---"):
        return None, 0, text, 1
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    if end is None:
        raise SourceError.at(
            path, 1, "front matter opened with '---' is never closed; add a line '---' after it"
        )
    yaml_text = text[4 : 4 + end.start()]
    rest = text[4 + end.end() :]
    if rest.startswith("\n"):
        rest = rest[1:]
    body_line = 2 + yaml_text.count("\n") + 1
    return yaml_text, 2, rest, body_line


def date_from_filename(stem: str, path: str) -> tuple[dict[str, Value], str]:
    """Read a ``YYYY-MM-DD-`` prefix; return the layer and the remaining stem."""
    match = _DATE_PREFIX.match(stem)
    if not match:
        return {}, stem
    year, month, day, rest = match.groups()
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return {}, stem
    return {"date": Value(found, path, None)}, rest or stem


# ---------------------------------------------------------------------------
# Coercion
# ---------------------------------------------------------------------------

_DATE_TEXT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?"
    r"\s*(Z|[+-]\d{1,2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)


class CoercionError(Exception):
    """A value that cannot become the field it is for."""


#: Dates must fall in these years (in UTC): far enough inside Python's years
#: 1-9999 that converting to any time zone and adding days (comments closing
#: ``close_after_days`` after publication) cannot overflow.
MIN_YEAR, MAX_YEAR = 1000, 9000


def coerce_datetime(raw: Any, tz: tzinfo) -> datetime:
    """Turn a YAML date, datetime or string into an aware datetime.

    Raises :class:`CoercionError` for text that is no date, an impossible date,
    and a date outside the years ``MIN_YEAR`` to ``MAX_YEAR``.
    """
    found = _to_datetime(raw, tz)
    try:
        year = found.astimezone(timezone.utc).year
    except (OverflowError, ValueError):
        year = found.year
    if not MIN_YEAR <= year <= MAX_YEAR or not MIN_YEAR <= found.year <= MAX_YEAR:
        shown = raw if isinstance(raw, str) else found.isoformat()
        raise CoercionError(
            f"{shown!r} is out of range: dates must fall between the years "
            f"{MIN_YEAR} and {MAX_YEAR}"
        )
    return found


def _to_datetime(raw: Any, tz: tzinfo) -> datetime:
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=tz)
    if isinstance(raw, date):
        return datetime.combine(raw, time(), tzinfo=tz)
    if not isinstance(raw, str):
        raise CoercionError(f"expected a date like 2024-01-31, not {_describe(raw)}")
    match = _DATE_TEXT.match(raw.strip())
    if not match:
        raise CoercionError(
            f"cannot read {raw!r} as a date; write it as YYYY-MM-DD, "
            "YYYY-MM-DD HH:MM or YYYY-MM-DDTHH:MM:SS+01:00"
        )
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    zone: tzinfo = tz
    if offset:
        if offset.upper() == "Z":
            zone = timezone.utc
        else:
            sign = -1 if offset[0] == "-" else 1
            hours_text, _, minutes_text = offset[1:].partition(":")
            if not minutes_text and len(hours_text) > 2:
                hours_text, minutes_text = hours_text[:2], hours_text[2:]
            hours, minutes = int(hours_text), int(minutes_text or 0)
            if hours > 23 or minutes > 59:
                raise CoercionError(f"time zone offset {offset!r} is out of range")
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0),
            int(second or 0), int((fraction or "0").ljust(6, "0")), tzinfo=zone,
        )  # fmt: skip
    except ValueError as exc:
        raise CoercionError(f"{raw!r} is not a real date or time ({exc})") from None


def coerce_names(raw: Any) -> tuple[str, ...]:
    """A list of names: a YAML list, or a comma-separated string; empty -> ()."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        items: list[Any] = raw.split(",")
    elif isinstance(raw, (list, tuple)):
        items = list(raw)
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        items = [raw]
    else:
        raise CoercionError(f"expected a list of names or 'a, b', not {_describe(raw)}")
    names: list[str] = []
    for position, item in enumerate(items, 1):
        if isinstance(item, (dict, list, tuple)) or item is None or isinstance(item, bool):
            raise CoercionError(f"item {position} must be a name, not {_describe(item)}")
        name = clean_text(str(item))
        if name and name not in names:
            names.append(name)
    return tuple(names)


def coerce_text(raw: Any) -> str:
    if isinstance(raw, (dict, list, tuple, bool)):
        raise CoercionError(f"expected text, not {_describe(raw)}")
    if raw is None:
        return ""
    return clean_text(str(raw))


# Characters that are invisible yet change how the text around them reads: bidi
# embedding, override and isolate controls (which can reverse the rest of a line,
# a page title or a byline), zero-width spaces, the BOM, C0 and C1 controls; and
# zero-width joiners not standing between two non-ASCII characters (where scripts
# and emoji need them).  comments.clean_text applies the same patterns.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_ZERO_WIDTH = "\u200b\u2060\ufeff"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
INVISIBLE = re.compile(f"[{_BIDI}{_ZERO_WIDTH}{_CONTROLS}]")
_JOINERS = "\u200c\u200d"
_JOINABLE = f"[^\\x00-\\x7f\\s{_JOINERS}{_BIDI}{_ZERO_WIDTH}]"
STRAY_JOINER = re.compile(f"(?<!{_JOINABLE})[{_JOINERS}]|[{_JOINERS}](?!{_JOINABLE})")


#: A character other than printable ASCII, tab and line ends: text without one has
#: nothing for INVISIBLE or STRAY_JOINER to remove.
_NOT_PLAIN = re.compile(r"[^\t\n\r\x20-\x7e]")


def clean_text(text: str) -> str:
    """``text`` as one line: invisible characters removed, whitespace collapsed."""
    if not _NOT_PLAIN.search(text):
        return " ".join(text.split())
    return _clean(text)


def _clean(text: str) -> str:
    visible = INVISIBLE.sub(lambda m: " " if m.group().isspace() else "", text)
    return " ".join(STRAY_JOINER.sub("", visible).split())


def coerce_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in {"yes", "true", "on", "1"}:
        return True
    if isinstance(raw, str) and raw.strip().lower() in {"no", "false", "off", "0", ""}:
        return False
    raise CoercionError(f"expected true or false, not {_describe(raw)}")


def coerce_comments(raw: Any) -> str:
    if raw is True or (isinstance(raw, str) and raw.strip().lower() == "open"):
        return "open"
    if raw is False or (isinstance(raw, str) and raw.strip().lower() == "closed"):
        return "closed"
    raise CoercionError(f"expected 'open' or 'closed', not {_describe(raw)}")


def coerce_corrections(raw: Any, tz: tzinfo) -> tuple[Correction, ...]:
    """A list of ``{date: ..., text: ...}`` mappings, sorted oldest first."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise CoercionError("expected a list of {date: ..., text: ...} entries")
    found: list[Correction] = []
    for position, item in enumerate(raw, 1):
        if not isinstance(item, dict) or set(item) != {"date", "text"}:
            raise CoercionError(f"entry {position} must have exactly 'date' and 'text'")
        try:
            when = coerce_datetime(item["date"], tz)
            text = coerce_text(item["text"])
        except CoercionError as exc:
            raise CoercionError(f"entry {position}: {exc}") from None
        if not text:
            raise CoercionError(f"entry {position}: 'text' is empty")
        found.append(Correction(when, text))
    return tuple(sorted(found, key=lambda c: c.date))


#: Longest slug, in characters (all ASCII), well inside any file system's 255 bytes.
MAX_SLUG = 80
#: Names Windows reserves for devices in every folder: a page at ``con/index.html``
#: cannot be written there, nor copied there from elsewhere.
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"{port}{n}" for port in ("com", "lpt") for n in range(10)}
)


def slugify(text: str) -> str:
    """A readable, URL-safe slug for any script ("Zürich" -> "zurich").

    Only ``a-z``, ``0-9`` and single inner hyphens, at most ``MAX_SLUG``
    characters; possibly empty.  A Windows device name gets ``-1`` ("con-1"),
    a suffix the collision rule (``-2``, ``-3``...) never produces.
    """
    slug = str(_slugify(text, max_length=MAX_SLUG, word_boundary=True, save_order=True))
    return f"{slug}-1" if slug in _WINDOWS_DEVICES else slug


def _describe(raw: Any) -> str:
    if isinstance(raw, dict):
        return "a mapping"
    if isinstance(raw, (list, tuple)):
        return "a list"
    if isinstance(raw, (set, frozenset)):
        return "a set"  # its repr's order changes from run to run
    if raw is None:
        return "nothing"
    shown = repr(raw)
    return shown if len(shown) <= 80 else shown[:77] + "..."


@dataclass(frozen=True, slots=True)
class Metadata:
    """Coerced metadata fields, ready for an :class:`~broadsheet.model.Article`."""

    fields: Mapping[str, Any]
    extra: Mapping[str, Any]


def coerce(layers: list[Layer], tz: tzinfo, fallback_path: str) -> Metadata:
    """Merge layers (later wins) and coerce each field; report every bad field."""
    merged: dict[str, Value] = {}
    for layer in layers:
        merged.update(layer)
    problems: list[Diagnostic] = []
    result: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in merged.items():
        if name not in FIELDS:
            extra[name] = value.value
            continue
        try:
            result[name] = _COERCERS[name](value.value, tz)
        except CoercionError as exc:
            problems.append(Diagnostic(value.path, value.line, None, f"{name}: {exc}"))
    if "slug" in result and not slugify(result["slug"]):
        value = merged["slug"]
        problems.append(
            Diagnostic(value.path, value.line, None, "slug: has no letters or digits to use")
        )
    if problems:
        raise SourceError(problems)
    return Metadata(result, extra)


_COERCERS: dict[str, Any] = {
    "headline": lambda raw, tz: coerce_text(raw),
    "summary": lambda raw, tz: coerce_text(raw),
    "section": lambda raw, tz: coerce_text(raw) or None,
    "language": lambda raw, tz: coerce_text(raw) or None,
    "slug": lambda raw, tz: coerce_text(raw),
    "date": coerce_datetime,
    "updated": coerce_datetime,
    "authors": lambda raw, tz: coerce_names(raw),
    "tags": lambda raw, tz: coerce_names(raw),
    "people": lambda raw, tz: coerce_names(raw),
    "places": lambda raw, tz: coerce_names(raw),
    "draft": lambda raw, tz: coerce_bool(raw),
    "comments": lambda raw, tz: coerce_comments(raw),
    "corrections": coerce_corrections,
}
