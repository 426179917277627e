"""Links: real support sends none; official-domain links pass, look-alikes are caught."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.reference.models import Reference
from app.engine.validators.links import _DOT, _LINK, check_link, dotted_words, find_links, links_of


def judge(text: str, reference: Reference) -> list[tuple[str, str, str | None]]:
    return [
        (f.code, f.evidence, f.param("reason"))
        for link in find_links(text)
        for f in check_link(link, reference=reference)
    ]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("truy cập http://kbnn-dvc.online để xác thực", "http://kbnn-dvc.online"),
        ("vào bit.ly/kbnn-capnhat nhé", "bit.ly/kbnn-capnhat"),
        ("tải tại kbnn-giahan.com.", "kbnn-giahan.com"),
        ("hxxps://evil[.]example/login", "hxxps://evil[.]example/login"),
        ("https://zalo.me/g/abcdef", "https://zalo.me/g/abcdef"),
        ("WWW.KBNN-HOTRO.VN/cap-nhat", "WWW.KBNN-HOTRO.VN/cap-nhat"),
    ],
)
def test_links_outside_the_official_domain_are_requests(
    text: str, written: str, reference: Reference
) -> None:
    assert ("request.link", written, None) in judge(text, reference)


@pytest.mark.parametrize(
    "text",
    [
        "xem hướng dẫn tại https://dvc.vst.gov.vn/huong-dan",
        "vst[.]gov[.]vn",
        "gửi về hotrocntt@vst.gov.vn nhé",
    ],
)
def test_official_domain_and_addresses_are_not_links_to_flag(
    text: str, reference: Reference
) -> None:
    assert judge(text, reference) == []


@pytest.mark.parametrize(
    "text",
    [
        "file loi.txt",
        "v.v.",
        "TP.HCM",
        "Q.1",
        "phiên bản 4.0",
        "ngày 21.11.2025",
        "số tiền 1.500.000 đồng",
    ],
)
def test_words_with_dots_that_are_not_domains_are_ignored(text: str, reference: Reference) -> None:
    assert find_links(text) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("https://vst-gov.vn/dang-nhap", "domain_edit"),
        ("http://vst.gov.vn.kbnn-hotro.com", "domain_embedded"),
        ("https://dvc.vѕt.gov.vn", "confusable"),
        ("http://vstgov.com.vn", "domain_embedded"),
    ],
)
def test_lookalike_domains_also_raise_sender_lookalike(
    text: str, reason: str, reference: Reference
) -> None:
    found = judge(text, reference)
    assert [code for code, _, _ in found] == ["request.link", "sender.lookalike"]
    assert found[1][2] == reason


def test_link_spans_point_at_the_written_link(reference: Reference) -> None:
    text = "Anh vào (bit.ly/abc) nhé!"
    links = find_links(text)
    assert [text[link.span.start : link.span.end] for link in links] == ["bit.ly/abc"]


def test_defanged_links_are_refanged_for_their_host() -> None:
    [link] = find_links("hxxp://kbnn-giahan[.]com/x")
    assert link.host == "kbnn-giahan.com"
    assert link.url == "kbnn-giahan.com/x"


# The words links are looked for in, as one pattern tried at every position: the spec.
DOTTED_WORD = re.compile(rf"(?<!\S)\S*?[^\W_]{_DOT}[^\W_]\S*", re.IGNORECASE)
LINK_PIECES = st.sampled_from(
    ["a", "vn", "_", "1", ".", "[.]", "(.)", "{.}", "[dot]", "(DOT)", "[", "(", "]", "/"]
    + [" ", "  ", "\t", "\n", "\u00a0", "\u3000", "é", "bit.ly", "x.y.z", "..", "-"]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(LINK_PIECES, max_size=40).map("".join) | st.text(max_size=200))
def test_dotted_words_are_the_words_the_pattern_finds(text: str) -> None:
    assert list(dotted_words(text)) == [m.span() for m in DOTTED_WORD.finditer(text)]


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        LINK_PIECES | st.sampled_from(["https://", "hxxp[:]//", "kbnn.vn/x?y=1"]), max_size=40
    ).map("".join)
    | st.text(max_size=200)
)
def test_links_found_in_dotted_words_are_those_of_the_plain_search(text: str) -> None:
    assert find_links(text) == links_of(_LINK.finditer(text))
