"""The preview server: output folder only, 404 page, no listings, loopback."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.serve import make_server, resolve_request
from conftest import write


@pytest.fixture
def output(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write(root / "index.html", "<title>home</title>")
    write(root / "404.html", "<title>lost</title>")
    write(root / "news/index.html", "<title>news</title>")
    write(root / "static/a.css", "body{}")
    write(tmp_path / "secret.txt", "do not serve")
    (root / "escape").symlink_to(tmp_path / "secret.txt")
    (root / "empty").mkdir()
    return root


@pytest.mark.parametrize(
    "request_path",
    ["/../secret.txt", "/%2e%2e/secret.txt", "/news/../../secret.txt", "/%2E%2E%2Fsecret.txt",
     "/escape", "/empty/", "/nothing", "/..%5csecret.txt", "//etc/passwd", "/index.html%00"],
)
def test_requests_outside_the_output_are_refused(output: Path, request_path: str) -> None:
    assert resolve_request(output, request_path) is None


def test_requests_inside_the_output_resolve(output: Path) -> None:
    assert resolve_request(output, "/") == (output / "index.html").resolve()
    assert resolve_request(output, "/news/") == (output / "news/index.html").resolve()
    assert resolve_request(output, "/news") == (output / "news/index.html").resolve()
    assert resolve_request(output, "/static/a.css?v=1") == (output / "static/a.css").resolve()


@pytest.fixture
def server(output: Path) -> Iterator[tuple[str, int]]:
    httpd = make_server(output, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[0], httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def get(address: tuple[str, int], path: str) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection(*address, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode("utf-8")
    connection.close()
    return response.status, response.getheader("Content-Type") or "", body


def test_server_binds_loopback_and_serves_pages(server: tuple[str, int]) -> None:
    assert server[0] == "127.0.0.1"
    assert get(server, "/") == (200, "text/html; charset=utf-8", "<title>home</title>")
    assert get(server, "/static/a.css")[:2] == (200, "text/css; charset=utf-8")


@pytest.mark.parametrize("path", ["/missing/", "/../secret.txt", "/escape", "/empty/"])
def test_server_answers_404_with_the_site_page(server: tuple[str, int], path: str) -> None:
    status, _, body = get(server, path)
    assert (status, body) == (404, "<title>lost</title>")
