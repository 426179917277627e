"""The admin console in a real headless Chromium: keyboard only, 360 px, no JavaScript,
English, and report notes and texts that try to run script."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from app.config import Settings
from app.main import create_app
from app.store.database import Database
from app.store.keys import create_key
from tests.web.conftest import Watch, new_page
from tests.web.test_browser import XSS_PAYLOADS, _free_port, shoot

pytestmark = pytest.mark.browser

SCAM = "Em bên Kho bạc, anh cài UltraViewer rồi gửi em ID và mật khẩu, gọi em số 0912345678"
PAGES = ["reports", "campaigns", "indicators", "activity", "zalo", "keys"]


@dataclass(frozen=True)
class Served:
    url: str
    admin_token: str


async def _admin_key(settings: Settings) -> str:
    database = Database(settings)
    try:
        async with database.write_session() as session:
            _, token = await create_key(session, "ops", ["admin"])
    finally:
        await database.dispose()
    return token


@pytest.fixture(scope="module")
def served(sqlite_migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    database = tmp_path_factory.mktemp("admin-browser-db") / "thatgia.db"
    shutil.copy(sqlite_migrated, database)
    settings = Settings(database_url=f"sqlite:///{database}", reference_file=None)
    # Playwright's event loop runs in this thread: the key is made in another.
    with ThreadPoolExecutor(1) as pool:
        token = pool.submit(asyncio.run, _admin_key(settings)).result()
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-admin", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url) as client:
        for payload in XSS_PAYLOADS:
            checked = client.post("/v1/check", json={"message": f"{SCAM} {payload}"}).json()
            client.post("/v1/reports", json={"check_id": checked["id"], "note": payload})
    yield Served(url, token)
    server.should_exit = True
    thread.join(timeout=10)


def _page(browser: Browser, watch: Watch, **options: object) -> Iterator[Page]:
    opened = new_page(browser, watch, **options)
    yield opened
    opened.context.close()
    assert not watch.console_errors, watch.console_errors
    assert not watch.dialogs, watch.dialogs


@pytest.fixture
def desk(browser: Browser, watch: Watch) -> Iterator[Page]:
    yield from _page(browser, watch, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser: Browser, watch: Watch) -> Iterator[Page]:
    yield from _page(browser, watch, viewport={"width": 360, "height": 740}, has_touch=True)


@pytest.fixture
def scriptless(browser: Browser, watch: Watch) -> Iterator[Page]:
    yield from _page(
        browser, watch, viewport={"width": 1024, "height": 800}, java_script_enabled=False
    )


def sign_in_by_keyboard(page: Page, served: Served) -> None:
    page.goto(served.url + "/admin")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "api_key":
            break
    else:
        pytest.fail("the key field cannot be reached with Tab")
    page.keyboard.type(served.admin_token)
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/reports**")


def test_sign_in_review_and_confirm_by_keyboard_with_hostile_texts_inert(
    desk: Page, served: Served
) -> None:
    sign_in_by_keyboard(desk, served)
    items = desk.locator("article.admin-item")
    expect(items.first).to_have_class("card admin-item status-pending")
    expect(desk.locator(".note").first).to_contain_text("window.__pwned")  # shown as text
    assert desk.evaluate("window.__pwned") is None
    expect(desk.locator("article img")).to_have_count(0)
    shoot(desk, "admin-reports")
    first = items.first.get_attribute("id")
    button = desk.locator(f"#{first} button.primary")
    button.focus()
    desk.keyboard.press("Enter")
    desk.wait_for_url("**done=confirmed**")
    expect(desk.locator("[role=status]")).to_contain_text("Đã xác nhận báo cáo")
    expect(desk.locator(f"#{first}")).to_have_class("card admin-item status-confirmed")
    desk.goto(served.url + "/admin/indicators")
    expect(desk.locator("table")).to_contain_text("+84912345678")
    assert desk.evaluate("window.__pwned") is None


def test_every_page_fits_360_px_without_sideways_scrolling(phone: Page, served: Served) -> None:
    sign_in_by_keyboard(phone, served)
    for name in PAGES:
        phone.goto(f"{served.url}/admin/{name}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (name, width)
    phone.goto(served.url + "/admin/reports")
    shoot(phone, "admin-reports-360", readme=True)


def test_the_console_works_without_javascript(scriptless: Page, served: Served) -> None:
    scriptless.goto(served.url + "/admin")
    scriptless.fill("#api_key", served.admin_token)
    scriptless.click("button[type=submit].primary")
    expect(scriptless.locator("h1")).to_have_text("Báo cáo")
    scriptless.goto(served.url + "/admin/keys")
    scriptless.fill("#name", "mx-browser")
    scriptless.check("input[value=gateway]")
    scriptless.click("form[action='/admin/keys'] button.primary")
    expect(scriptless.locator("#new-token")).to_contain_text("thg_")
    scriptless.click("button.signout")
    expect(scriptless.locator("#api_key")).to_be_visible()
    scriptless.goto(served.url + "/admin/reports")
    expect(scriptless.locator("#api_key")).to_be_visible()  # signed out: back to sign-in


def test_english_and_the_activity_charts(desk: Page, served: Served) -> None:
    sign_in_by_keyboard(desk, served)
    desk.goto(served.url + "/admin/activity")
    desk.click("a.lang-switch")
    expect(desk.locator("html")).to_have_attribute("lang", "en")
    expect(desk.locator("h1")).to_have_text("Activity")
    expect(desk.locator("svg.chart")).to_have_count(2)
    expect(desk.locator("svg.chart rect.bar").first).to_be_visible()
    expect(desk.locator("table").first).to_contain_text("impersonation")
    shoot(desk, "admin-activity", readme=True)
