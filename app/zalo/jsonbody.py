"""Zalo's JSON bodies, read as the user meant them, and never past a fixed depth.

Pydantic's parser refuses a lone UTF-16 surrogate (half an emoji, as some clients cut a
message) and bytes that are not UTF-8; such a text is still worth checking, so a body it
refuses is read again with each of them replaced by U+FFFD. Nesting deeper than the
parser's fixed limit is refused both times, so no body can exhaust the stack.
"""

from __future__ import annotations

import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# A backslash escape of JSON text: a surrogate pair, a lone surrogate (5 characters after
# the backslash), or any other escape. Matched from left to right, an escaped backslash is
# consumed whole, so a `\\ud800` that is text is never taken for an escape.
_ESCAPE = re.compile(
    r"\\(u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[dD][89a-fA-F][0-9a-fA-F]{2}|.)",
    re.DOTALL,
)
_REPLACEMENT = "\\ufffd"


def read_json(raw_body: bytes, model: type[M]) -> M | None:
    """The body as `model`; None when it is not one, even with surrogates replaced."""
    try:
        return model.model_validate_json(raw_body)
    except ValidationError:
        pass
    try:
        return model.model_validate_json(with_surrogates_replaced(raw_body))
    except ValidationError:
        return None


def with_surrogates_replaced(raw_body: bytes) -> str:
    """The body as text, each lone surrogate escape and each byte that is not UTF-8 made
    U+FFFD; pairs and every other escape kept as they are."""
    text = raw_body.decode("utf-8", errors="replace")
    return _ESCAPE.sub(_lone_replaced, text)


def _lone_replaced(escape: re.Match[str]) -> str:
    return _REPLACEMENT if len(escape[1]) == 5 else escape[0]
