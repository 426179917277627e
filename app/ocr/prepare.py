"""Phone screenshots made readable for Tesseract, which wants dark text on a light page.

Each step is a switch so that its effect can be measured (tests/ocr/measure.py); the
defaults are the steps that helped on the drawn screenshots (README, "Reading images").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, ImageStat

# Below this mean grey level the screen is in dark mode: light text on a dark background.
DARK_MEAN = 110
# Narrower screenshots (a small phone, a cropped share) have text too small for Tesseract's
# models, trained on text about 30 px high; they are scaled up, but never past UPSCALE_MAX_PIXELS.
UPSCALE_BELOW_WIDTH = 800
UPSCALE_TO_WIDTH = 1080  # a common phone's width, at which chat text is large enough
UPSCALE_MAX_PIXELS = 16_000_000
# An app's bars (status bar, title with the contact's name, input box) are full-width bands
# of one colour at the top and bottom of a chat screenshot, other than the chat's own
# background; they hold the clock and icons, not the message. Looked for in the first and
# last share of the height, on a quarter-size copy; a level within BAND_TOLERANCE is one colour.
TOP_BAND_SHARE = 0.15
BOTTOM_BAND_SHARE = 0.12
BAND_TOLERANCE = 4


@dataclass(frozen=True, slots=True)
class Preparation:
    invert_dark: bool = True
    upscale_small: bool = True
    binarise: bool = False
    crop_bars: bool = True


def is_dark(grey: Image.Image) -> bool:
    return float(ImageStat.Stat(grey).mean[0]) < DARK_MEAN


def upscaled(grey: Image.Image) -> Image.Image:
    width, height = grey.size
    if width >= UPSCALE_BELOW_WIDTH:
        return grey
    factor = min(UPSCALE_TO_WIDTH / width, (UPSCALE_MAX_PIXELS / (width * height)) ** 0.5)
    if factor <= 1.2:
        return grey
    size = (round(width * factor), round(height * factor))
    return grey.resize(size, Image.Resampling.LANCZOS)


def _is_band(row: np.ndarray, background: int) -> bool:
    """A row of a bar: its two ends one level, other than the background. Bars run from
    edge to edge of the screen; bubbles keep a margin of background at both ends."""
    ends = np.concatenate([row[:3], row[-3:]]).astype(int)
    level = int(np.median(ends))
    return abs(level - background) > BAND_TOLERANCE and bool(
        np.all(np.abs(ends - level) <= BAND_TOLERANCE)
    )


def chat_background(small: np.ndarray) -> int:
    """The chat's own background: the commonest level at the ends of the rows between the
    bars (bubbles keep a margin of it at both screen edges, however much of the screen
    they fill)."""
    height = small.shape[0]
    middle = small[int(height * TOP_BAND_SHARE) : int(height * (1 - BOTTOM_BAND_SHARE))]
    ends = np.concatenate([middle[:, :3].ravel(), middle[:, -3:].ravel()])
    return int(np.bincount(ends).argmax())


def without_bars(grey: Image.Image) -> Image.Image:
    """The screenshot less the app's bars at its top and bottom, when it has them."""
    small = np.asarray(grey.reduce(4))
    height = small.shape[0]
    if height < 40:
        return grey
    background = chat_background(small)
    top = 0
    while top < height * TOP_BAND_SHARE and _is_band(small[top], background):
        top += 1
    bottom = height
    while bottom > height * (1 - BOTTOM_BAND_SHARE) and _is_band(small[bottom - 1], background):
        bottom -= 1
    if top == 0 and bottom == height:
        return grey
    return grey.crop((0, top * 4, grey.width, min(grey.height, bottom * 4)))


def otsu(grey: Image.Image) -> Image.Image:
    """Black and white at the threshold that best splits the grey levels (Otsu, 1979)."""
    histogram = grey.histogram()
    total = sum(histogram)
    weighted = sum(level * count for level, count in enumerate(histogram))
    best, threshold, below, below_weighted = -1.0, 128, 0, 0
    for level, count in enumerate(histogram):
        below += count
        below_weighted += level * count
        above = total - below
        if below == 0 or above == 0:
            continue
        between = (
            below * above * (below_weighted / below - (weighted - below_weighted) / above) ** 2
        )
        if between > best:
            best, threshold = between, level
    return grey.point(lambda v: 255 if v > threshold else 0)


def flattened(image: Image.Image) -> Image.Image:
    """Transparent pixels on white: greyed as they are, they would turn black."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        page = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(page, rgba)
    return image


def prepare(image: Image.Image, steps: Preparation = Preparation()) -> Image.Image:
    """Grey, dark mode turned light, the app's bars cut off, small text scaled up,
    optionally black and white."""
    upright = ImageOps.exif_transpose(image) or image
    grey = ImageOps.grayscale(flattened(upright))
    if steps.invert_dark and is_dark(grey):
        grey = ImageOps.invert(grey)
    if steps.crop_bars:
        grey = without_bars(grey)
    if steps.upscale_small:
        grey = upscaled(grey)
    if steps.binarise:
        grey = otsu(grey)
    return grey
