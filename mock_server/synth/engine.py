"""The data engine: a user's answer for a range, from cached pure day values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from .calendar import days_in_range, local_date
from .day import DayValues, UserTraits, apply_pins, generate_day, user_traits
from .profiles import UserProfile
from .summary import EmptyDays, Metric, metric_data

DAY_CACHE_SIZE = 50_000


class DataEngine:
    """Answers queries for a fixed seed and set of users; caches per-day values."""

    def __init__(self, seed: int, users: Mapping[str, UserProfile]) -> None:
        self.seed = seed
        self.users = dict(users)
        self._zones = {uid: ZoneInfo(p.timezone) for uid, p in self.users.items()}
        self._traits: dict[str, UserTraits] = {uid: user_traits(seed, p) for uid, p in self.users.items()}
        self.day_values = lru_cache(maxsize=DAY_CACHE_SIZE)(self._day_values)

    def _day_values(self, user_id: str, day: date) -> DayValues:
        profile = self.users[user_id]
        if profile.gaps and profile.in_gap(day):
            return DayValues(day, None, None, None)
        generated = generate_day(self.seed, profile, self._traits[user_id], day)
        return apply_pins(generated, profile.pinned_day(day))

    def timezone(self, user_id: str) -> ZoneInfo:
        return self._zones[user_id]

    def today(self, user_id: str, now: float) -> date:
        """The user's current local date."""
        return local_date(now, self._zones[user_id])

    def first_day(self, user_id: str, now: float) -> date | None:
        profile = self.users[user_id]
        if profile.joined_days_ago is not None:
            return self.today(user_id, now) - timedelta(days=profile.joined_days_ago)
        return profile.joined

    def days(self, user_id: str, start: float, end: float, now: float) -> list[DayValues]:
        """Day values for the local dates in [start, end), before today; none before joining."""
        dates = days_in_range(start, end, self._zones[user_id], self.today(user_id, now))
        first = self.first_day(user_id, now)
        return [
            self.day_values(user_id, d) if first is None or d >= first else DayValues(d, None, None, None)
            for d in dates
        ]

    def answer(
        self, metric: Metric, user_id: str, start: float, end: float, now: float, empty_days: EmptyDays
    ) -> dict[str, Any]:
        """The `data` object the endpoint for `metric` returns."""
        return metric_data(metric, self.days(user_id, start, end, now), empty_days)
