"""POST /v1/check/image: a screenshot read and checked like the same text pasted, and every
bad image refused with the right problem, before it is decoded where that is possible."""

from __future__ import annotations

import asyncio
import io
import struct
import threading
import time
import zlib

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from app.config import Settings
from app.engine.claim import Claim
from app.main import create_app
from app.ocr.pool import OcrPool
from app.ocr.reader import Reading
from app.services import Services
from app.store.audit import input_digest
from tests.api.test_check_persistence import stored_record
from tests.ocr.conftest import need_tesseract
from tests.ocr.screens import DARK, LIGHT, Style, font_paths, screenshot

PROBLEM = "application/problem+json"
RECEIVED = "2025-11-21T10:00:00+07:00"
SCAM = "Em bên Kho bạc, anh cài UltraViewer rồi gửi em ID và mật khẩu nhé"
GENUINE = (
    "Đội hỗ trợ CNTT KBNN đã xử lý yêu cầu SD251120-000123 của đơn vị. "
    "Mọi thắc mắc xin gọi tổng đài 024 6276 4300, máy lẻ 88617."
)


@pytest.fixture(autouse=True)
def _tesseract() -> None:
    need_tesseract()


def png(message: str, *, dark: bool = False) -> bytes:
    return screenshot(message, Style(font_paths()[0], DARK if dark else LIGHT, "PNG"))


async def post_image(
    client: httpx.AsyncClient, data: bytes, mime: str = "image/png", **fields: str
) -> httpx.Response:
    files = {"image": ("shot", data, mime)}
    return await client.post("/v1/check/image", files=files, data=fields)


async def test_scam_screenshot_gets_the_verdict_of_its_text(client: httpx.AsyncClient) -> None:
    response = await post_image(client, png(SCAM), received_at=RECEIVED)
    assert response.status_code == 200, response.text
    body = response.json()
    text = (await client.post("/v1/check", json={"message": SCAM, "received_at": RECEIVED})).json()
    assert body["verdict"] == text["verdict"] == "impersonation"
    codes = {f["code"] for f in body["findings"]}
    assert {"request.remote_access", "request.password"} <= codes
    assert "UltraViewer" in body["ocr"]["text"]
    assert body["ocr"]["engine"].startswith("tesseract 5")
    assert 50 <= body["ocr"]["mean_confidence"] <= 100


async def test_finding_spans_point_into_the_text_read(client: httpx.AsyncClient) -> None:
    body = (await post_image(client, png(SCAM, dark=True))).json()
    text = body["ocr"]["text"]
    located = [f for f in body["findings"] if f["span"]]
    assert located
    for finding in located:
        span = finding["span"]
        assert text[span["start"] : span["end"]] == finding["evidence"]


async def test_genuine_screenshot_is_not_called_a_scam(client: httpx.AsyncClient) -> None:
    body = (await post_image(client, png(GENUINE), received_at=RECEIVED, channel="email")).json()
    assert body["verdict"] in ("plausible", "authentic")
    assert not [f for f in body["findings"] if f["code"].startswith("request.")]


async def test_fields_come_as_query_parameters_too(client: httpx.AsyncClient) -> None:
    files = {"image": ("shot.png", png(SCAM), "image/png")}
    response = await client.post("/v1/check/image?channel=zalo", files=files)
    assert "channel.unofficial" in {f["code"] for f in response.json()["findings"]}


async def test_type_is_judged_by_content_not_by_declared_type(client: httpx.AsyncClient) -> None:
    image = Image.open(io.BytesIO(png(SCAM)))
    out = io.BytesIO()
    image.convert("RGB").save(out, "WEBP", quality=85)
    response = await post_image(client, out.getvalue(), mime="application/octet-stream")
    assert response.status_code == 200
    assert response.json()["verdict"] == "impersonation"


