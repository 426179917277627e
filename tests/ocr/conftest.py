"""Screenshots drawn for the OCR tests, and a skip (a failure under CI) without Tesseract."""

from __future__ import annotations

import os

import pytest

from app.ocr.reader import OcrUnavailable, tessdata_dir


def tesseract_missing() -> str:
    try:
        tessdata_dir(None, "vie+eng")
    except OcrUnavailable as exc:
        return str(exc)
    return ""


def need_tesseract() -> None:
    problem = tesseract_missing()
    if problem and os.environ.get("CI") == "true":
        pytest.fail(problem)
    if problem:
        pytest.skip(problem)
