"""Inline SVG charts of the three endpoints' lists, drawn on the server. Pure: data in, SVG text out.

Every day of the asked window gets a slot on the x axis, so days without data show as gaps.
Every text that reaches the SVG is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH = 960
NARROW = 400
"""The width of a phone's rendering: on a 390-pixel screen it is drawn near its own size, so labels stay readable."""
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28
SLEEP_STAGES = (
    ("deepY", "sleep-deep", "deep"),
    ("shallowY", "sleep-shallow", "shallow"),
    ("awakeY", "sleep-awake", "awake"),
)


@dataclass(frozen=True)
class Frame:
    """The x slots (one per date) and the y scale of one chart."""

    dates: Sequence[str]
    low: float
    high: float
    width: float = WIDTH

    @property
    def slot(self) -> float:
        return (self.width - LEFT - RIGHT) / max(1, len(self.dates))

    def x(self, index: int) -> float:
        return LEFT + self.slot * (index + 0.5)

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (value - self.low) / span)


def _nice_top(value: float) -> float:
    """A round number at or above `value`, for the top of an axis."""
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    return float(((int(value) // step) + 1) * step)


def _axes(frame: Frame, label: str) -> list[str]:
    label_y = frame.y(frame.low + 0.75 * (frame.high - frame.low))
    parts = [f'<text class="axis-label" x="4" y="{label_y:.1f}">{escape(label)}</text>']
    for share in (0.0, 0.5, 1.0):
        value = frame.low + (frame.high - frame.low) * share
        y = frame.y(value)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{frame.width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:,.0f}</text>')
    if frame.dates:
        picks = sorted({0, len(frame.dates) // 2, len(frame.dates) - 1})
        for index in picks:
            anchor = "start" if index == 0 else ("end" if index == len(frame.dates) - 1 else "middle")
            x = LEFT if index == 0 else (frame.width - RIGHT if anchor == "end" else frame.x(index))
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">'
                f"{escape(frame.dates[index])}</text>"
            )
    return parts


def _svg(name: str, title: str, parts: list[str], frame: Frame) -> str:
    chart_id = f"chart-{name}" if frame.width == WIDTH else f"chart-{name}-narrow"
    return (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {frame.width:g} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>"
    )


def _by_date(items: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(item["date"]): item for item in items}


def heart_chart(dates: Sequence[str], items: Sequence[Mapping[str, Any]], width: float = WIDTH) -> str:
    """The day's min-max heart rate as a band; a run of days is one shape, a gap breaks it."""
    by_date = _by_date(items)
    highs = [float(item["maxY"]) for item in items] or [1.0]
    frame = Frame(dates, 0.0, _nice_top(max(highs)), width)
    parts = _axes(frame, "bpm")
    runs: list[list[int]] = [[]]
    for index, day in enumerate(dates):
        if day in by_date:
            runs[-1].append(index)
        elif runs[-1]:
            runs.append([])
    half = frame.slot * 0.3
    for run in (r for r in runs if r):
        top, bottom = [], []
        for index in run:
            item = by_date[dates[index]]
            hi, lo = frame.y(float(item["maxY"])), frame.y(float(item["minY"]))
            x = frame.x(index)
            if len(run) == 1:
                top += [f"{x - half:.1f},{hi:.1f}", f"{x + half:.1f},{hi:.1f}"]
                bottom += [f"{x - half:.1f},{lo:.1f}", f"{x + half:.1f},{lo:.1f}"]
            else:
                top.append(f"{x:.1f},{hi:.1f}")
                bottom.append(f"{x:.1f},{lo:.1f}")
        first, last = dates[run[0]], dates[run[-1]]
        parts.append(
            f'<polygon class="hr-band" points="{" ".join(top + bottom[::-1])}">'
            f"<title>{escape(first)} to {escape(last)}: min-max heart rate</title></polygon>"
        )
    for index, day in enumerate(dates):
        if day in by_date:
            item = by_date[day]
            parts.append(
                f'<rect class="hover" x="{frame.x(index) - frame.slot / 2:.1f}" y="{TOP}" width="{frame.slot:.1f}" '
                f'height="{HEIGHT - TOP - BOTTOM}"><title>{escape(day)}: {float(item["minY"]):g}-'
                f"{float(item['maxY']):g} bpm</title></rect>"
            )
    return _svg("heart_beat", "Heart rate, daily minimum to maximum", parts, frame)


def step_chart(dates: Sequence[str], items: Sequence[Mapping[str, Any]], width: float = WIDTH) -> str:
    """Steps as one bar per day."""
    by_date = _by_date(items)
    frame = Frame(dates, 0.0, _nice_top(max([float(item["y"]) for item in items] or [1.0])), width)
    parts = _axes(frame, "steps")
    bar = max(1.0, frame.slot * 0.7)
    for index, day in enumerate(dates):
        if day not in by_date:
            continue
        value = float(by_date[day]["y"])
        y = frame.y(value)
        parts.append(
            f'<rect class="step-bar" x="{frame.x(index) - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" '
            f'height="{frame.y(0.0) - y:.1f}"><title>{escape(day)}: {value:,.0f} steps</title></rect>'
        )
    return _svg("step", "Steps per day", parts, frame)


def sleep_chart(dates: Sequence[str], items: Sequence[Mapping[str, Any]], width: float = WIDTH) -> str:
    """Each night's deep, shallow and awake minutes stacked."""
    by_date = _by_date(items)
    totals = [sum(int(item[field]) for field, _, _ in SLEEP_STAGES) for item in items] or [1]
    frame = Frame(dates, 0.0, _nice_top(max(totals) / 60.0) * 60.0, width)
    parts = _axes(frame, "minutes")
    bar = max(1.0, frame.slot * 0.7)
    for index, day in enumerate(dates):
        if day not in by_date:
            continue
        item = by_date[day]
        base = 0
        for field, css, label in SLEEP_STAGES:
            minutes = int(item[field])
            top, bottom = frame.y(base + minutes), frame.y(base)
            parts.append(
                f'<rect class="{css}" x="{frame.x(index) - bar / 2:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                f'height="{bottom - top:.1f}"><title>{escape(day)}: {minutes} min {label}</title></rect>'
            )
            base += minutes
    return _svg("sleep", "Sleep stages per night, stacked", parts, frame)
