"""At most N readings at once, in threads, never on the event loop; a bounded queue behind.

Reading a screenshot costs a core for a fraction of a second to seconds. The pool runs
`workers` readings at once and lets `queue` more wait; past that the API refuses (503,
Retry-After) rather than pile up work nobody will wait for, and the Zalo worker, which
has nobody waiting on a socket, waits for a free place instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PIL import Image

from app.http.errors import ServiceUnavailable
from app.ocr.images import Upload, decode
from app.ocr.prepare import Preparation, prepare
from app.ocr.reader import Reading

Read = Callable[[Image.Image], Reading]
DEFAULT_STEPS = Preparation()


class OcrBusy(ServiceUnavailable):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Too many images are being read right now; send it again in a few seconds.",
            retry_after=retry_after,
        )


class OcrPool:
    def __init__(
        self, read: Read, *, workers: int, queue: int, steps: Preparation = DEFAULT_STEPS
    ) -> None:
        self._read = read
        self._steps = steps
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr")
        self.capacity = workers + queue
        self._pending = 0  # submitted and not finished: running or waiting for a thread
        self._lock = threading.Lock()
        self._freed: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def pending(self) -> int:
        return self._pending

    def _job(self, upload: Upload) -> Reading:
        with decode(upload) as image:
            return self._read(prepare(image, self._steps))

    def _finished(self, _: Future[Reading]) -> None:
        with self._lock:
            self._pending -= 1
        if self._loop is not None and self._freed is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._freed.set)

    def _try_submit(self, upload: Upload) -> Future[Reading] | None:
        with self._lock:
            if self._pending >= self.capacity:
                return None
            self._pending += 1
        future = self._executor.submit(self._job, upload)
        future.add_done_callback(self._finished)
        return future

    async def read(self, upload: Upload, *, wait: bool = False) -> Reading:
        """The text of the image. Full: OcrBusy, or with `wait` a wait for a free place.
        A caller that goes away leaves a started reading to finish (its thread cannot be
        interrupted) and a queued one cancelled."""
        self._loop = asyncio.get_running_loop()
        if self._freed is None:
            self._freed = asyncio.Event()
        while (future := self._try_submit(upload)) is None:
            if not wait:
                raise OcrBusy(retry_after=max(1, self.capacity))
            self._freed.clear()
            await self._freed.wait()
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
