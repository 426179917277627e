"""The pasted text is hostile: whatever it holds is shown as text, never run as markup."""

from __future__ import annotations

import httpx

from tests.web.conftest import submit

SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=1">'
LINK = '<a href="javascript:window.__pwned=1">bấm vào đây</a>'


async def test_a_script_tag_is_shown_escaped_in_the_result_and_in_the_box(
    client: httpx.AsyncClient,
) -> None:
    response = await submit(client, message=f"Anh ơi {SCRIPT} gửi em mật khẩu")
    assert response.status_code == 200
    assert SCRIPT not in response.text
    # In the marked-up message and back in the text area (which the language switch sends).
    assert response.text.count("&lt;script&gt;window.__pwned=1&lt;/script&gt;") == 2


async def test_an_image_with_onerror_is_shown_escaped(client: httpx.AsyncClient) -> None:
    response = await submit(client, message=IMAGE)
    assert "<img" not in response.text
    assert "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in response.text


async def test_a_javascript_link_is_shown_escaped(client: httpx.AsyncClient) -> None:
    response = await submit(client, message=LINK)
    assert 'href="javascript:' not in response.text
    assert "&lt;a href=&#34;javascript:window.__pwned=1&#34;&gt;" in response.text


async def test_hostile_fields_are_escaped_in_their_boxes_and_findings(
    client: httpx.AsyncClient,
) -> None:
    sender = '"><script>window.__pwned=1</script>'
    response = await submit(client, sender=sender, ticket_code=f'x" onfocus="{SCRIPT}')
    assert response.status_code == 200
    assert SCRIPT not in response.text
    assert 'onfocus="' not in response.text
    assert "&#34;&gt;&lt;script&gt;" in response.text


async def test_an_ordinary_message_is_shown_as_written(client: httpx.AsyncClient) -> None:
    message = "Đội hỗ trợ CNTT KBNN đề nghị đơn vị gửi ảnh chụp màn hình lỗi."
    response = await submit(client, message=message)
    assert message in response.text
