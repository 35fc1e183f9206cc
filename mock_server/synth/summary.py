"""Build each endpoint's `data` from a run of days; aggregates come from the list itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from .day import DayValues, HeartDay, SleepNight, StepDay

Metric = Literal["heart_beat", "step", "sleep"]
EmptyDays = Literal["omit", "zero"]
METRICS: tuple[Metric, ...] = ("heart_beat", "step", "sleep")

_ZERO_HEART = HeartDay(maxY=0.0, minY=0.0, mean=0.0)
_ZERO_STEP = StepDay(y=0.0)
_ZERO_NIGHT = SleepNight(deepY=0, shallowY=0, awakeY=0)


def heart_data(days: Sequence[tuple[str, HeartDay]]) -> dict[str, Any]:
    if not days:
        return {"maximum": 0, "minimum": 0, "average": 0, "list": []}
    return {
        "maximum": int(max(h.maxY for _, h in days)),
        "minimum": int(min(h.minY for _, h in days)),
        "average": round(sum(h.mean for _, h in days) / len(days)),
        "list": [{"date": d, "maxY": h.maxY, "minY": h.minY} for d, h in days],
    }


def step_data(days: Sequence[tuple[str, StepDay]]) -> dict[str, Any]:
    return {
        "countStep": int(sum(s.y for _, s in days)),
        "list": [{"date": d, "y": s.y} for d, s in days],
    }


def sleep_data(days: Sequence[tuple[str, SleepNight]]) -> dict[str, Any]:
    deep = sum(n.deepY for _, n in days)
    shallow = sum(n.shallowY for _, n in days)
    awake = sum(n.awakeY for _, n in days)
    total = deep + shallow + awake
    if total == 0:
        ratios = (0, 0, 0)
    else:
        # Deep and shallow rounded down, awake the rest: reproduces the page's 10/86/4.
        deep_ratio = 100 * deep // total
        shallow_ratio = 100 * shallow // total
        ratios = (deep_ratio, shallow_ratio, 100 - deep_ratio - shallow_ratio)
    return {
        "deepRatio": ratios[0],
        "shallowRatio": ratios[1],
        "awakeRatio": ratios[2],
        "sumDuration": total // len(days) if days else 0,
        "list": [{"date": d, "deepY": n.deepY, "shallowY": n.shallowY, "awakeY": n.awakeY} for d, n in days],
    }


_BUILDERS: dict[Metric, tuple[Callable[[Any], dict[str, Any]], object]] = {
    "heart_beat": (heart_data, _ZERO_HEART),
    "step": (step_data, _ZERO_STEP),
    "sleep": (sleep_data, _ZERO_NIGHT),
}


def metric_data(metric: Metric, days: Sequence[DayValues], empty_days: EmptyDays) -> dict[str, Any]:
    """The `data` object of `metric` for the given days, in order."""
    build, zero = _BUILDERS[metric]
    rows = []
    for values in days:
        record = getattr(values, metric)
        if record is None:
            if empty_days == "omit":
                continue
            record = zero
        rows.append((values.day.isoformat(), record))
    return build(rows)
