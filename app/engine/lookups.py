"""What of a claim the service may look up and remember: the rules, apart from the storage.

The indicators a report may count (never an official one: a scam quoting the switchboard
must not make it "reported") and the ticket codes the registry could know.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.engine.claim import Claim, Indicator
from app.engine.extract import Extracted, is_official
from app.engine.reference.models import Reference
from app.engine.validators.ticket import canonical, written_ticket

# Longer values are not counted; a longer URL is still covered by its domain. The store's
# indicator columns hold this many characters.
MAX_INDICATOR_CHARS = 512


def reportable(found: Iterable[Indicator], reference: Reference) -> list[Indicator]:
    """The indicators a report may count, sorted (a fixed lock order for the upserts)."""
    return sorted(
        {i for i in found if len(i.value) <= MAX_INDICATOR_CHARS and not is_official(i, reference)},
        key=lambda i: (i.kind.value, i.value),
    )


def claim_ticket_codes(claim: Claim, extracted: Extracted, reference: Reference) -> set[str]:
    """The ticket codes of a claim the registry could know (canonical, well-formed): the one
    typed in the field and those in the text."""
    codes = {mention.code for mention in extracted.tickets}
    if claim.ticket_code:
        codes.add(written_ticket(claim.ticket_code, reference.ticket).code)
    return {code for code in codes if canonical(code, reference.ticket) == code}
