"""What the chatbot answers to each kind of event (None: nothing to answer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.checking import run_check
from app.claim import Channel, Claim, receivable
from app.services import Services
from app.zalo.events import Event, EventName, link_text
from app.zalo.reply import empty_reply, unreadable_reply, verdict_reply, welcome_reply


@dataclass(frozen=True, slots=True)
class Answer:
    text: str | None
    verdict: str | None = None


def sent_at(event: Event) -> dt.datetime | None:
    """When the user sent it (epoch milliseconds): a retried event is judged as of then.
    None (judged as of now) for a timestamp no message can carry, as the check API refuses
    one (app.claim.receivable)."""
    try:
        moment = dt.datetime.fromtimestamp(int(event.timestamp) / 1000, dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return moment if receivable(moment) else None


async def assess_text(message: str, event: Event, services: Services) -> Answer:
    """Run the one check pipeline on what the user forwarded, as a Zalo contact."""
    ref = services.reference
    message = message.strip()
    if not message:
        return Answer(empty_reply(ref))
    # Zalo texts are short; anything beyond the service's own limit is not a forwarded
    # message and is cut rather than refused, since the user gets an answer either way.
    claim = Claim(
        message=message[: services.settings.max_message_chars],
        channel=Channel.ZALO,
        received_at=sent_at(event),
    )
    outcome = await run_check(claim, services)
    return Answer(verdict_reply(outcome.assessment, ref), outcome.assessment.verdict.value)


async def answer(event: Event, services: Services) -> Answer:
    ref = services.reference
    match event.event_name:
        case EventName.TEXT:
            return await assess_text(event.message.text or "", event, services)
        case EventName.LINK:
            return await assess_text(link_text(event), event, services)
        case EventName.IMAGE | EventName.FILE:
            return Answer(unreadable_reply(ref))
        case EventName.FOLLOW:
            return Answer(welcome_reply(ref))
        case _:
            return Answer(None)
