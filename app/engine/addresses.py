"""RFC 5322 address lists, read the way mail is actually delivered and replied to.

Python's own parsers get the dangerous cases wrong: given
`hotrocntt@vst.gov.vn (hotrocntt@vst.gov.vn) <evil@x.com>` they return the official address,
while every mail client replies to `evil@x.com`; they also decode encoded words inside an
addr-spec, which RFC 2047 §5 forbids. This tokenizer keeps quoted strings, comments,
angle brackets and domain literals apart, takes the angle-addr as the real address when
there is one, decodes encoded words only for display, and reports what looked wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.engine.charsets import ENCODED_WORD, decode_words, nfc


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox. `address` is the real one: where a reply or delivery would go.

    `display_name` and `comments` are decoded for display only; `shown_addresses` lists
    the addresses written in them (a display name showing the official address while
    `address` is another is the classic spoof).
    """

    address: str  # local@domain, domain lower-cased, local part quoted only when needed
    local_part: str
    domain: str
    display_name: str = ""
    comments: tuple[str, ...] = ()
    shown_addresses: tuple[str, ...] = ()
    raw: str = ""

    @property
    def formatted(self) -> str:
        return f"{self.display_name} <{self.address}>" if self.display_name else self.address


_SPACE = " \t\r\n"
_SPECIALS = ',:;@.<>()[]\\"'
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]"
_DOT_ATOM = re.compile(rf"^{_ATEXT}+(\.{_ATEXT}+)*$")
_LABEL = re.compile(
    r"^[A-Za-z0-9\u0080-\U0010ffff]([A-Za-z0-9\-_\u0080-\U0010ffff]*[A-Za-z0-9\u0080-\U0010ffff])?$"
)
# An address written in text is looked for inside runs of the characters addresses are
# made of, each run read once: a pattern tried at every position of a long run of letters
# with no "@" in it would take time quadratic in the run.
_ADDRESS_RUN = re.compile(r"[\w.+\-@]+")
_DOMAIN_PREFIX = re.compile(r"[\w\-]+(?:\.[\w\-]+)+")
MAX_LOCAL = 64  # RFC 5321 4.5.3.1.1
MAX_ADDRESSES = 50
# Display names and comments are kept for display at this length (all of them is read).
MAX_DISPLAY_CHARS = 256


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # atom, quoted, comment, angle, literal, special, space
    text: str


@dataclass
class AddressList:
    addresses: list[Address] = field(default_factory=list)
    malformed: bool = False
    invalid: int = 0  # mailboxes with no usable address
    encoded_word_in_address: bool = False


def _scan_delimited(value: str, start: int, close: str, nest: str = "") -> tuple[str, int, bool]:
    """Content between value[start] and its closing char, honouring backslash escapes."""
    depth, i, out = 1, start + 1, []
    quoted = False
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            out.append(value[i + 1] if close in '")' else value[i : i + 2])
            i += 2
            continue
        if close == ">" and char == '"':
            quoted = not quoted  # a quoted local part may hold ">"
        elif not quoted and nest and char == nest:
            depth += 1
        elif not quoted and char == close:
            depth -= 1
            if depth == 0:
                return "".join(out), i + 1, True
        out.append(char)
        i += 1
    return "".join(out), i, False


def tokenize(value: str) -> tuple[list[Token], bool]:
    """Tokens of a header value, and whether every quote, comment and bracket closed."""
    tokens: list[Token] = []
    closed_all, i = True, 0
    delimited = {'"': ("quoted", '"', ""), "(": ("comment", ")", "("), "<": ("angle", ">", "")}
    delimited["["] = ("literal", "]", "")
    while i < len(value):
        char = value[i]
        if char in _SPACE:
            while i < len(value) and value[i] in _SPACE:
                i += 1
            tokens.append(Token("space", " "))
        elif char in delimited:
            kind, close, nest = delimited[char]
            text, i, closed = _scan_delimited(value, i, close, nest)
            closed_all = closed_all and closed
            tokens.append(Token(kind, text))
        elif char in _SPECIALS:
            closed_all = closed_all and char not in '>)]\\"'
            tokens.append(Token("special", char))
            i += 1
        else:
            start = i
            while i < len(value) and value[i] not in _SPACE and value[i] not in _SPECIALS:
                i += 1
            tokens.append(Token("atom", value[start:i]))
    return tokens, closed_all


def _split(tokens: list[Token], separator: str) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "special" and token.text == separator:
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _strip_group(tokens: list[Token]) -> list[Token]:
    """`name: a, b;` -> `a, b` (a group); left alone when there is no group syntax."""
    for index, token in enumerate(tokens):
        if token.kind in ("angle", "quoted") or token.text in ("@", ","):
            return tokens
        if token.kind == "special" and token.text == ":":
            inner = tokens[index + 1 :]
            return [t for t in inner if not (t.kind == "special" and t.text == ";")]
    return tokens


