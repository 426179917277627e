"""Bar charts drawn on the server as SVG: stacked bars per day, with nothing to load.

The page embeds the SVG inline; the colours come from classes in style.css (the CSP
allows no inline style), and the numbers drawn are also in a table beside the chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store.activity import DayCounts

WIDTH, HEIGHT = 600, 200
LEFT, BOTTOM, TOP = 36, 24, 8


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str
    title: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value) of the horizontal grid lines
    labels: list[tuple[float, str]]  # (x, text) under the bars
    baseline: float


def _nice_top(largest: int) -> int:
    """The least of 1, 2, 5, 10, 20, 50, … at or above `largest`: the chart's top line."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if scale * step >= largest:
                return scale * step
        scale *= 10


def stacked(days: list[DayCounts], series: list[str]) -> Chart:
    """Stacked bars of each day's counts, in the order of `series`."""
    top = _nice_top(max((d.total for d in days), default=0) or 1)
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(days), 1)
    baseline = HEIGHT - BOTTOM
    bars, labels = [], []
    for index, day in enumerate(days):
        x = LEFT + index * slot + slot * 0.15
        y = float(baseline)
        for name in series:
            count = day.counts.get(name, 0)
            if not count:
                continue
            height = plot_height * count / top
            y -= height
            title = f"{day.day.isoformat()} {name}: {count}"
            bars.append(
                Bar(round(x, 1), round(y, 1), round(slot * 0.7, 1), round(height, 1), name, title)
            )
        labels.append((round(x + slot * 0.35, 1), day.day.strftime("%d/%m")))
    step = top // 5 if top % 5 == 0 else top // 2 if top % 2 == 0 else top
    ticks = [(round(baseline - plot_height * v / top, 1), v) for v in range(0, top + 1, step)]
    return Chart(WIDTH, HEIGHT, bars, ticks, labels, baseline)
