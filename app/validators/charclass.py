"""Character classes spelt out code point by code point, for the Basic Multilingual Plane.

A class of categories (\\w) or one SRE cannot fold into a bitmap is tested character by
character at some cost; the same characters listed as ranges within the plane compile to
a bitmap, a lookup per character.
"""

from __future__ import annotations

import re
from collections.abc import Callable

BMP_END = 0x10000


def bmp_ranges(belongs: Callable[[str], bool]) -> str:
    """The characters of the plane for which `belongs` holds, as the inside of a class."""
    runs: list[list[int]] = []
    for code in range(BMP_END):
        if not belongs(chr(code)):
            continue
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in runs)
