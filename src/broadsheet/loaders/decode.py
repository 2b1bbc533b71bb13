"""Bytes -> text: UTF-8 (with or without a BOM) first, detected encodings second."""

from __future__ import annotations

import codecs

from ..errors import SourceError

#: Codecs that are really UTF-8 and need no warning.
_UTF8 = {"utf_8", "utf-8", "utf_8_sig", "ascii"}


def decode(data: bytes, path: str) -> tuple[str, str | None]:
    """Decode a source file.

    Returns ``(text, encoding)`` where ``encoding`` is None for UTF-8 and the
    detected encoding's name otherwise, so the caller can warn about it.
    Newlines are normalised to ``\\n`` (Windows and old-Mac endings included).
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    encoding: str | None = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text, encoding = _detect(data, path)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


#: Short Western text is ambiguous between the single-byte Latin encodings, and
#: charset-normalizer often guesses a Central European one for it (turning
#: "£2" into "Ł2").  Windows-1252, by far the most common of them, is preferred
#: when the guess is one of these and the cp1252 reading is plausible text.
_LATIN_GUESSES = frozenset({
    "cp1250", "cp1257", "mac_latin2", "iso8859_2", "iso8859_4", "iso8859_10",
    "iso8859_13", "iso8859_16", "cp775", "cp852", "cp850", "cp437", "mac_iceland",
    "mac_roman", "hp_roman8", "cp1006", "cp1125",
})  # fmt: skip
#: Characters a Western European text in cp1252 plausibly contains beyond ASCII.
_WESTERN = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿŒœŠšŽžŸƒ"
    "ªº€£¥¢©®°±·«»¡¿§¶–—‘’‚“”„†‡•…‰‹›™\u00a0"
)
#: At most this share of a plausible text's letters are non-ASCII.
_MAX_ACCENTED = 0.25


def _detect(data: bytes, path: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding in _UTF8:
        raise SourceError.at(
            path,
            None,
            "cannot tell which text encoding this file uses; save it as UTF-8",
        )
    if best.encoding in _LATIN_GUESSES:
        western = _plausible_cp1252(data)
        if western is not None:
            return western, "cp1252"
    return str(best), best.encoding


def _plausible_cp1252(data: bytes) -> str | None:
    """The cp1252 reading of ``data`` if it looks like Western European text."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = accented = 0
    for char in text:
        if char.isascii():
            letters += char.isalpha()
        elif char not in _WESTERN:
            return None
        elif char.isalpha():
            letters += 1
            accented += 1
    return text if letters and accented / letters <= _MAX_ACCENTED else None
