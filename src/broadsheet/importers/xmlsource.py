"""Reading XML exports safely, with errors that name their line and column.

lxml parses with entity expansion, DTD loading and network access off (an
export is untrusted input).  A malformed file raises :class:`SourceError`
with ``FILE:line:col: error: ...``; with ``recover`` lxml's recovering parser
reads as much as it can and each problem comes back as a warning instead.
"""

from __future__ import annotations

from typing import Any

from ..errors import Diagnostic, SourceError

#: lxml's parse errors keep their position in ``error_log``; more than this are summarised.
MAX_REPORTED = 20


def _parser(recover: bool) -> Any:
    from lxml import etree  # type: ignore[import-untyped,import-not-found,unused-ignore]

    return etree.XMLParser(recover=recover, resolve_entities=False, no_network=True,
                           load_dtd=False, huge_tree=True, remove_blank_text=False)  # fmt: skip


def parse_xml(data: bytes, shown: str, recover: bool = False) -> tuple[Any, list[Diagnostic]]:
    """The root element of ``data`` and, when recovering, the problems recovered from."""
    from lxml import etree  # type: ignore[import-untyped,import-not-found,unused-ignore]

    parser = _parser(recover)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (None, None)
        message = _message(exc.msg or str(exc))
        raise SourceError(Diagnostic(shown, line or None, col or None,
                                     f"malformed XML: {message}; --recover imports what "
                                     "can be read")) from None  # fmt: skip
    problems = [Diagnostic(shown, entry.line or None, entry.column or None,
                           f"malformed XML, recovered: {_message(entry.message)}", "warning")
                for entry in parser.error_log]  # fmt: skip
    if root is None:
        raise SourceError(Diagnostic(shown, None, None, "no XML could be recovered from this file"))
    if len(problems) > MAX_REPORTED:
        more = len(problems) - MAX_REPORTED
        problems = problems[:MAX_REPORTED]
        problems.append(Diagnostic(shown, None, None, f"... and {more} more XML problems",
                                   "warning"))  # fmt: skip
    return root, problems


def _message(text: str) -> str:
    """libxml2's message without the position it repeats at the end."""
    text = text.strip()
    head, sep, tail = text.rpartition(", line ")
    return head if sep and tail.replace(", column ", "").strip().isdigit() else text
