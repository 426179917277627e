"""Check ids: version 7 UUIDs, ordered by the time they were made, still unguessable."""

from __future__ import annotations

import time
import uuid

from app.store.ids import time_ordered_uuid


def test_ids_are_version_7_uuids_of_the_rfc_variant() -> None:
    made = time_ordered_uuid()
    assert (made.version, made.variant) == (7, uuid.RFC_4122)
    assert uuid.UUID(str(made)) == made


def test_ids_carry_the_time_they_were_made_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    made = time_ordered_uuid()
    after = time.time_ns() // 1_000_000
    assert before <= made.int >> 80 <= after


def test_ids_made_later_sort_after_and_ids_do_not_repeat() -> None:
    first = time_ordered_uuid()
    time.sleep(0.002)
    later = [time_ordered_uuid() for _ in range(1000)]
    assert all(first.hex < other.hex for other in later)
    assert len({first, *later}) == 1001
