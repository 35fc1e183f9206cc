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
from .day import (
    METRICS,
    DayValues,
    Metric,
    UserTraits,
    apply_pins,
    generate_day,
    generate_metric,
    generate_metric_days,
    user_traits,
)
from .profiles import UserProfile
from .summary import ZERO, EmptyDays, data_json, entry_json, metric_data

DAY_CACHE_SIZE = 50_000
USER_CACHE_SIZE = 4_096
ANSWER_CACHE_SIZE = 512
ANSWER_CACHE_MAX_DAYS = 400
"""Answers over at most this many dates are kept whole (about 16 KB for 365 days)."""


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
        self._cached_answer = lru_cache(maxsize=ANSWER_CACHE_SIZE)(self._assemble)
        self._cached_entry = lru_cache(maxsize=DAY_CACHE_SIZE)(self._make_entry)

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

    def _make_entry(self, user_id: str, ordinal: int, index: int) -> tuple[Any, str | None]:
        """One metric's record of a day and its serialised `list` entry (None, None without data).

        Only that metric is generated; a user with pinned days or gaps takes the whole day.
        """
        profile = self.users[user_id]
        if profile.pinned or profile.gaps:
            cached = self._cached_day(user_id, ordinal)
            return getattr(cached.values, METRICS[index]), cached.entries[index]
        day = date.fromordinal(ordinal)
        record = generate_metric(self.seed, profile, self._traits(user_id), day, METRICS[index])
        return record, None if record is None else entry_json(METRICS[index], day.isoformat(), record)

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
        """`answer(...)` serialised as compact JSON, built from the cached days' serialised entries.

        An answer is a pure function of the user, the metric, its dates (the range cut at today),
        the join date and `empty_days`; the latest answers up to ANSWER_CACHE_MAX_DAYS long are kept.
        """
        ordinals, joined = self._span(user_id, start, end, now)
        if len(ordinals) <= ANSWER_CACHE_MAX_DAYS:
            return self._cached_answer(metric, user_id, ordinals.start, ordinals.stop, joined, empty_days)
        return self._assemble(metric, user_id, ordinals.start, ordinals.stop, joined, empty_days)

    def _assemble(self, metric: Metric, user_id: str, first: int, stop: int, joined: int, empty_days: EmptyDays) -> str:
        """The answer over the dates with ordinals [first, stop), none before `joined`."""
        ordinals = range(first, stop)
        index = METRICS.index(metric)
        records: list[Any] = []
        entries: list[str] = []
        zero = ZERO[metric]
        profile = self.users[user_id]
        with_data = range(max(first, joined), stop)
        if len(with_data) > ANSWER_CACHE_MAX_DAYS and not (profile.pinned or profile.gaps) and empty_days == "omit":
            # A long range (years): generated in one go, not kept day by day.
            days = [date.fromordinal(o) for o in with_data]
            generated = generate_metric_days(self.seed, profile, self._traits(user_id), days, metric)
            for day, record in zip(days, generated, strict=True):
                if record is not None:
                    records.append(record)
                    entries.append(entry_json(metric, day.isoformat(), record))
            return data_json(metric, records, entries)
        lookup = self._cached_entry
        for o in ordinals:
            if o >= joined:
                record, entry = lookup(user_id, o, index)
                if entry is not None:
                    records.append(record)
                    entries.append(entry)
                    continue
            if empty_days == "zero":
                records.append(zero)
                entries.append(entry_json(metric, date.fromordinal(o).isoformat(), zero))
        return data_json(metric, records, entries)

    def cache_info(self) -> dict[str, Any]:
        """Sizes of the engine's caches (for `make bench` and debugging)."""
        return {
            "days": self._cached_day.cache_info()._asdict(),
            "entries": self._cached_entry.cache_info()._asdict(),
            "users": self._traits.cache_info()._asdict(),
            "answers": self._cached_answer.cache_info()._asdict(),
        }
