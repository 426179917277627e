"""The readable text, links and attachment names of a MIME message, within fixed bounds.

Parts are walked iteratively (no recursion to exhaust) up to a part count and a nesting
depth. text/plain and text/html parts become text (HTML without scripts and styles, each
link's target written after its label so that a hidden URL is still seen); every other
part, and any part with a file name or `attachment` disposition, is an attachment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message

from app.engine.charsets import decode_bytes, decode_words, nfc
from app.mail.parse.budget import Budget
from app.mail.parse.html import html_to_text, tidy
from app.mail.parse.model import Attachment, Flag

MAX_LINKS = 200
# Longest header value of a MIME part that is read (the standard library's parameter
# parsing is quadratic in it); real Content-Type and Content-Disposition values are far
# shorter, RFC 2231 continuations of a long file name included.
MAX_PART_HEADER_CHARS = 4096


@dataclass
class Body:
    texts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def walk(
    message: Message, max_parts: int, max_depth: int, flags: set[str], budget: Budget
) -> Iterator[Message]:
    """Leaf parts in document order; stops at `max_parts` parts, `max_depth` levels or
    when the budget is spent."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > max_parts:
            flags.add(Flag.TOO_MANY_PARTS)
            return
        if budget.spent:
            flags.add(Flag.OVER_BUDGET)
            return
        if part.defects:
            flags.add(Flag.MIME_DEFECTS)
        if not part.is_multipart():
            yield part
        elif depth >= max_depth:
            flags.add(Flag.TOO_DEEP)
        else:
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(
                    (child, depth + 1) for child in reversed(children) if isinstance(child, Message)
                )


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (ValueError, LookupError, TypeError, AttributeError):
        return None
    return nfc(decode_words(str(name))).strip() if name else None


def _payload(part: Message, byte_cap: int) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, LookupError, TypeError, AssertionError):
        return b""
    return data[:byte_cap] if isinstance(data, bytes) else b""


def _read_text(part: Message, kind: str, byte_cap: int, body: Body) -> None:
    try:
        charset = part.get_content_charset()
    except (ValueError, LookupError, TypeError):
        charset = None
    text, unknown = decode_bytes(_payload(part, byte_cap), charset)
    if unknown:
        body.flags.add(Flag.UNKNOWN_CHARSET)
    if kind == "html":
        text, links = html_to_text(text, MAX_LINKS - len(body.links))
        body.links.extend(links)
    else:
        text = tidy(text)
    if text:
        body.texts.append(text)


def _leaf(part: Message, byte_cap: int, body: Body) -> None:
    content_type = part.get_content_type()
    filename = _filename(part)
    disposition = part.get_content_disposition()
    if content_type in ("text/plain", "text/html") and not filename and disposition != "attachment":
        _read_text(part, content_type[5:], byte_cap, body)
        return
    size = len(_payload(part, 1 << 30))
    body.attachments.append(Attachment(filename, content_type, size))


def _cut(name: str, value: str) -> bool:
    """Whether a MIME field was cut at the bound (the envelope's fields are read elsewhere)."""
    return name.lower().startswith("content-") and len(value) >= MAX_PART_HEADER_CHARS


def read_body(
    message: Message, *, max_text_chars: int, max_parts: int, max_depth: int, budget: Budget
) -> Body:
    body = Body()
    # Enough bytes for max_text_chars of 4-byte characters inside generous HTML markup.
    byte_cap = max(64 * 1024, max_text_chars * 16)
    for part in walk(message, max_parts, max_depth, body.flags, budget):
        if any(_cut(name, value) for name, value in part.raw_items()):
            body.flags.add(Flag.HEADER_TOO_LONG)
        _leaf(part, byte_cap, body)
    return body


def join_texts(texts: list[str], max_chars: int) -> tuple[str, bool]:
    """Distinct texts (an HTML alternative repeating the plain part counts once), capped."""
    seen: set[str] = set()
    kept: list[str] = []
    for text in texts:
        key = re.sub(r"\s+", " ", text).strip().lower()
        if key not in seen:
            seen.add(key)
            kept.append(text)
    joined = "\n\n".join(kept)
    return joined[:max_chars], len(joined) > max_chars
