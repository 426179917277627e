"""Server-drawn charts: the top line, the grid's values, the bars' heights."""

from __future__ import annotations

import datetime as dt

import pytest

from app.store.activity import DayCounts
from app.web.charts import BOTTOM, HEIGHT, TOP, _nice_top, stacked


@pytest.mark.parametrize(
    ("largest", "top"), [(1, 1), (2, 2), (3, 5), (7, 10), (11, 20), (51, 100), (260, 500)]
)
def test_the_top_line_is_the_next_of_1_2_5(largest: int, top: int) -> None:
    assert _nice_top(largest) == top


def test_grid_values_are_whole_and_placed_by_value() -> None:
    days = [DayCounts(dt.date(2026, 12, 1), {"impersonation": 3})]
    chart = stacked(days, ["impersonation", "plausible"])
    plot = HEIGHT - BOTTOM - TOP
    assert [value for _, value in chart.ticks] == [0, 1, 2, 3, 4, 5]
    for y, value in chart.ticks:
        assert y == pytest.approx(chart.baseline - plot * value / 5, abs=0.1)
    (bar,) = chart.bars
    assert bar.height == pytest.approx(plot * 3 / 5, abs=0.1)
    assert bar.title == "2026-12-01 impersonation: 3"


def test_bars_of_one_day_stack_in_series_order() -> None:
    days = [DayCounts(dt.date(2026, 12, 1), {"plausible": 1, "impersonation": 1})]
    low, high = stacked(days, ["impersonation", "plausible"]).bars
    assert (low.series, high.series) == ("impersonation", "plausible")
    assert high.y + high.height == pytest.approx(low.y, abs=0.1)
