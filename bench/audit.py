"""POST /v1/check with the audit log on, against the same endpoint with it off, same run.

On SQLite (a migrated file) and on PostgreSQL (a private schema of THATGIA_BENCH_POSTGRES_URL,
else THATGIA_TEST_POSTGRES_URL, else the local default; skipped when unreachable). The
message holds a ticket code, phones and a link, so every check also asks the database
about them, audit or not: the ratio isolates the cost of writing the record. The load comes
from wrk (bench/wrk.py); a server is started for each run, the setting being read at start.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from app.store.migrations import upgrade
from bench.load import Slice, measure, ratios, spread, summary
from bench.messages import message_of
from bench.server import serving
from bench.wrk import raw_request

SECONDS = 4
ROUNDS = 3  # interleaved, so that a busy moment of the machine falls on both sides
CONNECTIONS = 8
TARGET = 0.7
POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def _postgres() -> Iterator[str | None]:
    url = (
        os.environ.get("THATGIA_BENCH_POSTGRES_URL")
        or os.environ.get("THATGIA_TEST_POSTGRES_URL")
        or POSTGRES_DEFAULT
    )
    plain = make_url(url).set(drivername="postgresql")
    schema = f"thatgia_bench_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        conn = psycopg.connect(plain.render_as_string(False), connect_timeout=3, autocommit=True)
    except psycopg.Error as exc:
        print(f"PostgreSQL unreachable, skipped: {exc}".strip())
        yield None
        return
    with conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            bench_url = plain.update_query_dict({"options": f"-csearch_path={schema}"})
            yield bench_url.render_as_string(hide_password=False)
        finally:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def _rate(url: str, audit: bool) -> Slice:
    env = {"THATGIA_DATABASE_URL": url, "THATGIA_AUDIT_ENABLED": "true" if audit else "false"}
    body = json.dumps({"message": message_of(1_000), "channel": "zalo"}).encode()
    check = raw_request("POST", "/v1/check", body, {"Content-Type": "application/json"})
    with serving(env) as served:
        # A second of warm-up (the first checks build caches), not counted.
        measure(served.base, served.cpu_seconds, [check], seconds=1, connections=CONNECTIONS)
        return measure(
            served.base, served.cpu_seconds, [check], seconds=SECONDS, connections=CONNECTIONS
        )


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp, _postgres() as postgres:
        databases = {"SQLite": f"sqlite:///{tmp}/bench.db"}
        if postgres is not None:
            databases["PostgreSQL"] = postgres
        for url in databases.values():
            upgrade(url)
        slices: dict[tuple[str, bool], list[Slice]] = {}
        for _ in range(ROUNDS):
            for name, url in databases.items():
                for audit in (False, True):
                    slices.setdefault((name, audit), []).append(_rate(url, audit))
    print(
        f"wrk, {CONNECTIONS} connections, {ROUNDS} interleaved {SECONDS} s runs of each;"
        " median (min–max)"
    )
    for name in databases:
        for audit in (False, True):
            label = f"POST /v1/check {name}, audit {'on' if audit else 'off'}"
            print(summary(f"{label:<36}", slices[name, audit]))
    for name in databases:
        on, off = slices[name, True], slices[name, False]
        print(
            f"ratio audit on / off, {name}: {spread(ratios(on, off), '.2f')}  (target >= {TARGET})"
        )
