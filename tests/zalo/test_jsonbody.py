"""Zalo bodies: lone surrogates and stray bytes replaced, everything else read as sent."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from app.zalo.jsonbody import read_json, with_surrogates_replaced


class Text(BaseModel):
    text: str


def read_text(body: bytes) -> str | None:
    parsed = read_json(body, Text)
    return parsed.text if parsed else None


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (rb'{"text": "a\ud83d"}', "a\ufffd"),  # half an emoji, its first half
        (rb'{"text": "\ude00b"}', "\ufffdb"),  # its second half
        (rb'{"text": "\ud83d\ude00"}', "\U0001f600"),  # a whole one is kept
        (rb'{"text": "\\ud83d"}', "\\ud83d"),  # an escaped backslash, then text
        (rb'{"text": "\\\ud83d"}', "\\\ufffd"),  # an escaped backslash, then a half
        (b'{"text": "a\xffb"}', "a\ufffdb"),  # a byte that is not UTF-8
    ],
)
def test_lone_surrogates_and_stray_bytes_become_replacement_characters(
    body: bytes, text: str
) -> None:
    assert read_text(body) == text


def test_a_body_pydantic_reads_is_read_unchanged() -> None:
    text = 'Em bên Kho bạc "hỗ trợ" \\ \u00e9 \U0001f600'
    assert read_text(json.dumps({"text": text}).encode()) == text


def test_nesting_past_the_parser_s_limit_is_no_body_at_all() -> None:
    assert read_text(b'{"text": "a", "x": ' + b"[" * 1000 + b"]" * 1000 + b"}") is None


def test_replacement_touches_only_escapes() -> None:
    assert with_surrogates_replaced(b'{"ud800": "\\u0041\\ud800"}') == '{"ud800": "\\u0041\\ufffd"}'
