"""The OCR the adapters share: the pool when Tesseract is here, else why it is not."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app.config import Settings
from app.http.errors import ServiceUnavailable
from app.ocr.images import ImageLimits, Upload, judge
from app.ocr.pool import OcrPool
from app.ocr.reader import OcrUnavailable, Reading, TesseractReader, tessdata_dir

log = logging.getLogger("thatgia.ocr")


@dataclass
class Ocr:
    limits: ImageLimits
    pool: OcrPool | None
    problem: str = ""  # why there is no pool: what to install

    def judge(self, data: bytes) -> Upload:
        """Refuse what is not a readable image before anything is decoded."""
        return judge(data, self.limits)

    async def read(self, upload: Upload, *, wait: bool = False) -> Reading:
        if self.pool is None:
            raise ServiceUnavailable(
                f"Images cannot be read here: {self.problem}", retry_after=3600
            )
        return await self.pool.read(upload, wait=wait)


def started(ocr: Ocr | None) -> Ocr:
    """The application's OCR; outside its lifespan (a bare Services), none."""
    if ocr is None:
        raise ServiceUnavailable("Images cannot be read: the service is not started.")
    return ocr


def build_ocr(settings: Settings) -> Ocr:
    """The pool if Tesseract and its data are at hand; otherwise the service runs without."""
    limits = ImageLimits(settings.ocr_max_bytes, settings.ocr_max_pixels)
    try:
        tessdata = tessdata_dir(settings.ocr_tessdata, settings.ocr_languages)
        reader = TesseractReader(tessdata, settings.ocr_languages, settings.ocr_timeout)
    except OcrUnavailable as exc:
        log.warning("Reading images is off: %s", exc)
        return Ocr(limits, None, str(exc))
    pool = OcrPool(reader.read, workers=settings.ocr_workers, queue=settings.ocr_queue)
    return Ocr(limits, pool)


@asynccontextmanager
async def ocr_lifecycle(ocr: Ocr) -> AsyncIterator[None]:
    """At shutdown, queued readings are dropped; running ones finish in their threads."""
    try:
        yield
    finally:
        if ocr.pool is not None:
            ocr.pool.close()
