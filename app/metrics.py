"""Prometheus metrics; /metrics exposes them."""

from __future__ import annotations

from prometheus_client import Counter

CHECKS = Counter("thatgia_checks_total", "Assessments made", ["verdict", "channel"])


def observe_check(verdict: str, channel: str) -> None:
    CHECKS.labels(verdict=verdict, channel=channel).inc()
