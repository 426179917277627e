"""A multipart/form-data body read in memory: its text fields and one image.

Starlette's form parser spools files over 1 MB to a temporary file on disk; images are
never stored, so the (already size-limited, see app.http.limits) body is parsed here, in
memory, with the same python-multipart parser, and bounded in parts and field sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from app.http.errors import Unprocessable, UnsupportedMediaType

MAX_PARTS = 32
MAX_FIELD_BYTES = 128 * 1024  # a pasted message of 20,000 characters is at most 80 KB


@dataclass
class ImageForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # by field name, the first only


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0


class _Collector:
    def __init__(self) -> None:
        self.form = ImageForm()
        self.part = _Part()
        self.parts = 0
        self._name = b""
        self._value = b""

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def header_end(self) -> None:
        self.part.headers[self._name.lower()] = self._value
        self._name = self._value = b""

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise Unprocessable(f"The form has more than {MAX_PARTS} parts.")
        self.part = _Part()

    def part_data(self, data: bytes, start: int, end: int) -> None:
        self.part.chunks.append(data[start:end])
        self.part.size += end - start

    def part_end(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        body = b"".join(self.part.chunks)
        if b"filename" in options:
            self.form.files.setdefault(name, body)
            return
        if self.part.size > MAX_FIELD_BYTES:
            raise Unprocessable(f"The form field {name!r} is longer than {MAX_FIELD_BYTES} bytes.")
        self.form.fields.setdefault(name, body.decode("utf-8", "replace"))


def parse_form(content_type: str | None, body: bytes) -> ImageForm:
    """The fields and files of a multipart/form-data body; 415 for another content type,
    422 for a body that is not well-formed multipart."""
    kind, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data":
        raise UnsupportedMediaType(
            "Send the image as multipart/form-data, in a field named 'image'."
        )
    if not boundary:
        raise Unprocessable("The multipart/form-data body has no boundary.")
    collector = _Collector()
    callbacks = {
        "on_part_begin": collector.part_begin,
        "on_part_data": collector.part_data,
        "on_part_end": collector.part_end,
        "on_header_field": collector.header_field,
        "on_header_value": collector.header_value,
        "on_header_end": collector.header_end,
    }
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        parser.write(body)
        parser.finalize()
    except (MultipartParseError, ValueError) as exc:
        raise Unprocessable(f"The multipart/form-data body cannot be read: {exc}") from exc
    return collector.form
