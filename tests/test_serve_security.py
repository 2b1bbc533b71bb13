"""The preview server, attacked with raw requests.

Request lines are sent byte for byte over a socket (http.client and browsers
normalise some paths before sending them).  The server runs on 127.0.0.1, port
0, and stops itself: at the end of each test and, whatever happens, after a
minute.  ``broadsheet serve`` itself is started as a subprocess to check the
address it listens on.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from broadsheet.cli import main as cli_main
from broadsheet.serve import LiveState, make_server, preview
from conftest import write

SECRET = "TOP SECRET OUTSIDE THE OUTPUT"
LOST = "<title>lost</title>"
#: Longest a test may keep a server running.
LIFETIME = 60.0


class Response(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """An output folder with pages, a folder without an index, and links in and out."""
    root = tmp_path / "site"
    write(root / "index.html", "<title>home</title>")
    write(root / "404.html", LOST)
    write(root / "news/index.html", "<title>news</title>")
    write(root / "static/a.css", "body{}")
    write(root / "listing/a.txt", "a file in a folder without index.html")
    write(root / "listing/b/index.html", "<title>b</title>")
    write(tmp_path / "secret.txt", SECRET)
    write(tmp_path / "private/index.html", SECRET)
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (root / "escape-dir").symlink_to(tmp_path / "private", target_is_directory=True)
    (root / "loop-a").symlink_to(root / "loop-b")
    (root / "loop-b").symlink_to(root / "loop-a")
    (root / "inside.html").symlink_to(root / "news/index.html")
    (root / "dangling.html").symlink_to(root / "nothing.html")
    return root


@contextlib.contextmanager
def serving(root: Path, prefix: str = "/", live: LiveState | None = None) -> Iterator[int]:
    """Serve ``root`` on 127.0.0.1 (a free port); stop on exit, or after LIFETIME."""
    server = make_server(root, "127.0.0.1", 0, prefix=prefix, live=live)
    assert server.server_address[0] == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    watchdog = threading.Timer(LIFETIME, server.shutdown)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield int(server.server_address[1])
    finally:
        watchdog.cancel()
        if live is not None:
            live.close()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def port(output: Path) -> Iterator[int]:
    with serving(output) as number:
        yield number


def raw(port: int, request_line: bytes, headers: bytes = b"Host: 127.0.0.1\r\n") -> Response:
    """Send one request exactly as given; read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request_line + b"\r\n" + headers + b"Connection: close\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    assert lines[0].startswith("HTTP/1."), lines[0]
    found = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
    return Response(int(lines[0].split()[1]), found, body)


TRAVERSALS = [
    b"/../secret.txt", b"/../../../../../../etc/passwd", b"/news/../../secret.txt",
    b"/%2e%2e/secret.txt", b"/%2E%2E/secret.txt", b"/.%2e/secret.txt", b"/%2e./secret.txt",
    b"/%2e%2e%2fsecret.txt", b"/..%2fsecret.txt", b"/%2f..%2f..%2fsecret.txt",
    b"/news/%2e%2e/%2e%2e/secret.txt", b"/%252e%252e/secret.txt", b"/%c0%ae%c0%ae/secret.txt",
    b"/..\\secret.txt", b"/..%5csecret.txt", b"/%5c..%5csecret.txt", b"/news/..%5c..%5csecret.txt",
    b"../secret.txt", b"secret.txt", b"//secret.txt", b"///../secret.txt", b"//etc/passwd",
    b"http://127.0.0.1/../secret.txt", b"http://evil.example/%2e%2e/secret.txt",
    b"file:///etc/passwd", b"/index.html%00/../../secret.txt", b"/secret.txt%00.html",
    b"/escape.txt", b"/escape-dir/", b"/escape-dir/index.html", b"/escape-dir",
    b"/loop-a", b"/loop-a/x", b"/dangling.html",
    b"/" + b"a" * 300, b"/" + b"a/" * 3000, b"/" + "é".encode() * 200, b"/%ff%fe%00", b"*",
]  # fmt: skip


@pytest.mark.parametrize("target", TRAVERSALS, ids=lambda t: t.decode("latin-1")[:40])
@pytest.mark.parametrize("method", [b"GET", b"HEAD"])
def test_paths_outside_the_output_are_refused(port: int, method: bytes, target: bytes) -> None:
    answer = raw(port, method + b" " + target + b" HTTP/1.1")
    assert answer.status == 404
    assert SECRET.encode() not in answer.body
    if method == b"GET":
        assert answer.body == LOST.encode()
    else:
        assert answer.body == b""


def test_absolute_paths_of_files_outside_are_refused(port: int, output: Path) -> None:
    secret = str(output.parent / "secret.txt").encode()
    for target in (secret, b"/" + secret, b"/.." + secret, b"file://" + secret):
        answer = raw(port, b"GET " + target + b" HTTP/1.1")
        assert (answer.status, answer.body) == (404, LOST.encode()), target


@pytest.mark.parametrize("target", [b"/?/../secret.txt", b"/#/../secret.txt",
                                    b"/?q=%2e%2e/secret.txt"])  # fmt: skip
def test_queries_and_fragments_name_no_file(port: int, target: bytes) -> None:
    answer = raw(port, b"GET " + target + b" HTTP/1.1")
    assert (answer.status, answer.body) == (200, b"<title>home</title>")


