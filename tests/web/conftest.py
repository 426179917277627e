"""Fixtures of the web form tests: a migrated database per test and the form's token."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest

from app.config import Settings

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(sqlite_migrated: Path, tmp_path: Path) -> Settings:
    # The form on SQLite only (the store itself is tested on both databases); each test
    # gets its own copy of the migrated file, so no test sees another's rows.
    database = tmp_path / "thatgia.db"
    shutil.copy(sqlite_migrated, database)
    return Settings(database_url=f"sqlite:///{database}", secret_key=None, reference_file=None)


async def form_token(client: httpx.AsyncClient, path: str = "/") -> str:
    """Load a page as a browser would (keeping its cookie) and return its CSRF token."""
    page = await client.get(path)
    found = TOKEN.search(page.text)
    assert found, "the page carries no CSRF token"
    return found[1]


async def submit(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    """Post the check form with a valid token, as the page would."""
    token = await form_token(client)
    return await client.post("/check", data={"csrf_token": token, **fields})
