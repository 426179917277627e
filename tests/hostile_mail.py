"""Hostile mail shapes, each made at a given scale: the inputs that once took time
quadratic in their size. At scale 8 each is the size it was found at; the tests read each
within its bound and `make bench` (suite `hostile`) shows the cost per KB across scales."""

from __future__ import annotations

from collections.abc import Callable

OFFICIAL = "hotrocntt@vst.gov.vn"
HEAD = f"From: Ho tro <{OFFICIAL}>\r\nTo: ketoan@donvi.example\r\nSubject: Ho tro\r\n"


def _html(unit: str, count: int) -> bytes:
    head = HEAD + "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
    return (head + "\r\n" + unit * count + "gui mat khau").encode()


def _from(value: str) -> bytes:
    return f"From: {value}\r\nSubject: x\r\n\r\nxin chao".encode()


def _content_type(parameters: str) -> bytes:
    head = HEAD + f"MIME-Version: 1.0\r\nContent-Type: text/plain; {parameters}\r\n"
    return (head + "\r\ngui mat khau").encode()


def _disposition(parameters: str) -> bytes:
    head = HEAD + "MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n"
    return (head + f"Content-Disposition: attachment; {parameters}\r\n\r\nAAAA").encode()


# name -> message at scale s (1, 2, 4, 8).
SHAPES: dict[str, Callable[[int], bytes]] = {
    "html: unclosed <div>": lambda s: _html("<div>", 2_500 * s),
    "html: unclosed <a href=x": lambda s: _html("<a href=x ", 1_250 * s),
    "From: long comment": lambda s: _from(f"{OFFICIAL} (" + "a" * 12_500 * s + ")"),
    "From: long display name": lambda s: _from("a" * 6_250 * s + f" <{OFFICIAL}>"),
    "From: many <a@b.vn>": lambda s: _from("<a@b.vn>" * 3_750 * s),
    "Content-Type: many parameters": lambda s: _content_type(
        "; ".join(f"p{i}=v" for i in range(6_250 * s))
    ),
    "RFC 2231 filename*N pieces": lambda s: _disposition(
        "; ".join(f"filename*{i}=a" for i in range(2_500 * s))
    ),
    "charset=(((": lambda s: _content_type("charset=" + "(" * 6_250 * s),
}
