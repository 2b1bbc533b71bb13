"""URL and output-path arithmetic, kept in one place.

Inside the build every URL is *site-relative*: a POSIX path below the site
root with no leading slash, ending in ``/`` for a folder page
(``2024/01/31/slug/``) or in a file name (``feed.xml``).  Templates turn a
site-relative URL into a link with the ``href`` filter (relative to the page
being rendered, so the site works at a domain root, under a subpath and from
disk) or into an absolute URL with ``absolute``.
"""

from __future__ import annotations

import re
from datetime import datetime

_SLASHES = re.compile(r"/{2,}")


def output_path(url: str) -> str:
    """The file a site-relative URL is written to."""
    if url == "" or url.endswith("/"):
        return url + "index.html"
    return url


def depth(path: str) -> int:
    """How many folders deep an output file lies below the site root."""
    return path.count("/")


def root_prefix(path: str) -> str:
    """The relative prefix that leads from an output file back to the site root."""
    return "../" * depth(path)


def link(prefix: str, url: str, pretty: bool) -> str:
    """A link to site-relative ``url`` from a page whose root prefix is ``prefix``."""
    if not pretty and (url == "" or url.endswith("/")):
        url += "index.html"
    return (prefix + url) or "./"


def permalink(pattern: str, slug: str, date: datetime | None, section_slug: str) -> str:
    """Fill an article permalink pattern; undated articles go below ``undated/``."""
    if date is None:
        url = pattern.format(year="undated", month="", day="", slug=slug,
                             section=section_slug)  # fmt: skip
    else:
        url = pattern.format(year=f"{date.year:04d}", month=f"{date.month:02d}",
                             day=f"{date.day:02d}", slug=slug, section=section_slug)  # fmt: skip
    return _SLASHES.sub("/", url).lstrip("/")


def paginated(url: str, number: int) -> str:
    """Site-relative URL of page ``number`` (1-based) of a listing at ``url``."""
    return url if number == 1 else f"{url}page/{number}/"
