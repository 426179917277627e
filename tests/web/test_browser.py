"""The web form in a real headless Chromium, against a real uvicorn on a loopback port."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from app.config import Settings
from app.main import create_app
from tests.ocr.conftest import need_tesseract
from tests.ocr.screens import DARK, LIGHT, Style, font_paths, screenshot
from tests.web.conftest import Watch, new_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
README_SHOTS = ROOT / "docs" / "screenshots"
SCAM = (
    "Anh ơi em là cán bộ hỗ trợ của Kho bạc, "
    "anh tải UltraViewer về máy rồi gửi em ID với mật khẩu nhé"
)
# Each would set the flag and open a dialog if it ever ran.
XSS_PAYLOADS = [
    "<script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    '<a href="javascript:window.__pwned=1;alert(1)">Bấm vào đây</a> javascript:alert(1)',
]


def genuine_message() -> str:
    """A real support message whose ticket was opened yesterday, Vietnam time."""
    opened = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=7) - dt.timedelta(days=1)).date()
    return (
        "Đội hỗ trợ CNTT KBNN (hotrocntt@vst.gov.vn) đã tiếp nhận yêu cầu "
        f"SD{opened:%y%m%d}-000456, đề nghị đơn vị gửi ảnh chụp màn hình lỗi để được hỗ trợ."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(sqlite_migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole app, database included, served by uvicorn in a thread."""
    database = tmp_path_factory.mktemp("browser-db") / "thatgia.db"
    shutil.copy(sqlite_migrated, database)
    app = create_app(Settings(database_url=f"sqlite:///{database}", reference_file=None))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser: Browser, watch: Watch) -> Iterator[Page]:
    opened = new_page(browser, watch, viewport={"width": 1280, "height": 900})
    yield opened
    opened.context.close()
    # Our own pages must never trip their own Content-Security-Policy.
    assert not watch.console_errors, watch.console_errors


