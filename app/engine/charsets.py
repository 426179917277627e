"""Bytes to text for mail: declared charsets, RFC 2047 encoded words, NFC.

Vietnamese mail arrives in UTF-8 and in windows-1258, whose Python codec yields base
letters followed by combining tone marks; every text is normalised to NFC so that "ệ"
compares equal however it was encoded. Unknown or lying charsets never raise: the bytes are
read as UTF-8 when they are valid UTF-8, else as windows-1258, and the caller is told.
A label that names a codec which is not a character set (`rot13`, `hex`, `zlib`, `base64`,
`idna`, `punycode`) counts as unknown: the text under it is still read, never dropped.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
import unicodedata

# Labels seen in the wild that Python's codec registry does not know.
_ALIASES = {
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unknown": "",
    "unknown-8bit": "",
    "default": "",
    "windows-1258": "cp1258",
    "x-cp1258": "cp1258",
    "ansi_x3.4-1968": "ascii",
}
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)[ \t\r\n]+(?==\?[^?\s]+\?[bBqQ]\?)")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# Codecs Python registers that decode bytes but are not character sets of text in mail:
# they raise on ordinary bytes or turn them into something else entirely.
_NOT_CHARSETS = frozenset({"idna", "punycode", "raw-unicode-escape", "unicode-escape"})


def codec_for(charset: str | None) -> str | None:
    """Python codec name for a MIME charset label; None when absent, unknown or not text."""
    label = (charset or "").strip().strip("\"'").lower().split("*", 1)[0]  # RFC 2231 *lang
    label = _ALIASES.get(label, label)
    if not label or len(label) > 64:
        return None
    try:
        name = codecs.lookup(label).name
        b"a".decode(name, "replace")  # LookupError for bytes-to-bytes codecs (hex, zlib, …)
    except (LookupError, UnicodeError):
        return None
    return None if name in _NOT_CHARSETS else name


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, bool]:
    """(NFC text, True when the declared charset was unknown). Never raises."""
    codec = codec_for(charset)
    unknown = bool((charset or "").strip()) and codec is None
    if codec == "ascii" and not data.isascii():
        codec = None  # "us-ascii" declared on 8-bit text: the usual lie is UTF-8
    if codec is not None:
        try:
            return nfc(data.decode(codec, "replace")), unknown
        except (UnicodeError, LookupError, ValueError):  # a codec that fails despite "replace"
            unknown = True
    try:
        return nfc(data.decode("utf-8")), unknown
    except UnicodeDecodeError:
        return nfc(data.decode("cp1258", "replace")), unknown


def _word_bytes(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        padded = payload + "=" * (-len(payload) % 4)
        return base64.b64decode(padded, validate=False)
    return quopri.decodestring(payload.replace("_", " ").encode("ascii", "replace"), header=True)


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words; adjacent words join without the space between."""
    return decode_words_telling(text)[0]


def decode_words_telling(text: str) -> tuple[str, bool]:
    """`decode_words(text)`, and whether a word declared a charset that is not one."""
    if "=?" not in text:
        return nfc(text), False
    unknown = False

    def decoded(data: bytes, charset: str | None) -> str:
        nonlocal unknown
        text, unknown_here = decode_bytes(data, charset)
        unknown = unknown or unknown_here
        return text

    joined = _BETWEEN_WORDS.sub(r"\1", text)
    pieces: list[str] = []
    position = 0
    pending: bytes = b""
    pending_charset: str | None = None
    for match in ENCODED_WORD.finditer(joined):
        charset, encoding, payload = match.groups()
        if match.start() != position or charset.lower() != pending_charset:
            pieces.append(decoded(pending, pending_charset) if pending else "")
            pieces.append(joined[position : match.start()])
            pending, pending_charset = b"", charset.lower()
        try:
            pending += _word_bytes(encoding, payload)
        except (binascii.Error, ValueError):
            pending += match.group(0).encode("utf-8")
        position = match.end()
    pieces.append(decoded(pending, pending_charset) if pending else "")
    pieces.append(joined[position:])
    return nfc("".join(pieces)), unknown


def header_text(raw: str) -> str:
    """A raw header value (8-bit bytes kept as surrogate escapes) as unfolded text."""
    data = raw.encode("utf-8", "surrogateescape")
    text, _unknown = decode_bytes(data, None)  # 8-bit headers are UTF-8 (RFC 6532)
    return re.sub(r"\r?\n(?=[ \t])", "", text).replace("\r", "").replace("\n", "")
