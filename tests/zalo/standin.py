"""A stand-in Zalo API: a real HTTP server on 127.0.0.1 with the two endpoints thatgia calls.

It keeps the token state Zalo keeps (valid access tokens, the one live refresh token, which
dies once used), records every request, and can be told to answer an error code, to delay,
to hang until released, or to drop the connection.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

DROP = "drop"  # close the connection without answering
INVALID_REFRESH = -14014


@dataclass
class Sent:
    access_token: str
    user_id: str
    text: str
    at: float  # time.monotonic(): one clock for every process of the machine


@dataclass
class Refresh:
    secret_key: str
    form: dict[str, str]


@dataclass
class StandIn:
    app_id: str = "1234567890"
    app_secret: str = "app-secret"
    base_url: str = ""
    sent: list[Sent] = field(default_factory=list)
    attempts: int = 0  # every POST to the send endpoint, answered or not
    refreshes: list[Refresh] = field(default_factory=list)
    access_tokens: set[str] = field(default_factory=set)
    refresh_token: str = "rt-0"
    script: deque[int | str | float] = field(default_factory=deque)
    refresh_delay: float = 0.0  # seconds the token endpoint takes to answer
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)
    generation: int = 0
    # What GET /media/<name> serves: the bytes, or a redirect; each fetch is recorded.
    media: dict[str, bytes] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    media_delay: float = 0.0
    media_drip: float = 0.0  # seconds between the 64 KB pieces of a media answer
    media_sent: int = 0  # bytes of media written before the client stopped reading
    fetched: list[str] = field(default_factory=list)

    def answer_next(self, *steps: int | str | float) -> None:
        """Queue how the next sends are answered: an error code, DROP, or seconds to wait."""
        with self.lock:
            self.script.extend(steps)

    def hang(self) -> None:
        self.released.clear()

    def release(self) -> None:
        self.released.set()

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens.clear()

    def texts_to(self, user_id: str) -> list[str]:
        with self.lock:
            return [s.text for s in self.sent if s.user_id == user_id]

    def issue_pair(self) -> tuple[str, str]:
        with self.lock:
            self.generation += 1
            access, refresh = f"at-{self.generation}", f"rt-{self.generation}"
            self.access_tokens.add(access)
            self.refresh_token = refresh
            return access, refresh

    def _next_step(self) -> int | str | float | None:
        with self.lock:
            self.attempts += 1
            return self.script.popleft() if self.script else None

    def handle_send(self, token: str, body: dict[str, Any]) -> dict[str, Any] | None:
        self.released.wait(timeout=30)
        step = self._next_step()
        while isinstance(step, float):
            time.sleep(step)
            step = self._next_step()
        if step == DROP:
            return None
        if isinstance(step, int):
            return {"error": step, "message": "scripted"}
        with self.lock:
            if token not in self.access_tokens:
                return {"error": -216, "message": "Access token is invalid"}
            text = body["message"]["text"]
            if len(text) > 2000:
                return {"error": -201, "message": "text too long"}
            self.sent.append(Sent(token, body["recipient"]["user_id"], text, time.monotonic()))
            return {"error": 0, "message": "Success", "data": {"message_id": str(len(self.sent))}}

    def handle_refresh(self, secret: str, form: dict[str, str]) -> dict[str, Any]:
        time.sleep(self.refresh_delay)
        with self.lock:
            self.refreshes.append(Refresh(secret, form))
            valid = (
                secret == self.app_secret
                and form.get("app_id") == self.app_id
                and form.get("grant_type") == "refresh_token"
                and form.get("refresh_token") == self.refresh_token
            )
        if not valid:
            return {"error": INVALID_REFRESH, "error_name": "Invalid refresh token"}
        access, refresh = self.issue_pair()
        return {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}


def _handler(state: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read the records, not the log."""

        def do_GET(self) -> None:
            if self.path.startswith("/media/"):
                self._media(self.path.removeprefix("/media/"))
                return
            # For a benchmark in another process: what was delivered, and when.
            user = parse_qs(self.path.partition("?")[2]).get("user_id", [""])[0]
            with state.lock:
                times = [s.at for s in state.sent if s.user_id == user]
                total = len(state.sent)
            self._answer({"total": total, "at": times})

        def _media(self, name: str) -> None:
            with state.lock:
                state.fetched.append(f"{self.headers.get('Host', '')}/{name}")
            time.sleep(state.media_delay)
            if name in state.redirects:
                self.send_response(302)
                self.send_header("Location", state.redirects[name])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = state.media.get(name)
            self.send_response(200 if data is not None else 404)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data or b"")))
            self.end_headers()
            body = data or b""
            try:
                for at in range(0, len(body), 65536):
                    self.wfile.write(body[at : at + 65536])
                    self.wfile.flush()
                    with state.lock:
                        state.media_sent += len(body[at : at + 65536])
                    time.sleep(state.media_drip)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _answer(self, answer: dict[str, Any]) -> None:
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/v3.0/oa/message/cs":
                answer = state.handle_send(self.headers.get("access_token", ""), json.loads(raw))
            elif self.path == "/v4/oa/access_token":
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                answer = state.handle_refresh(self.headers.get("secret_key", ""), form)
            else:
                answer = {"error": -404}
            if answer is None:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._answer(answer)

    return Handler


@contextmanager
def running_standin(state: StandIn | None = None) -> Iterator[StandIn]:
    """Serve the stand-in on a free loopback port in a thread; stop it afterwards."""
    state = state or StandIn()
    state.release()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release()  # let hanging handlers finish before the server goes
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
