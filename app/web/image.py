"""The check form's image: its text read by the shared OCR, or the error to show beside it.

The form posts as multipart/form-data (a file input works without JavaScript); it is read
in memory, never spooled to disk (app.ocr.form), and the image is dropped once read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request

from app.http.errors import AppError, PayloadTooLarge, Unprocessable, UnsupportedMediaType
from app.ocr.form import parse_form
from app.ocr.pool import OcrBusy
from app.ocr.service import started
from app.services import Services

FIELD = "image"


@dataclass(frozen=True, slots=True)
class Posted:
    fields: Mapping[str, str]
    image: bytes | None  # None when no file was chosen
    error: str = ""  # translation key when the body could not be read


async def read_post(request: Request) -> Posted:
    """The form's fields and its image, whichever way the browser encoded them."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        try:
            form = parse_form(content_type, await request.body())
        except AppError:
            return Posted({}, None, "error_form_unreadable")
        return Posted(form.fields, form.files.get(FIELD) or None)
    data = await request.form()
    return Posted({k: v for k, v in data.items() if isinstance(v, str)}, None)


def error_key(exc: AppError) -> str:
    """What the person is told, for each way an image can be refused."""
    if isinstance(exc, OcrBusy):
        return "error_image_busy"
    if isinstance(exc, PayloadTooLarge):
        return "error_image_too_large"
    if isinstance(exc, UnsupportedMediaType):
        return "error_image_type"
    if isinstance(exc, Unprocessable):
        return "error_image_broken"
    return "error_image_unavailable"


@dataclass(frozen=True, slots=True)
class ImageText:
    text: str = ""
    error: str = ""  # translation key
    status: int = 200


async def read_image(data: bytes, services: Services) -> ImageText:
    """The text of the image, cut at the message limit, or why there is none."""
    try:
        ocr = started(services.ocr)
        reading = await ocr.read(ocr.judge(data))
    except AppError as exc:
        return ImageText(error=error_key(exc), status=exc.status)
    text = reading.text[: services.settings.max_message_chars].strip()
    if not text:
        return ImageText(error="error_image_no_text", status=422)
    return ImageText(text)
