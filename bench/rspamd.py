"""Debian's rspamd as the bench runs it beside thatgia: one scanner worker on loopback.

Its own configuration (Debian's `/etc/rspamd/rspamd.conf`) with a private LOCAL_CONFDIR,
database, run and log directory in a temporary directory, so the machine's own rspamd
settings, if any, play no part. The modules that ask services on the network (DNS
blocklists, fuzzy hashes, ASN, DCC, updates, BIMI) are off; those that need Redis are
off by themselves (none is configured); SPF, DKIM, ARC, DMARC and the content rules
(regexp, hfilter, mime types, phishing, multimap, chartable, ...) stay on, asking the DNS
server the bench points them at.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.server import cpu_seconds, free_port
from bench.wrk import debian_tool

# Modules whose checks ask services on the network, each switched off by its local.d file.
NETWORK_MODULES = (
    "rbl",
    "fuzzy_check",
    "dcc",
    "asn",
    "rspamd_update",
    "bimi",
    "p0f",
    "external_services",
    "antivirus",
    "spamassassin",
    "metadata_exporter",
    "clickhouse",
    "elastic",
    "url_redirector",
)
USER = "_rspamd"  # the unprivileged user of Debian's package, used when the bench is root
READY_SECONDS = 180  # start-up compiles the Hyperscan databases: up to a minute or two


@dataclass(frozen=True)
class Rspamd:
    base: str  # http://127.0.0.1:<port> of the scanner worker (/checkv2)
    pid: int  # the main process
    log: Path

    def cpu_seconds(self) -> float | None:
        """CPU time of the main process and all its children (the worker, the helpers)."""
        pids = [self.pid, *_descendants(self.pid)]
        times = [cpu_seconds(pid) for pid in pids]
        known = [t for t in times if t is not None]
        return sum(known) if known else None


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def write_config(root: Path, port: int, nameserver: str) -> dict[str, str]:
    """The local.d and override.d files under `root`; the variables rspamd is started with."""
    local, override = root / "local.d", root / "override.d"
    for folder in (local, override, root / "db", root / "run", root / "log"):
        folder.mkdir(parents=True, exist_ok=True)
    (local / "options.inc").write_text(
        f'dns {{\n  nameserver = ["{nameserver}"];\n  timeout = 1s;\n  retransmits = 2;\n}}\n'
    )
    (override / "worker-normal.inc").write_text(f'bind_socket = "127.0.0.1:{port}";\ncount = 1;\n')
    for worker in ("controller", "proxy", "fuzzy"):
        (override / f"worker-{worker}.inc").write_text("enabled = false;\ncount = -1;\n")
    for module in NETWORK_MODULES:
        (local / f"{module}.conf").write_text("enabled = false;\n")
    return {
        "LOCAL_CONFDIR": str(root),
        "DBDIR": str(root / "db"),
        "RUNDIR": str(root / "run"),
        "LOGDIR": str(root / "log"),
    }


def command(binary: str, variables: dict[str, str]) -> list[str]:
    """rspamd in the foreground, as the package's user when the bench runs as root."""
    argv = [binary, "-f", "-c", "/etc/rspamd/rspamd.conf"]
    for name, value in variables.items():
        argv += ["--var", f"{name}={value}"]
    if os.geteuid() == 0:
        argv += ["-u", USER, "-g", USER]
    return argv


@contextmanager
def running_rspamd(nameserver: str) -> Iterator[Rspamd]:
    """Start rspamd on a free loopback port, wait for its scanner, yield it, stop it (the
    process it started, by its pid)."""
    binary = debian_tool("rspamd", "rspamd")
    root = Path(tempfile.mkdtemp(prefix="thatgia-bench-rspamd-"))
    try:
        port = free_port()
        variables = write_config(root, port, nameserver)
        if os.geteuid() == 0:
            _give_to(root, USER)
        log = root / "log" / "rspamd.log"
        process = subprocess.Popen(
            command(binary, variables),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            served = Rspamd(f"http://127.0.0.1:{port}", process.pid, log)
            _wait_until_ready(served, process)
            yield served
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _give_to(root: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for path in [root, *root.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _wait_until_ready(served: Rspamd, process: subprocess.Popen[bytes]) -> None:
    """Until the scanner answers and the Hyperscan databases are loaded (before then the
    regular expressions run without them, several times slower)."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            log = served.log.read_text() if served.log.exists() else ""
            raise RuntimeError(f"rspamd exited early: {err[-1500:]}{log[-1500:]}")
        try:
            answered = httpx.get(f"{served.base}/ping", timeout=1).status_code == 200
        except httpx.HTTPError:
            answered = False
        if answered and _hyperscan_loaded(served.log):
            return
        time.sleep(0.2)
    raise RuntimeError(f"rspamd was not ready within {READY_SECONDS} s (see {served.log})")


def _hyperscan_loaded(log: Path) -> bool:
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return False
    if "loaded hyperscan engine" not in text:
        return True  # a build without Hyperscan: nothing to wait for
    return any(
        "(normal)" in line and "hyperscan database of" in line and "has been loaded" in line
        for line in text.splitlines()
    )
