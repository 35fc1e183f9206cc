"""A user fitted to recorded answers: the time zone their dates imply, the days to pin, a persona for the rest.

Pure: recorded answers in, fixture values (as the fixture files spell them) out.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeGuard

from contract_tests.days import OFFSETS as SUITE_OFFSETS
from cudis_spec.rules import RangeContext, dates_out_of_range, local_midnight

DAY = 86400
OFFSETS = tuple(offset // 3600 for offset in SUITE_OFFSETS if offset % 3600 == 0)
"""The contract suite's offsets (UTC-12 to UTC+14) in whole hours: a persona's zone is an IANA name, and
`Etc/GMT` names exist for whole hours only."""


@dataclass(frozen=True)
class Recorded:
    """One recorded answer: its metric, range, `data` and when it was recorded."""

    metric: str
    start: float
    end: float
    data: Mapping[str, Any]
    recorded_at: float

    def dates(self) -> list[str]:
        items = self.data.get("list") if isinstance(self.data, Mapping) else None
        return [i["date"] for i in items or () if isinstance(i, Mapping) and isinstance(i.get("date"), str)]


def _span(start: float, end: float, recorded_at: float, offset: int) -> range:
    """Ordinals (days since 1970) of the local dates overlapping [start, end), before the current day."""
    shift = offset * 3600
    first = math.floor((start + shift) / DAY)
    stop = math.ceil((end + shift) / DAY) if end > start else first
    today = math.floor((recorded_at + shift) / DAY)
    return range(first, min(stop, today))


_EPOCH = date(1970, 1, 1).toordinal()


def _ordinal(text: str) -> int | None:
    try:
        return date.fromisoformat(text).toordinal() - _EPOCH
    except ValueError:
        return None


def consistent_offsets(recorded: Iterable[Recorded]) -> list[int]:
    """The UTC offsets (hours) under which every recorded answer lists only its range's days before the
    current day: the spec's dates rule, as the contract suite applies it once it knows the offset."""
    answers = [(RangeContext(start=r.start, end=r.end, now=r.recorded_at), _dates(r)) for r in recorded]
    return [
        offset
        for offset in OFFSETS
        if all(
            days is not None and dates_out_of_range("date", days, context, offset * 3600) is None
            for context, days in answers
        )
    ]


def _dates(r: Recorded) -> list[date] | None:
    """The listed dates, or None when one is not a date (then no offset fits)."""
    ordinals = [_ordinal(text) for text in r.dates()]
    if any(o is None for o in ordinals):
        return None
    return [date.fromordinal(o + _EPOCH) for o in ordinals if o is not None]


def zone_name(offset: int) -> str:
    """The IANA zone of a whole-hour offset (POSIX signs: Etc/GMT-14 is UTC+14)."""
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


