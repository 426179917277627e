"""An uploaded image judged before it is decoded: its type from its first bytes, its size
from its header. What fails here is refused in microseconds, whatever the file claims."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, UnidentifiedImageError

from app.http.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType


class ImageType(StrEnum):
    PNG = "image/png"
    JPEG = "image/jpeg"
    WEBP = "image/webp"


# Pillow's format name for each type we read; Pillow is told to try no other decoder.
PILLOW_FORMATS = {ImageType.PNG: "PNG", ImageType.JPEG: "JPEG", ImageType.WEBP: "WEBP"}
ACCEPTED = "PNG, JPEG or WebP"


def sniff(data: bytes) -> ImageType | None:
    """The type by content (signatures of RFC 2083, JFIF/Exif, RIFF WebP), not by name."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageType.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return ImageType.JPEG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ImageType.WEBP
    return None


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int
    max_pixels: int


@dataclass(frozen=True, slots=True)
class Upload:
    """An image that passed the checks that need no decoding."""

    data: bytes
    type: ImageType
    width: int
    height: int


def _over(limits: ImageLimits, size: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The image is {size}; the limit is {limits.max_pixels / 1e6:g} megapixels "
        "(refused from its header, before decoding)."
    )


def _header(data: bytes, kind: ImageType, limits: ImageLimits) -> tuple[int, int]:
    """Width and height from the header alone: Image.open reads no pixel data."""
    try:
        with warnings.catch_warnings():
            # Our own pixel limit (below Pillow's) decides; Pillow's warning would be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[kind]]) as image:
                return image.size
    except Image.DecompressionBombError as exc:  # far past any limit: Pillow's own guard
        raise _over(limits, "far larger than that") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise Unprocessable(f"The file looks like {kind.name} but cannot be read.") from exc


def judge(data: bytes, limits: ImageLimits) -> Upload:
    """The upload, or the problem that refuses it: 413 too big (bytes or pixels), 415 not
    PNG, JPEG or WebP, 422 empty or broken. Nothing is decoded yet."""
    if not data:
        raise Unprocessable("The image is empty (0 bytes).")
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge(f"The image has {len(data)} bytes; the limit is {limits.max_bytes}.")
    kind = sniff(data)
    if kind is None:
        raise UnsupportedMediaType(
            f"The file is not an image thatgia reads: send a {ACCEPTED} screenshot."
        )
    width, height = _header(data, kind, limits)
    if width <= 0 or height <= 0:
        raise Unprocessable(f"The {kind.name} image has no pixels ({width}×{height}).")
    if width * height > limits.max_pixels:
        raise _over(limits, f"{width}×{height} pixels ({width * height / 1e6:.1f} megapixels)")
    return Upload(data, kind, width, height)


def decode(upload: Upload) -> Image.Image:
    """The pixels, first frame only (an animated WebP or PNG is read as its first frame).
    Slow: called in an OCR worker thread, never on the event loop."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload.data), formats=[PILLOW_FORMATS[upload.type]])
            if image.size != (upload.width, upload.height):  # a header that changed its mind
                raise Unprocessable("The image's header and its content disagree.")
            image.load()
            return image
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise Unprocessable(f"The {upload.type.name} image is damaged: {exc}") from exc
