"""DNS for mail authentication: one resolver and one cache shared by SPF, DKIM and DMARC.

Everything here is synchronous and a lookup may block for up to the per-lookup timeout, so
an HTTP router must run the whole authentication in a worker thread
(``await anyio.to_thread.run_sync(...)``) and never call it on the event loop. The cache and
the counters are guarded by locks so one `Resolver` can serve many threads at once.

Each message gets a `Deadline`: its overall DNS time budget. Every lookup is bounded by both
the per-lookup timeout and what is left of the budget; once the budget is spent, remaining
lookups raise `DNSTempError` at once, so the callers report `temperror` instead of waiting.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Sequence

import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rdata
import dns.resolver
from dns.rdtypes.ANY.MX import MX
from dns.rdtypes.ANY.PTR import PTR
from dns.rdtypes.ANY.TXT import TXT
from dns.rdtypes.IN.A import A
from dns.rdtypes.IN.AAAA import AAAA

from app.mail.auth.cache import TTLCache

SUPPORTED_TYPES = frozenset({"A", "AAAA", "MX", "PTR", "TXT", "CNAME"})
Records = tuple[dns.rdata.Rdata, ...]


class DNSTempError(Exception):
    """No answer now (timeout, SERVFAIL, budget spent): the result must be `temperror`."""


class Deadline:
    """The DNS time budget of one message, plus what that message cost in DNS traffic."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.budget = seconds
        self.expires_at = clock() + seconds
        self.lookups = 0  # lookups that missed the cache and went to the network
        self.queries_sent = 0  # packets sent for them (retries and TCP fallback included)

    def remaining(self) -> float:
        return max(0.0, self.expires_at - self._clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def expire(self) -> None:
        """Spend the rest now (the client went away): later lookups give temperror."""
        self.expires_at = self._clock()


class ResolverStats:
    """Counters over the resolver's life, for metrics and the benchmark."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.queries_sent = 0
        self.cache_hits = 0
        self.cache_misses = 0

    def add(self, *, queries: int = 0, hits: int = 0, misses: int = 0) -> None:
        with self._lock:
            self.queries_sent += queries
            self.cache_hits += hits
            self.cache_misses += misses


# The message being resolved for, so the nameserver can charge its packets to it.
_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "thatgia_dns_deadline", default=None
)


class _CountingNameserver(dns.nameserver.Do53Nameserver):
    """A plain UDP/TCP nameserver that counts every packet it sends."""

    def __init__(self, address: str, port: int, stats: ResolverStats) -> None:
        super().__init__(address, port)
        self._stats = stats

    def query(
        self,
        request: dns.message.QueryMessage,
        timeout: float,
        source: str | None,
        source_port: int,
        max_size: bool,
        one_rr_per_rrset: bool = False,
        ignore_trailing: bool = False,
    ) -> dns.message.Message:
        self._stats.add(queries=1)
        deadline = _CURRENT.get()
        if deadline is not None:
            deadline.queries_sent += 1
        return super().query(
            request, timeout, source, source_port, max_size, one_rr_per_rrset, ignore_trailing
        )


def parse_nameserver(spec: str) -> tuple[str, int]:
    """`host`, `host:port`, `[v6]:port` or a bare IPv6 address -> (IP address, port)."""
    spec = spec.strip()
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else 53
    elif spec.count(":") == 1:
        host, _, port_text = spec.partition(":")
        port = int(port_text)
    else:
        host, port = spec, 53
    if not 0 < port < 65536 or not host:
        raise ValueError(f"invalid nameserver: {spec!r}")
    return _to_address(host), port


def _to_address(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        # A host name is resolved once, when the resolver is built at start-up.
        infos = socket.getaddrinfo(host, 53, proto=socket.IPPROTO_UDP)
        return str(infos[0][4][0])


def _system_nameservers() -> list[tuple[str, int]]:
    try:
        system = dns.resolver.Resolver(configure=True)
    except dns.exception.DNSException:
        return []
    found: list[tuple[str, int]] = []
    for ns in system.nameservers:
        if isinstance(ns, str):
            found.append((ns, system.nameserver_ports.get(ns, system.port)))
        elif isinstance(ns, dns.nameserver.Do53Nameserver):
            found.append((ns.answer_nameserver(), ns.answer_port()))
    return found


class Resolver:
    """Stub resolver with TCP fallback, a bounded TTL cache and per-message budgets."""

    def __init__(
        self,
        nameservers: Sequence[str] = (),
        *,
        timeout: float = 2.0,
        cache_size: int = 10_000,
        max_ttl: float = 3600.0,
        negative_ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = timeout
        self.max_ttl = max_ttl
        self.negative_ttl = negative_ttl
        self.stats = ResolverStats()
        self._cache: TTLCache[tuple[str, str], Records] = TTLCache(cache_size, clock)
        servers = [parse_nameserver(s) for s in nameservers] or _system_nameservers()
        self._resolver = dns.resolver.Resolver(configure=False)
        self._resolver.nameservers = [_CountingNameserver(a, p, self.stats) for a, p in servers]
        self._resolver.timeout = timeout
        self._resolver.lifetime = timeout
        self._resolver.retry_servfail = False
        # EDNS0 with the 2020 "flag day" size avoids most TCP retries for DKIM keys.
        self._resolver.use_edns(0, 0, 1232)

    @property
    def nameservers(self) -> list[str]:
        return [str(ns) for ns in self._resolver.nameservers]

    def clear_cache(self) -> None:
        self._cache.clear()

    def lookup(self, name: str, rdtype: str, deadline: Deadline | None = None) -> Records:
        """Records of `rdtype` at `name` (CNAMEs followed); () when there are none."""
        rdtype = rdtype.upper()
        if rdtype not in SUPPORTED_TYPES:
            raise ValueError(f"unsupported record type {rdtype}")
        qname = _qname(name)
        if qname is None:
            return ()  # a name that cannot exist in DNS has no records
        key = (qname.to_text().lower(), rdtype)
        cached = self._cache.get(key)
        if cached is not None:
            self.stats.add(hits=1)
            return cached
        self.stats.add(misses=1)
        records, ttl = self._fetch(qname, rdtype, deadline)
        self._cache.put(key, records, ttl)
        return records

    def _fetch(
        self, qname: dns.name.Name, rdtype: str, deadline: Deadline | None
    ) -> tuple[Records, float]:
        lifetime = self.timeout if deadline is None else min(self.timeout, deadline.remaining())
        if lifetime <= 0.0:
            raise DNSTempError("DNS time budget for this message is spent")
        if not self._resolver.nameservers:
            raise DNSTempError("no DNS nameserver is configured")
        if deadline is not None:
            deadline.lookups += 1
        token = _CURRENT.set(deadline)
        try:
            answer = self._resolver.resolve(
                qname, rdtype, search=False, raise_on_no_answer=False, lifetime=lifetime
            )
        except (dns.resolver.NXDOMAIN, dns.resolver.YXDOMAIN):
            return (), self.negative_ttl
        except dns.resolver.LifetimeTimeout as exc:
            raise DNSTempError(f"DNS timeout for {qname} {rdtype}") from exc
        except dns.resolver.NoNameservers as exc:
            raise DNSTempError(f"DNS server failure (SERVFAIL) for {qname} {rdtype}") from exc
        except dns.exception.DNSException as exc:
            raise DNSTempError(f"DNS error for {qname} {rdtype}: {exc}") from exc
        finally:
            _CURRENT.reset(token)
        ttl = min(answer.expiration - time.time(), self.max_ttl)
        if answer.rrset is None:
            # Negative answers are kept only briefly: a record being published must show up.
            return (), self.negative_ttl if ttl <= 0 else min(ttl, self.negative_ttl)
        return tuple(answer.rrset), ttl

    # Typed views used by SPF, DKIM and DMARC.

    def txt(self, name: str, deadline: Deadline | None = None) -> list[tuple[bytes, ...]]:
        """Each TXT record as its character-strings (not yet joined)."""
        return [r.strings for r in self.lookup(name, "TXT", deadline) if isinstance(r, TXT)]

    def addresses(self, name: str, rdtype: str, deadline: Deadline | None = None) -> list[str]:
        records = self.lookup(name, rdtype, deadline)
        return [r.address for r in records if isinstance(r, A | AAAA)]

    def mx(self, name: str, deadline: Deadline | None = None) -> list[tuple[int, str]]:
        records = self.lookup(name, "MX", deadline)
        return [(r.preference, _host(r.exchange)) for r in records if isinstance(r, MX)]

    def ptr(self, name: str, deadline: Deadline | None = None) -> list[str]:
        return [_host(r.target) for r in self.lookup(name, "PTR", deadline) if isinstance(r, PTR)]


def _qname(name: str) -> dns.name.Name | None:
    text = name.strip().rstrip(".")
    if not text:
        return None
    try:
        return dns.name.from_text(text + ".")
    except (dns.exception.DNSException, UnicodeError, ValueError):
        return None


def _host(name: dns.name.Name) -> str:
    # The root name (an MX of "." meaning "no mail") becomes "", never a lookup of ".".
    return "" if name == dns.name.root else name.to_text(omit_final_dot=True)
