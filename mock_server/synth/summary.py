"""Build each endpoint's `data` from a run of days; aggregates come from the list itself."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Literal

from .day import DayValues, HeartDay, SleepNight, StepDay

Metric = Literal["heart_beat", "step", "sleep"]
EmptyDays = Literal["omit", "zero"]
METRICS: tuple[Metric, ...] = ("heart_beat", "step", "sleep")

_ZERO_HEART = HeartDay(maxY=0.0, minY=0.0, mean=0.0)
_ZERO_STEP = StepDay(y=0.0)
_ZERO_NIGHT = SleepNight(deepY=0, shallowY=0, awakeY=0)


def heart_totals(records: Sequence[HeartDay]) -> dict[str, Any]:
    if not records:
        return {"maximum": 0, "minimum": 0, "average": 0}
    return {
        "maximum": int(max(h.maxY for h in records)),
        "minimum": int(min(h.minY for h in records)),
        "average": round(sum(h.mean for h in records) / len(records)),
    }


def heart_entry(day: str, h: HeartDay) -> dict[str, Any]:
    return {"date": day, "maxY": h.maxY, "minY": h.minY}


def step_totals(records: Sequence[StepDay]) -> dict[str, Any]:
    return {"countStep": int(sum(s.y for s in records))}


def step_entry(day: str, s: StepDay) -> dict[str, Any]:
    return {"date": day, "y": s.y}


def sleep_totals(records: Sequence[SleepNight]) -> dict[str, Any]:
    deep = sum(n.deepY for n in records)
    shallow = sum(n.shallowY for n in records)
    awake = sum(n.awakeY for n in records)
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
        "sumDuration": total // len(records) if records else 0,
    }


def sleep_entry(day: str, n: SleepNight) -> dict[str, Any]:
    return {"date": day, "deepY": n.deepY, "shallowY": n.shallowY, "awakeY": n.awakeY}


def heart_data(days: Sequence[tuple[str, HeartDay]]) -> dict[str, Any]:
    return {**heart_totals([h for _, h in days]), "list": [heart_entry(d, h) for d, h in days]}


def step_data(days: Sequence[tuple[str, StepDay]]) -> dict[str, Any]:
    return {**step_totals([s for _, s in days]), "list": [step_entry(d, s) for d, s in days]}


def sleep_data(days: Sequence[tuple[str, SleepNight]]) -> dict[str, Any]:
    return {**sleep_totals([n for _, n in days]), "list": [sleep_entry(d, n) for d, n in days]}


_TOTALS: dict[Metric, Callable[[Any], dict[str, Any]]] = {
    "heart_beat": heart_totals,
    "step": step_totals,
    "sleep": sleep_totals,
}
_ENTRIES: dict[Metric, Callable[[str, Any], dict[str, Any]]] = {
    "heart_beat": heart_entry,
    "step": step_entry,
    "sleep": sleep_entry,
}
ZERO: dict[Metric, Any] = {"heart_beat": _ZERO_HEART, "step": _ZERO_STEP, "sleep": _ZERO_NIGHT}


def dumps(value: Any) -> str:
    """Compact JSON, as every response body is written."""
    return json.dumps(value, separators=(",", ":"))


def entry_json(metric: Metric, day: str, record: Any) -> str:
    """One `list` entry of `metric`, serialised exactly as `dumps` writes it inside `metric_data`.

    Written by hand (a third of the cost of generating a day went into `json.dumps`): `day` is an
    ISO date (nothing to escape) and every value is a finite int or float, which json writes as repr.
    """
    if metric == "heart_beat":
        return f'{{"date":"{day}","maxY":{record.maxY!r},"minY":{record.minY!r}}}'
    if metric == "step":
        return f'{{"date":"{day}","y":{record.y!r}}}'
    return f'{{"date":"{day}","deepY":{record.deepY!r},"shallowY":{record.shallowY!r},"awakeY":{record.awakeY!r}}}'


def metric_json(metric: Metric, records: Sequence[Any], entries: Sequence[str]) -> str:
    """`dumps(metric_data(...))` from the kept days' records and their pre-serialised entries.

    Every builder puts `list` last, so the totals' JSON is closed with the joined entries.
    """
    totals = dumps(_TOTALS[metric](records))
    return f'{totals[:-1]},"list":[{",".join(entries)}]}}'


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
