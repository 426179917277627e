"""What the store refuses, in its own words.

The store knows records, not protocols: each adapter says these its own way (the HTTP
API as problem details, app.http.errors; the web console and the CLI in their words).
"""

from __future__ import annotations


class StoreError(Exception):
    """A refusal the caller can act on; `detail` says it for a person to read."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(StoreError):
    """No record answers to what was asked for."""


class Conflict(StoreError):
    """What was asked contradicts what is stored: a duplicate, or an ambiguous name."""


class Invalid(StoreError):
    """The value cannot be stored as given (a ticket code that was never issuable)."""


class _Retryable(StoreError):
    """A refusal that ends by itself: `retry_after` says in how many seconds."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class RateLimited(_Retryable):
    """The caller has made its allowance of writes for now."""


class Unavailable(_Retryable):
    """The database cannot be reached; nothing was done."""
