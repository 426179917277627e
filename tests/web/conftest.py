"""Fixtures of the web form tests: a migrated database per test and the form's token."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from app.config import Settings

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Chromium: {reason}", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@dataclass
class Watch:
    """What a page did that it must not: dialogs opened, policy refusals, script errors."""

    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture
def watch() -> Watch:
    return Watch()


def new_page(browser: Browser, watch: Watch, **options: object) -> Page:
    context = browser.new_context(locale="vi-VN", **options)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(10_000)

    def on_dialog(dialog: Dialog) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        # 4xx pages are logged as failed loads on purpose; policy refusals are the bugs.
        if message.type == "error" and "Content Security Policy" in message.text:
            watch.console_errors.append(message.text)

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
    return page