@pytest.mark.parametrize("target", [b"/listing/", b"/listing", b"/static/", b"/news/../listing/"])
def test_folders_are_never_listed(port: int, target: bytes) -> None:
    answer = raw(port, b"GET " + target + b" HTTP/1.1")
    assert (answer.status, answer.body) == (404, LOST.encode())
    assert b"a.txt" not in answer.body and b"Directory listing" not in answer.body


def test_a_folder_without_any_index_is_not_listed(tmp_path: Path) -> None:
    root = tmp_path / "bare"
    write(root / "page.txt", "a page")
    with serving(root) as number:
        answer = raw(number, b"GET / HTTP/1.1")
    assert answer.status == 404
    assert answer.body == b"Not found\n"


@pytest.mark.parametrize(("target", "body"), [
    (b"/", b"<title>home</title>"), (b"/news/", b"<title>news</title>"),
    (b"/news/index.html", b"<title>news</title>"), (b"/%6Eews/", b"<title>news</title>"),
    (b"/listing/b/", b"<title>b</title>"), (b"/static/a.css?v=1", b"body{}"),
    (b"/inside.html", b"<title>news</title>"), (b"/./news/./", b"<title>news</title>"),
])  # fmt: skip
def test_files_inside_the_output_are_served(port: int, target: bytes, body: bytes) -> None:
    answer = raw(port, b"GET " + target + b" HTTP/1.1")
    assert (answer.status, answer.body) == (200, body)


def test_only_get_and_head_are_answered(port: int) -> None:
    for method in (b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"TRACE"):
        answer = raw(port, method + b" /index.html HTTP/1.1", b"Content-Length: 0\r\n")
        assert answer.status == 501, method


def test_malformed_requests_get_an_error_and_the_server_goes_on(port: int) -> None:
    for line in (b"GET", b"GET / HTTP/9.9", b"GET /" + b"a" * 70_000 + b" HTTP/1.1",
                 b"\x00\x01\x02", b"GET / HTTP/1.1 extra", b"GET /../secret.txt HTTP/0.9"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(line + b"\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
        # An error status; HTTP/0.9-style answers have no status line: an error page,
        # or the site's 404 page.
        error = re.match(rb"HTTP/1\.[01] [45]\d\d ", data) or b"Error code: " in data
        assert error or data == LOST.encode(), line[:20]
        assert SECRET.encode() not in data
    assert raw(port, b"GET / HTTP/1.1").status == 200


def test_traversal_is_refused_under_a_base_path(output: Path) -> None:
    with serving(output, prefix="/courier/") as number:
        assert raw(number, b"GET /courier/news/ HTTP/1.1").body == b"<title>news</title>"
        for target in (b"/courier/../secret.txt", b"/courier/%2e%2e/secret.txt",
                       b"/courier/..%2f..%2fsecret.txt", b"/courier/escape.txt",
                       b"/courierx/../secret.txt", b"/news/"):  # fmt: skip
            answer = raw(number, b"GET " + target + b" HTTP/1.1")
            assert (answer.status, answer.body) == (404, LOST.encode()), target


def test_live_reload_endpoints_expose_no_files(output: Path) -> None:
    live = LiveState()
    with serving(output, live=live) as number:
        client = raw(number, b"GET /__broadsheet__/live-reload.js HTTP/1.1")
        assert client.status == 200 and b"EventSource" in client.body
        for target in (b"/__broadsheet__/../secret.txt", b"/__broadsheet__/%2e%2e/secret.txt",
                       b"/__broadsheet__/live-reload.js/../../secret.txt"):  # fmt: skip
            answer = raw(number, b"GET " + target + b" HTTP/1.1")
            assert (answer.status, SECRET.encode() in answer.body) == (404, False), target


def test_loopback_is_the_default_everywhere() -> None:
    assert inspect.signature(make_server).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(preview).parameters["host"].default == "127.0.0.1"
    serve = cli_main.get_command(None, "serve")  # type: ignore[arg-type]
    assert serve is not None
    (host,) = [p for p in serve.params if p.name == "host"]
    assert host.default == "127.0.0.1"


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port`` (from /proc/net)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as handle:
            for line in list(handle)[1:]:
                fields = line.split()
                address, port_hex = fields[1].split(":")
                if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                    assert len(address) == width
                    found.add(address)
    return found


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="needs Linux's /proc/net/tcp")
def test_broadsheet_serve_listens_on_loopback_only(tmp_path: Path) -> None:
    site = tmp_path / "courier"
    write(site / "broadsheet.yaml", "title: Courier\nsearch: false\n")
    write(site / "content/2024-01-02-a.txt", "A headline\n\nBody\n")
    write(tmp_path / "secret.txt", SECRET)
    command = [sys.executable, "-c", "from broadsheet.cli import main; main()", "serve",
               str(site), "--port", "0", "--no-reload"]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, start_new_session=True)  # fmt: skip
    try:
        announced = ""
        stop = time.monotonic() + LIFETIME
        assert server.stdout is not None
        while time.monotonic() < stop and "Serving" not in announced:
            line = server.stdout.readline()
            if not line:
                break
            announced += line
        found = re.search(r"at http://127\.0\.0\.1:(\d+)/", announced)
        assert found, announced
        number = int(found.group(1))
        assert _listening_addresses(number) == {"0100007F"}  # 127.0.0.1, nothing else
        assert raw(number, b"GET /2024/01/02/a/ HTTP/1.1").status == 200
        answer = raw(number, b"GET /../secret.txt HTTP/1.1")
        assert answer.status == 404 and SECRET.encode() not in answer.body
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
