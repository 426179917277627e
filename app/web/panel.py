"""The "how to recognise real Treasury support" panel, built from the reference data alone.

Nothing here repeats a published fact: a new notice edited into the reference file changes
the panel on the next start.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.findings import Lang
from app.engine.reference.models import Reference, Statement


@dataclass(frozen=True, slots=True)
class Fact:
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class PanelView:
    official: str
    official_source: str
    switchboard: str
    extensions: tuple[str, ...]
    switchboard_source: str
    ticket_format: str
    ticket_examples: tuple[str, ...]
    ticket_source: str
    never: tuple[Fact, ...]
    leaks: tuple[Fact, ...]
    version: str


def _facts(statements: list[Statement], lang: Lang, ref: Reference) -> tuple[Fact, ...]:
    return tuple(
        Fact(text=s.en if lang is Lang.EN else s.vi, source=ref.cite(s.sources)) for s in statements
    )


def panel_view(ref: Reference, lang: Lang) -> PanelView:
    return PanelView(
        official=ref.official_sender.address,
        official_source=ref.cite(ref.official_sender.sources),
        switchboard=ref.switchboard.display,
        extensions=tuple(ref.extensions.listed),
        switchboard_source=ref.cite(ref.switchboard.sources),
        ticket_format=ref.ticket.format,
        ticket_examples=tuple(ref.ticket.examples),
        ticket_source=ref.cite(ref.ticket.sources),
        never=_facts(ref.never, lang, ref),
        leaks=_facts(ref.leaks, lang, ref),
        version=ref.meta.get("version", ""),
    )
