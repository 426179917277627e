"""Who a request comes from, for limits: the peer address, or a trusted proxy's header.

Behind a reverse proxy every connection comes from the proxy, so the client's address is
read from the header the proxy sets (THATGIA_TRUSTED_PROXY_HEADER), and from no other: a
client can write any header it likes, and only the proxy's is believed. Of a list
(X-Forwarded-For) the last entry is taken, the one the proxy itself appended. An IPv6
client is known by its /64, the block one subscriber is given.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection

from app.config import Settings

UNKNOWN = "ip:unknown"


def _normalised(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"ip:{address.ipv4_mapped}"
        return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"ip:{address}"


def client_address(connection: HTTPConnection, settings: Settings) -> str:
    """`ip:<address>` of the client (`ip:<prefix>/64` for IPv6), `ip:unknown` without one."""
    header = settings.trusted_proxy_header
    if header:
        value = connection.headers.get(header)
        if value:
            found = _normalised(value.rsplit(",", 1)[-1][:100])
            if found is not None:
                return found
    peer = connection.client.host if connection.client else None
    return (_normalised(peer) if peer else None) or UNKNOWN
