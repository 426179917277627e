"""Channels strangers use to impersonate the Treasury (34/KBKH-KTNN, 679/KBKH-KTNN)."""

from __future__ import annotations

from app.engine.claim import Channel
from app.engine.findings import Finding, Severity
from app.engine.reference.models import Reference


def check_channel(channel: Channel | None, *, reference: Reference) -> list[Finding]:
    spec = reference.channels
    if channel is None or channel.value not in spec.unofficial:
        return []
    return [
        Finding(
            "channel.unofficial",
            Severity.WARNING,
            "channel",
            channel.value,
            tuple(spec.sources),
            params=(("channel", channel.value),),
        )
    ]
