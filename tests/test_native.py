"""A compiled module whose source was edited afterwards is found, not silently run."""

from __future__ import annotations

import importlib.machinery
import os
from pathlib import Path

from app.native import stale_sources

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _pair(folder: Path, name: str, source_mtime: int, extension_mtime: int) -> Path:
    source, extension = folder / f"{name}.py", folder / f"{name}{SUFFIX}"
    source.write_text("x = 1\n")
    extension.write_bytes(b"")
    os.utime(source, (source_mtime, source_mtime))
    os.utime(extension, (extension_mtime, extension_mtime))
    return source


def test_a_source_edited_after_its_build_is_stale(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    edited = _pair(tmp_path / "sub", "edited", source_mtime=2_000, extension_mtime=1_000)
    _pair(tmp_path, "built", source_mtime=1_000, extension_mtime=2_000)
    (tmp_path / "plain.py").write_text("y = 2\n")  # never compiled: nothing to lag behind
    assert stale_sources(tmp_path) == [edited]
