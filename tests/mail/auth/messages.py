"""Messages the mail authentication tests sign, alter and check."""

from __future__ import annotations

OFFICIAL = "hotrocntt@vst.gov.vn"


def message(
    *,
    sender: str = f"=?UTF-8?B?SOG7lyB0cuG7oyBDTlRUIEtCTk4=?= <{OFFICIAL}>",
    subject: str = "SD240105-123456: xac nhan yeu cau ho tro",
    body: str = "Kinh gui don vi,\r\nYeu cau SD240105-123456 da duoc xu ly.\r\n",
    extra_headers: str = "",
) -> bytes:
    """A plain CRLF message, as a gateway receives it."""
    head = (
        f"From: {sender}\r\n"
        "To: ketoan@donvi.example\r\n"
        f"Subject: {subject}\r\n"
        "Date: Fri, 05 Jan 2024 09:00:00 +0700\r\n"
        "Message-ID: <20240105090000.1@vst.gov.vn>\r\n"
        f"{extra_headers}"
    )
    return (head + "\r\n" + body).encode("utf-8")
