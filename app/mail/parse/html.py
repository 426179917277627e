"""The visible text of an HTML part and its link targets, in one pass linear in its length.

A mail filter needs the words a reader sees and where the links go, not a document tree:
tree builders spend time per open element (20,000 unclosed `<div>` took seconds), and
Python's own tokenizer rescans an unclosed tag to the end at every `<`. Here each step
moves forward: a tag ends at the next `>` (no `>` left: the rest is text, as it is shown),
a comment at the next `-->`, a script or style at its closing tag. Block elements become
line breaks; a link's target is written after its label when the label does not show it,
so that a hidden URL is still read.
"""

from __future__ import annotations

import html
import re

_DROPPED = frozenset(
    {"script", "style", "noscript", "template", "head", "object", "embed", "svg", "title"}
)
_BLOCKS = frozenset(
    {
        "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "hr", "section", "article", "header", "footer", "td", "th",
    }
)  # fmt: skip
_TAG_NAME = re.compile(r"/?\s*([A-Za-z][A-Za-z0-9:-]*)")
_HREF = re.compile(r"\bhref\s*=\s*", re.IGNORECASE)
_UNQUOTED_VALUE = re.compile(r"[^\s\"'>]*")
# Attributes are read from the start of a tag only: enough for any real href.
_ATTRIBUTE_WINDOW = 4096
_BLANKS = re.compile(r"[ \t\u00a0]+")
_EMPTY_LINES = re.compile(r"\n{3,}")


class _Text:
    """The text being written, with the link whose label is open."""

    def __init__(self, max_links: int) -> None:
        self.pieces: list[str] = []
        self.links: list[str] = []
        self.max_links = max_links
        self.open_link: str | None = None
        self.label_start = 0

    def text(self, raw: str) -> None:
        self.pieces.append(html.unescape(raw))

    def block(self) -> None:
        self.pieces.append("\n")

    def start_link(self, tag: str) -> None:
        self.end_link()
        target = _href(tag)
        if target and len(self.links) < self.max_links:
            self.links.append(target)
            self.open_link, self.label_start = target, len(self.pieces)

    def end_link(self) -> None:
        if self.open_link is not None:
            label = "".join(self.pieces[self.label_start :])
            if self.open_link not in label:
                self.pieces.append(f" <{self.open_link}>")
            self.open_link = None


def _href(tag: str) -> str | None:
    """The first href's value; read by hand after `href=`, so no pattern backtracks."""
    window = tag[:_ATTRIBUTE_WINDOW]
    match = _HREF.search(window)
    if match is None:
        return None
    start = match.end()
    quote = window[start : start + 1]
    if quote in ('"', "'"):
        end = window.find(quote, start + 1)
        value = window[start + 1 : end if end >= 0 else len(window)]
    else:
        unquoted = _UNQUOTED_VALUE.match(window, start)
        value = unquoted.group() if unquoted else ""
    target = html.unescape(value).strip()
    return target if target and not target.startswith("#") else None


def _closing_tag(name: str) -> re.Pattern[str]:
    return re.compile(f"</{re.escape(name)}", re.IGNORECASE)


_CLOSING = {name: _closing_tag(name) for name in _DROPPED}


def _skip_element(source: str, name: str, start: int) -> int:
    """Position after `</name>` (or the end): the content of script, style and the like."""
    found = _CLOSING[name].search(source, start)
    if found is None:
        return len(source)
    close = source.find(">", found.end())
    return len(source) if close < 0 else close + 1


def _tag(out: _Text, source: str, start: int, end: int) -> int:
    """Handle the tag source[start:end] (without its brackets); returns where to go on."""
    tag = source[start:end]
    match = _TAG_NAME.match(tag)
    if match is None:
        out.text(f"<{tag}>")  # "a < b > c" is text, not a tag
        return end + 1
    name, closing = match.group(1).lower(), tag.startswith("/")
    if name in _BLOCKS:
        out.block()
    if name == "a":
        out.end_link() if closing else out.start_link(tag)
    if not closing and name in _DROPPED and not tag.endswith("/"):
        return _skip_element(source, name, end + 1)
    return end + 1


def html_to_text(source: str, max_links: int = 200) -> tuple[str, list[str]]:
    """Visible text of an HTML part, and the targets of its links (at most `max_links`)."""
    out = _Text(max_links)
    position = 0
    while position < len(source):
        opening = source.find("<", position)
        if opening < 0:
            out.text(source[position:])
            break
        out.text(source[position:opening])
        if source.startswith("<!--", opening):
            close = source.find("-->", opening + 4)
            position = len(source) if close < 0 else close + 3
            continue
        close = source.find(">", opening + 1)
        if close < 0:
            out.text(source[opening:])  # no tag can end any more: the rest is shown as text
            break
        if source.startswith(("<!", "<?"), opening):
            position = close + 1  # doctype, CDATA, processing instruction
            continue
        position = _tag(out, source, opening + 1, close)
    out.end_link()
    return tidy("".join(out.pieces)), out.links


def tidy(text: str) -> str:
    """Collapse runs of blanks, trim lines, keep at most one empty line in a row."""
    lines = [_BLANKS.sub(" ", line).strip() for line in text.splitlines()]
    return _EMPTY_LINES.sub("\n\n", "\n".join(lines)).strip()
