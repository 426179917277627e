"""Typed shape of the reference file; validation names the entry that is wrong."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.engine.reference.lexicon import Lexicon

Digits = Annotated[str, StringConstraints(pattern=r"^\d+$")]
SourceIds = Annotated[list[str], Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(Strict):
    title: str
    issuer: str
    date: dt.date
    file: str
    relayed_by: list[str] = []


class OfficialSender(Strict):
    address: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    domains: Annotated[list[str], Field(min_length=1)]
    sources: SourceIds

    @property
    def local_part(self) -> str:
        return self.address.split("@", 1)[0].lower()

    @property
    def domain(self) -> str:
        return self.address.split("@", 1)[1].lower()


class Switchboard(Strict):
    number: Digits
    display: str
    e164: Annotated[str, StringConstraints(pattern=r"^\+\d{8,15}$")]
    sources: SourceIds


class Extensions(Strict):
    listed: Annotated[list[Digits], Field(min_length=1)]
    keywords: Annotated[list[str], Field(min_length=1)]
    sources: SourceIds


class Misprint(Strict):
    number: Digits
    of: Digits
    where: str
    sources: SourceIds


class Ticket(Strict):
    prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]+$")]
    sequence_digits: Annotated[int, Field(ge=1, le=12)]
    format: str
    examples: list[str]
    required_for_information: bool
    sources: SourceIds


class Subject(Strict):
    legacy: str
    current: str
    example_treasury_code: str
    sources: SourceIds


class IncidentReply(Strict):
    from_: str = Field(alias="from")
    within_working_days: int
    sources: SourceIds


class RemoteSigning(Strict):
    mandatory: bool
    since: dt.date
    one_method_at_a_time: bool
    providers: Annotated[list[str], Field(min_length=1)]
    not_yet_for: str
    sources: SourceIds


class PasswordPolicy(Strict):
    min_length: int
    classes: list[str]
    rotate_days: int
    must_differ_from_previous: bool
    sources: SourceIds


class Channels(Strict):
    unofficial: list[str]
    sources: SourceIds


class Statement(Strict):
    """A sentence shown to staff in both languages, with its notices."""

    vi: str
    en: str
    sources: SourceIds
    code: str | None = None


class DomainList(Strict):
    domains: list[str]
    sources: SourceIds


class Attachments(Strict):
    executable_extensions: Annotated[list[str], Field(min_length=1)]
    sources: SourceIds


class Reference(Strict):
    meta: dict[str, str]
    sources: dict[str, Source]
    official_sender: OfficialSender
    switchboard: Switchboard
    extensions: Extensions
    misprints: list[Misprint]
    ticket: Ticket
    subject: Subject
    incident_reply: IncidentReply
    remote_signing: RemoteSigning
    password_policy: PasswordPolicy
    channels: Channels
    never: list[Statement]
    leaks: list[Statement]
    free_mail: DomainList
    attachments: Attachments
    lexicon: Lexicon

    @cached_property
    def citations(self) -> dict[str, str]:
        """Each source as people cite it: '34/KBKH-KTNN (06/01/2022)'."""
        return {sid: f"{sid} ({src.date:%d/%m/%Y})" for sid, src in self.sources.items()}

    def cite(self, source_ids: tuple[str, ...] | list[str]) -> str:
        """Human citation: '34/KBKH-KTNN (06/01/2022); 679/KBKH-KTNN (19/05/2022)'."""
        key = tuple(source_ids)
        cited = self.joined_citations.get(key)
        if cited is None:
            cited = self.joined_citations[key] = "; ".join(self.citations[sid] for sid in key)
        return cited

    @cached_property
    def joined_citations(self) -> dict[tuple[str, ...], str]:
        """Citations already joined, by their source ids: every finding of every check
        cites the same few sets of notices (the ids are this file's, so the sets are few)."""
        return {}

    @cached_property
    def official_addresses(self) -> frozenset[str]:
        """The Treasury's own addresses, lower case: the support sender and the address
        incident reports are answered from."""
        return frozenset(
            a.lower() for a in (self.official_sender.address, self.incident_reply.from_)
        )

    @cached_property
    def placeholders(self) -> dict[str, str]:
        """Values every explanation may use ({switchboard}, {official}, …)."""
        return {
            "switchboard": self.switchboard.display,
            "official": self.official_sender.address,
            "extensions": ", ".join(self.extensions.listed),
            "format": self.ticket.format,
            "subject": self.subject.legacy,
            "providers": ", ".join(self.remote_signing.providers),
        }
