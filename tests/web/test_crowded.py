"""The staff form's result for messages crowded with identifiers: a page under the bound, the
verdict of every finding, and under the last finding of a code how many more there were."""

from __future__ import annotations

import html
import re
from collections import Counter

import httpx
import pytest

from app.engine.findings import FINDINGS_PER_CODE, Lang
from app.engine.i18n import text
from app.engine.reference.models import Reference
from tests.crowded import ANSWER_BYTES, MESSAGES, everything, expected
from tests.web.conftest import submit

FINDING = re.compile(r'<li class="finding sev-\w+" id="finding-(\d+)">(.*?)</li>', re.S)


def more_text(count: int, reference: Reference) -> str:
    return text("ui", "findings_more", Lang.VI, reference, count=str(count))


@pytest.mark.parametrize("name", list(MESSAGES))
async def test_a_crowded_message_gives_a_small_page_with_the_verdict_and_what_was_left_out(
    client: httpx.AsyncClient, reference: Reference, name: str
) -> None:
    case = expected(name, reference)
    response = await submit(client, message=case.message)
    assert response.status_code == 200
    assert len(response.content) < ANSWER_BYTES
    page = html.unescape(response.text)
    assert f'class="verdict verdict-{case.verdict.value}"' in page
    # Under the last finding listed of each code left out, how many more there were.
    told = Counter(case.omitted.values())
    assert {n: page.count(more_text(n, reference)) for n in told} == told


async def test_the_count_follows_the_last_finding_listed_of_its_code(
    client: httpx.AsyncClient, reference: Reference
) -> None:
    case = expected("phone_directory", reference)
    page = html.unescape((await submit(client, message=case.message)).text)
    findings = [body for _, body in FINDING.findall(page)]
    mobiles = [i for i, body in enumerate(findings) if "là số di động" in body]
    assert len(mobiles) == FINDINGS_PER_CODE
    told = [i for i, body in enumerate(findings) if more_text(1797, reference) in body]
    assert told == [mobiles[-1]]


async def test_an_ordinary_message_lists_every_finding_and_tells_of_nothing_left_out(
    client: httpx.AsyncClient, reference: Reference
) -> None:
    message = (
        "Em bên KBNN, gọi em 0901 234 567 hoặc 0912 345 678, vào bit.ly/kbnn, "
        "gửi em mật khẩu, máy lẻ 88617 hay 12345"
    )
    page = (await submit(client, message=message)).text
    assert len(FINDING.findall(page)) == len(everything(message, reference).findings)
    assert 'class="more"' not in page
