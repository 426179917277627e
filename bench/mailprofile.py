"""Where the time of one mail check goes, stage by stage, then function by function.

The fourteen messages of bench/mail.py, their DNS records on a real DNS server on
127.0.0.1, go through the whole app in this process as bare ASGI calls (bench/drive.py):
the gateway key, reading the message, SPF, DKIM, DMARC, the engine, the audit write and
the answer, with a warm DNS cache. Not uvicorn's HTTP parsing, nor its access log.

Stages are timed by wrapping the functions the route calls (wall time, inclusive, one
check at a time); the worker-thread hops of the route run inline so that one thread does
all the work and cProfile sees it. Opt-in: `make bench SUITES=mailprofile`.
"""

from __future__ import annotations

import asyncio
import cProfile
import functools
import inspect
import pstats
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import anyio.to_thread
import dkim
import fastapi.routing
from dkim.canonicalization import CanonicalizationPolicy
from fastapi import FastAPI
from starlette.requests import Request

import app.checking
import app.http.auth
import app.mail.auth.dkimcheck
import app.mail.auth.engine
import app.mail.router
from app.config import Settings
from app.main import create_app
from app.native import engine_build
from bench.drive import call
from bench.mail import Mail, corpus_mails, gateway_key, publish
from bench.server import migrate
from tests.dnsserver import DNSTestServer

LAPS = 30  # rounds over the fourteen messages, for each measurement
TOP = 18  # functions listed
PACKAGES = 14  # packages listed
PATH = "/v1/mail/check"

# (depth, label, owner, attribute): what the route calls, as it looks the names up.
STAGES: list[tuple[int, str, object, str]] = [
    (0, "the gateway key, looked up (auth.optional_caller)", app.http.auth, "optional_caller"),
    (0, "the body received (Request.body)", Request, "body"),
    (0, "read the message (app/mail/parse parse_message)", app.mail.router, "parse_message"),
    (0, "authenticate (app/mail/auth authenticate)", app.mail.router, "authenticate"),
    (1, "DKIM (dkimcheck.verify_dkim)", app.mail.auth.engine, "verify_dkim"),
    (2, "dkimpy reads the message (rfc822_parse)", dkim, "rfc822_parse"),
    (2, "key record checked and parsed (evaluate_pk)", dkim, "evaluate_pk"),
    (2, "canonicalisation of headers", CanonicalizationPolicy, "canonicalize_headers"),
    (2, "canonicalisation of the body", CanonicalizationPolicy, "canonicalize_body"),
    (2, "RSA verification (RSASSA_PKCS1_v1_5_verify)", dkim, "RSASSA_PKCS1_v1_5_verify"),
    (1, "DMARC record (alignment.discover_policy)", app.mail.auth.engine, "discover_policy"),
    (1, "SPF (spfcheck.check_spf, pyspf)", app.mail.auth.engine, "check_spf"),
    (1, "alignment (evaluate_alignment)", app.mail.auth.engine, "evaluate_alignment"),
    (0, "mail findings: authentication", app.mail.router, "auth_findings"),
    (0, "mail findings: From, Reply-To", app.mail.router, "structure_findings"),
    (0, "mail findings: attachments", app.mail.router, "attachment_findings"),
    (0, "the claim (mailcheck.mail_claim)", app.mail.router, "mail_claim"),
    (0, "the check (checking.run_check)", app.mail.router, "run_check"),
    (1, "identifiers (extract)", app.checking, "extract"),
    (1, "database look-ups (store.memory.recall)", app.checking, "recall"),
    (1, "the engine (assess)", app.checking, "assess"),
    (1, "audit record and its write (store.memory.remember)", app.checking, "remember"),
    (0, "the answer: findings presented (present)", app.mail.router, "present"),
    (0, "the answer: response model", app.mail.router, "MailCheckResponse"),
    (
        0,
        "the answer: validated, encoded (serialize_response)",
        fastapi.routing,
        "serialize_response",
    ),
]


