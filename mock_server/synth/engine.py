"""The data engine: a user's answer for a range, from cached pure day values.

Each cached day also keeps its `list` entries already serialised, so answering a range is
joining strings and summing numbers; a day's values and bytes never depend on the range asked.
Per-user constants (traits, time zone) are computed on first use, so memory does not grow with
the number of users in the fixtures, only with the (bounded) caches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from .calendar import date_span, local_date
from .day import DayValues, UserTraits, apply_pins, generate_day, user_traits
from .profiles import UserProfile
from .summary import METRICS, ZERO, EmptyDays, Metric, entry_json, metric_data, metric_json

DAY_CACHE_SIZE = 50_000
USER_CACHE_SIZE = 4_096


@dataclass(frozen=True, slots=True)
class _CachedDay:
    values: DayValues
    entries: tuple[str | None, ...]
    """Each metric's serialised `list` entry (in METRICS order), None where there is no data."""


class DataEngine:
    """Answers queries for a fixed seed and set of users; caches per-day values."""

    def __init__(self, seed: int, users: Mapping[str, UserProfile]) -> None:
        self.seed = seed
        self.users = users
        self._cached_day = lru_cache(maxsize=DAY_CACHE_SIZE)(self._make_day)
        self._traits = lru_cache(maxsize=USER_CACHE_SIZE)(self._make_traits)
        self._zone = lru_cache(maxsize=USER_CACHE_SIZE)(self._make_zone)

    def _make_traits(self, user_id: str) -> UserTraits:
        return user_traits(self.seed, self.users[user_id])

    def _make_zone(self, user_id: str) -> ZoneInfo:
        return ZoneInfo(self.users[user_id].timezone)

    def _make_day(self, user_id: str, ordinal: int) -> _CachedDay:
        profile = self.users[user_id]
        day = date.fromordinal(ordinal)
        if profile.gaps and profile.in_gap(day):
            values = DayValues(day, None, None, None)
        else:
            values = apply_pins(generate_day(self.seed, profile, self._traits(user_id), day), profile.pinned_day(day))
        text = day.isoformat()
        entries = tuple(
            None if (record := getattr(values, metric)) is None else entry_json(metric, text, record)
            for metric in METRICS
        )
        return _CachedDay(values, entries)

    def day_values(self, user_id: str, day: date) -> DayValues:
        return self._cached_day(user_id, day.toordinal()).values

    def timezone(self, user_id: str) -> ZoneInfo:
        return self._zone(user_id)

    def today(self, user_id: str, now: float) -> date:
        """The user's current local date."""
        return local_date(now, self._zone(user_id))

    def first_day(self, user_id: str, now: float) -> date | None:
        profile = self.users[user_id]
        if profile.joined_days_ago is not None:
            return self.today(user_id, now) - timedelta(days=profile.joined_days_ago)
        return profile.joined

    def _span(self, user_id: str, start: float, end: float, now: float) -> tuple[range, int]:
        """Ordinals of the local dates in [start, end) before today, and the first with data."""
        first, count = date_span(start, end, self._zone(user_id), self.today(user_id, now))
        joined = self.first_day(user_id, now)
        ordinals = range(first.toordinal(), first.toordinal() + count)
        return ordinals, (joined.toordinal() if joined is not None else ordinals.start)

    def days(self, user_id: str, start: float, end: float, now: float) -> list[DayValues]:
        """Day values for the local dates in [start, end), before today; none before joining."""
        ordinals, joined = self._span(user_id, start, end, now)
        return [
            self._cached_day(user_id, o).values if o >= joined else DayValues(date.fromordinal(o), None, None, None)
            for o in ordinals
        ]

    def answer(
        self, metric: Metric, user_id: str, start: float, end: float, now: float, empty_days: EmptyDays
    ) -> dict[str, Any]:
        """The `data` object the endpoint for `metric` returns."""
        return metric_data(metric, self.days(user_id, start, end, now), empty_days)

    def answer_json(
        self, metric: Metric, user_id: str, start: float, end: float, now: float, empty_days: EmptyDays
    ) -> str:
        """`answer(...)` serialised as compact JSON, built from the cached days' serialised entries."""
        ordinals, joined = self._span(user_id, start, end, now)
        index = METRICS.index(metric)
        records: list[Any] = []
        entries: list[str] = []
        zero = ZERO[metric]
        for o in ordinals:
            if o >= joined:
                cached = self._cached_day(user_id, o)
                entry = cached.entries[index]
                if entry is not None:
                    records.append(getattr(cached.values, metric))
                    entries.append(entry)
                    continue
            if empty_days == "zero":
                records.append(zero)
                entries.append(entry_json(metric, date.fromordinal(o).isoformat(), zero))
        return metric_json(metric, records, entries)

    def cache_info(self) -> dict[str, Any]:
        """Sizes of the engine's caches (for `make bench` and debugging)."""
        return {"days": self._cached_day.cache_info()._asdict(), "users": self._traits.cache_info()._asdict()}
