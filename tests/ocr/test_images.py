"""Judging an upload before decoding it: type by content, size from the header."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.http.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType
from app.ocr.images import ImageLimits, ImageType, judge, sniff

LIMITS = ImageLimits(max_bytes=1_000_000, max_pixels=1_000_000)


def encoded(size: tuple[int, int], fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "kind"), [("PNG", ImageType.PNG), ("JPEG", ImageType.JPEG), ("WEBP", ImageType.WEBP)]
)
def test_the_three_types_are_recognised_by_their_bytes(fmt: str, kind: ImageType) -> None:
    data = encoded((100, 50), fmt)
    assert sniff(data) is kind
    upload = judge(data, LIMITS)
    assert (upload.type, upload.width, upload.height) == (kind, 100, 50)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_types_are_refused(fmt: str) -> None:
    with pytest.raises(UnsupportedMediaType):
        judge(encoded((10, 10), fmt), LIMITS)


def test_pixels_at_the_limit_pass_and_one_row_more_is_refused() -> None:
    assert judge(encoded((1000, 1000), "PNG"), LIMITS).width == 1000
    with pytest.raises(PayloadTooLarge):
        judge(encoded((1000, 1001), "PNG"), LIMITS)


def test_bytes_over_the_limit_are_refused_before_anything_else() -> None:
    with pytest.raises(PayloadTooLarge):
        judge(b"\x89PNG\r\n\x1a\n" + b"\0" * LIMITS.max_bytes, LIMITS)


def test_a_signature_with_nothing_readable_after_it_is_422() -> None:
    with pytest.raises(Unprocessable):
        judge(b"\xff\xd8\xff" + b"\0" * 64, LIMITS)
