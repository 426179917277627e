"""bench.wrk: the requests wrk sends are the ones written, and its figures are read back."""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.wrk import parse_result, raw_request, request_file, run_wrk


def test_a_raw_request_is_http_1_1_with_its_length() -> None:
    sent = raw_request("POST", "/v1/check?x=1", b"{}", {"Content-Type": "application/json"})
    assert sent == (
        b"POST /v1/check?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )
    assert raw_request("GET", "/healthz") == b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_requests_are_written_with_their_lengths(tmp_path: Path) -> None:
    written = request_file([b"GET / HTTP/1.1\r\n\r\n", b"x\ny"], tmp_path / "requests")
    assert written.read_bytes() == b"18\nGET / HTTP/1.1\r\n\r\n3\nx\ny"


def test_the_result_line_counts_every_kind_of_error() -> None:
    result = parse_result(
        "Running 2s test\nwrk-result requests=500 duration_us=2000000 socket_errors=1 "
        "status_errors=2 timeouts=3 p50_us=1500 p99_us=9000 laps=7\n"
    )
    assert (result.requests, result.rps, result.errors) == (500, 250.0, 6)
    assert (result.p50_ms, result.p99_ms, result.laps) == (1.5, 9.0, 7)


def test_load_goes_to_the_loopback_address_only() -> None:
    with pytest.raises(ValueError, match="127.0.0.1 only"):
        run_wrk("http://example.com:80", [b""], seconds=1, connections=1)


@pytest.fixture
def counting_server() -> Iterator[tuple[str, Counter[str]]]:
    """A small HTTP/1.1 server on loopback counting the paths it is asked for."""
    seen: Counter[str] = Counter()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen[self.path] += 1
            status = 200 if self.path != "/refused" else 422
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_sends_each_request_in_turn_and_counts_refusals(
    counting_server: tuple[str, Counter[str]],
) -> None:
    base, seen = counting_server
    requests = [raw_request("POST", path, b"body") for path in ("/a", "/b", "/refused")]
    result = run_wrk(base, requests, seconds=1, connections=1)
    assert result.requests > 3
    assert set(seen) == {"/a", "/b", "/refused"}
    assert max(seen.values()) - min(seen.values()) <= 1  # in turn, one connection
    # One request may still be in flight when wrk stops: answered, but not counted.
    assert seen["/refused"] - 1 <= result.errors <= seen["/refused"]
    # Back to the first request after every third (one may be in flight when wrk stops).
    assert abs(result.laps - (sum(seen.values()) - 1) // 3) <= 1
