"""Dates as feeds and exports write them, including the forms feedparser misses.

:func:`parse_date` reads

* RFC 822/2822 dates (``Wed, 03 Jan 2018 13:47:00 GMT``), also with day and
  month names in Portuguese, Spanish, French, German, Italian or Dutch
  (``Seg, 24 Set 2018 19:42:40 -0300``), with two-digit years (``03 Apr 02``:
  00-49 are 2000-2049, 50-99 are 1950-1999, as RFC 2822 says), times without
  a colon (``1500``) or without seconds, and named zones (``GMT``, ``UTC``,
  ``EST``...; an unknown name counts as UTC, a missing zone as the site's);
* ISO 8601 / RFC 3339 (``2017-06-21T10:33:10-07:00``, ``2016-06-03T07:38:00.000Z``,
  a bare ``2024-01-31``);
* WordPress's ``YYYY-MM-DD HH:MM:SS``, where ``0000-00-00 00:00:00`` means
  "no date" (None).

It returns None for anything it cannot read, never raising.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone, tzinfo

_UTC = timezone.utc

#: Month names and abbreviations, accents removed, lower case.  Only unambiguous keys.
_MONTHS: dict[str, int] = {}
_NAMES = {
    "en": "january february march april may june july august september october november "
          "december",
    "pt": "janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro "
          "dezembro",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
          "diciembre",
    "fr": "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre "
          "decembre",
    "de": "januar februar marz april mai juni juli august september oktober november dezember",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre "
          "novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november "
          "december",
}  # fmt: skip
_EXTRA_ABBREVIATIONS = {"sept": 9, "janv": 1, "fevr": 2, "avr": 4, "juil": 7, "dic": 12,
                        "okt": 10, "mrt": 3, "mae": 3}  # fmt: skip


def _build_months() -> None:
    seen: dict[str, set[int]] = {}
    for names in _NAMES.values():
        for number, name in enumerate(names.split(), 1):
            for key in {name, name[:3], name[:4]}:
                seen.setdefault(key, set()).add(number)
    for key, numbers in seen.items():
        if len(numbers) == 1:
            _MONTHS[key] = numbers.pop()
    _MONTHS.update(_EXTRA_ABBREVIATIONS)


_build_months()

_ZONES = {
    "gmt": 0, "ut": 0, "utc": 0, "z": 0, "wet": 0, "bst": 60, "cet": 60, "cest": 120,
    "eet": 120, "eest": 180, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "brt": -180, "ist": 330,
    "jst": 540, "aest": 600, "aedt": 660,
}  # fmt: skip

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*"
    r"(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?$|^(\d{2})(\d{2})$")
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


def _plain(word: str) -> str:
    """Lower case, accents removed, trailing dots and commas gone."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip(".,")


def parse_date(text: str | None, tz: tzinfo = _UTC) -> datetime | None:
    """An aware datetime for ``text``, or None (see the module docstring)."""
    if not text or not text.strip():
        return None
    text = " ".join(text.split())
    if text.startswith("0000-00-00"):
        return None
    try:
        iso = _iso(text, tz)
        return iso if iso is not None else _rfc822(text, tz)
    except (ValueError, OverflowError):
        return None


def _iso(text: str, tz: tzinfo) -> datetime | None:
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                    int(second or 0), tzinfo=_zone(zone, tz))  # fmt: skip


def _zone(text: str | None, default: tzinfo) -> tzinfo:
    if not text:
        return default
    if text.upper() == "Z":
        return _UTC
    match = _OFFSET.match(text)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        return timezone(timedelta(minutes=-minutes if match.group(1) == "-" else minutes))
    return timezone(timedelta(minutes=_ZONES.get(_plain(text), 0)))


def _rfc822(text: str, tz: tzinfo) -> datetime | None:
    """Day, month name, year, then an optional time and zone, in any of the known languages."""
    day = month = year = None
    hour = minute = second = 0
    zone: tzinfo = tz
    for token in text.replace(",", " ").split():
        word = _plain(token)
        time = _TIME.match(token)
        if time and year is not None:
            hour, minute, second = _clock(time)
        elif word in _MONTHS and month is None:
            month = _MONTHS[word]
        elif token.isdigit() and day is None and len(token) <= 2:
            day = int(token)
        elif token.isdigit() and year is None and day is not None:
            year = _year(token)
        elif _OFFSET.match(token) or word in _ZONES:
            zone = _zone(token, tz)
    if day is None or month is None or year is None:
        return None
    return datetime(year, month, day, hour, minute, second, tzinfo=zone)


def _clock(match: re.Match[str]) -> tuple[int, int, int]:
    hour, minute, second, compact_hour, compact_minute = match.groups()
    if compact_hour is not None:
        return int(compact_hour), int(compact_minute), 0
    return int(hour), int(minute), int(second or 0)


def _year(token: str) -> int:
    """A four-digit year, reading two digits as RFC 2822 says (00-49: 2000s)."""
    number = int(token)
    if len(token) <= 2:
        return number + (2000 if number < 50 else 1900)
    return number


def wordpress_date(text: str | None, tz: tzinfo) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` in ``tz``; None for WordPress's ``0000-00-00 00:00:00``."""
    if not text or text.strip().startswith("0000-00-00"):
        return None
    return parse_date(text, tz)


#: The placeholder ``pubDate`` some WordPress exports give drafts and undated posts.
EPOCH_YEAR = 1970


def is_placeholder(value: datetime | None) -> bool:
    """Whether a date is the 1970-01-01 placeholder rather than a real date."""
    return value is not None and value.astimezone(_UTC).date() == datetime(
        EPOCH_YEAR, 1, 1, tzinfo=_UTC).date()  # fmt: skip
