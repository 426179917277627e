"""What a client writes is stored on both databases, U+0000 included (PostgreSQL's text
cannot hold it: it is kept there as U+FFFD)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import KeyMaker, bearer

pytestmark = pytest.mark.anyio

SCAM = "Em bên Kho bạc, gửi em mã PIN\x00 và gọi lại số 0912 345 678"


async def test_check_and_report_holding_nul_are_stored(
    client: httpx.AsyncClient, make_key: KeyMaker, db_backend: str
) -> None:
    check = (await client.post("/v1/check", json={"message": SCAM})).json()
    assert check["stored"] is True
    note = "gọi\x00 từ số này"
    report = await client.post("/v1/reports", json={"check_id": check["id"], "note": note})
    assert report.status_code == 201
    listed = await client.get("/v1/reports", headers=bearer(await make_key("admin")))
    stored = note.replace("\x00", "\ufffd") if db_backend == "postgres" else note
    assert [r["note"] for r in listed.json()] == [stored]