@dataclass
class Timers:
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: Counter[str] = field(default_factory=Counter)

    def wrap(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await function(*args, **kwargs)
                finally:
                    self.seconds[label] += time.perf_counter() - started
                    self.calls[label] += 1

            return timed_async

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        return timed


@contextmanager
def timing(timers: Timers) -> Iterator[None]:
    with ExitStack() as stack:
        for _, label, owner, name in STAGES:
            original = inspect.getattr_static(owner, name)
            if isinstance(original, staticmethod | classmethod):
                raise TypeError(f"{label}: wrap the function, not a {type(original).__name__}")
            stack.enter_context(mock.patch.object(owner, name, timers.wrap(label, original)))
        yield


async def _inline(function: Callable[..., Any], *args: Any, **_: Any) -> Any:
    return function(*args)


@contextmanager
def threads_inline() -> Iterator[None]:
    """The route's hops to worker threads run on the calling thread instead."""
    with mock.patch.object(anyio.to_thread, "run_sync", _inline):
        yield


Send = Callable[[], Awaitable[int]]


def requests_for(application: FastAPI, mails: list[Mail], token: str) -> list[Send]:
    headers = ((b"authorization", f"Bearer {token}".encode()), (b"content-type", b"message/rfc822"))

    def one(mail: Mail) -> Send:
        query = urlencode(
            {"client_ip": mail.client_ip, "helo": mail.helo, "mail_from": mail.mail_from}
        ).encode()
        return functools.partial(
            call, application, "POST", PATH, mail.raw, query=query, headers=headers
        )

    return [one(mail) for mail in mails]


async def laps(requests: list[Send], count: int) -> tuple[float, float]:
    """Wall and CPU seconds (all threads) of `count` rounds of `requests`."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        for request in requests:
            if (status := await request()) != 200:
                raise RuntimeError(f"{PATH} answered {status}")
    return time.perf_counter() - wall, time.process_time() - cpu


@dataclass
class Profile:
    checks: int = 0
    threaded: tuple[float, float] = (0.0, 0.0)
    inline: tuple[float, float] = (0.0, 0.0)
    timed: float = 0.0  # wall seconds of the run with the stages timed
    timers: Timers = field(default_factory=Timers)
    stats: pstats.Stats | None = None


async def measure(application: FastAPI, requests: list[Send]) -> Profile:
    found = Profile(checks=LAPS * len(requests))
    async with application.router.lifespan_context(application):
        await laps(requests, 2)  # DNS answers cached, every path taken once
        found.threaded = await laps(requests, LAPS)
        with threads_inline():
            found.inline = await laps(requests, LAPS)
            with timing(found.timers):
                found.timed, _ = await laps(requests, LAPS)
            profiler = cProfile.Profile()
            profiler.enable()
            await laps(requests, LAPS)
            profiler.disable()
        await asyncio.sleep(0.05)  # the last audit batch commits
    found.stats = pstats.Stats(profiler)
    return found


def run() -> None:
    mails = corpus_mails()
    with DNSTestServer() as dns, tempfile.TemporaryDirectory() as tmp:
        publish(dns, mails)
        database = f"sqlite:///{tmp}/bench.db"
        env = {"THATGIA_DATABASE_URL": database}
        migrate(env)
        token = gateway_key(env)
        settings = Settings(database_url=database, dns_nameservers=[dns.address])
        application = create_app(settings)
        found = asyncio.run(measure(application, requests_for(application, mails, token)))
    report(found, len(mails))


def report(found: Profile, messages: int) -> None:
    per = 1000 / found.checks
    print(
        f"{messages} messages x {LAPS} laps = {found.checks} checks through the app in this "
        f"process, one at a time, warm DNS cache; engine modules {engine_build()}"
    )
    for label, (wall, cpu) in (
        ("with worker threads, as served", found.threaded),
        ("worker-thread hops inline", found.inline),
    ):
        print(f"  {label:32}: {wall * per:6.2f} ms wall, {cpu * per:6.2f} ms CPU per check")
    timed, total = found.timers, found.timed
    print(f"\n{'stage (wall time, inclusive)':58} ms/check  share  calls/check")
    top_level = 0.0
    for depth, label, _, _ in STAGES:
        seconds = timed.seconds[label]
        top_level += seconds if depth == 0 else 0.0
        calls = timed.calls[label] / found.checks
        print(f"{'  ' * depth + label:58} {seconds * per:7.3f} {seconds / total:6.1%} {calls:8.1f}")
    rest = total - top_level
    label = "the rest: routing, dependencies, middleware, the event loop"
    print(f"{label:58} {rest * per:7.3f} {rest / total:6.1%}")
    if found.stats is not None:
        print("\nown time by package under cProfile (C functions counted with their caller's):")
        for line in by_package(found.stats):
            print(line)
        print("\nfunctions by own time under cProfile (which slows Python code, not C):")
        for line in hot_spots(found.stats, found.checks):
            print(line)


def hot_spots(stats: pstats.Stats, checks: int) -> list[str]:
    rows = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in rows.values())
    ordered = sorted(rows.items(), key=lambda item: item[1][2], reverse=True)[:TOP]
    lines = [f"{'file:line:function':70} own share  calls/check"]
    for (filename, line, function), (_, calls, own, _, _) in ordered:
        where = f"{_short_path(filename)}:{line}:{function}" if line else function
        lines.append(f"{where[:70]:70} {own / total:8.1%}  {calls / checks:8.1f}")
    return lines


def by_package(stats: pstats.Stats) -> list[str]:
    rows = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in rows.values())
    own: defaultdict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, seconds, _, callers) in rows.items():
        if filename == "~" and callers:  # a C function: its main caller's package
            filename = max(callers.items(), key=lambda item: item[1][2])[0][0]
        own[_package(filename)] += seconds
    ordered = sorted(own.items(), key=lambda item: item[1], reverse=True)[:PACKAGES]
    return [f"  {name:28} {seconds / total:6.1%}" for name, seconds in ordered]


def _package(filename: str) -> str:
    """app/mail/auth, app/store, ...; dkim, sqlalchemy, asyncio, ...; `C` for C callers."""
    if filename == "~":
        return "C (called from C)"
    parts = _short_path(filename).split("/")
    return "/".join(parts[:2]) if parts[0] == "app" else parts[0].removesuffix(".py")


def _short_path(filename: str) -> str:
    """The path from the nearest import root: app/..., dkim/..., starlette/..."""
    roots = [r for r in (*sys.path, str(Path.cwd())) if r and filename.startswith(r + "/")]
    return filename[len(max(roots, key=len)) + 1 :] if roots else filename
