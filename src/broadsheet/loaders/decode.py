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


def _detect(data: bytes, path: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding in _UTF8:
        raise SourceError.at(
            path,
            None,
            "cannot tell which text encoding this file uses; save it as UTF-8",
        )
    return str(best), best.encoding
