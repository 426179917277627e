"""Fixtures of the web form tests: a migrated database per test and the form's token."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.store.migrations import upgrade

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Migrated once; each test gets its own copy, so no test sees another's rows.
    path = tmp_path_factory.mktemp("web-db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def settings(migrated_database: Path, tmp_path: Path) -> Settings:
    database = tmp_path / "thatgia.db"
    shutil.copy(migrated_database, database)
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
