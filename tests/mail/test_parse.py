"""Reading raw messages: real addresses behind the tricks, charsets, HTML, attachments, bounds."""

from __future__ import annotations

import base64
import quopri
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.mail.parse import Flag, ParsedMessage, parse_message

OFFICIAL = "hotrocntt@vst.gov.vn"
VIETNAMESE = "Đề nghị cung cấp mã PIN token và mật khẩu để hỗ trợ kỹ thuật"


def mail(headers: str, body: str | bytes = "Xin chao.\r\n") -> bytes:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return headers.replace("\n", "\r\n").encode("utf-8") + b"\r\n" + data


def from_(value: str) -> ParsedMessage:
    return parse_message(mail(f"From: {value}\nSubject: x\n"))


def cp1258(text: str) -> bytes:
    """Encode like Windows does: precomposed letters where cp1258 has them, tone marks apart."""
    return b"".join(_cp1258_char(char) for char in text)


def _cp1258_char(char: str) -> bytes:
    try:
        return char.encode("cp1258")
    except UnicodeEncodeError:
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], list(decomposed[1:])
    for index, mark in enumerate(marks):  # compose the base with whichever mark cp1258 has
        rest = marks[:index] + marks[index + 1 :]
        try:
            return unicodedata.normalize("NFC", base + mark).encode("cp1258") + "".join(
                rest
            ).encode("cp1258")
        except UnicodeEncodeError:
            continue
    return (base + "".join(marks)).encode("cp1258")


# Addresses: judged on where mail would really go.

TRICKS = [
    # (From value, real address, display name, flags)
    (f"Ho tro CNTT <{OFFICIAL}>", OFFICIAL, "Ho tro CNTT", ()),
    ('"hotrocntt"@vst.gov.vn', OFFICIAL, "", ()),
    ('"x <a@evil>"@vst.gov.vn', '"x <a@evil>"@vst.gov.vn', "", ()),
    (f'"{OFFICIAL}"@evil.com', f'"{OFFICIAL}"@evil.com', "", ()),
    (f"{OFFICIAL} ({OFFICIAL}) <evil@x.com>", "evil@x.com", OFFICIAL, (Flag.MALFORMED_FROM,)),
    (f"({OFFICIAL}) evil@x.com", "evil@x.com", "", ()),
    (f"evil@x.com ({OFFICIAL})", "evil@x.com", "", ()),
    (f"Ho tro <evil@x.com> ({OFFICIAL})", "evil@x.com", "Ho tro", ()),
    (f'"{OFFICIAL}" <evil@x.com>', "evil@x.com", OFFICIAL, ()),
    ("=?UTF-8?B?aG90cm9jbnR0QHZzdC5nb3Yudm4=?= <evil@x.com>", "evil@x.com", OFFICIAL, ()),
    (f"Hotro {OFFICIAL} <evil@x.com>", "evil@x.com", f"Hotro {OFFICIAL}", (Flag.MALFORMED_FROM,)),
    (f"<@evil.com:{OFFICIAL}>", OFFICIAL, "", ()),
    (
        "=?UTF-8?B?aG90cm9jbnR0?=@vst.gov.vn",
        "=?UTF-8?B?aG90cm9jbnR0?=@vst.gov.vn",
        "",
        (Flag.ENCODED_WORD_IN_ADDRESS,),
    ),
    ("Ho tro <HotroCNTT@VST.Gov.VN>", "HotroCNTT@vst.gov.vn", "Ho tro", ()),
    (f"Hotro <{OFFICIAL}", OFFICIAL, "Hotro", (Flag.MALFORMED_FROM,)),
]


@pytest.mark.parametrize(("value", "address", "display", "flags"), TRICKS)
def test_from_is_judged_on_the_real_address(
    value: str, address: str, display: str, flags: tuple[str, ...]
) -> None:
    parsed = from_(value)
    assert parsed.sender is not None, parsed
    assert (parsed.sender.address, parsed.sender.display_name) == (address, display)
    assert parsed.flags == flags
    assert parsed.from_domain == address.rpartition("@")[2]


