"""Phrase lexicons for the text validator, as stored in the reference file."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PhraseGroup(BaseModel):
    """Phrases that, said to a user, ask for one thing (a PIN, a password, …)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    phrases: list[str] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    remote_access_tools: list[str] = Field(min_length=1)
    requests: list[PhraseGroup] = Field(min_length=1)
