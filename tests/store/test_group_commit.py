"""Group commit: many callers' rows in few transactions, each caller told the truth."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
from sqlalchemy import func, select

from app.store.database import Database
from app.store.group_commit import GroupCommit
from app.store.rowwriter import Batch
from app.store.tables import CheckRecord, utcnow


def row() -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "created_at": utcnow(),
        "channel": None,
        "verdict": "suspicious",
        "finding_codes": ["ticket.missing"],
        "input_sha256": "0" * 64,
        "excerpt": "",
        "full_text": None,
        "indicators": [],
        "fingerprint": None,
    }


async def count(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(CheckRecord)) or 0)


async def test_concurrent_rows_are_all_committed_in_fewer_transactions(
    database: Database,
) -> None:
    commits: list[int] = []
    insert_rows = database.insert_rows

    async def counted(batches: Batch) -> None:
        commits.append(sum(len(rows) for _, rows in batches))
        await insert_rows(batches)

    database.insert_rows = counted  # type: ignore[method-assign]
    writer = GroupCommit(database, timeout=10)
    results: list[bool] = []

    async def insert_one() -> None:
        results.append(await writer.insert(CheckRecord, row()))

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(writer.run)
        async with anyio.create_task_group() as callers:
            for _ in range(50):
                callers.start_soon(insert_one)
        writer.close()
    assert results == [True] * 50
    assert await count(database) == 50
    assert len(commits) < 10


async def test_rows_queued_before_close_are_still_written(database: Database) -> None:
    writer = GroupCommit(database, timeout=10)
    results: list[bool] = []

    async def insert_one() -> None:
        results.append(await writer.insert(CheckRecord, row()))

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(insert_one)
        tasks.start_soon(insert_one)
        await anyio.sleep(0)  # queued, not yet written: the writer starts only now
        writer.close()
        tasks.start_soon(writer.run)
    assert results == [True, True]
    assert await count(database) == 2


async def test_row_offered_after_close_is_reported_unstored(database: Database) -> None:
    writer = GroupCommit(database, timeout=10)
    writer.close()
    assert await writer.insert(CheckRecord, row()) is False


async def test_a_failing_batch_reports_its_rows_unstored_and_the_writer_goes_on(
    database: Database,
) -> None:
    writer = GroupCommit(database, timeout=10)
    first = row()
    outcomes: list[bool] = []

    insert_rows = database.insert_rows

    async def fail_once(batches: Batch) -> None:
        database.insert_rows = insert_rows  # type: ignore[method-assign]
        raise RuntimeError("a bug in the batch")

    database.insert_rows = fail_once  # type: ignore[method-assign]
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(writer.run)
        outcomes.append(await writer.insert(CheckRecord, first))
        outcomes.append(await writer.insert(CheckRecord, row()))
        writer.close()
    assert outcomes == [False, True]
    assert await count(database) == 1


async def test_a_row_not_committed_in_time_is_reported_unstored(database: Database) -> None:
    async def stuck(batches: Batch) -> None:
        await anyio.sleep(30)

    database.insert_rows = stuck  # type: ignore[method-assign]
    writer = GroupCommit(database, timeout=0.2)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(writer.run)
        with anyio.fail_after(5):
            assert await writer.insert(CheckRecord, row()) is False
        tasks.cancel_scope.cancel()


async def test_rows_worked_out_by_the_writer_are_committed_and_a_failing_one_alone_is_not(
    database: Database,
) -> None:
    writer = GroupCommit(database, timeout=10)
    results: dict[str, bool] = {}

    def broken() -> dict[str, Any]:
        raise ValueError("no values")

    async def insert(name: str, values: Any) -> None:
        results[name] = await writer.insert(CheckRecord, values)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(writer.run)
        async with anyio.create_task_group() as callers:
            callers.start_soon(insert, "plain", row())
            callers.start_soon(insert, "worked out", row)
            callers.start_soon(insert, "broken", broken)
        writer.close()
    assert results == {"plain": True, "worked out": True, "broken": False}
    assert await count(database) == 2
