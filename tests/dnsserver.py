"""A real DNS server on 127.0.0.1 for tests, serving zones the test writes.

It speaks UDP and TCP on one random free port, follows CNAMEs inside its zones the way a
recursive resolver would, truncates UDP answers above `udp_max` bytes (TC bit, question kept)
so clients must retry over TCP, can be told never to answer or to SERVFAIL per name, and
records every query it receives.

    def test_x(dns_server: DNSTestServer) -> None:
        dns_server.add("example.com", "TXT", "v=spf1 -all")
        resolver = Resolver([dns_server.address], timeout=0.5)

Other test packages get the fixture with `from tests.dnsserver import dns_server`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType

import pytest
from dnslib import AAAA, CNAME, MX, PTR, QTYPE, RCODE, RR, TXT, A, DNSError, DNSLabel, DNSRecord
from dnslib.server import DNSHandler, DNSLogger, DNSServer

RecordValue = str | bytes | Sequence[str | bytes] | tuple[int, str]
_MAX_CHAIN = 8


@dataclass(frozen=True)
class Query:
    name: str
    rtype: str
    protocol: str


class _Silence(DNSError):  # type: ignore[misc]
    """Raised to make the handler drop a query without any answer (a timeout)."""


def _key(name: str) -> str:
    return name.rstrip(".").lower()


def _label_key(label: DNSLabel) -> str:
    # Raw label bytes, not dnslib's escaped text: a label may hold spaces (RFC 2181 §11).
    return b".".join(label.label).decode("latin-1").lower()


def _txt_bytes(value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")  # test data spells raw bytes as \xNN escapes
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _txt_strings(value: RecordValue) -> list[bytes]:
    parts = [value] if isinstance(value, str | bytes) else list(value)
    chunks: list[bytes] = []
    for part in parts:
        data = _txt_bytes(part)  # type: ignore[arg-type]
        # A character-string holds at most 255 bytes: long keys are split, as in zone files.
        chunks.extend(data[i : i + 255] for i in range(0, max(len(data), 1), 255))
    return chunks


def _rdata(rtype: str, value: RecordValue) -> object:
    if rtype == "TXT":
        return TXT(_txt_strings(value))
    if rtype == "MX":
        if isinstance(value, str | bytes) or len(value) != 2:
            raise ValueError("an MX value is (preference, exchange)")
        return MX(str(value[1]) or ".", int(value[0]))
    text = str(value)
    builders = {"A": A, "AAAA": AAAA, "PTR": PTR, "CNAME": CNAME}
    if rtype not in builders:
        raise ValueError(f"unsupported record type {rtype}")
    return builders[rtype](text)


class _ZoneResolver:
    """The dnslib resolver: answers from the zones of its DNSTestServer."""

    def __init__(self, owner: DNSTestServer) -> None:
        self.owner = owner

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        name = _label_key(request.q.qname)
        rtype = QTYPE.get(request.q.qtype)
        self.owner._record(Query(name, str(rtype), handler.protocol))
        if self.owner._is_silent(name, str(rtype)):
            raise _Silence("told not to answer")
        reply = request.reply()
        if self.owner._is_servfail(name, str(rtype)):
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        self._answer(reply, name, str(rtype))
        return reply

    def _answer(self, reply: DNSRecord, name: str, rtype: str) -> None:
        seen = {name}
        current = name
        for _ in range(_MAX_CHAIN):
            records = self.owner._records.get(current, [])
            matches = [rr for rr in records if QTYPE.get(rr.rtype) == rtype]
            cnames = [rr for rr in records if rr.rtype == QTYPE.CNAME]
            if matches or rtype == "CNAME" or not cnames:
                for rr in matches:
                    reply.add_answer(rr)
                break
            reply.add_answer(cnames[0])
            current = _label_key(cnames[0].rdata.label)
            if current in seen:
                break  # a CNAME loop: return the chain as far as it goes
            seen.add(current)
        if not self.owner._exists(current):
            reply.header.rcode = RCODE.NXDOMAIN


class _Handler(DNSHandler):  # type: ignore[misc]
    def get_reply(self, data: bytes) -> bytes:
        request = DNSRecord.parse(data)
        resolver: _ZoneResolver = self.server.resolver
        reply = resolver.resolve(request, self)
        packed: bytes = reply.pack()
        if self.protocol == "udp" and len(packed) > resolver.owner.udp_max:
            # Unlike dnslib's own truncate(), keep the question: clients match on it.
            truncated = request.reply()
            truncated.header.tc = 1
            packed = truncated.pack()
        return packed


class DNSTestServer:
    """Authoritative-and-recursive test server for the zones given with `add`."""

    def __init__(self, *, udp_max: int = 512, ttl: int = 300) -> None:
        self.udp_max = udp_max
        self.ttl = ttl
        self.host = "127.0.0.1"
        self.port = 0
        self._records: dict[str, list[RR]] = {}
        self._silent: set[tuple[str, str | None]] = set()
        self._silent_when_empty: set[str] = set()
        self._silent_all = False
        self._servfail: set[tuple[str, str | None]] = set()
        self._queries: list[Query] = []
        self._lock = threading.Lock()
        self._servers: list[DNSServer] = []

    @property
    def address(self) -> str:
        """`host:port`, the form THATGIA_DNS_NAMESERVERS takes."""
        return f"{self.host}:{self.port}"

    # Zone editing

    def add(self, name: str, rtype: str, value: RecordValue, ttl: int | None = None) -> None:
        rtype = rtype.upper()
        rr = RR(
            DNSLabel(name.rstrip(".") + "."),
            getattr(QTYPE, rtype),
            rdata=_rdata(rtype, value),
            ttl=self.ttl if ttl is None else ttl,
        )
        with self._lock:
            self._records.setdefault(_key(name), []).append(rr)

    def remove(self, name: str) -> None:
        with self._lock:
            self._records.pop(_key(name), None)

    def timeout(self, name: str, rtype: str | None = None, *, when_empty: bool = False) -> None:
        """Never answer `name` (of `rtype`, or any type); with `when_empty`, only queries
        for which the zone has no record of the asked type."""
        with self._lock:
            if when_empty:
                self._silent_when_empty.add(_key(name))
            else:
                self._silent.add((_key(name), rtype.upper() if rtype else None))

    def never_answer(self, silent: bool = True) -> None:
        """Drop every query: a server that is down or filtered."""
        with self._lock:
            self._silent_all = silent

    def servfail(self, name: str, rtype: str | None = None) -> None:
        with self._lock:
            self._servfail.add((_key(name), rtype.upper() if rtype else None))

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._silent.clear()
            self._silent_when_empty.clear()
            self._silent_all = False
            self._servfail.clear()
            self._queries.clear()

    # Query log

    @property
    def queries(self) -> list[Query]:
        with self._lock:
            return list(self._queries)

    def count(
        self, name: str | None = None, rtype: str | None = None, protocol: str | None = None
    ) -> int:
        return sum(
            1
            for q in self.queries
            if (name is None or q.name == _key(name))
            and (rtype is None or q.rtype == rtype.upper())
            and (protocol is None or q.protocol == protocol)
        )

    def reset_counts(self) -> None:
        with self._lock:
            self._queries.clear()

    # Used by the resolver thread

    def _record(self, query: Query) -> None:
        with self._lock:
            self._queries.append(query)

    def _is_silent(self, name: str, rtype: str) -> bool:
        with self._lock:
            if self._silent_all or (name, None) in self._silent or (name, rtype) in self._silent:
                return True
            if name in self._silent_when_empty:
                return not any(QTYPE.get(rr.rtype) == rtype for rr in self._records.get(name, []))
        return False

    def _is_servfail(self, name: str, rtype: str) -> bool:
        with self._lock:
            return (name, None) in self._servfail or (name, rtype) in self._servfail

    def _exists(self, name: str) -> bool:
        with self._lock:
            # An empty non-terminal (a parent of a published name) exists: NODATA, not NXDOMAIN.
            return name in self._records or any(n.endswith("." + name) for n in self._records)

    # Life cycle

    def start(self) -> DNSTestServer:
        for _ in range(20):
            if self._try_start():
                return self
        raise RuntimeError("could not bind UDP and TCP on the same free port")

    def _try_start(self) -> bool:
        logger = DNSLogger(log="-request,-reply,-truncated,-error", logf=lambda _: None)
        resolver = _ZoneResolver(self)
        udp = DNSServer(resolver, address=self.host, port=0, logger=logger, handler=_Handler)
        port = udp.server.server_address[1]
        try:
            tcp = DNSServer(
                resolver, address=self.host, port=port, tcp=True, logger=logger, handler=_Handler
            )
        except OSError:
            udp.server.server_close()
            return False
        self.port = port
        self._servers = [udp, tcp]
        for server in self._servers:
            # A short poll interval: shutdown() waits for it, once per server per test.
            thread = threading.Thread(
                target=server.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
            )
            thread.start()
        return True

    def stop(self) -> None:
        for server in self._servers:
            server.server.shutdown()
            server.server.server_close()
        self._servers = []

    def __enter__(self) -> DNSTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@pytest.fixture
def dns_server() -> Iterator[DNSTestServer]:
    """A fresh, empty DNS server on a random port of 127.0.0.1."""
    with DNSTestServer() as server:
        yield server
