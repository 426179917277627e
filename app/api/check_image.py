"""POST /v1/check/image: a screenshot in, its text read and checked like a pasted message."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import Field, ValidationError

from app.api.present import present
from app.api.schemas import CheckRequest, CheckResponse, Schema
from app.checking import run_check
from app.engine.claim import Claim
from app.engine.i18n import negotiate
from app.http.errors import Unprocessable
from app.ocr.form import parse_form
from app.ocr.reader import Reading
from app.ocr.service import started
from app.services import Services

router = APIRouter(prefix="/v1", tags=["check"])

IMAGE_FIELD = "image"
# The optional fields of /v1/check that may come with an image (its text is the message).
CONTEXT_FIELDS = (
    "channel",
    "sender",
    "phone",
    "extension",
    "ticket_code",
    "unit_code",
    "received_at",
)


class OcrOut(Schema):
    text: str = Field(description="The text read from the image; finding spans refer to it.")
    mean_confidence: float = Field(description="Tesseract's mean word confidence, 0 to 100.")
    engine: str


class CheckImageResponse(CheckResponse):
    ocr: OcrOut


def _context(request: Request, fields: dict[str, str]) -> CheckRequest:
    """The optional fields, from the form or else the query string, as /v1/check reads them."""
    given: dict[str, Any] = {}
    for name in CONTEXT_FIELDS:
        value = fields.get(name, request.query_params.get(name))
        if value is not None and value.strip():
            given[name] = value.strip()
    try:
        return CheckRequest.model_validate(given)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from None


def claim_of(context: CheckRequest, reading: Reading, max_chars: int) -> Claim:
    """The image's text as the message: cut at the message limit, as a chat reply is."""
    text = reading.text[:max_chars].strip()
    if not reading.complete:
        raise Unprocessable(
            "The image took too long to read (THATGIA_OCR_TIMEOUT): send a screenshot of "
            "just the message, or paste its text to POST /v1/check."
        )
    if not text:
        raise Unprocessable(
            "No text could be read from the image: send a sharper screenshot of the "
            "message, or paste its text to POST /v1/check."
        )
    return context.model_copy(update={"message": text}).to_claim()


def _image_body_openapi() -> dict[str, Any]:
    text = {"type": "string"}
    properties: dict[str, Any] = {IMAGE_FIELD: {"type": "string", "format": "binary"}}
    properties.update(dict.fromkeys(CONTEXT_FIELDS, text))
    schema = {"type": "object", "required": [IMAGE_FIELD], "properties": properties}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


@router.post(
    "/check/image",
    openapi_extra={"requestBody": _image_body_openapi()},
    responses={
        413: {"description": "Image over the size or pixel limit"},
        415: {"description": "Not multipart/form-data, or not a PNG, JPEG or WebP image"},
        422: {"description": "No image, an empty or broken one, no text read, or a bad field"},
        503: {"description": "Tesseract is not installed, or too many images are being read"},
    },
)
async def check_image(request: Request) -> CheckImageResponse:
    """Read the text of a screenshot (PNG, JPEG, WebP) and check it like a pasted message."""
    services: Services = request.app.state.services
    ocr = started(services.ocr)
    form = parse_form(request.headers.get("content-type"), await request.body())
    context = _context(request, form.fields)
    data = form.files.get(IMAGE_FIELD)
    if data is None:
        raise Unprocessable(f"No image: send the file in the form field {IMAGE_FIELD!r}.")
    reading = await ocr.read(ocr.judge(data))
    claim = claim_of(context, reading, services.settings.max_message_chars)
    outcome = await run_check(claim, services)
    shown = present(
        outcome.assessment,
        check_id=outcome.check_id,
        lang=negotiate(request.headers.get("accept-language")),
        ref=services.reference,
        stored=outcome.stored,
    )
    ocr_out = OcrOut(
        text=claim.message, mean_confidence=reading.mean_confidence, engine=reading.engine
    )
    return CheckImageResponse(**shown.model_dump(), ocr=ocr_out)
