"""Realistic message bodies of a given size, for the benchmarks."""

from __future__ import annotations

PARAGRAPH = (
    "Kính gửi đơn vị, Đội hỗ trợ CNTT KBNN (hotrocntt@vst.gov.vn) đã tiếp nhận yêu cầu "
    "SD251120-000456 về lỗi ký số trên DVCTT. Đề nghị đơn vị gửi ảnh chụp màn hình lỗi, "
    "phiên bản trình duyệt và thời điểm phát sinh. Nếu cần trao đổi trực tiếp, gọi tổng đài "
    "024 6276 4300, máy lẻ 88617. Anh ơi em bên Kho bạc, anh tải UltraViewer rồi gửi em ID "
    "với mật khẩu, hoặc vào bit.ly/kbnn-capnhat, liên hệ 0901 234 567 nhé. "
)


def message_of(size: int) -> str:
    """A message of exactly `size` characters, built from a realistic paragraph."""
    return (PARAGRAPH * (size // len(PARAGRAPH) + 1))[:size]
