"""What of a claim the service may look up and remember (app/engine/lookups.py)."""

from __future__ import annotations

from app.engine.claim import Claim, Indicator, IndicatorKind
from app.engine.extract import extract
from app.engine.lookups import MAX_INDICATOR_CHARS, claim_ticket_codes, reportable
from app.engine.reference.models import Reference
from tests.store.test_reports import SCAM_PHONE, official

CODE = "SD251120-000123"


def test_reportable_leaves_out_official_identifiers(reference: Reference) -> None:
    assert reportable([*official(reference), SCAM_PHONE], reference) == [SCAM_PHONE]


def test_reportable_leaves_out_values_longer_than_the_store_keeps(reference: Reference) -> None:
    long_url = Indicator(IndicatorKind.URL, "kbnn-hotro.com/" + "a" * MAX_INDICATOR_CHARS)
    assert reportable([long_url, SCAM_PHONE, SCAM_PHONE], reference) == [SCAM_PHONE]


def test_claim_ticket_codes_take_the_field_and_the_text(reference: Reference) -> None:
    claim = Claim(message="mã SD251121 - 000999 nhé", ticket_code="sd251120-000123")
    codes = claim_ticket_codes(claim, extract(claim.message, reference), reference)
    assert codes == {CODE, "SD251121-000999"}


def test_claim_ticket_codes_leave_out_malformed_ones(reference: Reference) -> None:
    claim = Claim(message="", ticket_code="SD2511-0001")
    assert claim_ticket_codes(claim, extract("", reference), reference) == set()
