"""Messages crowded with identifiers, as long as a check accepts, and what answers to them
must hold to: under ANSWER_BYTES on every surface, with the verdict of every finding.

A pasted directory is thousands of findings of one code: before answers were bounded, the
1,800 numbers gave 777 KB of JSON and a 1.5 MB web page, the 1,250 codes 2,500 findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from app.api.present import identifiers
from app.engine.assess import Assessment, assess
from app.engine.claim import Claim, Context
from app.engine.extract import IDENTIFIERS_PER_KIND
from app.engine.findings import FINDINGS_PER_CODE, Verdict
from app.engine.learned import text_layer
from app.engine.reference.models import Reference

ANSWER_BYTES = 100_000
MESSAGE_CHARS = 20_000  # the service's default limit, THATGIA_MAX_MESSAGE_CHARS
# Ask for everything real support never asks for, once, after the identifiers.
REQUESTS = " Gửi em mã PIN, mật khẩu và mã OTP, cài UltraViewer, chuyển tiền phí gia hạn."


def phone_directory() -> str:
    """1,800 mobile numbers (19,799 characters): 1,800 phone.mobile findings."""
    return " ".join(f"09{i:08d}" for i in range(1800))


def ticket_list() -> str:
    """1,250 ticket codes (19,999 characters) of November 2025: each valid and, received
    now, stale: 2,500 findings."""
    return " ".join(f"SD2511{i % 28 + 1:02d}-{i:06d}" for i in range(1250))


def _mixed_part(i: int) -> str:
    return (
        f"hotrocntt@vst-gov{i}.vn ho{i}@kbnn{i}.vn http://vst-gov{i}.vn/dang-nhap kbnn{i}.com "
        f"máy lẻ {70000 + i}, 09{i:08d}, 0283{i:07d}, 028{i:08d}, SD2511{i % 28 + 1:02d}-{i:06d}, "
        f"SD2911{i % 28 + 1:02d}-{i:06d}, SD2302{29 + i % 2}-{i:06d}. "
    )


def mixed_worst_case() -> str:
    """As many look-alike addresses, addresses, links, extensions, mobile, landline and
    invalid numbers, valid, stale, future and impossible ticket codes as fit, with the
    official address, a listed extension and every request once."""
    head = "hotrocntt@vst.gov.vn, máy lẻ 88617. "
    parts: list[str] = []
    room = MESSAGE_CHARS - len(head) - len(REQUESTS)
    while room >= len(part := _mixed_part(len(parts))):
        parts.append(part)
        room -= len(part)
    return head + "".join(parts) + REQUESTS


@dataclass(frozen=True)
class Crowded:
    name: str
    message: str
    verdict: Verdict
    omitted: dict[str, int]  # findings left out, by code
    omitted_extracted: dict[str, int]  # identifiers left out, by list


def everything(message: str, reference: Reference, learned: bool = True) -> Assessment:
    """The assessment, received now, with nothing left out: what bounded answers are held
    to. (Every surface is asked without a date: the web form and Zalo have none to give.)
    Every surface runs the learned layer beside the rules, unless `learned` is false."""
    layer = text_layer(reference) if learned else None
    context = Context(reference=reference, findings_per_code=1_000_000, text_layer=layer)
    return assess(Claim(message=message), context)


MESSAGES: dict[str, Callable[[], str]] = {
    "phone_directory": phone_directory,
    "ticket_list": ticket_list,
    "mixed_worst_case": mixed_worst_case,
}


def expected(name: str, reference: Reference, learned: bool = True) -> Crowded:
    """What an answer to the named message must say: the verdict of every finding, and how
    many of each code and of each list it leaves out (counted here from the whole
    assessment, not by the code under test)."""
    message = MESSAGES[name]()
    whole = everything(message, reference, learned)
    codes = Counter(f.code for f in whole.findings)
    lists = {kind: len(values) for kind, values in identifiers(whole.extracted).items()}
    return Crowded(
        name,
        message,
        whole.verdict,
        {code: n - FINDINGS_PER_CODE for code, n in codes.items() if n > FINDINGS_PER_CODE},
        {kind: n - IDENTIFIERS_PER_KIND for kind, n in lists.items() if n > IDENTIFIERS_PER_KIND},
    )
