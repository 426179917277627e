"""The one batcher: writes queued during a commit share the next one, and each caller is
told the truth about its own."""

from __future__ import annotations

import asyncio

import pytest

from app.store.batcher import Batcher


async def test_items_queued_during_a_commit_make_up_the_next_batch() -> None:
    batches: list[list[int]] = []
    release = asyncio.Event()

    async def commit(items: list[int]) -> list[int]:
        batches.append(items)
        if len(batches) == 1:
            await release.wait()
        return [item * 10 for item in items]

    batcher = Batcher[int, int](commit)
    first = batcher.enqueue(1)
    await asyncio.sleep(0)  # the first commit is under way
    waiting = [batcher.enqueue(item) for item in (2, 3, 4)]
    release.set()
    assert await first == 10
    assert [await future for future in waiting] == [20, 30, 40]
    assert batches == [[1], [2, 3, 4]]


async def test_a_batch_is_cut_at_its_maximum() -> None:
    batches: list[list[int]] = []

    async def commit(items: list[int]) -> list[int]:
        batches.append(items)
        return items

    batcher = Batcher[int, int](commit, max_batch=2)
    futures = [batcher.enqueue(item) for item in range(5)]
    await asyncio.gather(*futures)
    assert batches == [[0, 1], [2, 3], [4]]


async def test_a_failed_commit_tells_every_caller_of_its_batch_and_the_next_goes_on() -> None:
    calls = 0

    async def commit(items: list[int]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("rolled back")
        return items

    batcher = Batcher[int, int](commit, max_batch=2)
    failed = [batcher.enqueue(1), batcher.enqueue(2)]
    later = batcher.enqueue(3)
    for future in failed:
        with pytest.raises(RuntimeError, match="rolled back"):
            await future
    assert await later == 3


async def test_a_result_settled_by_its_caller_is_left_as_it_is() -> None:
    release = asyncio.Event()

    async def commit(items: list[bool]) -> list[bool]:
        await release.wait()
        return items

    batcher = Batcher[bool, bool](commit)
    settled, other = batcher.enqueue(True), batcher.enqueue(True)
    settled.set_result(False)  # a timeout told the caller first
    release.set()
    assert await asyncio.wait_for(other, 5) is True  # the rest of its batch is still told
    assert settled.result() is False
