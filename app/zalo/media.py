"""Fetching the image a user sent the Official Account, from Zalo's media hosts only.

The event names a URL; whoever can post an event could name any URL (an internal address,
a huge file, a server that never answers). So the host must be one of
THATGIA_ZALO_MEDIA_HOSTS (or a sub-domain of one), a redirect may not lead to another
host, the body stops at the image size limit and the whole fetch at a time limit. The
image is kept in memory for its reading only.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin, urlsplit

import httpx

from app.ocr.images import sniff

MAX_REDIRECTS = 3
# Enough of a file to tell an image from anything else (app.ocr.images.sniff): a document
# sent with user_send_file is given up on after these, not downloaded whole.
SIGNATURE_BYTES = 12


class MediaUnavailable(Exception):
    """The image could not be fetched within the rules; the reason is for the log."""


def allowed_host(url: str, hosts: list[str]) -> str | None:
    """The URL's host when it is one of `hosts` or below one, over HTTP(S); else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("https", "http") or not host:
        return None
    for allowed in hosts:
        allowed = allowed.lower().strip(".")
        if host == allowed or host.endswith("." + allowed):
            return host
    return None


class MediaFetcher:
    def __init__(
        self, http: httpx.AsyncClient, *, hosts: list[str], max_bytes: int, timeout: float
    ) -> None:
        self.http = http
        self.hosts = hosts
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def fetch(self, url: str) -> bytes:
        """The bytes at `url`, or MediaUnavailable saying which rule stopped it."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._follow(url)
        except TimeoutError as exc:
            raise MediaUnavailable(f"no image within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise MediaUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def _follow(self, url: str) -> bytes:
        host = allowed_host(url, self.hosts)
        if host is None:
            raise MediaUnavailable(f"not a Zalo media host: {urlsplit(url).hostname!r}")
        for _ in range(MAX_REDIRECTS + 1):
            request = self.http.build_request("GET", url)
            response = await self.http.send(request, stream=True, follow_redirects=False)
            try:
                if not response.is_redirect:
                    return await self._body(response)
                url = urljoin(url, response.headers.get("location", ""))
            finally:
                await response.aclose()
            if allowed_host(url, [host]) != host:
                raise MediaUnavailable(f"redirected to another host: {urlsplit(url).hostname!r}")
        raise MediaUnavailable(f"more than {MAX_REDIRECTS} redirects")

    async def _body(self, response: httpx.Response) -> bytes:
        if response.status_code != 200:
            raise MediaUnavailable(f"HTTP {response.status_code}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise MediaUnavailable(f"{declared} bytes, over the limit of {self.max_bytes}")
        chunks, size, judged = [], 0, False
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise MediaUnavailable(f"over the limit of {self.max_bytes} bytes")
            chunks.append(chunk)
            if not judged and size >= SIGNATURE_BYTES:
                if sniff(b"".join(chunks)) is None:
                    raise MediaUnavailable("not a PNG, JPEG or WebP image")
                judged = True
        return b"".join(chunks)
