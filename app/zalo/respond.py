"""What the chatbot answers to each kind of event (None: nothing to answer)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from app.checking import run_check
from app.engine.claim import Channel, Claim, receivable
from app.http.errors import AppError
from app.ocr.service import started
from app.services import Services
from app.zalo.events import Event, EventName, image_urls, link_text
from app.zalo.media import MediaFetcher, MediaUnavailable
from app.zalo.reply import empty_reply, unreadable_reply, verdict_reply, welcome_reply

log = logging.getLogger("thatgia.zalo")


@dataclass(frozen=True, slots=True)
class Answer:
    text: str | None
    verdict: str | None = None


def sent_at(event: Event) -> dt.datetime | None:
    """When the user sent it (epoch milliseconds): a retried event is judged as of then.
    None (judged as of now) for a timestamp no message can carry, as the check API refuses
    one (app.engine.claim.receivable)."""
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


async def read_image_at(url: str, services: Services, media: MediaFetcher) -> str:
    """The text of the image at `url`; empty when it cannot be fetched or read (logged)."""
    try:
        ocr = started(services.ocr)
        upload = ocr.judge(await media.fetch(url))
        # Nobody waits on a socket here: when the pool is full, wait for a place.
        return (await ocr.read(upload, wait=True)).text
    except (MediaUnavailable, AppError) as exc:
        log.info("Zalo image not read: %s", getattr(exc, "detail", None) or exc)
        return ""


async def assess_images(event: Event, services: Services, media: MediaFetcher | None) -> Answer:
    """The images' text (and any caption) checked like a forwarded text; an image with no
    readable text gets the request to paste the text instead."""
    texts = (
        [await read_image_at(url, services, media) for url in image_urls(event)] if media else []
    )
    if not any(text.strip() for text in texts):
        return Answer(unreadable_reply(services.reference))
    caption = [event.message.text] if event.message.text else []
    return await assess_text("\n".join([*caption, *texts]), event, services)


async def answer(event: Event, services: Services, media: MediaFetcher | None = None) -> Answer:
    ref = services.reference
    match event.event_name:
        case EventName.TEXT:
            return await assess_text(event.message.text or "", event, services)
        case EventName.LINK:
            return await assess_text(link_text(event), event, services)
        case EventName.IMAGE | EventName.FILE:
            return await assess_images(event, services, media)
        case EventName.FOLLOW:
            return Answer(welcome_reply(ref))
        case _:
            return Answer(None)
