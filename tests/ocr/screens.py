"""Phone screenshots of a chat, drawn from a message's text: what staff forward.

A 1080 px wide chat screen: status bar, the contact's header, the message in one bubble per
paragraph (incoming, left), the input bar. Light and dark themes, the Debian fonts with
Vietnamese glyphs, saved as PNG, WebP or JPEG at a given quality. Drawn, not stored, so the
tests and the quality measurement need no image files in the repository.
"""

from __future__ import annotations

import io
import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH = 1080
MIN_HEIGHT = 2400
FONT_DIRS = (Path("/usr/share/fonts/truetype"),)
# Faces a phone might use, each with Vietnamese glyphs (Debian fonts-noto-core,
# fonts-dejavu-core, fonts-liberation2; the older fonts-liberation has none of them).
FONT_FILES = (
    "noto/NotoSans-Regular.ttf",
    "dejavu/DejaVuSans.ttf",
    "liberation2/LiberationSans-Regular.ttf",
    "noto/NotoSerif-Regular.ttf",
)
# Every vowel with every tone mark, and đ: a font missing one would draw boxes.
VIETNAMESE = "ăâđêôơưĂÂĐÊÔƠƯ" + "".join(
    unicodedata.normalize("NFC", v + mark)
    for v in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
    for mark in "\u0300\u0301\u0303\u0309\u0323"
)
TEXT_SIZE = 42  # 16 sp at a density of 2.625, a common 1080 px phone
MARGIN = 36
BUBBLE_PAD = 30
LINE_GAP = 14
BUBBLE_GAP = 24
BUBBLE_MAX = int(WIDTH * 0.78)


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    background: tuple[int, int, int]
    bubble: tuple[int, int, int]
    text: tuple[int, int, int]
    bar: tuple[int, int, int]
    bar_text: tuple[int, int, int]


LIGHT = Theme("light", (226, 233, 241), (255, 255, 255), (20, 20, 20), (0, 104, 255), (255,) * 3)
DARK = Theme("dark", (18, 18, 18), (44, 44, 46), (235, 235, 235), (28, 28, 30), (235, 235, 235))
THEMES = (LIGHT, DARK)


def covers_vietnamese(path: Path) -> bool:
    """Whether the font draws every Vietnamese letter, none as its "missing glyph" box."""
    font = ImageFont.truetype(str(path), 24)
    missing = bytes(font.getmask("\uffff"))
    return all(bytes(font.getmask(letter)) != missing for letter in VIETNAMESE)


def font_paths() -> list[Path]:
    """The fonts installed here that cover Vietnamese, in FONT_FILES order."""
    found = []
    for name in FONT_FILES:
        for folder in FONT_DIRS:
            if (folder / name).is_file() and covers_vietnamese(folder / name):
                found.append(folder / name)
                break
    return found


@dataclass(frozen=True, slots=True)
class Style:
    font: Path
    theme: Theme
    fmt: str = "JPEG"  # PNG, WEBP or JPEG
    quality: int = 80
    min_height: int = MIN_HEIGHT


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and font.getlength(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
            continue
        while font.getlength(word) > width:  # a link longer than the bubble: cut it
            cut = len(word)
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines


def bubbles(message: str, font: ImageFont.FreeTypeFont) -> list[list[str]]:
    """The message as chat apps show it: one bubble per paragraph, lines wrapped to fit."""
    text = unicodedata.normalize("NFC", message)
    paragraphs = [" ".join(p.split()) for p in text.replace("\r", "").split("\n")]
    inner = BUBBLE_MAX - 2 * BUBBLE_PAD
    return [_wrap(p, font, inner) for p in paragraphs if p]


def _chrome(draw: ImageDraw.ImageDraw, theme: Theme, font: ImageFont.FreeTypeFont) -> int:
    """Status bar and the contact's header; returns where the chat begins."""
    draw.rectangle((0, 0, WIDTH, 230), fill=theme.bar)
    small = font.font_variant(size=34)
    draw.text((MARGIN, 24), "9:41", font=small, fill=theme.bar_text)
    draw.rectangle((WIDTH - 110, 30, WIDTH - 50, 58), outline=theme.bar_text, width=3)
    draw.polygon([(MARGIN + 30, 130), (MARGIN + 55, 105), (MARGIN + 55, 155)], fill=theme.bar_text)
    draw.ellipse((MARGIN + 90, 95, MARGIN + 160, 165), fill=(120, 144, 156))
    draw.text((MARGIN + 185, 108), "Hỗ trợ", font=font.font_variant(size=46), fill=theme.bar_text)
    return 230 + 40


def draw(message: str, style: Style) -> Image.Image:
    font = ImageFont.truetype(str(style.font), TEXT_SIZE)
    line_height = int(font.getbbox("ẤÝgjỹ")[3]) + LINE_GAP
    laid = bubbles(message, font)
    body = sum(len(b) * line_height + 2 * BUBBLE_PAD + BUBBLE_GAP for b in laid)
    height = max(style.min_height, 270 + body + 200)
    image = Image.new("RGB", (WIDTH, height), style.theme.background)
    pen = ImageDraw.Draw(image)
    top = _chrome(pen, style.theme, font)
    for lines in laid:
        width = max(int(font.getlength(line)) for line in lines) + 2 * BUBBLE_PAD
        bottom = top + len(lines) * line_height + 2 * BUBBLE_PAD
        pen.rounded_rectangle((MARGIN, top, MARGIN + width, bottom), 28, fill=style.theme.bubble)
        for i, line in enumerate(lines):
            xy = (MARGIN + BUBBLE_PAD, top + BUBBLE_PAD + i * line_height)
            pen.text(xy, line, font=font, fill=style.theme.text)
        top = bottom + BUBBLE_GAP
    pen.rectangle((0, height - 150, WIDTH, height), fill=style.theme.bubble)
    pen.rounded_rectangle((MARGIN, height - 120, WIDTH - 160, height - 30), 40, outline=(140,) * 3)
    return image


def encode(image: Image.Image, style: Style) -> bytes:
    out = io.BytesIO()
    if style.fmt == "JPEG":
        image.save(out, "JPEG", quality=style.quality)
    elif style.fmt == "WEBP":
        image.save(out, "WEBP", quality=style.quality)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def screenshot(message: str, style: Style) -> bytes:
    """The message as a forwarded phone screenshot, encoded."""
    return encode(draw(message, style), style)


def styles_for(seed: int, count: int) -> list[Style]:
    """`count` styles, fonts and themes in turn, JPEG quality drawn from 60 to 90."""
    rng = random.Random(seed)
    fonts = font_paths()
    return [
        Style(fonts[i % len(fonts)], THEMES[(i // len(fonts)) % 2], "JPEG", rng.randint(60, 90))
        for i in range(count)
    ]
