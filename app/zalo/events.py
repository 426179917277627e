"""What Zalo posts to the webhook, as far as thatgia reads it (other fields are ignored)."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.zalo.jsonbody import read_json
from app.zalo.models import EVENT_KEY_CHARS, USER_ID_CHARS


class Loose(BaseModel):
    # Zalo adds fields over time; reading only what we need keeps old events parseable.
    model_config = ConfigDict(extra="ignore", frozen=True)


# Zalo sends epoch milliseconds as a string; accept a number too rather than drop the event.
Stamp = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)]


class EventName(StrEnum):
    TEXT = "user_send_text"
    LINK = "user_send_link"
    IMAGE = "user_send_image"
    FILE = "user_send_file"
    FOLLOW = "follow"


class Party(Loose):
    id: str = ""


class Payload(Loose):
    url: str | None = None
    description: str | None = None
    title: str | None = None


class Attachment(Loose):
    type: str = ""
    payload: Payload = Field(default_factory=Payload)


class Message(Loose):
    msg_id: str | None = None
    text: str | None = None
    attachments: list[Attachment] = []


class Event(Loose):
    """A webhook event of the Official Account; fields not listed here are ignored."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "app_id": "1234567890",
                    "event_name": "user_send_text",
                    "timestamp": "1764216000000",
                    "sender": {"id": "8123456789"},
                    "recipient": {"id": "579745863508352884"},
                    "message": {"msg_id": "a1b2c3", "text": "Em bên Kho bạc, gửi em mã PIN"},
                }
            ]
        },
    )
    app_id: str = ""
    event_name: str = ""
    timestamp: Stamp = ""
    sender: Party = Field(default_factory=Party)
    follower: Party = Field(default_factory=Party)  # `follow` names the user here
    recipient: Party = Field(default_factory=Party)
    message: Message = Field(default_factory=Message)
    user_id_by_app: str | None = None

    @property
    def user_id(self) -> str:
        """Whom to answer: the sender of a message, the follower of a follow."""
        return self.sender.id or self.follower.id

    @property
    def key(self) -> str:
        """What makes a delivery the same event when Zalo sends it again: the message id
        (else who did what when), whole, or its SHA-256 when longer than the stored key.
        Never cut: two ids alike in their first characters are two messages."""
        if self.message.msg_id:
            natural = f"msg:{self.message.msg_id}"
        else:
            natural = f"{self.event_name}:{self.user_id}:{self.timestamp}"
        if len(natural) <= EVENT_KEY_CHARS:
            return natural
        return "sha256:" + hashlib.sha256(natural.encode()).hexdigest()

    @property
    def handled(self) -> bool:
        """An event we answer: of a kind we know, from a user id the outbox can hold whole
        (Zalo's are about 20 digits; a cut one would address someone else)."""
        user_id = self.user_id
        return self.event_name in set(EventName) and 0 < len(user_id) <= USER_ID_CHARS


def parse_event(raw_body: bytes) -> Event | None:
    """The event, or None when the body is not an event we can read."""
    return read_json(raw_body, Event)


# At most this many images of one event are read: a forward of a few screenshots, not an album.
MAX_IMAGES = 3


def image_urls(event: Event) -> list[str]:
    """Where the event's images (or files, which may be images: judged once fetched) are."""
    urls = [
        a.payload.url
        for a in event.message.attachments
        if a.type in ("image", "file") and a.payload.url
    ]
    return urls[:MAX_IMAGES]


def link_text(event: Event) -> str:
    """What a shared link says: the message text, then each link's description and address."""
    parts: list[str] = []
    if event.message.text:
        parts.append(event.message.text)
    for attachment in event.message.attachments:
        payload = attachment.payload
        for piece in (payload.title, payload.description, payload.url):
            if piece and piece not in parts:
                parts.append(piece)
    return "\n".join(parts)
