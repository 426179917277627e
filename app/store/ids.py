"""Identifiers of stored checks: UUIDs of version 7 (RFC 9562 §5.7), ordered by time.

The audit table's primary key is the check's id. Random (version 4) ids land anywhere in
its index, so every group commit dirtied as many index pages as it had rows; ids that
begin with the time land at its end. The id is still unguessable (74 random bits): a
report names the check it is about by this id alone.
"""

from __future__ import annotations

import os
import time
import uuid

_VERSION = 0x7 << 76
_VARIANT = 0x2 << 62  # RFC 9562
_CLEAR = ~((0xF << 76) | (0x3 << 62))


def time_ordered_uuid() -> uuid.UUID:
    """48 bits of Unix time in milliseconds, then the version, variant and random bits."""
    milliseconds = time.time_ns() // 1_000_000 & ((1 << 48) - 1)
    value = milliseconds << 80 | int.from_bytes(os.urandom(10), "big")
    return uuid.UUID(int=value & _CLEAR | _VERSION | _VARIANT)
