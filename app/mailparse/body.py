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

from bs4 import BeautifulSoup, Tag

from app.mailparse.encoding import decode_bytes, decode_words, nfc
from app.mailparse.model import Attachment, Flag

_DROPPED = ("script", "style", "noscript", "template", "head", "object", "embed", "svg")
_BLOCKS = (
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "td", "th",
)  # fmt: skip
MAX_LINKS = 200


@dataclass
class Body:
    texts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def walk(message: Message, max_parts: int, max_depth: int, flags: set[str]) -> Iterator[Message]:
    """Leaf parts in document order; stops at `max_parts` parts or `max_depth` levels."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > max_parts:
            flags.add(Flag.TOO_MANY_PARTS)
            return
        if part.defects:
            flags.add(Flag.MALFORMED)
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


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Visible text of an HTML part, and the targets of its links."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    links: list[str] = []
    for anchor in soup.find_all("a"):
        href = anchor.get("href") if isinstance(anchor, Tag) else None
        if isinstance(href, str) and href.strip() and not href.startswith("#"):
            target = href.strip()
            links.append(target)
            if target not in anchor.get_text():
                anchor.append(f" <{target}>")
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    return tidy(soup.get_text()), links


def tidy(text: str) -> str:
    """Collapse runs of blanks, trim lines, keep at most one empty line in a row."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _read_text(part: Message, kind: str, byte_cap: int, body: Body) -> None:
    try:
        charset = part.get_content_charset()
    except (ValueError, LookupError, TypeError):
        charset = None
    text, unknown = decode_bytes(_payload(part, byte_cap), charset)
    if unknown:
        body.flags.add(Flag.UNKNOWN_CHARSET)
    if kind == "html":
        text, links = html_to_text(text)
        body.links.extend(links[: MAX_LINKS - len(body.links)])
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


def read_body(message: Message, *, max_text_chars: int, max_parts: int, max_depth: int) -> Body:
    body = Body()
    # Enough bytes for max_text_chars of 4-byte characters inside generous HTML markup.
    byte_cap = max(64 * 1024, max_text_chars * 16)
    for part in walk(message, max_parts, max_depth, body.flags):
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
