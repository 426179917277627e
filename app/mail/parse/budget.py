"""How much CPU one message may take to read, and a way to stop reading it from outside.

A message is read in a worker thread; the thread cannot be killed, so the reading checks
its budget between steps (each step is bounded) and stops early when the budget is spent
or the caller has cancelled it, say because the client went away.
"""

from __future__ import annotations

import threading
import time


class Budget:
    def __init__(self, cpu_seconds: float | None = None) -> None:
        self.cpu_seconds = cpu_seconds
        self._cancelled = threading.Event()
        self._started: float | None = None

    def start(self) -> None:
        """Count CPU time from now, on the calling thread (the one that reads)."""
        self._started = time.thread_time()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def spent(self) -> bool:
        if self._cancelled.is_set():
            return True
        if self.cpu_seconds is None or self._started is None:
            return False
        return time.thread_time() - self._started > self.cpu_seconds
