"""Whether the engine runs compiled (setup.py builds it with mypyc), and whether a build
lags behind an edited source.

An extension module is imported in preference to the source beside it: a module edited
after it was compiled keeps running its old code until the package is built again
(`make install`, which every make target runs first).
"""

from __future__ import annotations

import importlib.machinery
from pathlib import Path

import app.engine.validators.phrases

APP_DIR = Path(__file__).parent


def engine_build() -> str:
    """How the engine's hottest module was loaded: "compiled" or "Python"."""
    return (
        "compiled"
        if _is_extension(Path(app.engine.validators.phrases.__file__ or ""))
        else "Python"
    )


def stale_sources(package_dir: Path = APP_DIR) -> list[Path]:
    """Sources changed after their extension was built (whose old code would run)."""
    stale = []
    for extension in sorted(package_dir.rglob("*")):
        if not _is_extension(extension):
            continue
        source = extension.with_name(extension.name.split(".", 1)[0] + ".py")
        if source.exists() and source.stat().st_mtime > extension.stat().st_mtime:
            stale.append(source)
    return stale


def _is_extension(path: Path) -> bool:
    return path.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