def test_official_address_shown_but_not_used_is_exposed() -> None:
    sender = from_(f"{OFFICIAL} ({OFFICIAL}) <evil@x.com>").sender
    assert sender is not None and sender.shown_addresses == (OFFICIAL,)
    assert sender.comments == (OFFICIAL,)
    quoted = from_(f'"{OFFICIAL}"@evil.com').sender
    assert quoted is not None and quoted.shown_addresses == (OFFICIAL,)


def test_encoded_display_name_is_decoded_to_nfc() -> None:
    value = "=?UTF-8?B?SOG7lyB0cuG7oyBDTlRU?= =?UTF-8?Q?_KBNN?= <hotrocntt@vst.gov.vn>"
    sender = from_(value).sender
    assert sender is not None and sender.display_name == "Hỗ trợ CNTT KBNN"


def test_raw_utf8_display_name() -> None:
    sender = from_(f"Hỗ trợ CNTT <{OFFICIAL}>").sender
    assert sender is not None and sender.display_name == "Hỗ trợ CNTT"


@pytest.mark.parametrize(
    "headers",
    [
        f"From: {OFFICIAL}\nFrom: evil@x.com\n",
        f"From: {OFFICIAL}, evil@x.com\n",
        f"From: <{OFFICIAL}> <evil@x.com>\n",
        "From: team: a@x.example, b@y.example;\n",
    ],
)
def test_more_than_one_from_is_flagged(headers: str) -> None:
    parsed = parse_message(mail(headers + "Subject: x\n"))
    assert parsed.has(Flag.MULTIPLE_FROM)
    assert parsed.sender is None and parsed.from_domain is None
    assert len(parsed.from_addresses) == 2


@pytest.mark.parametrize(
    ("headers", "flag"),
    [
        ("Subject: x\n", Flag.NO_FROM),
        ("From: hotrocntt@vst.gov.vn@evil.com\n", Flag.INVALID_FROM),
        ("From: undisclosed:;\n", Flag.INVALID_FROM),
        ("From: \n", Flag.INVALID_FROM),
    ],
)
def test_missing_or_unusable_from(headers: str, flag: str) -> None:
    parsed = parse_message(mail(headers))
    assert parsed.has(flag) and parsed.sender is None


def test_reply_to_and_return_path() -> None:
    parsed = parse_message(
        mail(
            f"Return-Path: <bounce@vst.gov.vn>\nFrom: <{OFFICIAL}>\n"
            "Reply-To: Ho tro <support@evil.example>,\n"
            " =?UTF-8?Q?H=E1=BB=97_tr=E1=BB=A3?= <b@x.com>\n"
        )
    )
    assert [a.address for a in parsed.reply_to] == ["support@evil.example", "b@x.com"]
    assert parsed.reply_to[1].display_name == "Hỗ trợ"
    assert parsed.return_path == "bounce@vst.gov.vn"
    assert parse_message(mail("Return-Path: <>\nFrom: a@b.example\n")).return_path == ""
    assert parse_message(mail("From: a@b.example\n")).return_path is None


# Subject and date.


def test_subject_encoded_words_are_decoded() -> None:
    # A multi-byte character split across two encoded words must survive.
    raw = (
        "Subject: =?UTF-8?B?W0RWQ1RUXSDEkA==?=\n =?UTF-8?B?4buBIG5naOG7iw==?=\nFrom: a@b.example\n"
    )
    assert parse_message(mail(raw)).subject == "[DVCTT] Đề nghị"
    q = "Subject: =?windows-1258?Q?Ma=DE_PIN_=E3?=\nFrom: a@b.example\n"  # a + combining ~
    assert parse_message(mail(q)).subject == "Mã PIN ă"


