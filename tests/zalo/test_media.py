"""Which image addresses the chatbot may fetch: Zalo's media hosts, nothing else."""

from __future__ import annotations

import pytest

from app.zalo.media import allowed_host

HOSTS = ["zadn.vn", "zdn.vn"]


@pytest.mark.parametrize(
    "url",
    ["https://zadn.vn/a.jpg", "https://s120.photo.zadn.vn/a.jpg", "http://f1.zdn.vn/x?y=1"],
)
def test_listed_hosts_and_their_sub_domains_are_fetched(url: str) -> None:
    assert allowed_host(url, HOSTS)


@pytest.mark.parametrize(
    "url",
    [
        "https://evilzadn.vn/a.jpg",  # a suffix of the name, not a sub-domain
        "https://zadn.vn.evil.com/a.jpg",
        "https://127.0.0.1/a.jpg",
        "ftp://zadn.vn/a.jpg",
        "file:///etc/passwd",
        "https:///a.jpg",
        "not a url",
    ],
)
def test_anything_else_is_not(url: str) -> None:
    assert allowed_host(url, HOSTS) is None
