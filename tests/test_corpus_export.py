"""`thatgia corpus export`: confirmed reports, and only they, as corpus lines training reads."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import httpx
import pytest

from app.cli.main import main
from app.engine.learned import train
from app.engine.learned.corpus import IN_HOUSE, row_of, ruled_rows
from app.engine.reference.models import Reference
from tests.conftest import KeyMaker, bearer
from tests.test_cli_db import env_database  # noqa: F401  (fixture)

SCAM = (
    "Chào chị, em là Tuấn bên Đội hỗ trợ CNTT Kho bạc. Hệ thống DVCTT đang nâng cấp chữ ký "
    "số, chị cài UltraViewer rồi gửi em ID và mật khẩu để em cập nhật giúp nhé."
)
OTHER = "Anh ơi em bên Kho bạc, anh đọc giúp em mã OTP vừa gửi về điện thoại để em xác thực nhé."


async def reported(client: httpx.AsyncClient, message: str) -> int:
    checked = await client.post("/v1/check", json={"message": message})
    made = await client.post("/v1/reports", json={"check_id": checked.json()["id"]})
    return int(made.json()["id"])


@pytest.fixture
async def reports(client: httpx.AsyncClient, make_key: KeyMaker) -> dict[str, int]:
    admin = bearer(await make_key("admin"))
    made = {
        "confirmed": await reported(client, SCAM),
        "same_campaign": await reported(client, SCAM.replace("Tuấn", "Hùng")),
        "other": await reported(client, OTHER),
        "pending": await reported(client, OTHER + " Gấp lắm."),
        "rejected": await reported(client, SCAM + " Cảm ơn chị."),
    }
    for name in ("confirmed", "same_campaign", "other", "rejected"):
        await client.post(f"/v1/reports/{made[name]}/confirm", headers=admin)
    await client.post(f"/v1/reports/{made['rejected']}/reject", headers=admin)
    return made


async def export(tmp_path: Path, *extra: str) -> list[dict[str, object]]:
    """Run the command as from a shell (in a thread: it runs its own event loop)."""
    out = tmp_path / "reports.jsonl"
    assert (
        await anyio.to_thread.run_sync(main, ["corpus", "export", "--out", str(out), *extra]) == 0
    )
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.usefixtures("env_database")
async def test_export_writes_one_confirmed_report_per_campaign(
    reports: dict[str, int], tmp_path: Path
) -> None:
    exported = await export(tmp_path)
    assert [e["id"] for e in exported] == [
        f"report-{reports['confirmed']}",
        f"report-{reports['other']}",
    ]
    first = exported[0]
    assert (first["label"], first["author"], first["genre"]) == ("scam", "reports", "reported")
    assert "request.remote_access" in first["codes"]  # type: ignore[operator]
    message = first["claim"]["message"]  # type: ignore[index]
    assert all(ask in message for ask in first["asks"])  # type: ignore[attr-defined]


@pytest.mark.usefixtures("env_database")
async def test_every_report_on_request(reports: dict[str, int], tmp_path: Path) -> None:
    ids = {e["id"] for e in await export(tmp_path, "--every-report")}
    assert ids == {f"report-{reports[n]}" for n in ("confirmed", "same_campaign", "other")}


@pytest.mark.usefixtures("env_database", "reports")
async def test_exported_lines_are_corpus_lines_training_reads(
    tmp_path: Path, reference: Reference
) -> None:
    await export(tmp_path)
    path = tmp_path / "reports.jsonl"
    parsed = [row_of(json.loads(line)) for line in path.read_text("utf-8").splitlines()]
    assert all(row.scam for row in parsed)
    rows = ruled_rows(path, reference)
    assert [row.author for row in rows] == [IN_HOUSE, IN_HOUSE]  # never left out
    assert all(row.scam and row.asks for row in rows)


def test_training_takes_reports_files() -> None:
    help_text = train.__doc__ or ""
    assert "--reports FILE" in help_text
    with pytest.raises(SystemExit) as exited:
        train.main(["--help"])
    assert exited.value.code == 0