def test_date() -> None:
    parsed = parse_message(mail("From: a@b.example\nDate: Fri, 05 Jan 2024 09:00:00 +0700\n"))
    assert parsed.date is not None and parsed.date.isoformat() == "2024-01-05T09:00:00+07:00"
    assert parse_message(mail("From: a@b.example\nDate: someday\n")).date is None


# Body text.


def part(content_type: str, body: bytes, cte: str = "8bit", extra: str = "") -> bytes:
    head = f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: {cte}\r\n{extra}\r\n"
    return head.encode() + body + b"\r\n"


def multipart(subtype: str, *parts: bytes, boundary: str = "BOUNDARY") -> bytes:
    out = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
    for p in parts:
        out += f"--{boundary}\r\n".encode() + p
    return out + f"--{boundary}--\r\n".encode()


def message_of(body_part: bytes) -> ParsedMessage:
    return parse_message(b"From: a@b.example\r\nMIME-Version: 1.0\r\n" + body_part)


@pytest.mark.parametrize(
    ("charset", "cte", "encode"),
    [
        ("utf-8", "quoted-printable", lambda t: quopri.encodestring(t.encode("utf-8"))),
        ("utf-8", "base64", lambda t: base64.encodebytes(t.encode("utf-8"))),
        ("windows-1258", "8bit", cp1258),
        ("windows-1258", "base64", lambda t: base64.encodebytes(cp1258(t))),
        ("cp1258", "quoted-printable", lambda t: quopri.encodestring(cp1258(t))),
    ],
)
def test_text_charsets_and_encodings(charset: str, cte: str, encode: object) -> None:
    assert callable(encode)
    parsed = message_of(part(f"text/plain; charset={charset}", encode(VIETNAMESE), cte))
    assert parsed.text == VIETNAMESE
    assert unicodedata.is_normalized("NFC", parsed.text)


def test_windows_1258_combining_marks_become_nfc() -> None:
    assert cp1258("ệ") == b"\xea\xf2"  # ê followed by a combining dot below
    parsed = message_of(part("text/plain; charset=windows-1258", cp1258("Hệ thống")))
    assert parsed.text == "Hệ thống"


def test_unknown_or_wrong_charsets_do_not_crash() -> None:
    unknown = message_of(part("text/plain; charset=x-vni-unknown", VIETNAMESE.encode()))
    assert unknown.text == VIETNAMESE and unknown.has(Flag.UNKNOWN_CHARSET)
    undeclared = message_of(part("text/plain", VIETNAMESE.encode()))
    assert undeclared.text == VIETNAMESE  # us-ascii by default, but UTF-8 in practice
    broken = message_of(part("text/plain; charset=utf-8", b"m\xe3 PIN \xff\xfe"))
    assert "PIN" in broken.text


def test_html_drops_scripts_and_styles_and_keeps_link_targets() -> None:
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<script>var pin = 'steal';</script><p>Vui l&ograve;ng <b>c&#7853;p nh&#7853;t</b></p>"
        '<p><a href="http://kbnn-hotro.example/login">bấm vào đây</a></p></body></html>'
    )
    parsed = message_of(part("text/html; charset=utf-8", html.encode()))
    assert "steal" not in parsed.text and "color" not in parsed.text
    assert "Vui lòng cập nhật" in parsed.text
    assert "bấm vào đây <http://kbnn-hotro.example/login>" in parsed.text
    assert parsed.links == ("http://kbnn-hotro.example/login",)


def test_alternative_parts_are_not_repeated_but_differences_are_kept() -> None:
    same = multipart(
        "alternative",
        part("text/plain; charset=utf-8", "Gửi mã PIN".encode()),
        part("text/html; charset=utf-8", "<p>Gửi mã PIN</p>".encode()),
    )
    assert message_of(same).text == "Gửi mã PIN"
    different = multipart(
        "alternative",
        part("text/plain", b"Thong bao binh thuong"),
        part("text/html", b"<p>Cai dat UltraViewer va gui ID</p>"),
    )
    assert "UltraViewer" in message_of(different).text


