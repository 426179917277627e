"""POST /v1/check with the audit log on, against the same endpoint with it off, same run.

On SQLite (a migrated file) and on PostgreSQL (a private schema of THATGIA_BENCH_POSTGRES_URL,
else THATGIA_TEST_POSTGRES_URL, else the local default; skipped when unreachable). The
message holds a ticket code, phones and a link, so every check also asks the database
about them, audit or not: the ratio isolates the cost of writing the record.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from app.store.migrations import upgrade
from bench.load import LoadResult, measure
from bench.messages import message_of
from bench.server import running_server

SECONDS = 4.0
ROUNDS = 2  # interleaved; the best of each configuration, to damp a noisy machine
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


def _rate(url: str, audit: bool) -> LoadResult:
    env = {"THATGIA_DATABASE_URL": url, "THATGIA_AUDIT_ENABLED": "true" if audit else "false"}
    body = {"message": message_of(1_000), "channel": "zalo"}
    with running_server(env) as base:
        return measure("POST", f"{base}/v1/check", seconds=SECONDS, json=body)


def _line(label: str, result: LoadResult) -> str:
    return (
        f"POST /v1/check {label:<22}: {result.rps:8.0f} req/s  median "
        f"{result.median_ms:6.2f} ms  errors {result.errors}"
    )


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp, _postgres() as postgres:
        databases = {"SQLite": f"sqlite:///{tmp}/bench.db"}
        if postgres is not None:
            databases["PostgreSQL"] = postgres
        for url in databases.values():
            upgrade(url)
        best: dict[tuple[str, bool], LoadResult] = {}
        for _ in range(ROUNDS):
            for name, url in databases.items():
                for audit in (False, True):
                    result = _rate(url, audit)
                    if (name, audit) not in best or result.rps > best[name, audit].rps:
                        best[name, audit] = result
    for name in databases:
        print(_line(f"{name}, audit off", best[name, False]))
        print(_line(f"{name}, audit on", best[name, True]))
    for name in databases:
        ratio = best[name, True].rps / best[name, False].rps
        print(f"ratio audit on / off, {name}: {ratio:.2f}  (target >= {TARGET})")
