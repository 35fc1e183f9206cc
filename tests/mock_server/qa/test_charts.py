"""The explorer's charts: well-formed SVG whatever the data, a slot per day, values a reader can check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import Any

import pytest

from mock_server.qa.charts import BOTTOM, HEIGHT, TOP, heart_chart, sleep_chart, step_chart

SVG = "{http://www.w3.org/2000/svg}"
DATES = ["2024-01-01", "2024-01-02", "2024-01-03"]
Chart = Callable[[Sequence[str], Sequence[Mapping[str, Any]]], str]


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def titles(root: ET.Element, css: str) -> list[str]:
    return [el.findtext(f"{SVG}title") or "" for el in root.iter() if el.get("class") == css]


@pytest.mark.parametrize(
    ("chart", "item"),
    [
        (heart_chart, {"maxY": 120.0, "minY": 60.0}),
        (step_chart, {"y": 5000.0}),
        (sleep_chart, {"deepY": 60, "shallowY": 300, "awakeY": 20}),
    ],
    ids=["heart_beat", "step", "sleep"],
)
def test_every_chart_is_well_formed_with_no_days_no_data_or_hostile_dates(chart: Chart, item: dict[str, Any]) -> None:
    hostile = ['<script>alert("x")</script>', "2024-01-02 & co"]
    for dates, items in (([], []), (DATES, []), (hostile, [{"date": hostile[1], **item}])):
        root = parsed(chart(dates, items))
        assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("aria-label")
        assert not any(el.tag == "script" or el.tag == f"{SVG}script" for el in root.iter())
    text = chart(hostile, [{"date": hostile[1], **item}])
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_steps_are_one_bar_per_day_with_data_on_a_round_scale() -> None:
    items = [{"date": "2024-01-01", "y": 12345.0}, {"date": "2024-01-03", "y": 800.0}]
    root = parsed(step_chart(DATES, items))
    assert titles(root, "step-bar") == ["2024-01-01: 12,345 steps", "2024-01-03: 800 steps"]
    ticks = [el.text for el in root.iter(f"{SVG}text") if el.get("class") == "tick"]
    assert ticks[:3] == ["0", "10,000", "20,000"]  # the axis tops out at a round number above the highest day
    assert ticks[3:] == DATES  # first, middle and last date under the axis
    bars = [el for el in root.iter(f"{SVG}rect") if el.get("class") == "step-bar"]
    bottom = HEIGHT - BOTTOM
    for bar in bars:
        y, height = float(bar.get("y", "nan")), float(bar.get("height", "nan"))
        assert y >= TOP and y + height == pytest.approx(bottom)


def test_a_nights_stages_stack_in_order_and_say_their_minutes() -> None:
    root = parsed(sleep_chart(DATES, [{"date": "2024-01-02", "deepY": 90, "shallowY": 300, "awakeY": 30}]))
    stages = [el for el in root.iter(f"{SVG}rect") if str(el.get("class", "")).startswith("sleep-")]
    assert [el.get("class") for el in stages] == ["sleep-deep", "sleep-shallow", "sleep-awake"]
    assert [el.findtext(f"{SVG}title") for el in stages] == [
        "2024-01-02: 90 min deep",
        "2024-01-02: 300 min shallow",
        "2024-01-02: 30 min awake",
    ]
    # Deep at the bottom, each stage starting where the one below ends.
    for lower, upper in pairwise(stages):
        assert float(upper.get("y", "nan")) + float(upper.get("height", "nan")) == pytest.approx(
            float(lower.get("y", "nan")), abs=0.11
        )
    assert float(stages[0].get("y", "nan")) + float(stages[0].get("height", "nan")) == pytest.approx(
        HEIGHT - BOTTOM, abs=0.11
    )


def test_each_day_of_heart_rate_can_be_read_on_hover() -> None:
    items = [{"date": "2024-01-01", "maxY": 131.0, "minY": 48.5}, {"date": "2024-01-03", "maxY": 99.0, "minY": 55.0}]
    root = parsed(heart_chart(DATES, items))
    assert titles(root, "hover") == ["2024-01-01: 48.5-131 bpm", "2024-01-03: 55-99 bpm"]
    assert titles(root, "hr-band") == [
        "2024-01-01 to 2024-01-01: min-max heart rate",
        "2024-01-03 to 2024-01-03: min-max heart rate",
    ]
    # A single day is drawn as a band of some width, not a line.
    for band in (el for el in root.iter(f"{SVG}polygon") if el.get("class") == "hr-band"):
        xs = {float(point.split(",")[0]) for point in str(band.get("points")).split()}
        assert len(xs) == 2
