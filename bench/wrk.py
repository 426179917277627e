"""HTTP load from wrk, a load generator written in C: fixed connections for a fixed time.

A client in Python saturates before the server does on cheap requests (GET /healthz capped
near 1,100 requests a second on this machine, where the server answers 7,000), so every
throughput figure of `make bench` comes from wrk. The requests are written out whole by
`raw_request`, and a Lua script sends them in turn over each connection: one request
repeated, or a list of them (several messages, or events that must each be new).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# The requests come from a file of `<length>\n<bytes>` records, read once per wrk thread.
# `laps` counts how many times a thread went back to the first request: zero means no
# request was sent twice (what a list of events that must each be new needs).
LUA = r"""
local requests, next_index, threads = {}, 0, {}
laps = 0  -- a global: done() reads it from each thread

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local data = file:read("*a")
  file:close()
  local at = 1
  while at <= #data do
    local newline = string.find(data, "\n", at, true)
    local length = tonumber(string.sub(data, at, newline - 1))
    table.insert(requests, string.sub(data, newline + 1, newline + length))
    at = newline + 1 + length
  end
end

function request()
  next_index = next_index + 1
  if next_index > #requests then
    next_index, laps = 1, laps + 1
  end
  return requests[next_index]
end

function done(summary, latency, requests)
  local total_laps = 0
  for _, thread in ipairs(threads) do
    total_laps = total_laps + thread:get("laps")
  end
  local e = summary.errors
  io.write(string.format(
    "wrk-result requests=%d duration_us=%d socket_errors=%d status_errors=%d timeouts=%d "
      .. "p50_us=%d p99_us=%d laps=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), total_laps))
end
"""

_RESULT = re.compile(r"^wrk-result (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    errors: int  # socket errors, timeouts and answers of status 400 or more
    p50_ms: float
    p99_ms: float
    laps: int  # times a connection's thread went back to the first request of the list

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_binary() -> str:
    """wrk's path; installed from Debian when missing and running as root."""
    return debian_tool("wrk", "wrk")


def debian_tool(command: str, package: str) -> str:
    """The path of `command`, installing Debian's `package` when it is missing and this
    process may (root); otherwise a SystemExit that says how to get it."""
    found = shutil.which(command)
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"{command} not found: apt-get install -y {package}")
        install = ["apt-get", "install", "-y", "-q", package]
        if subprocess.run(install, capture_output=True, check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, check=False)
            subprocess.run(install, capture_output=True, check=False)
        found = shutil.which(command)
    if found is None:
        raise SystemExit(
            f"{command} not found: install Debian's {package} (apt-get install {package}, as "
            "root); the benchmarks need it and install it themselves only when run as root"
        )
    return found


def raw_request(
    method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None
) -> bytes:
    """One HTTP/1.1 request exactly as sent: the Host is wrk's own target."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method not in ("GET", "HEAD"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def request_file(requests: Sequence[bytes], path: Path) -> Path:
    """Write `requests` in the form the Lua script reads."""
    path.write_bytes(b"".join(b"%d\n%s" % (len(r), r) for r in requests))
    return path


def parse_result(output: str) -> WrkResult:
    found = _RESULT.search(output)
    if found is None:
        raise RuntimeError(f"wrk printed no result: {output[-2000:]}")
    fields = {k: int(v) for k, v in (pair.split("=") for pair in found.group(1).split())}
    return WrkResult(
        requests=fields["requests"],
        seconds=fields["duration_us"] / 1e6,
        errors=fields["socket_errors"] + fields["status_errors"] + fields["timeouts"],
        p50_ms=fields["p50_us"] / 1000,
        p99_ms=fields["p99_us"] / 1000,
        laps=fields["laps"],
    )


def run_wrk(
    base: str, requests: Sequence[bytes], *, seconds: int, connections: int, threads: int = 1
) -> WrkResult:
    """Send `requests` in turn to `base` (http://127.0.0.1:port) for `seconds`."""
    if not base.startswith("http://127.0.0.1:"):
        raise ValueError(f"load goes to 127.0.0.1 only, not {base}")
    with tempfile.TemporaryDirectory(prefix="thatgia-wrk-") as tmp:
        script = Path(tmp) / "requests.lua"
        script.write_text(LUA)
        listed = request_file(requests, Path(tmp) / "requests")
        command = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
        command += ["--timeout", "10s", "-s", str(script), base, "--", str(listed)]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-2000:]}")
    return parse_result(done.stdout)
