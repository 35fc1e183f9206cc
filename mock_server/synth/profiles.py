"""Records that describe who a synthetic user is: persona, time zone, pinned days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class StepTraits:
    median: float = 6000.0
    """Median daily steps of a person of this persona."""
    spread: float = 0.45
    """Day-to-day log-spread (right-skewed days)."""
    between_people: float = 0.25
    """Log-spread of each person's own median around the persona's."""
    weekend_factor: float = 0.85
    cap: float = 60000.0


@dataclass(frozen=True)
class HeartTraits:
    resting: float = 65.0
    between_people: float = 4.0
    day_sd: float = 2.0
    peak_over_resting: float = 55.0
    """How far above resting the day's peak gets on a very active day."""
    short_night_bpm_per_hour: float = 2.0
    """Resting rate rise per hour slept under 7 h the night before."""
    floor: float = 38.0
    ceiling: float = 200.0


@dataclass(frozen=True)
class SleepTraits:
    hours: float = 7.2
    hours_sd: float = 0.7
    weekend_extra_hours: float = 0.5
    deep_share: float = 0.18
    deep_sd: float = 0.03
    awake_share: float = 0.07
    awake_sd: float = 0.015
    min_hours: float = 3.0
    max_hours: float = 11.0


@dataclass(frozen=True)
class WearTraits:
    day: float = 0.96
    """Chance the ring is worn on a given day (heart rate and steps)."""
    night: float = 0.9
    """Chance the ring is worn on a given night (sleep)."""


@dataclass(frozen=True)
class TrendTraits:
    steps_per_year: float = 0.0
    """Relative change of median steps per year (0.1 = +10 % a year)."""
    resting_per_year: float = 0.0
    """Change of resting heart rate in bpm per year."""
    anchor: date = date(2024, 1, 1)


@dataclass(frozen=True)
class Persona:
    name: str
    description: str = ""
    steps: StepTraits = field(default_factory=StepTraits)
    heart: HeartTraits = field(default_factory=HeartTraits)
    sleep: SleepTraits = field(default_factory=SleepTraits)
    wear: WearTraits = field(default_factory=WearTraits)
    trend: TrendTraits = field(default_factory=TrendTraits)
    timezones: tuple[str, ...] = ()
    """Where people of this persona live; synthesised population users draw their zone from it."""


@dataclass(frozen=True)
class PinnedHeart:
    maxY: float
    minY: float
    average: float | None = None


@dataclass(frozen=True)
class PinnedStep:
    y: float


@dataclass(frozen=True)
class PinnedSleep:
    deepY: int
    shallowY: int
    awakeY: int


@dataclass(frozen=True)
class PinnedDay:
    """Values a fixture fixes for one date; a metric set to None stays generated."""

    heart_beat: PinnedHeart | None = None
    step: PinnedStep | None = None
    sleep: PinnedSleep | None = None
    missing: tuple[str, ...] = ()
    """Metrics with no data that day, as if the ring was off."""


@dataclass(frozen=True, slots=True)
class UserProfile:
    id: str
    persona: Persona
    timezone: str = "UTC"
    name: str = ""
    joined: date | None = None
    """No data before this date."""
    joined_days_ago: int | None = None
    """Like `joined`, counted back from the mock's current day."""
    pinned: tuple[tuple[date, PinnedDay], ...] = ()
    gaps: tuple[tuple[date, date], ...] = ()
    """Inclusive date spans with nothing recorded at all (the ring in a drawer)."""

    def in_gap(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.gaps)

    def pinned_day(self, day: date) -> PinnedDay | None:
        for pinned_date, values in self.pinned:
            if pinned_date == day:
                return values
        return None
