"""Requests in free text (request.*); the full lexicon matcher replaces this."""

from __future__ import annotations

from app.findings import Finding
from app.reference.models import Reference


def check_text(text: str, reference: Reference) -> list[Finding]:
    return []
