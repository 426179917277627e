"""Reading hostile mail: within a CPU bound at the size each shape was found at, with the
parts that could not be read flagged, and never losing the From field."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from app.engine.addresses import addresses_in_text
from app.mail.parse import Budget, Flag, parse_message
from app.mail.parse.html import html_to_text
from tests.hostile_mail import OFFICIAL, SHAPES

# A generous bound for one message on a busy two-core machine: each shape takes a few
# hundredths of a second here; when this was quadratic they took 5 to 35 seconds.
CPU_BOUND_SECONDS = 1.0


@pytest.mark.parametrize("make", SHAPES.values(), ids=SHAPES.keys())
def test_each_hostile_shape_is_read_within_the_bound(make: Callable[[int], bytes]) -> None:
    raw = make(8)
    started = time.thread_time()
    parsed = parse_message(raw)
    assert time.thread_time() - started < CPU_BOUND_SECONDS
    if OFFICIAL.encode() in raw:
        assert any(OFFICIAL in field for field in parsed.from_fields)


def test_a_long_mime_field_is_cut_and_flagged_while_the_text_is_read() -> None:
    parsed = parse_message(SHAPES["Content-Type: many parameters"](8))
    assert parsed.has(Flag.HEADER_TOO_LONG)
    assert parsed.text == "gui mat khau"


def test_nesting_past_the_bound_keeps_what_is_above_it() -> None:
    def nested(levels: int) -> bytes:
        head = f"From: <{OFFICIAL}>\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
        body = "--b0\r\nContent-Type: text/plain\r\n\r\ntren cung\r\n"
        for i in range(levels):
            body += f"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n"
        return (head + body + f"--b{levels}\r\n\r\nday\r\n").encode()

    deep = parse_message(nested(1000))
    assert deep.has(Flag.TOO_DEEP) and "tren cung" in deep.text
    assert deep.sender is not None and deep.sender.address == OFFICIAL
    shallow = parse_message(nested(5))
    assert not shallow.has(Flag.TOO_DEEP) and "day" in shallow.text


def test_a_spent_budget_stops_the_body_but_not_the_envelope() -> None:
    budget = Budget(cpu_seconds=60)
    budget.cancel()  # as when the client has gone away
    parsed = parse_message(SHAPES["html: unclosed <div>"](1), budget=budget)
    assert parsed.has(Flag.OVER_BUDGET) and parsed.text == ""
    assert parsed.sender is not None and parsed.sender.address == OFFICIAL


def test_a_budget_not_spent_reads_everything() -> None:
    parsed = parse_message(SHAPES["html: unclosed <div>"](1), budget=Budget(cpu_seconds=60))
    assert not parsed.has(Flag.OVER_BUDGET) and parsed.text == "gui mat khau"


@pytest.mark.parametrize("word", ["=?rot13?q?abc?=", "=?idna?q?=FF?=", "=?zlib?q?x?=", "=?x?b?!?="])
def test_an_undecodable_subject_is_kept_and_hides_no_other_field(word: str) -> None:
    raw = f"From: <{OFFICIAL}>\r\nSubject: {word} ho tro\r\nReply-To: a@x.example\r\n\r\nxin"
    parsed = parse_message(raw.encode())
    assert parsed.sender is not None and parsed.sender.address == OFFICIAL
    assert parsed.subject.endswith("ho tro") and parsed.reply_to[0].address == "a@x.example"


def test_a_plain_subject_raises_no_flag() -> None:
    parsed = parse_message(
        f"From: <{OFFICIAL}>\r\nSubject: =?utf-8?q?h=E1=BB=97?=\r\n\r\nx".encode()
    )
    assert parsed.subject == "hỗ" and parsed.flags == ()


def test_html_text_keeps_link_targets_and_drops_scripts() -> None:
    text, links = html_to_text(
        '<p>Xin ch&agrave;o</p><a href="http://evil.example/x">bấm vào đây</a>'
        "<script>var pin = 1</script><style>p{}</style><!-- hidden -->1 < 2"
    )
    assert text == "Xin chào\nbấm vào đây <http://evil.example/x>1 < 2"
    assert links == ["http://evil.example/x"]


def test_html_link_whose_label_shows_its_target_is_not_repeated() -> None:
    text, links = html_to_text(
        "<a href='https://dichvucong.vst.gov.vn'>https://dichvucong.vst.gov.vn</a>"
    )
    assert text == "https://dichvucong.vst.gov.vn" and links == ["https://dichvucong.vst.gov.vn"]


def test_an_unclosed_tag_leaves_the_rest_as_text() -> None:
    assert html_to_text("<b>gui <a href=x mat khau")[0] == "gui <a href=x mat khau"


def test_addresses_written_in_a_display_name_are_found() -> None:
    assert addresses_in_text(f"Ho tro {OFFICIAL} (fwd a.b+c@x.example)") == [
        OFFICIAL,
        "a.b+c@x.example",
    ]


def test_text_without_an_address_gives_none() -> None:
    assert addresses_in_text("a" * 100_000) == [] and addresses_in_text("@" * 1000) == []
