"""The preview server: the built site on 127.0.0.1, rebuilt and reloaded on change.

Requests are mapped onto the output folder and nothing else: ``..``
segments, encoded dots and symlinks leading outside it are refused, folders
are never listed, and unknown paths get the site's own ``404.html``.  When
``base_url`` has a path (``https://example.org/news/``), the site is served
under that path, as it will be in production.

With live reload on, HTML responses (only the served ones, never the files
on disk) get one ``<script>`` that listens to server-sent events: a successful
rebuild reloads the page; a failed one shows the errors over it while the last
good site stays served.
"""

from __future__ import annotations

import json
import mimetypes
import posixpath
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: URL prefix of the server's own endpoints (never a file of the site).
INTERNAL = "/__broadsheet__/"
EVENTS = INTERNAL + "events"
CLIENT = INTERNAL + "live-reload.js"
#: Seconds between keep-alive comments on an open event stream.
HEARTBEAT = 15.0

_CLIENT_JS = """\
// Broadsheet live reload: injected by `broadsheet serve` only, never written to disk.
(function () {
  var source = new EventSource("%(events)s");
  var overlay = null;
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("failed", function (event) {
    var data = JSON.parse(event.data);
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "broadsheet-build-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.94);color:#fff;font:14px/1.5 monospace;padding:2rem";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "Build failed; the last good site is still served.\\n\\n" +
      data.message;
    overlay.style.whiteSpace = "pre-wrap";
  });
})();
"""


def resolve_request(root: Path, raw_path: str) -> Path | None:
    """The file a request path names inside ``root``, or None if there is none."""
    path = unquote(urlsplit(raw_path).path)
    if "\x00" in path or "\\" in path:
        return None
    parts = [p for p in posixpath.normpath("/" + path).split("/") if p]
    if any(p in ("..", ".") for p in parts):
        return None
    candidate = root.joinpath(*parts)
    try:
        if candidate.is_dir():
            candidate = candidate / "index.html"
        real = candidate.resolve(strict=True)
        real.relative_to(root.resolve())
        return real if real.is_file() else None
    except (OSError, ValueError, RuntimeError):
        # A name too long for the file system, a loop of links (RuntimeError before
        # Python 3.13), a path outside the root: all are simply not found.
        return None


@dataclass
class LiveState:
    """What the open pages are told: a build counter and the last failure."""

    version: int = 0
    error: str | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)
    closed: bool = False

    def succeeded(self) -> None:
        with self.changed:
            self.version += 1
            self.error = None
            self.changed.notify_all()

    def failed(self, message: str) -> None:
        with self.changed:
            self.version += 1
            self.error = message
            self.changed.notify_all()

    def moved_on(self, seen: int) -> bool:
        """Whether there is news for a client that has seen build ``seen``."""
        return self.version != seen or self.closed

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves files from one folder, with the site's 404 page for the rest."""

    server_version = "Broadsheet"
    protocol_version = "HTTP/1.1"

    def __init__(
        self, *args: object, root: Path, prefix: str = "/", live: LiveState | None = None,
        **kwargs: object,
    ) -> None:  # fmt: skip
        self.root = root
        self.prefix = prefix
        self.live = live
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if self.live is not None and path == EVENTS:
            self._events(self.live)
        elif self.live is not None and path == CLIENT:
            script = _CLIENT_JS % {"events": EVENTS}
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", script.encode(), True)
        else:
            self._serve(body=True)

    def _serve(self, body: bool) -> None:
        found = None
        path = urlsplit(self.path).path
        if path.startswith(self.prefix) or path + "/" == self.prefix:
            found = resolve_request(self.root, path[len(self.prefix) - 1 :] or "/")
        status = HTTPStatus.OK
        if found is None:
            status = HTTPStatus.NOT_FOUND
            found = self.root / "404.html"
            if not found.is_file():
                self._send(status, "text/plain; charset=utf-8", b"Not found\n", body)
                return
        data = found.read_bytes()
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if kind == "text/html" and self.live is not None:
            data = inject_client(data)
        if kind.startswith("text/") or kind in ("application/javascript", "application/json",
                                                 "image/svg+xml", "application/xml"):
            kind += "; charset=utf-8"
        self._send(status, kind, data, body)

    def _send(self, status: HTTPStatus, kind: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self, live: LiveState) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        with live.changed:
            seen = live.version
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                with live.changed:
                    live.changed.wait_for(partial(live.moved_on, seen), HEARTBEAT)
                    if live.closed:
                        return
                    version, error = live.version, live.error
                if version == seen:
                    self.wfile.write(b": keep-alive\n\n")
                elif error is None:
                    self.wfile.write(b"event: reload\ndata: {}\n\n")
                else:
                    payload = json.dumps({"message": error})
                    self.wfile.write(f"event: failed\ndata: {payload}\n\n".encode())
                self.wfile.flush()
                seen = version
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, format: str, *args: object) -> None:
        pass


def inject_client(html: bytes) -> bytes:
    """Add the live-reload script to a page (before ``</body>``, else at the end)."""
    tag = f'<script src="{CLIENT}"></script>'.encode()
    index = html.rfind(b"</body>")
    if index < 0:
        return html + tag
    return html[:index] + tag + html[index:]


def make_server(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    prefix: str = "/",
    live: LiveState | None = None,
) -> ThreadingHTTPServer:
    """A server for ``root`` (port 0 picks a free port)."""
    handler = partial(PreviewHandler, root=root, prefix=prefix, live=live)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


WATCHED_DIRS = ("content", "templates", "static")


def watch_filter(site_root: Path, config_name: str, folders: list[Path]) -> Callable[..., bool]:
    """Which changed paths trigger a rebuild: sources, templates, static files, config."""
    roots = [f.resolve() for f in folders]
    config = (site_root / config_name).resolve()

    def accept(change: object, path: str) -> bool:
        changed = Path(path).resolve()
        if changed == config:
            return True
        if any(part.startswith(".") for part in changed.parts[-1:]):
            return False
        return any(changed.is_relative_to(root) for root in roots)

    return accept


def preview(
    site_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    build_site: Callable[[], tuple[Path, list[str] | None]],
    announce: Callable[[str], None],
    live: bool = True,
    stop: threading.Event | None = None,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the output of ``build_site`` and rebuild it when sources change.

    ``build_site`` builds once and returns the output folder and, when the build
    failed or some articles failed, the error lines to show in the browser.
    Runs until ``stop`` is set (or Ctrl+C).
    """
    import watchfiles

    from .config import CONFIG_NAME, load_config

    output, errors = build_site()
    config = load_config(site_dir)
    base_path = urlsplit(config.base_url).path or "/"
    state = LiveState() if live else None
    server = make_server(output, host, port, prefix=base_path, live=state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"http://{host}:{server.server_address[1]}{base_path}"
    announce(f"Serving {output} at {address} (Ctrl+C to stop)")
    if ready is not None:
        ready(address)
    if state is not None and errors:
        state.failed("\n".join(errors))
    stop = stop or threading.Event()
    folders = [config.path(name) for name in WATCHED_DIRS]
    accept = watch_filter(site_dir, CONFIG_NAME, folders)
    try:
        if state is None:
            while not stop.wait(3600):
                pass
            return
        for changes in watchfiles.watch(site_dir, watch_filter=accept, stop_event=stop,
                                        raise_interrupt=False):  # fmt: skip
            announce(f"{len(changes)} change(s); rebuilding")
            _, errors = build_site()
            if errors:
                state.failed("\n".join(errors))
            else:
                state.succeeded()
    finally:
        if state is not None:
            state.close()
        server.shutdown()
        server.server_close()