def shoot(page: Page, name: str, *, readme: bool = False, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)
    # The README's pictures are tracked files: rewritten only on request (make screenshots),
    # so an ordinary test run leaves the working tree clean.
    if readme and os.environ.get("THATGIA_UPDATE_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(README_SHOTS / f"{name}.png"), full_page=full_page)


def check(page: Page, message: str) -> None:
    page.fill("#message", message)
    page.click("button[type=submit].primary")


def test_a_remote_access_scam_shows_impersonation_with_the_words_marked(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/")
    check(page, SCAM)
    banner = page.locator(".verdict")
    expect(banner).to_have_class("verdict verdict-impersonation")
    expect(banner.locator("h2")).to_contain_text("MẠO DANH")
    expect(page.locator(".pasted mark.sev-danger", has_text="UltraViewer")).to_be_visible()
    expect(page.locator("#message")).to_have_value(SCAM)
    expect(page.locator("#message-count")).to_contain_text(f"{len(SCAM)}/")  # the script ran
    shoot(page, "impersonation", readme=True)


def test_a_genuine_message_is_plausible_with_the_advice(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    check(page, genuine_message())
    expect(page.locator(".verdict")).to_have_class("verdict verdict-plausible")
    expect(page.locator(".advice")).to_contain_text("hãy tự gọi tổng đài để xác minh")
    expect(page.locator("form[action='/report']")).to_have_count(0)
    shoot(page, "plausible", readme=True)


def test_the_switch_gives_english_and_english_results(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.click("a.lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#form-heading")).to_have_text("Check a message")
    check(page, SCAM)
    expect(page.locator(".verdict h2")).to_contain_text("IMPERSONATION")
    expect(page.locator(".advice")).to_be_visible()
    shoot(page, "english")


def test_switching_language_on_a_result_keeps_the_message_and_its_verdict(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/")
    check(page, SCAM)
    expect(page.locator(".verdict h2")).to_contain_text("MẠO DANH")
    page.click("button.lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".verdict h2")).to_contain_text("IMPERSONATION")
    expect(page.locator("#message")).to_have_value(SCAM)
    page.click("button.lang-switch")  # and back
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".verdict h2")).to_contain_text("MẠO DANH")


def test_enter_in_a_field_of_a_result_checks_again_in_the_same_language(
    page: Page, base_url: str
) -> None:
    # The switch submits the check form too; Enter must not be taken for it.
    page.goto(base_url + "/")
    check(page, SCAM)
    expect(page.locator(".verdict h2")).to_contain_text("MẠO DANH")
    page.fill("#sender", "hotrocntt@gmail.com")
    with page.expect_navigation():
        page.press("#sender", "Enter")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#sender")).to_have_value("hotrocntt@gmail.com")
    expect(page.locator(".findings")).to_contain_text("hotrocntt@gmail.com")


def test_the_switch_checks_the_text_in_the_box_as_it_is_now(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    check(page, SCAM)
    page.fill("#message", genuine_message())
    page.click("button.lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".verdict")).to_have_class("verdict verdict-plausible")


@pytest.mark.parametrize("payload", XSS_PAYLOADS, ids=["script", "img-onerror", "js-link"])
def test_a_hostile_paste_is_shown_as_text_and_never_runs(
    page: Page, base_url: str, watch: Watch, payload: str
) -> None:
    page.goto(base_url + "/")
    check(page, payload)
    expect(page.locator(".verdict")).to_be_visible()
    # The text as pasted, read without the numbers the highlighting puts after each finding.
    shown = page.locator(".pasted").evaluate(
        "e => { const c = e.cloneNode(true); c.querySelectorAll('sup').forEach(s => s.remove());"
        " return c.textContent; }"
    )
    assert payload in shown
    expect(page.locator("#message")).to_have_value(payload)
    page.wait_for_timeout(200)  # give a broken image's onerror its chance to fire
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("main script, main img, main a[href^='javascript:']").count() == 0
    assert watch.dialogs == []


def test_reporting_a_scam_is_confirmed(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    check(page, SCAM + " Gọi lại em số 0912 345 678.")
    page.fill("#note", "Gọi đến lúc 9 giờ sáng")
    page.click("button.danger")
    expect(page.locator(".outcome-ok h2")).to_contain_text("Đã ghi nhận báo cáo")
    shoot(page, "reported")


def test_the_form_can_be_filled_and_sent_with_the_keyboard_alone(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    for _ in range(10):  # skip link, brand, language switch, then the text area
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "message":
            break
    page.keyboard.type(SCAM)
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    focused = page.locator("button.primary")
    expect(focused).to_be_focused()
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2, "focus must be visible"
    shoot(page, "keyboard-focus")
    page.keyboard.press("Enter")
    expect(page.locator(".verdict")).to_have_class("verdict verdict-impersonation")


def test_the_page_fits_a_360_pixel_phone(browser: Browser, base_url: str, watch: Watch) -> None:
    phone = new_page(browser, watch, viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        phone.goto(base_url + "/")
        check(phone, SCAM)
        expect(phone.locator(".verdict")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways ({width} px)"
        shoot(phone, "mobile-360")
        shoot(phone, "mobile-360-full", full_page=True)
    finally:
        phone.context.close()


def test_the_form_works_with_javascript_turned_off(
    browser: Browser, base_url: str, watch: Watch
) -> None:
    plain = new_page(browser, watch, java_script_enabled=False)
    try:
        plain.goto(base_url + "/")
        check(plain, SCAM)
        expect(plain.locator(".verdict")).to_have_class("verdict verdict-impersonation")
    finally:
        plain.context.close()


def test_an_enormous_paste_gets_the_friendly_page(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    # Far past the request size limit: refused before it is read, yet answered as a page.
    # (11 MB: the form's limit is that of a screenshot and the rest of the form.)
    page.evaluate("document.getElementById('message').value = 'Trăm năm '.repeat(1000000)")
    page.click("button[type=submit].primary")
    expect(page.locator(".error-summary")).to_contain_text("quá lớn")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def scam_screenshot(tmp_path: Path, *, dark: bool = False) -> Path:
    need_tesseract()
    path = tmp_path / "tin-nhan.png"
    path.write_bytes(screenshot(SCAM, Style(font_paths()[0], DARK if dark else LIGHT, "PNG")))
    return path


def expect_screenshot_checked(page: Page) -> None:
    expect(page.locator(".verdict")).to_have_class("verdict verdict-impersonation")
    expect(page.locator(".result h3").first).to_have_text("Chữ đọc được từ ảnh")
    expect(page.locator(".pasted mark.sev-danger", has_text="UltraViewer")).to_be_visible()
    expect(page.locator("#message")).to_have_value(re.compile("UltraViewer"))


def test_a_screenshot_is_read_without_javascript(
    browser: Browser, base_url: str, watch: Watch, tmp_path: Path
) -> None:
    plain = new_page(browser, watch, java_script_enabled=False)
    try:
        plain.goto(base_url + "/")
        plain.set_input_files("#image", str(scam_screenshot(tmp_path)))
        plain.click("button[type=submit].primary")
        expect_screenshot_checked(plain)
    finally:
        plain.context.close()


# A File built in the page from the screenshot's bytes, put in a DataTransfer: what the
# browser hands a paste or drop handler.
TRANSFER = """(b64) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "dan.png", {type: "image/png"}));
  return transfer;
}"""


def test_a_screenshot_pasted_from_the_clipboard_is_checked(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    data = base64.b64encode(scam_screenshot(tmp_path, dark=True).read_bytes()).decode()
    page.goto(base_url + "/")
    page.evaluate(
        f"""(b64) => {{
          const transfer = ({TRANSFER})(b64);
          document.getElementById("message").dispatchEvent(new ClipboardEvent("paste",
            {{clipboardData: transfer, bubbles: true, cancelable: true}}));
        }}""",
        data,
    )
    expect(page.locator("#image-chosen")).to_contain_text("dan.png")
    page.click("button[type=submit].primary")
    expect_screenshot_checked(page)
    shoot(page, "screenshot-result", readme=True)


def test_a_screenshot_dropped_on_the_form_is_checked(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    data = base64.b64encode(scam_screenshot(tmp_path).read_bytes()).decode()
    page.goto(base_url + "/")
    page.evaluate(
        f"""(b64) => {{
          const transfer = ({TRANSFER})(b64);
          const zone = document.getElementById("image-drop");
          const how = {{dataTransfer: transfer, bubbles: true, cancelable: true}};
          zone.dispatchEvent(new DragEvent("dragover", how));
          zone.dispatchEvent(new DragEvent("drop", how));
        }}""",
        data,
    )
    expect(page.locator("#image-chosen")).to_contain_text("dan.png")
    page.click("button[type=submit].primary")
    expect_screenshot_checked(page)