def infer_offset(recorded: list[Recorded]) -> int:
    """The offset the recorded dates imply: UTC when it fits, else the middle of those that fit (UTC when none).

    The rule lets the day that begins exactly at `endTime` be listed (the page does not say whether
    `endTime` belongs to the range), so an upstream a few hours east of UTC fits UTC too; offsets under
    which every listed day begins before its range's end (the half-open reading) are preferred.
    """
    offsets = consistent_offsets(recorded)
    ends = [(r.end, _dates(r) or []) for r in recorded]  # each answer's dates parsed once, not per offset
    half_open = [o for o in offsets if all(local_midnight(d, o * 3600) < end for end, days in ends for d in days)]
    offsets = half_open or offsets
    if not offsets or 0 in offsets:
        return 0
    return offsets[len(offsets) // 2]


@dataclass
class Fitted:
    timezone: str
    persona: dict[str, Any]
    pinned: dict[str, dict[str, Any]]
    problems: list[str] = field(default_factory=list)


def _clamp(value: float, low: float, high: float) -> float:
    return round(min(max(value, low), high), 3)


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _day_values(metric: str, item: Mapping[str, Any]) -> dict[str, Any] | None:
    """A list item as a pinned day's values, or None when the fixture schema could not hold it."""
    if metric == "heart_beat":
        high, low = item.get("maxY"), item.get("minY")
        if _is_number(high) and _is_number(low) and 20 <= low <= high <= 250:
            return {"maxY": high, "minY": low}
    elif metric == "step":
        y = item.get("y")
        if _is_number(y) and float(y).is_integer() and 0 <= y <= 200000:
            return {"y": int(y)}
    else:
        minutes = [item.get(k) for k in ("deepY", "shallowY", "awakeY")]
        whole = [int(m) for m in minutes if _is_number(m) and float(m).is_integer() and 0 <= m <= 1440]
        if len(whole) == len(minutes):
            return dict(zip(("deepY", "shallowY", "awakeY"), whole, strict=True))
    return None


def fit(recorded: list[Recorded]) -> Fitted:
    """The zone, the pinned days and the persona of a user whose answers were recorded."""
    offset = infer_offset(recorded)
    values: dict[str, dict[str, dict[str, Any]]] = {}
    covered: dict[str, set[int]] = {}
    listed: set[tuple[str, str]] = set()
    problems: list[str] = []
    for r in recorded:
        covered.setdefault(r.metric, set()).update(_span(r.start, r.end, r.recorded_at, offset))
        for item in r.data.get("list") or ():
            day = item.get("date") if isinstance(item, Mapping) else None
            if not isinstance(day, str) or _ordinal(day) is None:
                continue
            listed.add((r.metric, day))
            pinned = _day_values(r.metric, item)
            if pinned is None:
                problems.append(f"{r.metric} {day}: {json.dumps(item)} is outside what a fixture can pin; not pinned")
                continue
            values.setdefault(day, {})[r.metric] = pinned
    pinned_days: dict[str, dict[str, Any]] = {}
    for metric, ordinals in covered.items():
        for o in ordinals:
            day = date.fromordinal(o + _EPOCH).isoformat()
            entry = pinned_days.setdefault(day, {})
            if metric in values.get(day, {}):
                entry[metric] = values[day][metric]
            elif (metric, day) not in listed:  # listed but not pinnable: left to the persona
                entry.setdefault("missing", []).append(metric)
    for day, by_metric in values.items():  # dates outside the inferred span still keep their values
        entry = pinned_days.setdefault(day, {})
        for metric, pinned in by_metric.items():
            entry[metric] = pinned
            if metric in entry.get("missing", []):
                entry["missing"].remove(metric)
    for entry in pinned_days.values():
        if "missing" in entry and not entry["missing"]:
            del entry["missing"]
    pinned_days = {day: entry for day, entry in sorted(pinned_days.items()) if entry}
    return Fitted(zone_name(offset), _persona(offset, values, covered), pinned_days, problems)


def _persona(offset: int, values: Mapping[str, Mapping[str, Any]], covered: Mapping[str, set[int]]) -> dict[str, Any]:
    def of(metric: str) -> list[Mapping[str, Any]]:
        return [v[metric] for v in values.values() if metric in v]

    persona: dict[str, Any] = {"description": "Fitted to answers recorded by cudis-mock proxy."}
    steps = [v["y"] for v in of("step")]
    if steps:
        logs = [math.log(y) for y in steps if y > 0]
        persona["steps"] = {
            "median": _clamp(statistics.median(steps), 0, 60000),
            "spread": _clamp(statistics.pstdev(logs) if len(logs) > 1 else 0.45, 0, 2),
            "between_people": 0,
        }
    hearts = of("heart_beat")
    if hearts:
        resting = _clamp(statistics.median(h["minY"] for h in hearts), 30, 120)
        floor = _clamp(min(min(h["minY"] for h in hearts), resting) - 5, 20, 110)
        ceiling = _clamp(max(max(h["maxY"] for h in hearts) + 10, floor + 10, 60), 60, 250)
        persona["heart"] = {
            "resting": resting,
            "between_people": 0,
            "peak_over_resting": _clamp(statistics.median(h["maxY"] for h in hearts) - resting, 0, 150),
            "floor": floor,
            "ceiling": ceiling,
        }
    nights = of("sleep")
    totals = [n["deepY"] + n["shallowY"] + n["awakeY"] for n in nights]
    if nights and sum(totals) > 0:
        hours = _clamp(statistics.median(totals) / 60, 0, 16)
        persona["sleep"] = {
            "hours": hours,
            "hours_sd": _clamp(statistics.pstdev(totals) / 60, 0, 5),
            "deep_share": _clamp(sum(n["deepY"] for n in nights) / sum(totals), 0, 1),
            "awake_share": _clamp(sum(n["awakeY"] for n in nights) / sum(totals), 0, 1),
            "min_hours": _clamp(min(3.0, hours), 0, 24),
            "max_hours": _clamp(max(11.0, hours), 0, 24),
        }
    wear: dict[str, float] = {}
    day_dates = covered.get("step", set()) | covered.get("heart_beat", set())
    if day_dates:
        worn = {o for o in day_dates if _has(values, o, ("step", "heart_beat"))}
        wear["day"] = _clamp(len(worn) / len(day_dates), 0, 1)
    if covered.get("sleep"):
        slept = {o for o in covered["sleep"] if _has(values, o, ("sleep",))}
        wear["night"] = _clamp(len(slept) / len(covered["sleep"]), 0, 1)
    if wear:
        persona["wear"] = wear
    persona["timezones"] = [zone_name(offset)]
    return persona


def _has(values: Mapping[str, Mapping[str, Any]], ordinal: int, metrics: tuple[str, ...]) -> bool:
    found = values.get(date.fromordinal(ordinal + _EPOCH).isoformat(), {})
    return any(m in found for m in metrics)