@pytest.mark.parametrize(
    "data",
    [b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", b"%PDF-1.7\n", b"<svg xmlns='x'/>", b"plain text"],
)
async def test_other_types_are_415_even_when_declared_png(
    client: httpx.AsyncClient, data: bytes
) -> None:
    response = await post_image(client, data, mime="image/png")
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM
    assert "PNG, JPEG or WebP" in response.json()["detail"]


async def test_empty_file_is_422(client: httpx.AsyncClient) -> None:
    response = await post_image(client, b"")
    assert response.status_code == 422
    assert "empty" in response.json()["detail"]


async def test_broken_image_is_422(client: httpx.AsyncClient) -> None:
    data = png(SCAM)
    response = await post_image(client, data[: len(data) // 2])
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_image_without_text_is_422(client: httpx.AsyncClient) -> None:
    out = io.BytesIO()
    Image.new("RGB", (600, 400), (240, 240, 240)).save(out, "PNG")
    response = await post_image(client, out.getvalue(), channel="zalo")
    assert response.status_code == 422
    assert "No text" in response.json()["detail"]


async def test_missing_image_field_is_422(client: httpx.AsyncClient) -> None:
    files = {"picture": ("shot.png", png(SCAM), "image/png")}
    response = await client.post("/v1/check/image", files=files)
    assert response.status_code == 422
    assert "'image'" in response.json()["detail"]


async def test_body_that_is_not_multipart_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/check/image", json={"message": SCAM})
    assert response.status_code == 415


async def test_bad_field_is_422_before_reading(client: httpx.AsyncClient) -> None:
    response = await post_image(client, png(SCAM), channel="pigeon")
    assert response.status_code == 422
    assert "channel" in response.json()["detail"]


def bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height but whose data is a few bytes: decoded, it
    would need gigabytes; it must be refused from its header."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1024)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


@pytest.mark.parametrize("side", [6_400, 50_000])  # past our limit; past Pillow's own too
async def test_decompression_bomb_is_413_from_its_header(
    client: httpx.AsyncClient, side: int
) -> None:
    started = time.monotonic()
    response = await post_image(client, bomb_png(side, side))
    assert response.status_code == 413
    assert "megapixels" in response.json()["detail"]
    assert time.monotonic() - started < 2


async def test_just_under_the_pixel_limit_is_read(client: httpx.AsyncClient) -> None:
    response = await post_image(client, bomb_png(40, 30))
    assert response.status_code == 422  # decoded (a blank image): no text, not too large


async def test_file_over_the_byte_limit_is_413(client: httpx.AsyncClient) -> None:
    data = png(SCAM) + b"\x00" * (10 * 1024 * 1024)
    response = await post_image(client, data)
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


@pytest.fixture
def no_tesseract(settings: Settings) -> Settings:
    return settings.model_copy(update={"ocr_tessdata": "/nonexistent/tessdata"})


async def test_without_tesseract_the_service_runs_and_says_what_to_install(
    no_tesseract: Settings,
) -> None:
    app = create_app(no_tesseract)
    async with app.router.lifespan_context(app), asgi_client(app) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert "apt-get install tesseract-ocr" in ready.json()["unavailable"]["ocr"]
        response = await post_image(client, png(SCAM))
        assert response.status_code == 503
        assert "tesseract-ocr-vie" in response.json()["detail"]
        text = await client.post("/v1/check", json={"message": SCAM})
        assert text.status_code == 200


async def test_full_pool_answers_503_with_retry_after(app: FastAPI) -> None:
    held = threading.Event()

    def read(image: Image.Image) -> Reading:
        held.wait(10)
        return Reading("", 0.0, "held")

    services: Services = app.state.services
    assert services.ocr is not None
    services.ocr.pool = OcrPool(read, workers=1, queue=0)
    async with app.router.lifespan_context(app), asgi_client(app) as client:
        first = asyncio.create_task(post_image(client, png(SCAM)))
        await asyncio.sleep(0.3)
        response = await post_image(client, png(SCAM))
        held.set()
        await first
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.headers["content-type"] == PROBLEM


def asgi_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.test")


async def test_audit_keeps_the_text_read_masked_and_never_the_image(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    secret = "Em bên Kho bạc, anh đọc em mã OTP 482913 và mật khẩu: Tet@2025 nhé, gọi 0912345678"
    body = (await post_image(client, png(secret))).json()
    record = await stored_record(settings, body["id"])
    assert record is not None
    assert "Kho bạc" in record.excerpt  # the text read is what the record keeps
    assert not {"482913", "Tet@2025", "0912345678"} & set(record.excerpt.replace(",", " ").split())
    assert record.full_text is None
    assert record.input_sha256 == input_digest(Claim(message=body["ocr"]["text"]))


async def test_a_reading_past_the_time_limit_is_422_saying_so(settings: Settings) -> None:
    hasty = settings.model_copy(update={"ocr_timeout": 0.001})
    app = create_app(hasty)
    async with app.router.lifespan_context(app), asgi_client(app) as client:
        response = await post_image(client, png(SCAM))
    assert response.status_code == 422
    assert "too long to read" in response.json()["detail"]
