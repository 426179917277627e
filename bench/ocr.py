"""POST /v1/check/image with a 1080×2400 phone screenshot, against POST /v1/check with the
text of the same message, in the same run, on the same server.

One request at a time (the figure is a screenshot's latency, not a rate): for each message
in turn, its text, then its screenshot (JPEG, as phones share them), then again, so that a
busy moment of the machine falls on both. Median and range of the wall time per request,
and the server's CPU time per request, read from /proc around each request (in ticks of
10 ms, so averaged over all of them). Target: median <= 1.5 s.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.server import Served, serving
from tests.ocr.screens import DARK, LIGHT, Style, font_paths, screenshot

ROUNDS = 4
TARGET_SECONDS = 1.5
# Messages of the length that fills a 1080×2400 screen in one or several bubbles.
MESSAGES = [
    "Chào chị, em là Tuấn bên kỹ thuật Kho bạc tỉnh. Hệ thống DVCTT đang nâng cấp chứng thư "
    "số, máy chị bị lệch phiên bản nên hồ sơ chi lương tháng 11 không đẩy sang được. Chị mở "
    "giúp em UltraViewer trên màn hình rồi đọc cho em ID với mật khẩu, em vào cập nhật chừng "
    "5 phút thôi ạ.\nNếu chưa có thì chị lên Google gõ ultraviewer tải về giúp em nhé.",
    "Kính gửi đơn vị,\nĐội hỗ trợ CNTT KBNN (hotrocntt@vst.gov.vn) đã tiếp nhận yêu cầu "
    "SD251120-000456 về lỗi ký số trên DVCTT. Đề nghị đơn vị gửi ảnh chụp màn hình lỗi, phiên "
    "bản trình duyệt và thời điểm phát sinh.\nNếu cần trao đổi trực tiếp, gọi tổng đài 024 6276 "
    "4300, máy lẻ 88617.\nTrân trọng.",
    "KHO BAC NHA NUOC - HE THONG DVC: TAI KHOAN CUA BAN CAN XAC THUC TRUOC 23:59 NGAY 21/11. "
    "Truy cap kbnn-xacthuc.top/dvc va nhap ten dang nhap, mat khau, ma OTP gui ve dien thoai. "
    "Qua han tai khoan se bi khoa, ho so chi khong duoc duyet.",
]


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def _timed(served: Served, into: Timings, client: httpx.Client, path: str, **kw: Any) -> None:
    cpu_before = served.cpu_seconds() or 0.0
    started = time.perf_counter()
    response = client.post(path, **kw)
    into.wall.append(time.perf_counter() - started)
    into.cpu.append((served.cpu_seconds() or 0.0) - cpu_before)
    response.raise_for_status()


def _describe(name: str, timings: Timings) -> str:
    wall = timings.wall
    return (
        f"{name:<44} median {statistics.median(wall) * 1000:8.1f} ms "
        f"({min(wall) * 1000:.1f}–{max(wall) * 1000:.1f}); "
        f"server CPU {sum(timings.cpu) / len(timings.cpu) * 1000:.1f} ms per request"
    )


def run() -> None:
    fonts = font_paths()
    shots = [
        screenshot(message, Style(fonts[i % len(fonts)], (LIGHT, DARK)[i % 2], "JPEG", 80))
        for i, message in enumerate(MESSAGES)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        env = {"THATGIA_DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
        with serving(env) as served, httpx.Client(base_url=served.base, timeout=60) as client:
            text, image = Timings(), Timings()
            warm = {"image": ("warm.jpg", shots[0], "image/jpeg")}
            client.post("/v1/check/image", files=warm)  # loads the language data once
            for _ in range(ROUNDS):
                for message, shot in zip(MESSAGES, shots, strict=True):
                    body = json.dumps({"message": message})
                    headers = {"content-type": "application/json"}
                    _timed(served, text, client, "/v1/check", content=body, headers=headers)
                    files = {"image": ("shot.jpg", shot, "image/jpeg")}
                    _timed(served, image, client, "/v1/check/image", files=files)
    print(f"{len(MESSAGES)} messages × {ROUNDS} rounds, one request at a time, JPEG q80 1080×2400")
    print(_describe("POST /v1/check, the text", text))
    print(_describe("POST /v1/check/image, its screenshot", image))
    ratio = statistics.median(image.wall) / statistics.median(text.wall)
    verdict = "met" if statistics.median(image.wall) <= TARGET_SECONDS else "NOT met"
    print(
        f"screenshot / text: {ratio:.0f}× the time; target median <= {TARGET_SECONDS} s: {verdict}"
    )
