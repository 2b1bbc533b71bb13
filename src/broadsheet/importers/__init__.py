"""Importers: WordPress exports, RSS and Atom feeds, and folders of plain text into ``content/``.

Each importer reads its source into drafts (one per item), then
:func:`broadsheet.importers.core.run` writes them all at once through a
staged transaction, keeping a ledger per source in ``content/.imports/`` so
that importing again updates instead of duplicating and never overwrites a
file edited by hand (unless forced).  Every import returns an
:class:`~broadsheet.importers.report.IngestReport`.

Modules
    ``wordpress``  WXR 1.0-1.2 exports (lxml)
    ``feed``       RSS 0.9x/1.0/2.0 and Atom (feedparser)
    ``text``       folders of ``.txt`` articles in the seed shape
    ``core``       drafts, ledger checks, the write, the report's findings
    ``ledger``     ``content/.imports/<source hash>.json``
    ``transaction`` all-or-nothing writes beside ``content/``
    ``htmlconv``   wpautop, shortcodes, sanitising, HTML to Markdown (markdownify)
    ``dates``      dates in RFC 822, ISO 8601 and localised forms
    ``duplicates`` exact and near duplicates (shingle index + difflib)
    ``report``     the ingest report: table and JSON
    ``xmlsource``  safe XML parsing with line and column in errors

The optional packages (lxml, feedparser, markdownify) are imported only when
an importer runs: ``pip install "broadsheet[import]"``.
"""

from __future__ import annotations

from .core import Options
from .feed import import_feed
from .report import IngestReport
from .text import import_text
from .wordpress import import_wordpress

__all__ = ["IngestReport", "Options", "import_feed", "import_text", "import_wordpress"]
