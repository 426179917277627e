"""The top-level header block, read by hand: linear, bounded, and field by field.

The envelope (From, Reply-To, Return-Path, Subject, Date) is what decides whether a mail
claims to be the official sender, so it is read apart from the MIME structure: a body that
cannot be parsed, or one field that cannot be decoded, must never hide the From field.
Each field is unfolded and kept as text (8-bit bytes as surrogate escapes, the way the
standard library keeps them); at most `max_fields` fields of at most `max_chars` each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.mail.parse.model import Flag

ADDRESS_FIELDS = frozenset({"from", "sender", "reply-to", "return-path"})
ENVELOPE_FIELDS = ADDRESS_FIELDS | {"subject", "date"}

_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)?")
_LINE_END = rb"(?:\r\n|\n|\r(?!\n))"  # "\r\n" is one line end, never "\r" then "\n"
_EMPTY_LINE = re.compile(_LINE_END + _LINE_END)
_FIELD_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+")  # printable ASCII but ":" (RFC 5322 2.2)


@dataclass
class HeaderBlock:
    fields: list[tuple[str, str]] = field(default_factory=list)  # (lower-case name, value)
    flags: set[str] = field(default_factory=set)

    def values(self, name: str) -> list[str]:
        return [value for header, value in self.fields if header == name]


def _lines(head: bytes) -> list[str]:
    """The lines of the header block, without line ends, as text (bytes kept as escapes)."""
    lines = []
    for match in _LINE.finditer(head):
        line = match.group()
        if not line:
            break
        lines.append(line.rstrip(b"\r\n").decode("ascii", "surrogateescape"))
    return lines


def _end_of_head(raw: bytes) -> int:
    """Where the header block ends: at the first empty line, else the whole input."""
    match = _EMPTY_LINE.search(raw)
    return match.start() if match else len(raw)


class _Reader:
    def __init__(self, max_fields: int, max_chars: int) -> None:
        self.block = HeaderBlock()
        self.max_fields, self.max_chars = max_fields, max_chars
        self.name: str | None = None
        self.parts: list[str] = []
        self.size = 0
        self.envelope_count = 0

    def line(self, line: str) -> None:
        if line[:1] in (" ", "\t"):
            if self.name is None:
                self.block.flags.add(Flag.MIME_DEFECTS)  # a continuation with nothing to continue
            else:
                self._append(line)
            return
        self.flush()
        name, colon, value = line.partition(":")
        if not colon or not _FIELD_NAME.fullmatch(name):
            self.block.flags.add(Flag.MIME_DEFECTS)  # not a field: skipped, the rest still read
            return
        self.name, self.parts, self.size = name.lower(), [], 0
        self._append(value.lstrip(" \t"))

    def _append(self, text: str) -> None:
        if self.name in ADDRESS_FIELDS:
            self.parts.append(text)
            return
        room = self.max_chars - self.size
        if len(text) > room:
            self.block.flags.add(Flag.HEADER_TOO_LONG)
            text = text[: max(room, 0)]
        self.parts.append(text)
        self.size += len(text)

    def flush(self) -> None:
        if self.name is None:
            return
        # Past the bound, the envelope's fields are still read (up to the bound again):
        # a From after many filler fields must not go unseen.
        kept = self.envelope_count if self.name in ENVELOPE_FIELDS else len(self.block.fields)
        if kept < self.max_fields:
            self.block.fields.append((self.name, "".join(self.parts)))
            self.envelope_count += self.name in ENVELOPE_FIELDS
        else:
            self.block.flags.add(Flag.TOO_MANY_HEADERS)
        self.name = None


def read_head(raw: bytes, *, max_fields: int, max_chars: int) -> HeaderBlock:
    """The fields of the top-level header block, unfolded, in order, within the bounds."""
    reader = _Reader(max_fields, max_chars)
    for line in _lines(raw[: _end_of_head(raw)]):
        reader.line(line)
    reader.flush()
    return reader.block
