"""The data kept beside the repository, in `shared/`: the Treasury notices, the sample
messages and the RFC 7208 / RFC 8463 test suites.

A clone on its own has none of it: the tests that need it skip, each naming the file it
lacks and where it is expected. Under CI=true a missing file fails instead, so CI never
skips them silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_path(relative: str) -> Path:
    """The shared file or folder `relative`; skips (fails under CI) when it is absent.

    Usable inside a test and at a module's top level, where it skips the whole module.
    """
    path = SHARED / relative
    if path.exists():
        return path
    message = f"needs shared/{relative}, expected at {path} (the shared data beside the clone)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)
