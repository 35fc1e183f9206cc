"""Each endpoint's `data` as JSON text: one entry per kept day, the totals of those days, one serialiser."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Literal

from .day import DayValues, HeartDay, Metric, Record, SleepNight, StepDay

EmptyDays = Literal["omit", "zero"]

ZERO: dict[Metric, Any] = {
    "heart_beat": HeartDay(maxY=0.0, minY=0.0, mean=0.0),
    "step": StepDay(y=0.0),
    "sleep": SleepNight(deepY=0, shallowY=0, awakeY=0),
}
"""The record listed for a day without data under `empty_days: zero`."""


def heart_totals(records: Sequence[HeartDay]) -> dict[str, Any]:
    if not records:
        return {"maximum": 0, "minimum": 0, "average": 0}
    return {
        "maximum": int(max(h.maxY for h in records)),
        "minimum": int(min(h.minY for h in records)),
        "average": round(sum(h.mean for h in records) / len(records)),
    }


def step_totals(records: Sequence[StepDay]) -> dict[str, Any]:
    return {"countStep": int(sum(s.y for s in records))}


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


_TOTALS: dict[Metric, Callable[[Any], dict[str, Any]]] = {
    "heart_beat": heart_totals,
    "step": step_totals,
    "sleep": sleep_totals,
}


def entry_json(metric: Metric, day: str, record: Any) -> str:
    """One `list` entry of `metric`: `record` on the ISO date `day`, as compact JSON.

    Written by hand (a third of the cost of generating a day went into `json.dumps`): `day` is an
    ISO date (nothing to escape) and every value is a finite int or float, which json writes as repr.
    """
    if metric == "heart_beat":
        return f'{{"date":"{day}","maxY":{record.maxY!r},"minY":{record.minY!r}}}'
    if metric == "step":
        return f'{{"date":"{day}","y":{record.y!r}}}'
    return f'{{"date":"{day}","deepY":{record.deepY!r},"shallowY":{record.shallowY!r},"awakeY":{record.awakeY!r}}}'


def data_json(metric: Metric, records: Sequence[Any], entries: Sequence[str]) -> str:
    """The `data` of `metric` for the kept days: their records' totals, then their `entry_json` entries."""
    totals = json.dumps(_TOTALS[metric](records), separators=(",", ":"))
    return f'{totals[:-1]},"list":[{",".join(entries)}]}}'


def metric_data(metric: Metric, days: Sequence[DayValues], empty_days: EmptyDays) -> dict[str, Any]:
    """`data_json` of `metric` over `days` in order, parsed: for callers that want the object."""
    records: list[Record] = []
    entries: list[str] = []
    for values in days:
        record = getattr(values, metric)
        if record is None:
            if empty_days == "omit":
                continue
            record = ZERO[metric]
        records.append(record)
        entries.append(entry_json(metric, values.day.isoformat(), record))
    data: dict[str, Any] = json.loads(data_json(metric, records, entries))
    return data
