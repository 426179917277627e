"""The OCR pool: at most N readings at once, in threads; full, it refuses or makes wait."""

from __future__ import annotations

import asyncio
import threading

import pytest
from PIL import Image

from app.ocr.images import ImageLimits, Upload, judge
from app.ocr.pool import OcrBusy, OcrPool
from app.ocr.reader import Reading
from tests.ocr.screens import LIGHT, Style, font_paths, screenshot

LIMITS = ImageLimits(10 * 1024 * 1024, 40_000_000)


class HeldReader:
    """Reads only when let go, recording the threads it ran on and how many ran at once."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.threads: set[str] = set()
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def __call__(self, image: Image.Image) -> Reading:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.threads.add(threading.current_thread().name)
        self.go.wait(10)
        with self._lock:
            self.running -= 1
        return Reading("text", 90.0, "held")


@pytest.fixture
def upload() -> Upload:
    return judge(screenshot("Xin chào", Style(font_paths()[0], LIGHT, "PNG")), LIMITS)


async def test_reads_in_threads_never_on_the_event_loop(upload: Upload) -> None:
    reader = HeldReader()
    reader.go.set()
    pool = OcrPool(reader, workers=2, queue=0)
    reading = await pool.read(upload)
    assert reading.text == "text"
    assert reader.threads and threading.main_thread().name not in reader.threads
    assert all(name.startswith("ocr") for name in reader.threads)
    pool.close()


async def test_full_pool_refuses_with_retry_after(upload: Upload) -> None:
    reader = HeldReader()
    pool = OcrPool(reader, workers=1, queue=1)
    first = asyncio.create_task(pool.read(upload))
    second = asyncio.create_task(pool.read(upload))
    await asyncio.sleep(0.2)
    with pytest.raises(OcrBusy) as refused:
        await pool.read(upload)
    assert refused.value.status == 503
    assert int(refused.value.headers["Retry-After"]) >= 1
    reader.go.set()
    await asyncio.gather(first, second)
    assert reader.most == 1  # one worker: never two readings at once
    assert (await pool.read(upload)).text == "text"  # room again once they finished
    pool.close()


async def test_a_waiting_caller_gets_its_turn(upload: Upload) -> None:
    reader = HeldReader()
    pool = OcrPool(reader, workers=1, queue=0)
    first = asyncio.create_task(pool.read(upload))
    await asyncio.sleep(0.1)
    waiting = asyncio.create_task(pool.read(upload, wait=True))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    reader.go.set()
    assert (await waiting).text == "text"
    await first
    pool.close()


async def test_at_most_n_at_once(upload: Upload) -> None:
    reader = HeldReader()
    pool = OcrPool(reader, workers=2, queue=10)
    tasks = [asyncio.create_task(pool.read(upload)) for _ in range(6)]
    await asyncio.sleep(0.3)
    assert reader.running == 2
    reader.go.set()
    await asyncio.gather(*tasks)
    assert reader.most == 2
    pool.close()
