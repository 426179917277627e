"""The "how to recognise real support" panel comes from the reference data alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from app.config import Settings
from app.engine.reference import BUNDLED
from app.engine.reference.models import Reference
from app.main import create_app

NEW_NEVER_VI = "Không bao giờ gọi video để xem màn hình máy tính của bạn"
NEW_NEVER_EN = "Never makes a video call to look at your computer screen"


async def test_the_panel_shows_the_published_facts(
    client: httpx.AsyncClient, reference: Reference
) -> None:
    page = (await client.get("/")).text
    assert "Cách nhận biết hỗ trợ thật của Kho bạc" in page
    assert reference.official_sender.address in page
    assert reference.switchboard.display in page
    assert ", ".join(reference.extensions.listed) in page
    assert reference.ticket.format in page
    for statement in reference.never + reference.leaks:
        assert escape(statement.vi) in page
    assert reference.cite(reference.switchboard.sources) in page


async def test_the_panel_speaks_english_from_the_same_data(
    client: httpx.AsyncClient, reference: Reference
) -> None:
    page = (await client.get("/?lang=en")).text
    assert "How to recognise real Treasury support" in page
    for statement in reference.never:
        assert escape(statement.en) in page
        assert escape(statement.vi) not in page


def _edited_reference(tmp_path: Path, reference: Reference) -> Path:
    text = BUNDLED.read_text(encoding="utf-8")
    old_link = next(s for s in reference.never if s.code == "request.link")
    text = text.replace(f'display = "{reference.switchboard.display}"', 'display = "024 9999 0000"')
    text = text.replace(old_link.vi, NEW_NEVER_VI).replace(old_link.en, NEW_NEVER_EN)
    copy = tmp_path / "reference.toml"
    copy.write_text(text, encoding="utf-8")
    return copy


@pytest.fixture
async def edited_client(
    settings: Settings, tmp_path: Path, reference: Reference
) -> AsyncIterator[httpx.AsyncClient]:
    edited = settings.model_copy(
        update={"reference_file": str(_edited_reference(tmp_path, reference))}
    )
    app = create_app(edited)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as c:
        yield c


async def test_the_panel_follows_an_edited_reference_file(
    edited_client: httpx.AsyncClient, reference: Reference
) -> None:
    old_link = next(s for s in reference.never if s.code == "request.link")
    page = (await edited_client.get("/")).text
    assert "024 9999 0000" in page
    assert reference.switchboard.display not in page
    assert NEW_NEVER_VI in page
    assert escape(old_link.vi) not in page
    english = (await edited_client.get("/?lang=en")).text
    assert NEW_NEVER_EN in english
