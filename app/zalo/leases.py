"""Row leases shared by the inbox, the outbox and the token store."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Result, or_
from sqlalchemy.orm import InstrumentedAttribute


def free(
    column: ColumnElement[dt.datetime | None] | InstrumentedAttribute[dt.datetime | None],
    now: dt.datetime,
) -> ColumnElement[bool]:
    """No lease on the row, or its lease ran out (its worker died or stalled)."""
    return or_(column.is_(None), column < now)


def changed(result: Result[Any]) -> int:
    """Rows an UPDATE matched: a compare-and-swap succeeded when this is 1."""
    return int(cast(CursorResult[Any], result).rowcount)
