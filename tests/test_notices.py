"""The Treasury's own texts are not requests: every notice, pasted whole, raises no request.*.

The notices are full of the words scams use ("mã pin", "mật khẩu", "Ultraview", "cài
đặt", "bắt buộc") inside warnings, lists of causes and instructions. The sample messages
of the shared folder are checked too: the warnings and genuine ones give no request.*,
the scams give (at least) the request codes they are labelled with. request.link is the
link validator's, not the text validator's. The learned layer beside the rules keeps the
notices as clean (it is trained on them as genuine texts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.engine.assess import assess
from app.engine.claim import Claim, Context
from app.engine.learned import text_layer
from app.engine.reference.models import Reference
from app.engine.validators.text import check_text
from tests.shared_data import shared_path

NOTICES = sorted(shared_path("notices").glob("*.txt"))
EXAMPLES = shared_path("samples/examples.jsonl")
OWN_CODES = "request."
NOT_OURS = {"request.link"}


def _examples() -> list[dict[str, Any]]:
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [row for row in rows if row["body"].get("message")]


def test_shared_folder_holds_the_notices_and_samples() -> None:
    assert NOTICES, "no notices (*.txt) in shared/notices"
    assert _examples(), f"no sample messages in {EXAMPLES}"


@pytest.mark.parametrize("notice", NOTICES, ids=lambda p: p.name)
def test_notice_pasted_whole_raises_no_request(notice: Path, reference: Reference) -> None:
    findings = check_text(notice.read_text(encoding="utf-8"), reference)
    assert [(f.code, f.evidence) for f in findings] == []


@pytest.mark.parametrize("notice", NOTICES, ids=lambda p: p.name)
def test_notice_pasted_whole_raises_no_request_with_the_learned_layer(
    notice: Path, reference: Reference
) -> None:
    context = Context(reference=reference, text_layer=text_layer(reference))
    assessment = assess(Claim(message=notice.read_text(encoding="utf-8")), context)
    requests = [(f.code, f.evidence) for f in assessment.findings if f.code.startswith(OWN_CODES)]
    assert requests == []


@pytest.mark.parametrize("example", _examples(), ids=lambda e: e["body"]["message"][:40])
def test_sample_message_raises_the_requests_it_is_labelled_with(
    example: dict[str, Any], reference: Reference
) -> None:
    expected = {c for c in example["codes"] if c.startswith(OWN_CODES)} - NOT_OURS
    found = {f.code for f in check_text(example["body"]["message"], reference)}
    assert expected <= found
    if not expected:
        assert found == set()
