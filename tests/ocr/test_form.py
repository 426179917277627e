"""The multipart reader: fields and the image in memory, bounded in parts and field size."""

from __future__ import annotations

import pytest

from app.http.errors import Unprocessable, UnsupportedMediaType
from app.ocr.form import MAX_FIELD_BYTES, MAX_PARTS, parse_form

BOUNDARY = "b0undary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def body(*parts: tuple[str, bytes, str | None]) -> bytes:
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        out += value + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def test_fields_and_the_file_are_read() -> None:
    form = parse_form(
        CONTENT_TYPE,
        body(("channel", b"zalo", None), ("image", b"\x89PNG...", "a.png")),
    )
    assert form.fields == {"channel": "zalo"}
    assert form.files == {"image": b"\x89PNG..."}


def test_vietnamese_field_values_keep_their_letters() -> None:
    form = parse_form(CONTENT_TYPE, body(("sender", "Đội hỗ trợ".encode(), None)))
    assert form.fields["sender"] == "Đội hỗ trợ"


def test_parts_up_to_the_limit_are_read_and_one_more_is_refused() -> None:
    many = [(f"f{i}", b"x", None) for i in range(MAX_PARTS)]
    assert len(parse_form(CONTENT_TYPE, body(*many)).fields) == MAX_PARTS
    with pytest.raises(Unprocessable):
        parse_form(CONTENT_TYPE, body(*many, ("extra", b"x", None)))


def test_a_text_field_past_its_size_is_refused_but_a_file_is_not() -> None:
    big = b"x" * (MAX_FIELD_BYTES + 1)
    with pytest.raises(Unprocessable):
        parse_form(CONTENT_TYPE, body(("sender", big, None)))
    assert parse_form(CONTENT_TYPE, body(("image", big, "a.png"))).files["image"] == big


def test_another_content_type_is_415_and_no_boundary_422() -> None:
    with pytest.raises(UnsupportedMediaType):
        parse_form("application/json", b"{}")
    with pytest.raises(Unprocessable):
        parse_form("multipart/form-data", b"")


def test_garbage_after_the_boundary_is_422() -> None:
    with pytest.raises(Unprocessable):
        parse_form(CONTENT_TYPE, f"--{BOUNDARY}\r\nno headers end".encode() + b"\x00" * 10_000)
