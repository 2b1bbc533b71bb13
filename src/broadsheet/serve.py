"""A small preview server for the built site: 127.0.0.1, output folder only.

Requests are mapped onto the output folder and nothing else: ``..``
segments, encoded dots and symlinks leading outside it are refused, folders
are never listed, and unknown paths get the site's own ``404.html``.
"""

from __future__ import annotations

import mimetypes
import posixpath
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


def resolve_request(root: Path, raw_path: str) -> Path | None:
    """The file a request path names inside ``root``, or None if there is none."""
    path = unquote(urlsplit(raw_path).path)
    if "\x00" in path or "\\" in path:
        return None
    parts = [p for p in posixpath.normpath("/" + path).split("/") if p]
    if any(p in ("..", ".") for p in parts):
        return None
    candidate = root.joinpath(*parts)
    if candidate.is_dir():
        candidate = candidate / "index.html"
    try:
        real = candidate.resolve(strict=True)
        real.relative_to(root.resolve())
    except (OSError, ValueError):
        return None
    return real if real.is_file() else None


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves files from one folder, with the site's 404 page for the rest."""

    server_version = "Broadsheet"

    def __init__(self, *args: object, root: Path, **kwargs: object) -> None:
        self.root = root
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        found = resolve_request(self.root, self.path)
        status = HTTPStatus.OK
        if found is None:
            status = HTTPStatus.NOT_FOUND
            found = self.root / "404.html"
            if not found.is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                return
        data = found.read_bytes()
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server for ``root`` (port 0 picks a free port)."""
    handler = partial(PreviewHandler, root=root)
    return ThreadingHTTPServer((host, port), handler)
