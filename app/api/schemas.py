"""Request and response models of the HTTP API, and the constrained types they share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.engine.claim import EARLIEST_RECEIVED, LATEST_RECEIVED, Channel, Claim, receivable
from app.engine.extract import IDENTIFIERS_PER_KIND
from app.engine.findings import FINDINGS_PER_CODE, Severity, Verdict


def _aware(value: dt.datetime) -> dt.datetime:
    if value.utcoffset() is None:
        raise ValueError("must carry a time zone offset, e.g. 2025-11-21T10:00:00+07:00")
    if not receivable(value):
        raise ValueError(
            f"must lie between {EARLIEST_RECEIVED:%Y-%m-%d} and {LATEST_RECEIVED:%Y-%m-%d} (UTC)"
        )
    return value


# Every integer parameter is bounded so that the database can compare it; past these a
# driver fails the request. Row ids are INTEGER columns, 32-bit in PostgreSQL; other
# integers (offsets) are 64-bit, the most SQLite binds.
ROW_ID_MAX = 2**31 - 1
SQL_INT_MAX = 2**63 - 1
Extension = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{2,8}$")]
TicketCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
UnitCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z]{1,16}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)]
AwareDatetime = Annotated[dt.datetime, AfterValidator(_aware)]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class CheckRequest(Schema):
    """A claimed support contact. All fields are optional, but not all empty."""

    message: str | None = Field(None, description="The pasted message, as received.")
    sender: ShortText | None = Field(None, description="An address, or `Name <address>`.")
    phone: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None
    ) = None
    extension: Extension | None = None
    ticket_code: TicketCode | None = Field(
        None,
        description="As claimed: one not in the format is a finding (`ticket.malformed`), "
        "not an error. (The registry, /v1/tickets, takes only codes in the format.)",
    )
    channel: Channel | None = None
    unit_code: UnitCode | None = Field(None, description="The unit's budget code (registry).")
    received_at: AwareDatetime | None = Field(None, description="ISO 8601; default now.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "message": "Em bên Kho bạc, anh cài UltraViewer rồi gửi em ID và mật khẩu nhé",
                    "channel": "zalo",
                }
            ]
        },
    )

    def to_claim(self) -> Claim:
        """The claim the engine reads; the caller decides whether an empty one is an error."""
        return Claim(
            message=self.message or "",
            sender=self.sender,
            phone=self.phone,
            extension=self.extension,
            ticket_code=self.ticket_code,
            channel=self.channel,
            unit_code=self.unit_code,
            received_at=self.received_at,
        )


class SpanOut(Schema):
    start: int
    end: int


class FindingOut(Schema):
    code: str
    severity: Severity
    field: str
    evidence: str
    span: SpanOut | None
    message: str
    source: str = Field(description="The notices this finding rests on.")
    source_ids: list[str]
    proof: bool


class ExtractedOut(Schema):
    """Identifiers found in `message`, each once, in the order found; past the first few of
    a list, the rest are counted in `omitted.extracted`."""

    emails: list[str]
    phones: list[str]
    ticket_codes: list[str]
    urls: list[str]


class OmittedOut(Schema):
    """What the answer leaves out so that it stays small, counted. Nothing is left out of
    the verdict and the advice: they rest on every finding."""

    findings: dict[str, int] = Field(
        description=f"Findings left out of `findings`, by code: past the first "
        f"{FINDINGS_PER_CODE} of a code (the gravest first), the rest are counted here, "
        'e.g. `{"phone.mobile": 1797}`.'
    )
    extracted: dict[str, int] = Field(
        description=f"Identifiers left out of each `extracted` list past its first "
        f'{IDENTIFIERS_PER_KIND}, by list name, e.g. `{{"phones": 1790}}`.'
    )


class CheckResponse(Schema):
    id: str
    verdict: Verdict
    verdict_label: str
    summary: str
    findings: list[FindingOut] = Field(
        description=f"At most {FINDINGS_PER_CODE} findings of each code, the gravest "
        "first; see `omitted`."
    )
    extracted: ExtractedOut
    omitted: OmittedOut = Field(
        description="How many findings and identifiers were left out; empty for any "
        "ordinary message."
    )
    advice: list[str]
    received_at: dt.datetime
    stored: bool = Field(description="Whether the audit record of this check was stored.")