def test_nested_multipart_and_forwarded_message() -> None:
    inner = b"From: x@y.example\r\nSubject: fwd\r\n\r\nNoi dung chuyen tiep\r\n"
    body = multipart(
        "mixed",
        multipart("alternative", part("text/plain", b"Phan dau"), boundary="INNER"),
        part("message/rfc822", inner, "7bit"),
    )
    text = message_of(body).text
    assert "Phan dau" in text and "Noi dung chuyen tiep" in text


# Attachments.


def attachment(name_params: str, content_type: str = "application/octet-stream") -> bytes:
    return part(content_type, base64.encodebytes(b"MZ\x90\x00"), "base64", name_params)


def test_attachment_names_are_decoded() -> None:
    body = multipart(
        "mixed",
        part("text/plain", b"Xem tep dinh kem"),
        attachment(
            "Content-Disposition: attachment; "
            "filename*=UTF-8''UltraViewer%20KBNN%20c%C3%B4ng%20c%E1%BB%A5.exe\r\n"
        ),
        attachment(
            "Content-Disposition: attachment;\r\n"
            ' filename="=?UTF-8?B?Q8O0bmcgY+G7pSBLQk5OLmFwaw==?="\r\n'
        ),
        attachment(
            "Content-Disposition: attachment;\r\n"
            " filename*0*=UTF-8''Ultra; filename*1*=Viewer%2Eexe\r\n"
        ),
        attachment("", 'application/x-msdownload; name="TeamViewer_Setup.exe"'),
        part("text/plain", b"not body text", extra="Content-Disposition: attachment\r\n"),
    )
    parsed = message_of(body)
    names = [a.filename for a in parsed.attachments]
    assert names == [
        "UltraViewer KBNN công cụ.exe",
        "Công cụ KBNN.apk",
        "UltraViewer.exe",
        "TeamViewer_Setup.exe",
        None,
    ]
    assert parsed.attachments[0].size == 4
    assert parsed.text == "Xem tep dinh kem"


# Bounds and hostile input.


def test_text_is_capped() -> None:
    parsed = parse_message(mail("From: a@b.example\n", "x" * 5000), max_text_chars=1000)
    assert len(parsed.text) == 1000 and parsed.has(Flag.TEXT_TRUNCATED)


def test_part_count_and_depth_are_bounded() -> None:
    many = multipart("mixed", *[part("text/plain", f"phan {i}".encode()) for i in range(60)])
    parsed = parse_message(b"From: a@b.example\r\n" + many, max_parts=20)
    assert parsed.has(Flag.TOO_MANY_PARTS) and parsed.text.count("phan") < 20
    deep = part("text/plain", b"day")
    for level in range(40):
        deep = multipart("mixed", deep, boundary=f"B{level}")
    nested = parse_message(b"From: a@b.example\r\n" + deep, max_depth=10)
    assert nested.has(Flag.TOO_DEEP) and nested.text == ""


def test_header_count_is_bounded_but_a_from_after_the_filler_is_still_read() -> None:
    headers = "".join(f"X-Filler-{i}: {i}\n" for i in range(600)) + f"From: {OFFICIAL}\n"
    parsed = parse_message(mail(headers), max_headers=100)
    assert parsed.has(Flag.TOO_MANY_HEADERS)
    assert parsed.sender is not None and parsed.sender.address == OFFICIAL


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe",
        b"no headers at all",
        b"From: <\r\n",
        b"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain",
        b'Content-Type: text/plain; charset="\r\n\r\nbody',
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64###",
        b"From: " + b"(" * 5000 + b"\r\n",
        b"From: " + b'"' * 3 + b"a@b\r\n",
    ],
)
def test_malformed_input_never_raises(raw: bytes) -> None:
    assert isinstance(parse_message(raw), ParsedMessage)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    assert isinstance(parse_message(b"From: a@b.example\r\n" + raw), ParsedMessage)
