"""Prometheus metrics; /metrics exposes them."""

from __future__ import annotations

from prometheus_client import Counter

CHECKS = Counter("thatgia_checks_total", "Assessments made", ["verdict", "channel"])


def observe_check(verdict: str, channel: str) -> None:
    CHECKS.labels(verdict=verdict, channel=channel).inc()


# Zalo replies that reached an end: sent, or finally failed (failed = retries exhausted,
# undeliverable = Zalo says the user cannot be messaged, unanswered = the event could not
# be processed). Alert on the failure outcomes.
ZALO_REPLIES = Counter(
    "thatgia_zalo_replies_total", "Zalo chatbot replies by final outcome", ["outcome"]
)


def observe_zalo_reply(outcome: str) -> None:
    ZALO_REPLIES.labels(outcome=outcome).inc()
