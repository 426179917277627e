"""Ticket codes: SDyymmdd-xxxxxx on a real day, not after receipt, not stale."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.engine.claim import VIETNAM
from app.engine.reference import cached_reference
from app.engine.reference.models import Reference
from app.engine.validators.ticket import (
    canonical,
    check_ticket,
    find_tickets,
    written_pattern,
    written_ticket,
)

RECEIVED = dt.datetime(2025, 11, 21, 10, 0, tzinfo=VIETNAM)


def codes(
    value: str, reference: Reference, received: dt.datetime = RECEIVED, stale: int = 30
) -> list[str]:
    mention = written_ticket(value, reference.ticket)
    found = check_ticket(
        mention,
        field="ticket_code",
        received_at=received,
        stale_after_days=stale,
        reference=reference,
    )
    return [f.code for f in found]


def test_published_example_format_is_valid(reference: Reference) -> None:
    assert codes("SD220105-123456", reference) == ["ticket.valid"] + ["ticket.stale"]


def test_recent_code_is_valid_and_not_stale(reference: Reference) -> None:
    assert codes("SD251120-000123", reference) == ["ticket.valid"]


@pytest.mark.parametrize(
    "value",
    [
        "SD2511-000123",
        "SD251120-12345",
        "SD251120123456",
        "XX251120-000123",
        "SD25112O-000123",
        "hello",
    ],
)
def test_malformed_codes_are_danger(value: str, reference: Reference) -> None:
    assert codes(value, reference) == ["ticket.malformed"]


def test_feb_29_of_a_common_year_is_invalid_date(reference: Reference) -> None:
    assert codes("SD230229-000001", reference) == ["ticket.invalid_date"]


def test_feb_29_of_a_leap_year_is_a_real_day(reference: Reference) -> None:
    received = dt.datetime(2024, 3, 1, 9, 0, tzinfo=VIETNAM)
    assert codes("SD240229-000001", reference, received) == ["ticket.valid"]


@pytest.mark.parametrize("value", ["SD251301-000001", "SD251100-000001", "SD250431-000001"])
def test_month_13_day_0_and_april_31_are_invalid_dates(value: str, reference: Reference) -> None:
    assert codes(value, reference) == ["ticket.invalid_date"]


def test_code_opened_after_receipt_is_future_date(reference: Reference) -> None:
    assert codes("SD251122-000001", reference) == ["ticket.future_date"]


def test_future_is_judged_in_vietnam_time_not_utc(reference: Reference) -> None:
    # 18:30 UTC on 21/11 is already 01:30 on 22/11 in Vietnam: a code of the 22nd is fine.
    received = dt.datetime(2025, 11, 21, 18, 30, tzinfo=dt.UTC)
    assert codes("SD251122-000001", reference, received) == ["ticket.valid"]
    # ... but 16:00 UTC is 23:00 on the 21st in Vietnam: the 22nd is still the future.
    received = dt.datetime(2025, 11, 21, 16, 0, tzinfo=dt.UTC)
    assert codes("SD251122-000001", reference, received) == ["ticket.future_date"]


def test_receipt_on_the_calendar_s_last_day_in_utc_is_judged_not_overflowed(
    reference: Reference,
) -> None:
    # 17:00 UTC on 31/12/9999 is already the year 10000 in Vietnam, past datetime's range:
    # the day is held at the calendar's last, and a code of 2025 is old there.
    received = dt.datetime(9999, 12, 31, 17, 0, tzinfo=dt.UTC)
    assert codes("SD251120-000123", reference, received) == ["ticket.valid", "ticket.stale"]


def test_receipt_before_the_calendar_s_first_day_in_vietnam_is_judged_not_overflowed(
    reference: Reference,
) -> None:
    # 00:00 at +14:00 on 01/01/0001 is still the year 0 in Vietnam: every code is future.
    received = dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    assert codes("SD251120-000123", reference, received) == ["ticket.future_date"]


def test_receipt_without_an_offset_is_read_as_vietnam_time(reference: Reference) -> None:
    received = dt.datetime(2025, 11, 21, 23, 30)
    assert codes("SD251122-000001", reference, received) == ["ticket.future_date"]
    assert codes("SD251121-000001", reference, received) == ["ticket.valid"]


def test_code_older_than_the_limit_is_stale(reference: Reference) -> None:
    assert codes("SD251020-000001", reference) == ["ticket.valid", "ticket.stale"]
    assert codes("SD251022-000001", reference) == ["ticket.valid"]


def test_stale_limit_is_configurable(reference: Reference) -> None:
    assert codes("SD251118-000001", reference, stale=2) == ["ticket.valid", "ticket.stale"]


def test_lower_case_and_unicode_dash_in_the_field_are_read(reference: Reference) -> None:
    assert codes("sd251120\u2013000123", reference) == ["ticket.valid"]


def test_extraction_tolerates_case_dashes_and_fullwidth_digits(reference: Reference) -> None:
    text = "Mã yêu cầu: sd251120–000123 và SD２５１１２０-０００４５６."
    found = find_tickets(text, reference.ticket)
    assert [t.code for t in found] == ["SD251120-000123", "SD251120-000456"]
    # The finding shows the text as written, and the span points at it.
    assert found[0].written == "sd251120–000123"
    assert found[0].span is not None
    assert text[found[0].span.start : found[0].span.end] == found[0].written


def test_extraction_ignores_codes_glued_to_words(reference: Reference) -> None:
    assert find_tickets("ABSD251120-000123", reference.ticket) == []


def test_extraction_finds_nothing_in_plain_text(reference: Reference) -> None:
    assert find_tickets("Xin chào, tôi cần hỗ trợ về DVCTT số 2060.", reference.ticket) == []


@pytest.mark.parametrize(
    "text", ["SD251120-000123 đã xong", "(SD251120-000123)", "số 1:SD251120-000123"]
)
def test_extraction_finds_codes_at_the_start_and_after_punctuation(
    text: str, reference: Reference
) -> None:
    assert [t.code for t in find_tickets(text, reference.ticket)] == ["SD251120-000123"]


SPEC = cached_reference().ticket


@given(st.from_regex(written_pattern(SPEC), fullmatch=True))
def test_every_code_the_documented_pattern_admits_is_read(written: str) -> None:
    code = canonical(written, SPEC)
    assert code is not None and len(code) == len("SDyymmdd-") + SPEC.sequence_digits


@pytest.mark.parametrize(
    "written", ["sd251120 - 000123", "SD251120\u2013000123", "Sd 251120_000123"]
)
def test_codes_written_as_people_do_match_the_documented_pattern(written: str) -> None:
    assert canonical(written, SPEC) == "SD251120-000123"
    assert re.fullmatch(written_pattern(SPEC), written)
