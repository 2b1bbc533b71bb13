"""`broadsheet serve`: rebuild on change, live reload, error overlay, base path."""

from __future__ import annotations

import http.client
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet import BuildStopped, build
from broadsheet.serve import CLIENT, EVENTS, preview
from conftest import write

TIMEOUT = 20.0


class Preview:
    """`preview()` running in a thread on a free port."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.stop = threading.Event()
        self.address: queue.Queue[str] = queue.Queue()
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.url = self.address.get(timeout=TIMEOUT)
        host_port = self.url.split("//", 1)[1].split("/", 1)[0]
        self.host, port = host_port.split(":")
        self.port = int(port)

    def _build(self) -> tuple[Path, list[str] | None]:
        try:
            result = build(self.site)
        except BuildStopped as exc:
            return self.site / "site", [str(d) for d in exc.diagnostics]
        errors = [str(d) for d in result.diagnostics.errors]
        return result.output, errors or None

    def _run(self) -> None:
        preview(self.site, port=0, build_site=self._build, announce=self.lines.append,
                stop=self.stop, ready=self.address.put)  # fmt: skip

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8")
        connection.close()
        return response.status, body

    def events(self) -> Iterator[str]:
        """Event names from the live-reload stream, as they arrive."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        connection.request("GET", EVENTS)
        response = connection.getresponse()
        assert response.getheader("Content-Type") == "text/event-stream"
        event = ""
        while True:
            line = response.fp.readline().decode("utf-8")
            if not line:
                return
            if line.startswith("event: "):
                event = line[7:].strip()
            elif line.startswith("data: ") and event:
                yield f"{event} {line[6:].strip()}"
                event = ""

    def close(self) -> None:
        self.stop.set()
        self.thread.join(TIMEOUT)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    write(tmp_path / "content/news/2024-01-02-harbour.txt",
          "Harbour opens\n\nThe harbour opened.\n")
    return tmp_path


@pytest.fixture
def running(site: Path) -> Iterator[Preview]:
    server = Preview(site)
    try:
        yield server
    finally:
        server.close()


def next_event(stream: Iterator[str], result: queue.Queue[str]) -> None:
    result.put(next(stream))


def wait_for_event(server: Preview, change: object) -> str:
    stream = server.events()
    result: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=next_event, args=(stream, result), daemon=True)
    reader.start()
    time.sleep(0.3)  # the stream is open before the change is made
    change()  # type: ignore[operator]
    return result.get(timeout=TIMEOUT)


def test_served_pages_carry_the_reload_script_but_files_do_not(
    running: Preview, site: Path
) -> None:
    status, body = running.get("/2024/01/02/harbour/")
    assert status == 200
    assert f'<script src="{CLIENT}"></script></body>' in body
    on_disk = (site / "site/2024/01/02/harbour/index.html").read_text(encoding="utf-8")
    assert CLIENT not in on_disk
    status, script = running.get(CLIENT)
    assert status == 200 and "EventSource" in script


def test_a_change_rebuilds_and_reloads(running: Preview, site: Path) -> None:
    source = site / "content/news/2024-01-02-harbour.txt"
    event = wait_for_event(running, lambda: source.write_text(
        "Harbour opens early\n\nThe harbour opened.\n", encoding="utf-8"))  # fmt: skip
    assert event == "reload {}"
    assert "Harbour opens early" in running.get("/2024/01/02/harbour/")[1]


def test_a_failed_build_is_reported_and_the_last_good_site_stays(
    running: Preview, site: Path
) -> None:
    template = site / "templates/article.html"
    event = wait_for_event(running, lambda: write(template, "{% if %}\n"))
    assert event.startswith("failed ")
    assert "templates/article.html:1: error:" in event
    status, body = running.get("/2024/01/02/harbour/")
    assert status == 200 and "The harbour opened." in body
    event = wait_for_event(running, template.unlink)
    assert event == "reload {}"


def test_the_output_folder_is_not_watched(running: Preview, site: Path) -> None:
    """Writing the output must not trigger another build (no rebuild loop)."""
    time.sleep(1.5)
    rebuilds = [line for line in running.lines if "rebuilding" in line]
    assert rebuilds == []


def test_served_under_the_base_path(tmp_path: Path) -> None:
    write(tmp_path / "broadsheet.yaml", "base_url: https://example.org/news/\n")
    write(tmp_path / "content/2024-01-02-a.txt", "A\n\nText.\n")
    server = Preview(tmp_path)
    try:
        assert server.url.endswith("/news/")
        assert server.get("/news/2024/01/02/a/")[0] == 200
        status, body = server.get("/2024/01/02/a/")
        assert status == 404 and "Page not found" in body
        assert server.get("/news/../secret")[0] == 404
    finally:
        server.close()
