"""Preparing screenshots: each step shown on what it must change and what it must leave."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from app.ocr.prepare import Preparation, is_dark, prepare, upscaled, without_bars
from tests.ocr.screens import DARK, LIGHT, Style, draw, font_paths

MESSAGE = "Em bên Kho bạc, anh gửi em mã PIN nhé"


def grey(theme_dark: bool) -> Image.Image:
    return draw(MESSAGE, Style(font_paths()[0], DARK if theme_dark else LIGHT)).convert("L")


def test_dark_mode_is_turned_light() -> None:
    prepared = prepare(draw(MESSAGE, Style(font_paths()[0], DARK)))
    assert is_dark(grey(True)) and not is_dark(prepared)


def test_a_light_screenshot_is_not_inverted() -> None:
    light = draw(MESSAGE, Style(font_paths()[0], LIGHT))
    assert not is_dark(light.convert("L"))
    kept = prepare(light, Preparation(crop_bars=False))
    assert kept.getpixel((500, 1000)) == light.convert("L").getpixel((500, 1000))


def test_the_app_bars_are_cut_off_in_both_themes() -> None:
    for dark in (False, True):
        image = prepare(draw(MESSAGE, Style(font_paths()[0], DARK if dark else LIGHT)))
        assert image.height <= 2400 - 230 - 150 + 8  # status and title bar, input bar
        assert image.height >= 2400 - 230 - 150 - 8


def test_a_screenshot_cropped_to_its_bubble_keeps_everything() -> None:
    bubble = Image.new("L", (700, 200), 255)
    ImageDraw.Draw(bubble).text((20, 80), "Gửi em mã PIN", fill=0)
    assert without_bars(bubble).size == bubble.size


def test_a_bubble_at_the_top_of_a_cropped_screenshot_is_not_taken_for_a_bar() -> None:
    shot = Image.new("L", (1080, 900), 230)
    ImageDraw.Draw(shot).rounded_rectangle((36, 0, 800, 300), 20, fill=255)
    assert without_bars(shot).size == shot.size


def test_small_screenshots_are_scaled_up_and_large_ones_left() -> None:
    assert upscaled(Image.new("L", (540, 1200), 255)).width >= 1080
    assert upscaled(Image.new("L", (1080, 2400), 255)).size == (1080, 2400)


def test_transparent_pixels_become_white_not_black() -> None:
    clear = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    out = io.BytesIO()
    clear.save(out, "PNG")
    prepared = prepare(Image.open(io.BytesIO(out.getvalue())), Preparation(crop_bars=False))
    assert prepared.getpixel((10, 10)) == 255


def test_bubbles_filling_most_of_the_screen_are_not_taken_for_bars() -> None:
    long = " ".join([MESSAGE] * 40)  # white bubbles cover more pixels than the background
    image = draw(long, Style(font_paths()[0], LIGHT)).convert("L")
    cropped = without_bars(image)
    assert image.height - cropped.height <= 230 + 150 + 8