def _local_part(tokens: list[Token]) -> str | None:
    if not tokens or any(t.kind not in ("atom", "quoted") and t.text != "." for t in tokens):
        return None
    content = "".join(t.text for t in tokens)
    if _DOT_ATOM.match(content):
        return content  # "hotrocntt"@x is the same mailbox as hotrocntt@x (RFC 5321 §4.1.2)
    return '"' + content.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _domain(tokens: list[Token]) -> str | None:
    if len(tokens) == 1 and tokens[0].kind == "literal":
        return f"[{tokens[0].text.strip()}]"
    if not tokens or any(t.kind != "atom" and t.text != "." for t in tokens):
        return None
    domain = nfc("".join(t.text for t in tokens)).lower().rstrip(".")
    labels = domain.split(".")
    return domain if len(labels) > 1 and all(_LABEL.match(lb) for lb in labels) else None


def _addr_spec(tokens: list[Token]) -> tuple[str, str] | None:
    """(local part, domain) of tokens that must form exactly one addr-spec."""
    body = [t for t in tokens if t.kind not in ("space", "comment")]
    ats = [i for i, t in enumerate(body) if t.kind == "special" and t.text == "@"]
    if len(ats) != 1 or any(t.kind == "space" for t in _trim(tokens)):
        return None
    local, domain = _local_part(body[: ats[0]]), _domain(body[ats[0] + 1 :])
    return (local, domain) if local and domain else None


def _trim(tokens: list[Token]) -> list[Token]:
    body = [t for t in tokens if t.kind != "comment"]
    start, end = 0, len(body)
    while start < end and body[start].kind == "space":
        start += 1
    while end > start and body[end - 1].kind == "space":
        end -= 1
    return body[start:end]


def _display(tokens: list[Token]) -> str:
    words = [t.text if t.kind != "space" else " " for t in tokens if t.kind != "comment"]
    return re.sub(r"\s+", " ", decode_words("".join(words))).strip()


def addresses_in_text(text: str) -> list[str]:
    """Addresses written in free text (a display name, a comment), in order, lower-cased."""
    found: list[str] = []
    for run in _ADDRESS_RUN.finditer(text):
        pieces = run.group().split("@")
        for before, after in zip(pieces, pieces[1:], strict=False):
            local = before[-MAX_LOCAL:].lstrip(".")
            domain = _DOMAIN_PREFIX.match(after)
            if local and domain and len(found) < MAX_ADDRESSES:
                found.append(f"{local}@{domain.group()}".lower())
    return found


def _make(spec: tuple[str, str], display: str, comments: list[str], raw: str) -> Address:
    local, domain = spec
    # Addresses written where a reader sees them: display name, comments, a quoted local part.
    shown = tuple(
        dict.fromkeys(
            found for text in [display, *comments, local] for found in addresses_in_text(text)
        )
    )
    return Address(
        f"{local}@{domain}",
        local,
        domain,
        display[:MAX_DISPLAY_CHARS],
        tuple(comment[:MAX_DISPLAY_CHARS] for comment in comments[:MAX_ADDRESSES]),
        shown[:MAX_ADDRESSES],
        raw[:MAX_DISPLAY_CHARS],
    )


def _irregular_phrase(tokens: list[Token]) -> bool:
    """A display name may hold words, quoted strings and dots; "@" or "<" there is a trick."""
    return any(t.kind in ("special", "literal") and t.text != "." for t in tokens)


def _mailbox(tokens: list[Token], raw: str, found: AddressList) -> None:
    comments = [decode_words(t.text) for t in tokens if t.kind == "comment"]
    angles = [i for i, t in enumerate(tokens) if t.kind == "angle"]
    if len(angles) > 1:
        found.malformed = True  # several angle-addrs: each one could receive the reply
    if angles and any(t.kind not in ("space", "comment") for t in tokens[angles[-1] + 1 :]):
        found.malformed = True  # text after the angle-addr: which part is the address?
    for position, index in enumerate(angles):
        if len(found.addresses) + found.invalid >= MAX_ADDRESSES:
            found.malformed = True  # no mail client shows more; the rest is not read
            break
        inner, _closed = tokenize(re.sub(r"^\s*(@[^:]*:)", "", tokens[index].text))  # obs-route
        before = tokens[angles[position - 1] + 1 if position else 0 : index]
        if _irregular_phrase(before):
            found.malformed = True
        _record(found, _addr_spec(inner), _display(before), comments, raw, tokens[index].text)
    if not angles and _trim(tokens):
        _record(found, _addr_spec(tokens), "", comments, raw, raw)


def _record(
    found: AddressList,
    spec: tuple[str, str] | None,
    display: str,
    comments: list[str],
    raw: str,
    addr_text: str,
) -> None:
    if ENCODED_WORD.search(addr_text):
        found.encoded_word_in_address = True
    if spec is None:
        found.invalid += 1
    elif len(found.addresses) < MAX_ADDRESSES:
        found.addresses.append(_make(spec, display, comments, raw))


def parse_address_list(value: str) -> AddressList:
    """Every mailbox of an address-list header value (already unfolded and decoded)."""
    tokens, closed = tokenize(value)
    found = AddressList(malformed=not closed)
    raw = value.strip()
    for segment in _split(_strip_group(tokens), ","):
        if len(found.addresses) + found.invalid >= MAX_ADDRESSES:
            found.malformed = True
            break
        if _trim(segment):
            _mailbox(segment, raw, found)
    return found
