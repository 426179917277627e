"""The form: results from the shared engine, and friendly refusals that keep the input."""

from __future__ import annotations

import datetime as dt

import httpx

from app.config import Settings
from app.main import FORM_ROOM
from tests.ocr.conftest import need_tesseract
from tests.ocr.screens import LIGHT, Style, font_paths, screenshot
from tests.web.conftest import form_token, submit

SCAM = (
    "Anh ơi em là cán bộ hỗ trợ của Kho bạc, "
    "anh tải UltraViewer về máy rồi gửi em ID với mật khẩu nhé"
)


def genuine_message() -> str:
    opened = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=7) - dt.timedelta(days=1)).date()
    return (
        f"Đội hỗ trợ CNTT KBNN (hotrocntt@vst.gov.vn) đã tiếp nhận yêu cầu "
        f"SD{opened:%y%m%d}-000456, đề nghị đơn vị gửi ảnh chụp màn hình lỗi để được hỗ trợ."
    )


async def test_a_remote_access_scam_is_impersonation_with_the_words_marked(
    client: httpx.AsyncClient,
) -> None:
    response = await submit(client, message=SCAM)
    assert response.status_code == 200
    assert "verdict-impersonation" in response.text
    assert '<mark class="sev-danger">tải UltraViewer' in response.text
    assert "Căn cứ: 34/KBKH-KTNN" in response.text  # each finding cites its notice
    assert SCAM in response.text  # back in the box


async def test_a_genuine_message_is_plausible_with_the_advice(client: httpx.AsyncClient) -> None:
    response = await submit(client, message=genuine_message())
    assert response.status_code == 200
    assert "verdict-plausible" in response.text
    assert "Trước khi làm theo, hãy tự gọi tổng đài" in response.text
    assert 'action="/report"' not in response.text  # nothing to report


async def test_the_optional_fields_are_checked_and_kept(client: httpx.AsyncClient) -> None:
    response = await submit(client, phone="0912345678", channel="zalo", extension="88617")
    assert "verdict-impersonation" in response.text
    assert 'value="0912345678"' in response.text
    assert '<option value="zalo" selected>' in response.text


async def test_an_empty_form_gets_a_friendly_message(client: httpx.AsyncClient) -> None:
    response = await submit(client, message="   ")
    assert response.status_code == 422
    assert "Hãy dán nội dung tin nhắn" in response.text
    assert 'role="alert"' in response.text


async def test_an_over_long_paste_gets_a_friendly_message_and_stays_in_the_box(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    pasted = SCAM + " " * (settings.max_message_chars - len(SCAM)) + "!"
    response = await submit(client, message=pasted)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert f"quá giới hạn {settings.max_message_chars} ký tự" in response.text
    assert pasted in response.text
    assert 'aria-invalid="true"' in response.text


async def test_a_paste_at_the_limit_is_checked(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    pasted = ("a" * (settings.max_message_chars - len(SCAM))) + SCAM
    response = await submit(client, message=pasted)
    assert response.status_code == 200
    assert "verdict-impersonation" in response.text


async def test_a_body_past_the_request_limit_gets_the_page_not_raw_json(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    token = await form_token(client)
    # The check form may carry a screenshot: its limit is the image's, and room for the rest.
    huge = "x" * (settings.ocr_max_bytes + FORM_ROOM + 10)
    response = await client.post("/check", data={"csrf_token": token, "message": huge})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "quá lớn" in response.text
    assert response.headers["content-security-policy"]


async def test_the_api_still_answers_an_oversized_body_with_problem_details(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    huge = "x" * (settings.max_request_bytes + 10)
    response = await client.post("/v1/check", json={"message": huge})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_bad_extension_is_refused_next_to_its_field(client: httpx.AsyncClient) -> None:
    response = await submit(client, message=SCAM, extension="88-61-7abc")
    assert response.status_code == 422
    assert "Máy lẻ chỉ gồm chữ số" in response.text
    assert 'aria-describedby="extension-error" aria-invalid="true"' in response.text
    assert SCAM in response.text and 'value="88-61-7abc"' in response.text


async def test_an_over_long_ticket_code_is_refused_kindly(client: httpx.AsyncClient) -> None:
    response = await submit(client, ticket_code="SD" + "1" * 70)
    assert response.status_code == 422
    assert "Mã yêu cầu quá dài" in response.text


async def test_a_malformed_ticket_code_is_a_finding_not_a_form_error(
    client: httpx.AsyncClient,
) -> None:
    response = await submit(client, ticket_code="SD2201-12")
    assert response.status_code == 200
    assert "verdict-impersonation" in response.text


async def test_an_unknown_channel_is_refused_kindly(client: httpx.AsyncClient) -> None:
    response = await submit(client, message=SCAM, channel="pigeon")
    assert response.status_code == 422
    assert "Hãy chọn cách liên hệ" in response.text


async def test_reloading_a_result_address_leads_back_to_the_form(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/check")
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_every_field_has_a_label(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    for name in ("message", "sender", "phone", "extension", "ticket_code", "channel"):
        assert f'<label for="{name}">' in page
        assert f'id="{name}"' in page


async def submit_image(client: httpx.AsyncClient, data: bytes, **fields: str) -> httpx.Response:
    """Post the form as a browser without JavaScript does: multipart, with the file."""
    token = await form_token(client)
    files = {"image": ("shot.png", data, "image/png")}
    return await client.post("/check", data={"csrf_token": token, **fields}, files=files)


async def test_a_screenshot_is_read_and_its_words_marked(client: httpx.AsyncClient) -> None:
    need_tesseract()
    shot = screenshot(SCAM, Style(font_paths()[0], LIGHT, "PNG"))
    response = await submit_image(client, shot)
    assert response.status_code == 200
    assert "verdict-impersonation" in response.text
    assert "Chữ đọc được từ ảnh" in response.text
    assert '<mark class="sev-danger">tải UltraViewer' in response.text
    assert "anh tải UltraViewer về máy" in response.text  # the text read, back in the box


async def test_the_form_without_a_file_still_checks_the_text(client: httpx.AsyncClient) -> None:
    token = await form_token(client)
    files = {"image": ("", b"", "application/octet-stream")}  # no file chosen
    response = await client.post("/check", data={"csrf_token": token, "message": SCAM}, files=files)
    assert response.status_code == 200
    assert "verdict-impersonation" in response.text
    assert "Tin nhắn bạn dán" in response.text


async def test_a_file_that_is_not_an_image_gets_a_friendly_message(
    client: httpx.AsyncClient,
) -> None:
    need_tesseract()
    response = await submit_image(client, b"%PDF-1.7 not an image", message="giữ lại")
    assert response.status_code == 415
    assert "không phải ảnh PNG, JPEG hoặc WebP" in response.text
    assert 'href="#image"' in response.text
    assert "giữ lại" in response.text  # what was typed stays


async def test_an_image_post_without_the_token_is_refused(client: httpx.AsyncClient) -> None:
    await form_token(client)
    files = {"image": ("shot.png", b"\x89PNG\r\n\x1a\n", "image/png")}
    response = await client.post("/check", data={"csrf_token": "forged"}, files=files)
    assert response.status_code == 403
