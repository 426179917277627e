"""Phone screenshots made readable for Tesseract, which wants dark text on a light page.

Each step is a switch so that its effect can be measured (tests/ocr/measure.py); the
defaults are the steps that helped on the drawn screenshots (README, "Reading images").
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageOps, ImageStat

# Below this mean grey level the screen is in dark mode: light text on a dark background.
DARK_MEAN = 110
# Narrower screenshots (a small phone, a cropped share) have text too small for Tesseract's
# models, trained on text about 30 px high; they are scaled up, but never past UPSCALE_MAX_PIXELS.
UPSCALE_BELOW_WIDTH = 800
UPSCALE_MAX_PIXELS = 16_000_000


@dataclass(frozen=True, slots=True)
class Preparation:
    invert_dark: bool = True
    upscale_small: bool = True
    binarise: bool = False


def is_dark(grey: Image.Image) -> bool:
    return float(ImageStat.Stat(grey).mean[0]) < DARK_MEAN


def upscaled(grey: Image.Image) -> Image.Image:
    width, height = grey.size
    if width >= UPSCALE_BELOW_WIDTH:
        return grey
    factor = min(UPSCALE_BELOW_WIDTH * 2 / width, (UPSCALE_MAX_PIXELS / (width * height)) ** 0.5)
    if factor <= 1.2:
        return grey
    size = (round(width * factor), round(height * factor))
    return grey.resize(size, Image.Resampling.LANCZOS)


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
    """Grey, dark mode turned light, small text scaled up, optionally black and white."""
    upright = ImageOps.exif_transpose(image) or image
    grey = ImageOps.grayscale(flattened(upright))
    if steps.invert_dark and is_dark(grey):
        grey = ImageOps.invert(grey)
    if steps.upscale_small:
        grey = upscaled(grey)
    if steps.binarise:
        grey = otsu(grey)
    return grey
