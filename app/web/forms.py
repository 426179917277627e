"""The check form: what the user typed, kept as typed, and turned into a Claim or errors.

Field rules are the API's own (CheckRequest), so the form and POST /v1/check accept and
refuse the same things; only the wording of a refusal differs (friendly, in the page's
language, next to the field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from app.api.schemas import CheckRequest
from app.engine.claim import Channel, Claim

FIELDS = ("message", "sender", "phone", "extension", "ticket_code", "channel")
# The channels offered in the form; "web" is how the API marks its own callers.
CHANNELS = (Channel.EMAIL, Channel.PHONE, Channel.SMS, Channel.ZALO, Channel.VIBER, Channel.OTHER)


@dataclass(frozen=True, slots=True)
class FormInput:
    """The form's fields exactly as submitted, to be put back in the boxes."""

    message: str = ""
    sender: str = ""
    phone: str = ""
    extension: str = ""
    ticket_code: str = ""
    channel: str = ""

    @classmethod
    def from_form(cls, data: Mapping[str, object]) -> FormInput:
        values = {name: data.get(name) for name in FIELDS}
        return cls(**{k: v if isinstance(v, str) else "" for k, v in values.items()})


@dataclass(frozen=True, slots=True)
class FormErrors:
    """Translation keys of the problems found, by field ("form" for the whole form)."""

    by_field: dict[str, str] = field(default_factory=dict)
    too_long: bool = False

    def __bool__(self) -> bool:
        return bool(self.by_field)


def _optional(value: str) -> str | None:
    return value.strip() or None


def validate(form: FormInput, max_message_chars: int) -> Claim | FormErrors:
    """A claim to check, or the reasons the form cannot be checked yet."""
    if len(form.message) > max_message_chars:
        return FormErrors({"message": "error_too_long"}, too_long=True)
    try:
        body = CheckRequest.model_validate(
            {
                "message": form.message or None,
                "sender": _optional(form.sender),
                "phone": _optional(form.phone),
                "extension": _optional(form.extension),
                "ticket_code": _optional(form.ticket_code),
                "channel": _optional(form.channel),
            }
        )
    except ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        return FormErrors({name: f"error_{name}" for name in FIELDS if name in bad})
    claim = body.to_claim()
    if claim.is_empty():
        return FormErrors({"message": "error_empty"})
    return claim
