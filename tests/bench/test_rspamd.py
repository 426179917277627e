"""bench.rspamd: the configuration it writes is one rspamd accepts, network modules off."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bench.rspamd import NETWORK_MODULES, command, write_config


def _modules(root: Path) -> dict[str, set[str]]:
    variables = write_config(root, 11333, "127.0.0.1:5353")
    options = [f"--var={name}={value}" for name, value in variables.items()]
    test = ["rspamadm", *options, "configtest", "-c", "/etc/rspamd/rspamd.conf"]
    assert subprocess.run(test, capture_output=True, text=True, check=False).returncode == 0
    dump = ["rspamadm", *options, "configdump", "-m", "-c", "/etc/rspamd/rspamd.conf"]
    done = subprocess.run(dump, capture_output=True, text=True, check=True, timeout=60)
    kinds: dict[str, set[str]] = {}
    for line in done.stdout.splitlines():
        kind, _, names = line.partition(":")
        kinds[kind.strip()] = {n.strip() for n in names.split(",") if n.strip()}
    return kinds


@pytest.mark.skipif(shutil.which("rspamadm") is None, reason="rspamd is not installed")
def test_network_modules_are_off_and_authentication_and_content_rules_on(
    tmp_path: Path,
) -> None:
    kinds = _modules(tmp_path)
    enabled = kinds["Modules enabled"]
    assert {"spf", "dkim", "dmarc", "arc", "regexp", "hfilter", "mime_types"} <= enabled
    assert not enabled & set(NETWORK_MODULES)
    assert {"rbl", "fuzzy_check", "asn", "dcc"} <= kinds["Modules disabled (explicitly)"]


def test_the_scanner_listens_on_loopback_alone_and_asks_the_bench_dns(tmp_path: Path) -> None:
    write_config(tmp_path, 4242, "127.0.0.1:5353")
    worker = (tmp_path / "override.d" / "worker-normal.inc").read_text()
    assert 'bind_socket = "127.0.0.1:4242";' in worker and "count = 1;" in worker
    assert '"127.0.0.1:5353"' in (tmp_path / "local.d" / "options.inc").read_text()
    for other in ("controller", "proxy", "fuzzy"):
        assert "enabled = false;" in (tmp_path / "override.d" / f"worker-{other}.inc").read_text()


def test_rspamd_runs_in_the_foreground_with_the_bench_directories() -> None:
    argv = command("/usr/bin/rspamd", {"DBDIR": "/tmp/x/db"})
    assert argv[:4] == ["/usr/bin/rspamd", "-f", "-c", "/etc/rspamd/rspamd.conf"]
    assert argv[4:6] == ["--var", "DBDIR=/tmp/x/db"]
