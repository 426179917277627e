"""Tesseract, through tesserocr: one engine per OCR thread, the language data from Debian.

tesserocr calls libtesseract in-process (the image handed over in memory, the GIL released
while it reads); pytesseract would write each image to a file and start the `tesseract`
program: measured on the same screenshots, 0.36 s against 2.06 s median (README).
"""

from __future__ import annotations

import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

# Where Debian's tesseract-ocr-* packages put the language data (5, then 4), and the
# usual place elsewhere; TESSDATA_PREFIX, when set, is tried first.
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
)
INSTALL_HINT = (
    "install Tesseract with its Vietnamese and English data "
    "(Debian: apt-get install tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng)"
)


class OcrUnavailable(Exception):
    """Tesseract or its language data is missing; the message says what to install."""


@dataclass(frozen=True, slots=True)
class Reading:
    text: str
    mean_confidence: float  # Tesseract's mean word confidence, 0 to 100
    engine: str
    complete: bool = True  # False: stopped at the time limit, nothing kept


def tessdata_dir(configured: str | None, languages: str) -> Path:
    """The first folder holding every language wanted, or OcrUnavailable naming the fix."""
    candidates = [configured] if configured else [os.environ.get("TESSDATA_PREFIX", "")]
    candidates += [] if configured else list(TESSDATA_DIRS)
    wanted = languages.split("+")
    for folder in filter(None, candidates):
        path = Path(folder)
        if all((path / f"{lang}.traineddata").is_file() for lang in wanted):
            return path
    where = configured or ", ".join(TESSDATA_DIRS)
    raise OcrUnavailable(f"No Tesseract data for {languages} in {where}: {INSTALL_HINT}.")


def tidy(text: str) -> str:
    """Tesseract's lines as the sender wrote them: a paragraph's lines were wrapped by the
    phone, not by its author, so they are joined; paragraphs stay apart."""
    paragraphs = unicodedata.normalize("NFC", text).split("\n\n")
    joined = (" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs)
    return "\n".join(p for p in joined if p)


class TesseractReader:
    """Reads prepared images; each thread gets its own engine (they are not thread-safe)."""

    def __init__(
        self, tessdata: Path, languages: str, timeout: float, *, join_lines: bool = True
    ) -> None:
        try:
            import tesserocr  # type: ignore[import-untyped]
        except ImportError as exc:  # the wheel is in requirements.lock; a broken install
            detail = f"The tesserocr binding cannot load ({exc}): {INSTALL_HINT}."
            raise OcrUnavailable(detail) from exc
        self._tesserocr = tesserocr
        self.tessdata = tessdata
        self.languages = languages
        self.timeout_ms = int(timeout * 1000)
        self.join_lines = join_lines
        version = tesserocr.tesseract_version().split()[1]
        self.engine = f"tesseract {version} ({languages})"
        # Engines are made by the threads that use them, on their first image: loading the
        # language data takes a fraction of a second that start-up need not pay.
        self._local = threading.local()

    def _api(self) -> object:
        api = getattr(self._local, "api", None)
        if api is None:
            try:
                api = self._tesserocr.PyTessBaseAPI(path=str(self.tessdata), lang=self.languages)
            except RuntimeError as exc:
                raise OcrUnavailable(f"Tesseract cannot start ({exc}): {INSTALL_HINT}.") from exc
            self._local.api = api
        return api

    def read(self, image: Image.Image) -> Reading:
        api = self._api()
        api.SetImage(image)  # type: ignore[attr-defined]
        finished = api.Recognize(timeout=self.timeout_ms)  # type: ignore[attr-defined]
        text = api.GetUTF8Text() if finished else ""  # type: ignore[attr-defined]
        confidence = float(api.MeanTextConf()) if text.strip() else 0.0  # type: ignore[attr-defined]
        api.Clear()  # type: ignore[attr-defined]
        text = tidy(text) if self.join_lines else unicodedata.normalize("NFC", text).strip()
        return Reading(text, confidence, self.engine, complete=bool(finished))
